"""The spatial queries go through the spatial index: R*Tree on SQLite, GiST on PostGIS."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tortoise.transactions import in_transaction

from backend import db
from backend.geo import services, spatial
from backend.geo.geodesy import Bbox
from backend.geo.sql import compile_statement, fetch_raw
from tests.backend.geo.conftest import TABLE


def _statements(table: spatial.PointTable) -> dict[str, sa.Select]:
    # The builders the public functions run, so the plans are those of the real queries.
    box = Bbox(-7.90, 112.50, -7.85, 112.55)
    return {
        "radius": spatial._radius_select(table, -7.871, 112.527, 500,
                                         [table.c.category == "sampah"]),
        "bbox": spatial._indexed_in_box(table, box, sa.select(table.id).select_from(table.table)),
    }


async def _plan(statement: sa.Select) -> str:
    sql, values = compile_statement(statement, db.dialect())
    if db.dialect() == "postgres":
        async with in_transaction():
            # On a small table a sequential scan is cheaper; forbid it to see whether the
            # index *can* serve the query, which is what matters at a million rows.
            await fetch_raw("SET LOCAL enable_seqscan = off")
            rows = await fetch_raw("EXPLAIN " + sql, values)
        return "\n".join(r["QUERY PLAN"] for r in rows)
    rows = await fetch_raw("EXPLAIN QUERY PLAN " + sql, values)
    return "\n".join(r["detail"] for r in rows)


async def test_sqlite_queries_use_the_rtree_never_a_full_scan(points):
    if db.dialect() != "sqlite":
        pytest.skip("SQLite plan")
    table, _ = points
    for name, statement in _statements(table).items():
        plan = await _plan(statement)
        assert f"SCAN {TABLE}_rtree VIRTUAL TABLE INDEX" in plan, (name, plan)
        assert f"SEARCH {TABLE} USING INTEGER PRIMARY KEY" in plan, (name, plan)
        assert f"SCAN {TABLE}\n" not in plan + "\n", (name, plan)
    plan = await _plan(services.area_candidates_statement(-7.871, 112.527))
    assert "SCAN geo_area_rtree VIRTUAL TABLE INDEX" in plan
    assert "SCAN geo_area\n" not in plan + "\n"


@pytest.mark.postgres_only
async def test_postgis_has_gist_indexes_and_the_queries_use_them(points, demo_areas):
    table, _ = points
    rows = await fetch_raw(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ($1, 'geo_area')",
        [TABLE],
    )
    gist = {r["indexname"] for r in rows if "USING gist" in r["indexdef"]}
    assert gist == {f"{TABLE}_geo_point_gist", "geo_area_geom_gist"}
    for name, statement in _statements(table).items():
        assert f"{TABLE}_geo_point_gist" in await _plan(statement), name
    here = sa.func.ST_SetSRID(sa.func.ST_MakePoint(112.527, -7.871), 4326)
    areas = sa.table("geo_area", sa.column("id"), sa.column("geom"))
    plan = await _plan(sa.select(areas.c.id).where(sa.func.ST_Covers(areas.c.geom, here)))
    assert "geo_area_geom_gist" in plan
