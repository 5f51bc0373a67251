"""Real data for the geo contract tests: a table of points with the same spatial index a
domain table gets from its migration, and the demo areas of Kota Batu."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tortoise.migrations.schema_editor.asyncpg import AsyncpgSchemaEditor
from tortoise.migrations.schema_editor.sqlite import SqliteSchemaEditor

from backend import db
from backend.geo.indexes import add_point_index
from backend.geo.services import load_demo_areas
from backend.geo.spatial import PointTable, point_table
from backend.geo.sql import fetch_all

TABLE = "geo_contract_point"
CATEGORIES = ("sampah", "jalan_rusak", "pju")
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

POINTS = point_table(
    TABLE,
    sa.Column("category", sa.String),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Row:
    id: int
    lat: float
    lon: float
    category: str
    created_at: datetime


def make_rows(count: int = 1500, seed: int = 7) -> list[Row]:
    """Points over Kota Batu, denser around the centre, plus a few outside (Malang)."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, count + 1):
        if i % 3 == 0:  # a dense cluster near the Alun-alun
            lat, lon = rng.gauss(-7.871, 0.004), rng.gauss(112.527, 0.004)
        elif i % 50 == 0:
            lat, lon = rng.uniform(-8.0, -7.96), rng.uniform(112.60, 112.66)
        else:
            lat, lon = rng.uniform(-7.95, -7.75), rng.uniform(112.45, 112.60)
        rows.append(Row(i, round(lat, 7), round(lon, 7), CATEGORIES[i % 3],
                        NOW - timedelta(hours=rng.uniform(0, 24 * 40))))
    return rows


_created = False


async def _create_table() -> None:
    conn = db.connection()
    if db.dialect() == "postgres":
        ddl = (f'CREATE TABLE "{TABLE}" (id INTEGER PRIMARY KEY, lat DOUBLE PRECISION, '
               "lon DOUBLE PRECISION, category VARCHAR(32), created_at TIMESTAMPTZ)")
        editor = AsyncpgSchemaEditor(conn)
    else:
        ddl = (f'CREATE TABLE "{TABLE}" (id INTEGER PRIMARY KEY AUTOINCREMENT, lat REAL, '
               "lon REAL, category VARCHAR(32), created_at TIMESTAMP)")
        editor = SqliteSchemaEditor(conn)
    await conn.execute_script(ddl)
    # The very operation a domain migration uses.
    await add_point_index(TABLE).code(None, editor)


async def insert_rows(rows: list[Row]) -> None:
    for start in range(0, len(rows), 200):  # SQLite caps bound parameters per statement
        chunk = rows[start:start + 200]
        statement = sa.insert(POINTS.table).values(
            [{"id": r.id, "lat": r.lat, "lon": r.lon, "category": r.category,
              "created_at": r.created_at} for r in chunk]
        )
        await fetch_all(statement)


@pytest.fixture
async def points(database) -> AsyncIterator[tuple[PointTable, list[Row]]]:
    global _created
    if not _created:
        await _create_table()
        _created = True
    rows = make_rows()
    await insert_rows(rows)
    yield POINTS, rows
    await fetch_all(sa.delete(POINTS.table))


@pytest.fixture
async def demo_areas(database) -> None:
    await load_demo_areas(echo=lambda line: None)
