"""Places search at city scale: 50,000 published places around Kota Batu, each with weekly
opening hours, then ``places(near, radiusKm: 5, openNow: true, text, first: 20)`` — the
query a visitor's map sends — timed as the service runs it (SQL and page details) and
through GraphQL in-process (HTTP parsing, validation, resolvers), p50/p99.

    .venv/bin/python bench/places/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                         [--places 50000] [--queries 300]

Each database is fresh (a temporary SQLite file; a throwaway PostgreSQL database created and
dropped on the given server) and migrated. Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from among_kota.categories import ensure_categories  # noqa: E402
from among_kota.content.models import ContentStatus  # noqa: E402
from among_kota.places import listing  # noqa: E402
from among_kota.places.hours import rows_of  # noqa: E402
from among_kota.places.models import (  # noqa: E402
    OpeningPeriod,
    Place,
    PlaceCategory,
    PlaceCategoryLink,
)
from backend import db  # noqa: E402
from backend.accounts.models import Skpd  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.clock import WIB, frozen_at, utcnow  # noqa: E402
from backend.search import search_document  # noqa: E402
from backend.settings import Settings  # noqa: E402
from bench.common import admin, percentile  # noqa: E402
from tests.querycount import counting_queries  # noqa: E402

SOUTH, NORTH, WEST, EAST = -7.95, -7.75, 112.45, 112.60
KINDS = ("Warung Bakso", "Kedai Kopi", "Toko Oleh-oleh", "Homestay", "Apotek", "Warung Nasi",
         "Museum", "Kebun Apel", "Penginapan", "Rumah Makan", "Pos Ojek", "Bengkel")
OWNERS = ("Pak Slamet", "Bu Sri", "Mas Budi", "Mbak Ayu", "Cak Kartolo", "Bu Endang",
          "Pak Joko", "Batu Indah", "Panderman", "Arjuno", "Brantas", "Among Tani")
WORDS = ("bakso", "kopi", "apel", "museum", "homestay", "apotek", "oleh oleh", "nasi")
TYPOS = {"bakso": "bakos", "kopi": "kopii", "apel": "appel", "museum": "musem",
         "homestay": "homestai", "apotek": "apotik", "oleh oleh": "oleh oleh", "nasi": "nasii"}
# A Saturday late morning in Batu: most places are open (the clock is frozen there).
DAYTIME = datetime(2026, 12, 5, 11, 0, tzinfo=WIB)
QUERY = """query($near: PointInput, $text: String) {
  places(near: $near, radiusKm: 5, openNow: true, text: $text, first: 20) {
    edges { node { id name distanceKm openNow categories { code } } } } }"""


def _hours(rng: random.Random) -> dict:
    opens = rng.choice(("06:00", "08:00", "10:00"))
    closes = rng.choice(("16:00", "21:00", "23:00"))
    days = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
    return {"periods": [{"openDay": d, "openTime": opens, "closeDay": d, "closeTime": closes}
                        for d in days if rng.random() > 0.15],
            "specialDays": [], "closedOnHolidays": False}


async def load(count: int, start: int = 0) -> float:
    started = time.monotonic()
    await ensure_categories()
    skpd, _ = await Skpd.get_or_create(code="dispar", defaults={"name": "Dinas Pariwisata"})
    categories = {c.code: c for c in await PlaceCategory.all()}
    rng = random.Random(13)
    batch = 2000
    for first in range(start, start + count, batch):
        places, hours = [], []
        for i in range(first, min(start + count, first + batch)):
            kind, owner = rng.choice(KINDS), rng.choice(OWNERS)
            name = f"{kind} {owner} {i}"
            h = _hours(rng)
            hours.append(h)
            places.append(Place(
                skpd_id=skpd.id, status=ContentStatus.PUBLISHED, slug=f"place-{i}",
                name_id=name, name_en=None, sort_name=name.lower(), lat=rng.uniform(SOUTH, NORTH),
                lon=rng.uniform(WEST, EAST), has_hours=True, published_at=utcnow(),
                content={"name": {"id": name, "en": None}, "categoryCodes": ["culinary"],
                         "openingHours": h}, search_text=search_document(name)))
        await Place.bulk_create(places)
        created = await Place.filter(slug__in=[p.slug for p in places]).values_list(
            "id", "slug")
        ids = {slug: pid for pid, slug in created}
        await PlaceCategoryLink.bulk_create([
            PlaceCategoryLink(place_id=ids[p.slug], category_id=categories["culinary"].id)
            for p in places])
        await OpeningPeriod.bulk_create([
            OpeningPeriod(place_id=ids[p.slug], start_minute=s, end_minute=e)
            for p, h in zip(places, hours, strict=True) for s, e in rows_of(h).weekly])
        print(f"  {min(start + count, first + batch):>7,} places", end="\r", flush=True)
    print()
    return time.monotonic() - started


async def measure(settings: Settings, queries: int) -> None:
    rng = random.Random(7)
    cases = [((rng.uniform(-7.92, -7.78), rng.uniform(112.48, 112.57)),
              TYPOS[rng.choice(WORDS)]) for _ in range(queries)]
    service_ms, page_ms, graphql_ms, hits = [], [], [], []
    for near, text in cases[:20]:  # warm-up
        q = await listing.build_query(listing.PlaceFilter(near=near, radius_km=5, open_now=True,
                                                          text=text), utcnow())
        await listing.fetch_page(q, None, 21)
    for near, text in cases:
        t0 = time.perf_counter()
        moment = utcnow()
        q = await listing.build_query(listing.PlaceFilter(near=near, radius_km=5, open_now=True,
                                                          text=text), moment)
        rows = await listing.fetch_page(q, None, 21)
        page_ms.append((time.perf_counter() - t0) * 1000)
        await listing.views([r.id for r in rows[:20]], moment=moment, near=near,
                            distances={r.id: r.distance_m for r in rows})
        service_ms.append((time.perf_counter() - t0) * 1000)
        hits.append(min(len(rows), 20))
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for near, text in cases[:20]:
            await client.post("/graphql", json={"query": QUERY, "variables": {
                "near": {"lat": near[0], "lon": near[1]}, "text": text}})
        for near, text in cases:
            t0 = time.perf_counter()
            response = await client.post("/graphql", json={"query": QUERY, "variables": {
                "near": {"lat": near[0], "lon": near[1]}, "text": text}})
            graphql_ms.append((time.perf_counter() - t0) * 1000)
            assert "errors" not in response.json(), response.text
        near, text = cases[0]
        with counting_queries() as statements:
            await client.post("/graphql", json={"query": QUERY, "variables": {
                "near": {"lat": near[0], "lon": near[1]}, "text": text}})
    print(f"  SQL statements per GraphQL request: {len(statements)}")
    for statement in statements:
        print(f"    {' '.join(statement.split())[:110]}")
    print(f"  load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for label, values in (("the page's ids (SQL)", page_ms),
                          ("service (SQL + page details)", service_ms),
                          ("GraphQL in-process, sequential", graphql_ms)):
        print(f"  {label:<30} p50 {percentile(values, 0.5):6.1f} ms   "
              f"p99 {percentile(values, 0.99):6.1f} ms   mean {statistics.mean(values):6.1f} ms")
    print(f"  hits per page: mean {statistics.mean(hits):.1f} (of 20)")


async def run(database_url: str, places: int, queries: int, var_dir: Path) -> None:
    settings = Settings(env="test", var_dir=var_dir, database_url=database_url,
                        media_dir=var_dir / "media", secret_key="bench-" + "x" * 40)
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        have = await Place.all().count()
        if have < places:
            print(f"Loading {places - have:,} places …")
            seconds = await load(places - have, start=have)
            print(f"  loaded in {seconds:.0f} s")
        else:
            print(f"{have:,} places already loaded")
        if db.dialect() == "postgres":
            await db.connection().execute_script("ANALYZE")
        print(f"{queries} queries: places(near, radiusKm: 5, openNow: true, text (one typo), "
              f"first: 20) at {DAYTIME:%A %H:%M} WIB")
        with frozen_at(DAYTIME):
            await measure(settings, queries)
    finally:
        await db.close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL+PostGIS server URL")
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true",
                        help="PostgreSQL: keep the database (its name is printed) for --reuse")
    parser.add_argument("--reuse", metavar="NAME", help="PostgreSQL: a database kept by --keep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        if args.postgres:
            name = args.reuse or f"batt_bench_places_{uuid.uuid4().hex[:8]}"
            parts = urlsplit(args.postgres)
            url = urlunsplit(parts._replace(path=f"/{name}")).replace("postgresql://",
                                                                      "postgres://", 1)
            if not args.reuse:
                asyncio.run(admin(args.postgres, f'CREATE DATABASE "{name}"'))
                asyncio.run(admin(url, "CREATE EXTENSION IF NOT EXISTS postgis"))
            try:
                print(f"PostgreSQL + PostGIS ({name})")
                asyncio.run(run(url, args.places, args.queries, var_dir))
            finally:
                if not (args.keep or args.reuse):
                    asyncio.run(admin(args.postgres,
                                      f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print("SQLite")
            asyncio.run(run(f"sqlite://{var_dir / 'bench.sqlite3'}", args.places, args.queries,
                            var_dir))


if __name__ == "__main__":
    main()
