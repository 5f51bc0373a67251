"""A table with two points per row (an exact one and a public one), each with its own spatial
index: queries through either index answer for its own columns only, on SQLite and PostGIS,
and each index follows updates of its own columns."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from tortoise.migrations.schema_editor.asyncpg import AsyncpgSchemaEditor
from tortoise.migrations.schema_editor.sqlite import SqliteSchemaEditor

from backend import db
from backend.geo import spatial
from backend.geo.geodesy import geodesic_distance_m
from backend.geo.indexes import add_point_index
from backend.geo.sql import fetch_all, fetch_raw

TABLE = "geo_two_points"
EXACT = spatial.point_table(TABLE, sa.Column("public_lat", sa.Float),
                            sa.Column("public_lon", sa.Float))
PUBLIC = spatial.point_table(TABLE, lat_column="public_lat", lon_column="public_lon",
                             index="public")
_created = False


async def _create() -> None:
    conn = db.connection()
    if db.dialect() == "postgres":
        ddl = (f'CREATE TABLE "{TABLE}" (id INTEGER PRIMARY KEY, lat DOUBLE PRECISION, '
               "lon DOUBLE PRECISION, public_lat DOUBLE PRECISION, public_lon DOUBLE PRECISION)")
        editor = AsyncpgSchemaEditor(conn)
    else:
        ddl = (f'CREATE TABLE "{TABLE}" (id INTEGER PRIMARY KEY AUTOINCREMENT, lat REAL, '
               "lon REAL, public_lat REAL, public_lon REAL)")
        editor = SqliteSchemaEditor(conn)
    await conn.execute_script(ddl)
    await add_point_index(TABLE).code(None, editor)
    await add_point_index(TABLE, lat_column="public_lat", lon_column="public_lon",
                          index="public").code(None, editor)


@pytest.fixture
async def rows(database):
    global _created
    if not _created:
        await _create()
        _created = True
    rng = random.Random(11)
    made = []
    for i in range(1, 401):
        lat, lon = rng.uniform(-7.90, -7.84), rng.uniform(112.50, 112.56)
        # Every other row: the public point is the exact one snapped to a 0.01° grid, far
        # enough from the exact one for the two indexes to give different answers.
        plat, plon = (round(lat, 2), round(lon, 2)) if i % 2 else (lat, lon)
        made.append({"id": i, "lat": lat, "lon": lon, "public_lat": plat, "public_lon": plon})
    for start in range(0, len(made), 100):
        await fetch_all(sa.insert(EXACT.table).values(made[start:start + 100]))
    yield made
    await fetch_all(sa.delete(EXACT.table))


def _inside(rows, lat_key, lon_key, south, west, north, east):
    return sorted((r["id"] for r in rows if south <= r[lat_key] <= north
                   and west <= r[lon_key] <= east), reverse=True)


def _near(rows, lat_key, lon_key, lat, lon, radius):
    found = sorted((geodesic_distance_m(lat, lon, r[lat_key], r[lon_key]), r["id"])
                   for r in rows)
    return [(d, i) for d, i in found if d <= radius]


async def test_each_index_answers_for_its_own_columns(rows):
    box = (-7.872, 112.512, -7.862, 112.532)
    exact_ids = _inside(rows, "lat", "lon", *box)
    public_ids = _inside(rows, "public_lat", "public_lon", *box)
    assert exact_ids != public_ids  # the data makes the two differ
    assert [h.id for h in await spatial.in_bbox(EXACT, *box, limit=1000)] == exact_ids
    assert [h.id for h in await spatial.in_bbox(PUBLIC, *box, limit=1000)] == public_ids
    assert await spatial.count_in_bbox(PUBLIC, *box) == len(public_ids)

    for table, keys in ((EXACT, ("lat", "lon")), (PUBLIC, ("public_lat", "public_lon"))):
        expected = _near(rows, *keys, -7.87, 112.525, 400)
        hits = await spatial.within_radius(table, -7.87, 112.525, 400, limit=1000)
        assert [h.id for h in hits] == [i for _, i in expected]
        for hit, (distance, _) in zip(hits, expected, strict=True):
            assert hit.distance_m == pytest.approx(distance, abs=1.0)
            # The hit's coordinates are those of the index's columns.
            row = rows[hit.id - 1]
            assert (hit.lat, hit.lon) == pytest.approx((row[keys[0]], row[keys[1]]))


async def test_each_index_follows_updates_of_its_own_columns(rows):
    moved = rows[0]
    spot = (-7.8801, 112.5402)
    await fetch_all(sa.update(EXACT.table).where(EXACT.id == moved["id"])
                    .values(public_lat=spot[0], public_lon=spot[1]))
    near_public = await spatial.within_radius(PUBLIC, *spot, 5)
    assert [h.id for h in near_public] == [moved["id"]]
    # The exact index still has the row where it was.
    assert moved["id"] not in [h.id for h in await spatial.within_radius(EXACT, *spot, 5)]
    assert moved["id"] in [h.id for h in await spatial.within_radius(
        EXACT, moved["lat"], moved["lon"], 1)]
    await fetch_all(sa.delete(EXACT.table).where(EXACT.id == moved["id"]))
    assert await spatial.within_radius(PUBLIC, *spot, 5) == []


async def test_both_indexes_exist_side_by_side(rows):
    if db.dialect() == "postgres":
        found = await fetch_raw("SELECT indexname FROM pg_indexes WHERE tablename = $1", [TABLE])
        names = {r["indexname"] for r in found}
        assert {f"{TABLE}_geo_point_gist", f"{TABLE}_geo_point_public_gist"} <= names
    else:
        found = await fetch_raw("SELECT name FROM sqlite_master WHERE name LIKE ?",
                                [f"{TABLE}_%rtree%"])
        names = {r["name"] for r in found}
        for rtree in (f"{TABLE}_rtree", f"{TABLE}_public_rtree"):
            assert {rtree, f"{rtree}_insert", f"{rtree}_update", f"{rtree}_delete"} <= names
