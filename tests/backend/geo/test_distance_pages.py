"""A list sorted by distance, paged with keyset cursors through the spatial index — the
SQLAlchemy path of the connection helper — on SQLite and PostGIS: every point of the circle
exactly once, nearest first, also while points are added between pages."""

from __future__ import annotations

import graphene
import pytest

from backend.geo import spatial
from backend.geo.geodesy import geodesic_distance_m
from backend.graphql.connections import CountedConnection, connection_for, paginate
from backend.pagination import Cursor, decode_after
from tests.backend.geo.conftest import NOW, Row, insert_rows
from tests.backend.geo.test_spatial_contract import CENTRES, brute_radius


class HitNode(graphene.ObjectType):
    id = graphene.ID()


HitConnection = connection_for(HitNode)


async def walk(table, lat: float, lon: float, radius: float, first: int, *, where=(),
               between=None) -> tuple[list[spatial.PointHit], int]:
    seen, after = [], None

    async def fetch(position: Cursor | None, limit: int) -> list[spatial.PointHit]:
        return await spatial.nearest_after(table, lat, lon, radius, where=where,
                                           after=position, limit=limit)

    async def count() -> int:
        return await spatial.count_within_radius(table, lat, lon, radius, where=where)

    while True:
        page = await paginate(HitConnection, first=first, after=after,
                              sort=spatial.BY_DISTANCE, fetch=fetch, count=count)
        seen += [edge.node for edge in page.edges]
        if not page.page_info.has_next_page:
            total = await CountedConnection.resolve_total_count(page, None)
            return seen, total
        after = page.page_info.end_cursor
        if between is not None:
            await between(seen[-1])


@pytest.mark.parametrize("radius", [300, 2000])
async def test_every_point_once_nearest_first(points, radius):
    table, rows = points
    for lat, lon in CENTRES[:3]:
        expected = brute_radius(rows, lat, lon, radius)
        seen, total = await walk(table, lat, lon, radius, first=7)
        assert [h.id for h in seen] == [i for _, i in expected]
        for hit, (distance, _) in zip(seen, expected, strict=True):
            assert hit.distance_m == pytest.approx(distance, abs=1.0)
        assert total == len(expected)


async def test_points_added_between_pages_at_equal_distances(points):
    table, rows = points
    lat, lon = CENTRES[0]
    # Ties: several points on the same spot, so the same distance, at once and later.
    spot = (-7.8725, 112.5281)
    next_id = max(r.id for r in rows) + 1
    tied = [Row(next_id + i, *spot, "sampah", NOW) for i in range(5)]
    await insert_rows(tied)
    added: list[tuple[int, bool]] = []
    serial = iter(range(next_id + 100, next_id + 10_000))

    async def between(last: spatial.PointHit) -> None:
        # On the last point seen (same distance, higher id: ahead of the reader), at the
        # centre (nearest of all: behind it), and 440 m out (ahead until the reader passes).
        same, centre, far = next(serial), next(serial), next(serial)
        await insert_rows([Row(same, last.lat, last.lon, "sampah", NOW),
                           Row(centre, lat, lon, "sampah", NOW),
                           Row(far, lat + 0.0040, lon, "sampah", NOW)])
        far_m = geodesic_distance_m(lat, lon, lat + 0.0040, lon)
        added.extend([(same, True), (centre, False)])
        if abs(far_m - last.distance_m) > 1:  # (the databases measure within a metre)
            added.append((far, far_m > last.distance_m))

    seen, _ = await walk(table, lat, lon, 500, first=6, between=between)
    assert {shown for _, shown in added} == {True, False}
    order = [(h.distance_m, h.id) for h in seen]
    assert order == sorted(order) and len({h.id for h in seen}) == len(seen)
    ids = {h.id for h in seen}
    before = {i for _, i in brute_radius(rows + tied, lat, lon, 500)}
    assert before <= ids
    assert all((point_id in ids) == shown for point_id, shown in added)
    tied_distances = {h.distance_m for h in seen if h.id in {r.id for r in tied}}
    assert len(tied_distances) == 1


async def test_a_filter_and_a_cursor_from_the_client(points):
    table, rows = points
    lat, lon = CENTRES[1]
    where = [table.c.category == "pju"]
    expected = brute_radius(rows, lat, lon, 3000, keep=lambda r: r.category == "pju")
    seen, total = await walk(table, lat, lon, 3000, first=4, where=where)
    assert [h.id for h in seen] == [i for _, i in expected] and total == len(expected)
    # What a client sends back is what it was given: the position of the last row.
    cursor = spatial.BY_DISTANCE.cursor_of(seen[3])
    position = decode_after(spatial.BY_DISTANCE, cursor)
    assert (position.key, position.id) == (seen[3].distance_m, seen[3].id)
    rest = await spatial.nearest_after(table, lat, lon, 3000, where=where, after=position,
                                       limit=1000)
    assert [h.id for h in rest] == [h.id for h in seen[4:]]
