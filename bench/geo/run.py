"""Geo benchmark on PostGIS: 1,000,000 points in Kota Batu; radius (500 m) and 10-nearest
query latitency (p50/p99) and area-containing-point lookups per second.

    .venv/bin/python bench/geo/run.py [--points 1000000] [--queries 300]

Creates its own database (batt_bench_geo) on the server of BENCH_PG_URL
(default postgres://postgres@127.0.0.1:5432/postgres), drops it at the end, prints figures.
The queries are the ones domains run: backend.geo.spatial / backend.geo.services, through
Tortoise's connection, against a table indexed by backend.geo.indexes.add_point_index.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.schema_editor.asyncpg import AsyncpgSchemaEditor

from backend import db
from backend.geo import services, spatial
from backend.geo.indexes import add_point_index

DATABASE = "batt_bench_geo"
TABLE = "bench_point"
# Kota Batu's extent (BRIEF.md): points and query centres are drawn inside it.
SOUTH, NORTH, WEST, EAST = -7.95, -7.75, 112.45, 112.60
POINTS = spatial.point_table(TABLE)


def _url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def _config(url: str) -> dict[str, Any]:
    # Only the geo app: the benchmark measures geo, whatever other domains' state.
    parts = urlsplit(url)
    return {
        "connections": {"default": {
            "engine": "tortoise.backends.asyncpg",
            "credentials": {"host": parts.hostname, "port": parts.port or 5432,
                            "user": parts.username or "postgres", "password": parts.password or "",
                            "database": DATABASE, "minsize": 1, "maxsize": 4},
        }},
        "apps": {"geo": {"models": ["backend.geo.models"], "migrations": "backend.geo.migrations",
                         "default_connection": "default"}},
        "use_tz": True, "timezone": "UTC",
    }


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _load(count: int) -> float:
    started = time.perf_counter()
    conn = db.connection()
    await conn.execute_script(
        f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, lat DOUBLE PRECISION, "
        "lon DOUBLE PRECISION)"
    )
    # Generated in the server: no round trips, deterministic with setseed.
    await conn.execute_script(
        f"SELECT setseed(0.42); INSERT INTO {TABLE} SELECT g, "
        f"{SOUTH} + random() * {NORTH - SOUTH}, {WEST} + random() * {EAST - WEST} "
        f"FROM generate_series(1, {count}) AS g"
    )
    await add_point_index(TABLE).code(None, AsyncpgSchemaEditor(conn))
    await conn.execute_script(f"VACUUM ANALYZE {TABLE}")
    return time.perf_counter() - started


async def _timed(calls: list[Callable[[], Awaitable[Any]]]) -> tuple[list[float], list[Any]]:
    times, results = [], []
    for call in calls:
        started = time.perf_counter()
        results.append(await call())
        times.append((time.perf_counter() - started) * 1000)
    return times, results


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _report(name: str, times: list[float], extra: str = "") -> None:
    print(f"  {name:<34} p50 {_pct(times, 50):6.2f} ms   p99 {_pct(times, 99):6.2f} ms"
          f"   mean {statistics.fmean(times):6.2f} ms{extra}")


async def bench(count: int, queries: int, seed: int) -> None:
    rng = random.Random(seed)
    centres = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(queries)]
    warm = centres[:20]

    print(f"Loading {count:,} points …", flush=True)
    seconds = await _load(count)
    print(f"  loaded and indexed in {seconds:.1f} s")
    await services.load_demo_areas(echo=lambda line: print(f"  {line}"))

    print(f"Queries ({queries} random centres in Kota Batu, after {len(warm)} warm-up):")
    for lat, lon in warm:
        await spatial.within_radius(POINTS, lat, lon, 500)
        await spatial.nearest(POINTS, lat, lon, 10)

    times, counts = await _timed(
        [lambda a=a, b=b: spatial.count_within_radius(POINTS, a, b, 500) for a, b in centres])
    _report("radius 500 m, count all", times,
            f"   ({statistics.fmean(counts):.0f} points per circle)")
    times, hits = await _timed(
        [lambda a=a, b=b: spatial.within_radius(POINTS, a, b, 500, limit=100)
         for a, b in centres])
    _report("radius 500 m, nearest 100 rows", times)
    times, _ = await _timed(
        [lambda a=a, b=b: spatial.within_radius(POINTS, a, b, 500, limit=1000)
         for a, b in centres])
    _report("radius 500 m, 1000 rows", times)
    times, hits = await _timed(
        [lambda a=a, b=b: spatial.nearest(POINTS, a, b, 10) for a, b in centres])
    assert all(len(h) == 10 for h in hits)
    _report("10 nearest", times)

    lookups = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(2000)]
    started = time.perf_counter()
    found = 0
    for lat, lon in lookups:
        found += (await services.locate(lat, lon)) is not None
    elapsed = time.perf_counter() - started
    print(f"  area containing point (locate)     {len(lookups) / elapsed:8.0f} lookups/s"
          f"   ({found} of {len(lookups)} inside the city)")
    started = time.perf_counter()
    for lat, lon in lookups:
        await services.area_ids_at(lat, lon)
    elapsed = time.perf_counter() - started
    print(f"  area ids at point (one query)      {len(lookups) / elapsed:8.0f} lookups/s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG_URL",
                            "postgres://postgres@127.0.0.1:5432/postgres")
    server = server.replace("postgresql://", "postgres://", 1)
    url = _url(server, DATABASE)
    await _admin(server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
                 f'CREATE DATABASE "{DATABASE}"')
    try:
        await _admin(url, "CREATE EXTENSION IF NOT EXISTS postgis")
        config = _config(url)
        await tortoise_migrate(config=config)
        await Tortoise.close_connections()
        await Tortoise.init(config=config)
        try:
            version = await db.connection().execute_query_dict("SELECT version() AS v")
            print(f"PostgreSQL: {version[0]['v'].split(',')[0]}; database {DATABASE}")
            await bench(args.points, args.queries, args.seed)
        finally:
            await Tortoise.close_connections()
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        print(f"Dropped {DATABASE}.")


if __name__ == "__main__":
    asyncio.run(main())
