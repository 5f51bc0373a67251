"""The spatial contract: the same answers on SQLite and on PostGIS, checked against a brute
force over the same rows with GeographicLib (distances within 1 m)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from backend.errors import ServiceError
from backend.geo import spatial
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import geodesic_distance_m
from backend.geo.sql import fetch_all
from tests.backend.geo.conftest import NOW, Row

CENTRES = [(-7.871, 112.527), (-7.8833, 112.5331), (-7.80, 112.52), (-7.93, 112.58),
           (-7.95, 112.45)]


def brute_radius(rows: list[Row], lat: float, lon: float, radius: float, keep=lambda r: True):
    found = []
    for r in rows:
        d = geodesic_distance_m(lat, lon, r.lat, r.lon)
        if d <= radius and keep(r):
            found.append((d, r.id))
    return sorted(found)


def assert_same_hits(hits: list[spatial.PointHit], expected: list[tuple[float, int]]) -> None:
    assert [h.id for h in hits] == [i for _, i in expected]
    for hit, (distance, _) in zip(hits, expected, strict=True):
        assert hit.distance_m == pytest.approx(distance, abs=1.0)


@pytest.mark.parametrize("radius", [50, 500, 2000])
async def test_within_radius_finds_every_point_in_the_circle_nearest_first(points, radius):
    table, rows = points
    for lat, lon in CENTRES:
        expected = brute_radius(rows, lat, lon, radius)
        hits = await spatial.within_radius(table, lat, lon, radius, limit=1000)
        assert_same_hits(hits, expected)
        assert await spatial.count_within_radius(table, lat, lon, radius) == len(expected)


async def test_within_radius_pages_and_filters_like_the_complaints_query(points):
    # "open complaints of category X within 500 m from the last 14 days"
    table, rows = points
    since = NOW - timedelta(days=14)
    lat, lon = CENTRES[0]
    expected = brute_radius(rows, lat, lon, 500,
                            keep=lambda r: r.category == "sampah" and r.created_at >= since)
    assert len(expected) > 10
    where = [table.c.category == "sampah", table.c.created_at >= since]
    first = await spatial.within_radius(table, lat, lon, 500, where=where, limit=10)
    rest = await spatial.within_radius(table, lat, lon, 500, where=where, limit=1000, offset=10)
    assert_same_hits(first + rest, expected)


@pytest.mark.parametrize("k", [1, 10, 50])
async def test_nearest_returns_the_k_geodesically_closest(points, k):
    table, rows = points
    for lat, lon in [*CENTRES, (-7.98, 112.63), (-7.5, 112.0)]:
        expected = brute_radius(rows, lat, lon, math.inf)[:k]
        assert_same_hits(await spatial.nearest(table, lat, lon, k), expected)


async def test_nearest_with_a_filter_a_ceiling_and_too_few_points(points):
    table, rows = points
    lat, lon = CENTRES[3]
    only = [table.c.category == "pju"]
    expected = brute_radius(rows, lat, lon, math.inf, keep=lambda r: r.category == "pju")[:7]
    assert_same_hits(await spatial.nearest(table, lat, lon, 7, where=only), expected)

    capped = await spatial.nearest(table, lat, lon, 50, max_distance_m=800)
    assert_same_hits(capped, brute_radius(rows, lat, lon, 800)[:50])

    few = [table.c.id.in_([3, 5, 8])]
    assert [h.id for h in await spatial.nearest(table, lat, lon, 10, where=few)] == [
        i for _, i in brute_radius(rows, lat, lon, math.inf, keep=lambda r: r.id in (3, 5, 8))
    ]


async def test_in_bbox_newest_first_with_keyset_pages(points):
    table, rows = points
    south, west, north, east = -7.90, 112.50, -7.85, 112.55
    expected = sorted(
        (r.id for r in rows if south <= r.lat <= north and west <= r.lon <= east), reverse=True
    )
    assert await spatial.count_in_bbox(table, south, west, north, east) == len(expected)
    seen: list[int] = []
    before = None
    while True:
        page = await spatial.in_bbox(table, south, west, north, east, limit=100,
                                     before_id=before)
        if not page:
            break
        seen += [h.id for h in page]
        before = page[-1].id
    assert seen == expected
    pju = await spatial.in_bbox(table, south, west, north, east,
                                where=[table.c.category == "pju"], limit=1000)
    assert [h.id for h in pju] == [i for i in expected if rows[i - 1].category == "pju"]


@pytest.mark.parametrize("zoom", [10, 13, 16])
async def test_clusters_group_points_on_a_fixed_grid(points, zoom):
    table, rows = points
    south, west, north, east = -7.95, 112.45, -7.75, 112.60
    cell = spatial.cluster_cell_degrees(zoom)
    groups: dict[tuple[int, int], list[Row]] = {}
    for r in rows:
        if south <= r.lat <= north and west <= r.lon <= east:
            key = (math.floor((r.lat + 90.0) / cell), math.floor((r.lon + 180.0) / cell))
            groups.setdefault(key, []).append(r)
    clusters = await spatial.clusters(table, south, west, north, east, zoom)
    assert len(clusters) == len(groups)
    for cluster, key in zip(clusters, sorted(groups), strict=True):
        members = groups[key]
        assert cluster.count == len(members)
        assert cluster.lat == pytest.approx(sum(m.lat for m in members) / len(members), abs=1e-9)
        assert cluster.lon == pytest.approx(sum(m.lon for m in members) / len(members), abs=1e-9)
        assert cluster.bbox.south == min(m.lat for m in members)
        assert cluster.bbox.east == max(m.lon for m in members)
        assert cluster.id == (members[0].id if len(members) == 1 else None)


async def test_the_index_follows_inserts_updates_and_deletes(points):
    table, rows = points
    lat, lon = -7.8700, 112.5000
    before = await spatial.within_radius(table, lat, lon, 30)
    moved, gone = rows[0], rows[2]
    await fetch_all(sa.update(table.table).where(table.id == moved.id).values(
        lat=lat + 0.0001, lon=lon))
    await fetch_all(sa.insert(table.table).values(id=99999, lat=lat, lon=lon + 0.0001,
                                                  category="pju", created_at=NOW))
    await fetch_all(sa.update(table.table).where(table.id == gone.id).values(lat=lat, lon=lon))
    await fetch_all(sa.delete(table.table).where(table.id == gone.id))
    after = await spatial.within_radius(table, lat, lon, 30)
    assert {h.id for h in after} == {h.id for h in before} | {moved.id, 99999}
    assert gone.id not in {h.id for h in after}


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda t: spatial.within_radius(t, math.nan, 112.5, 100),
         GeoErrorCode.INVALID_COORDINATES),
        (lambda t: spatial.within_radius(t, -7.9, 181, 100), GeoErrorCode.INVALID_COORDINATES),
        (lambda t: spatial.within_radius(t, -7.9, 112.5, 0), GeoErrorCode.INVALID_RADIUS),
        (lambda t: spatial.within_radius(t, -7.9, 112.5, math.inf),
         GeoErrorCode.INVALID_RADIUS),
        (lambda t: spatial.nearest(t, 91, 112.5, 3), GeoErrorCode.INVALID_COORDINATES),
        (lambda t: spatial.nearest(t, -7.9, 112.5, 0), GeoErrorCode.INVALID_LIMIT),
        (lambda t: spatial.in_bbox(t, -7.8, 112.4, -7.9, 112.6), GeoErrorCode.INVALID_BBOX),
        (lambda t: spatial.clusters(t, -7.9, 112.4, -7.8, 112.6, 23), GeoErrorCode.INVALID_ZOOM),
    ],
)
async def test_bad_input_is_refused_with_a_code(points, call, code):
    table, _ = points
    with pytest.raises(ServiceError) as caught:
        await call(table)
    assert caught.value.code is code
