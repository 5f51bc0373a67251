"""Farming benchmarks on PostgreSQL + PostGIS (issue 12):

- advisory: with 20,000 registered farmers and 60,000 plantings, resolve the recipients of an
  advisory for one commodity in 5 villages and queue their pushes (what the after-commit
  handler does) — time and SQL statement count (target ≤ 1 s);
- harvestOutlook for the whole city over 12 weeks on the same data (target p95 ≤ 100 ms):
  the service alone (p50/p95 of repeated calls in this process), then what a client gets —
  an anonymous GraphQL POST to a real ``batt serve`` (1 worker) selecting every field of
  every village row and city total, one request at a time on a keep-alive connection: first
  with the read cache off (``BATT_READ_CACHE_BYTES=0``: each answer computed), then on (the
  public-read cache answers repeats until a planting event).

    .venv/bin/python bench/farming/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                          [--farmers 20000] [--plantings 60000] [--runs 50]

Creates its own database (batt_bench_farming), migrates every app, loads the demo areas and
commodities, bulk-inserts farmers, parcels and plantings spread over the 24 villages and 19
commodities (harvests in the next 16 weeks), prints the figures and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from among_tani.farming.advisories import recipients  # noqa: E402
from among_tani.farming.outlook import harvest_outlook  # noqa: E402
from among_tani.registry.commodities import seed_commodities  # noqa: E402
from backend import db  # noqa: E402
from backend.clock import WIB, utcnow  # noqa: E402
from backend.events import unit_of_work  # noqa: E402
from backend.geo.services import load_demo_areas  # noqa: E402
from backend.push.services import enqueue_push_many  # noqa: E402
from backend.settings import Settings  # noqa: E402
from bench.common import (  # noqa: E402
    KeepAliveClient,
    admin,
    cpu_seconds,
    free_port,
    percentile,
    unlimited_budgets,
    worker_pids,
)
from tests.querycount import counting_queries  # noqa: E402

DATABASE = "batt_bench_farming"
BATT = str(Path(sys.executable).with_name("batt"))
# The whole city as series (one list per commodity and village: the read to choose there),
# and the same sums as one entry per commodity, village and week (8 fields × 5,467 rows).
OUTLOOK_SERIES = """query { harvestOutlook(weeks: 12) { fromDate weeks
  series { commodityCode villageCode villageName unit expectedQuantities plantedAreaHa
           plantings }
  totalSeries { commodityCode unit expectedQuantities plantedAreaHa plantings } } }"""
OUTLOOK = """query { harvestOutlook(weeks: 12) { fromDate weeks
  entries { commodityCode villageCode villageName weekStart expectedQuantity unit
            plantedAreaHa plantings }
  totals { commodityCode weekStart expectedQuantity unit plantedAreaHa plantings } } }"""
TARGET_VILLAGES = ("batu-sidomulyo", "batu-pesanggrahan", "batu-sumberejo",
                   "bumiaji-punten", "bumiaji-tulungrejo")


async def load(url: str, farmers: int, plantings: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        villages = await conn.fetch(
            "SELECT id, min_lat, max_lat, min_lon, max_lon FROM geo_area WHERE level='village'")
        commodities = await conn.fetch("SELECT code, base_unit FROM tani_commodity")
        rng = random.Random(12)
        now = utcnow()
        await conn.copy_records_to_table(
            "account_user", columns=["name", "is_active", "created_at", "updated_at"],
            records=[(f"Petani {i}", True, now, now) for i in range(farmers)])
        user_ids = [r["id"] for r in await conn.fetch(
            "SELECT id FROM account_user ORDER BY id DESC LIMIT $1", farmers)]
        parcels = []
        for user_id in user_ids:
            v = rng.choice(villages)
            lat = (v["min_lat"] + v["max_lat"]) / 2 + rng.uniform(-0.003, 0.003)
            lon = (v["min_lon"] + v["max_lon"]) / 2 + rng.uniform(-0.003, 0.003)
            parcels.append((user_id, "Lahan", lat, lon, 1.0, "own", v["id"], now, now))
        await conn.copy_records_to_table(
            "farming_parcel", columns=["farmer_id", "name", "lat", "lon", "area_ha", "tenure",
                                       "village_id", "created_at", "updated_at"],
            records=parcels)
        rows = await conn.fetch("SELECT id, farmer_id, village_id FROM farming_parcel")
        today = now.astimezone(WIB).date()
        records = []
        for i in range(plantings):
            parcel = rows[i % len(rows)]
            commodity = rng.choice(commodities)
            harvest = today + timedelta(days=rng.randint(0, 16 * 7))
            records.append((parcel["id"], parcel["farmer_id"], parcel["village_id"],
                            commodity["code"], "", 0.3, harvest - timedelta(days=90),
                            harvest, 1000.0, commodity["base_unit"], 1000.0,
                            commodity["base_unit"], now, now))
        await conn.copy_records_to_table(
            "farming_planting",
            columns=["parcel_id", "farmer_id", "village_id", "commodity_code", "variety",
                     "area_ha", "planted_on", "expected_harvest_on", "expected_yield",
                     "yield_unit", "expected_yield_base", "base_unit", "created_at",
                     "updated_at"],
            records=records)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--farmers", type=int, default=20_000)
    parser.add_argument("--plantings", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    base = args.postgres.replace("postgresql://", "postgres://", 1)
    url = urlunsplit(urlsplit(base)._replace(path=f"/{DATABASE}"))
    await admin(base, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
                f'CREATE DATABASE "{DATABASE}"')
    await admin(url.replace("postgres://", "postgresql://", 1),
                "CREATE EXTENSION IF NOT EXISTS postgis")
    var_dir = Path(tempfile.mkdtemp())
    settings = Settings(env="bench", var_dir=var_dir, database_url=url,
                        media_dir=var_dir / "media", secret_key=secrets.token_urlsafe(40))
    try:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        await load_demo_areas(echo=lambda *_: None)
        await seed_commodities()
        started = time.perf_counter()
        await load(url.replace("postgres://", "postgresql://", 1), args.farmers,
                   args.plantings)
        print(f"loaded {args.farmers:,} farmers with parcels and {args.plantings:,} plantings "
              f"in {time.perf_counter() - started:.1f} s")
        from among_tani.farming import outlook_weeks

        # The plantings were COPYed in: the triggers kept the weekly sums on the way.
        drift = await outlook_weeks.differences()
        print(f"weekly outlook sums after the load: {len(drift)} differing from a "
              f"recomputation")
        from backend.geo.models import Area

        village_ids = list(await Area.filter(code__in=TARGET_VILLAGES)
                           .values_list("id", flat=True))

        for attempt in (1, 2):  # the first warms the pool and the plans
            with counting_queries() as statements:
                started = time.perf_counter()
                async with unit_of_work():
                    users = await recipients(["krisan"], village_ids, None)
                    queued = await enqueue_push_many(users, title="Waspada kutu daun",
                                                body="Periksa daun krisan.",
                                                data={"kind": "advisory.published"},
                                                dedupe_key=f"bench-advisory-{attempt}")
                seconds = time.perf_counter() - started
            print(f"advisory (krisan, 5 villages), run {attempt}: {len(users):,} recipients, "
                  f"{queued:,} pushes queued in {seconds * 1000:.0f} ms, "
                  f"{len(statements):,} SQL statements")

        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            outlook = await harvest_outlook(weeks=12)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"harvestOutlook (city, 12 weeks, {len(outlook.entries):,} village rows): "
              f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} "
              f"ms over {args.runs} calls (load average {load_average()})")
        await db.close_db()
        for cache in ("off", "on"):
            await over_http(url, var_dir, cache, args.runs)
        print(f"load average: {load_average()}")
    finally:
        await db.close_db()
        await admin(base, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def over_http(url: str, var_dir: Path, cache: str, runs: int) -> None:
    """harvestOutlook as a client gets it: anonymous POSTs to a real server, one at a time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATT_")}
    env.update(BATT_DATABASE_URL=url, BATT_VAR_DIR=str(var_dir), BATT_LOG_FORMAT="json",
               BATT_SECRET_KEY="bench-secret-" + "k" * 40, BATT_GRAPHQL_MAX_COST="1000000",
               **unlimited_budgets())
    if cache == "off":
        env["BATT_READ_CACHE_BYTES"] = "0"
    port = free_port()
    with open(var_dir / f"serve-{cache}.log", "w") as log:
        server = subprocess.Popen(
            [BATT, "serve", "--port", str(port), "--workers", "1", "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    client = KeepAliveClient("127.0.0.1", port)
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((var_dir / f"serve-{cache}.log").read_text()[-3000:])
            await asyncio.sleep(0.2)
        for name, document in (("series", OUTLOOK_SERIES), ("entries", OUTLOOK)):
            request = KeepAliveClient.json_request("/graphql", {"query": document}, {})
            body = await client.send(request)  # warms the plans (and the cache when on)
            if "errors" in body:
                raise RuntimeError(str(body["errors"])[:500])
            rows = len(body["data"]["harvestOutlook"][name])
            timings = []
            cpu = cpu_seconds(server.pid) + sum(cpu_seconds(w) for w in worker_pids(server.pid))
            for _ in range(runs):
                started = time.perf_counter()
                await client.send(request)
                timings.append((time.perf_counter() - started) * 1000)
            cpu = (cpu_seconds(server.pid) + sum(cpu_seconds(w) for w in
                                                 worker_pids(server.pid)) - cpu)
            print(f"harvestOutlook over HTTP as {name} ({rows:,} rows), read cache {cache}: "
                  f"p50 {statistics.median(timings):.1f} ms, "
                  f"p95 {percentile(timings, 0.95):.1f} ms over {runs} requests; server CPU "
                  f"{cpu * 1000 / runs:.1f} ms a request (load average {load_average()})",
                  flush=True)
    finally:
        await client.close()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
