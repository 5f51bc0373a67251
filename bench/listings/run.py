"""Market search under a full market: 100,000 active listings across Kota Batu, then the
buyer's search of issue 11 — ``listings(near: {lat, lon}, radiusKm: 10, commodityCodes,
text, sort: DISTANCE, first: 20)`` with the issue's Listing selection — against the real
server, with the SQL statements it sends.

    .venv/bin/python bench/listings/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--listings 100000] [--requests 400] [--workers 1] [--duration 5] [--connections 8]
        [--cache] [--profile 50] [--show-sql] [--keep]

A fresh database (SQLite file, or a throwaway PostgreSQL + PostGIS database), migrated, with
the demo (its verified farmers, commodities, villages and 90 days of reference prices); then
the listings are written in bulk (the columns the listing service derives — public point,
price per base unit, search text — computed by the same functions). Listings are spread over
the 24 villages with each village's own crops (apples in Bumiaji, Tulungrejo, Punten;
vegetables in Sumber Brantas; flowers in Sidomulyo; milk in Pandanrejo …), producer prices
±25 % around the demo's reference, 5–3,000 kg.

"alone": ``--requests`` sequential requests on one keep-alive connection, rotating over 24
searches (each village's centre, the commodities and words a buyer of that village's crops
types, one with a typo), p50/p99. Then, if ``wrk`` is installed, the same searches from
``--connections`` connections for ``--duration`` s. The read cache is off unless ``--cache``
(an anonymous repeat of the same search is then a memory look-up, which is not what is
measured). Statements: one search run in-process with every statement counted
(tests/querycount.py). ``--profile N`` prints cProfile's top functions over N in-process
searches. The load average is printed beside every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    KeepAliveClient,
    graphql_request,
    load_average,
    percentile,
    run_wrk,
    served,
)

SEARCH = """query($near: NearInput!, $codes: [String!], $text: String) {
  listings(near: $near, radiusKm: 10, commodityCodes: $codes, text: $text, sort: DISTANCE,
           first: 20) {
    edges { node { id commodity { code name } variety pricePerUnit unit availableQuantity
      distanceKm village { name } referencePrice { price level date }
      farmer { displayName rating } } }
    pageInfo { hasNextPage endCursor } } }"""

# What each village grows (codes of the registry's commodities), roughly Batu's agriculture.
APPLES = ["apel_manalagi", "apel_anna", "apel_rome_beauty"]
VEGETABLES = ["kentang", "wortel", "kubis", "sawi", "brokoli", "tomat", "cabai", "bawang_prei"]
FLOWERS = ["mawar", "krisan", "anyelir"]
CROPS: dict[str, list[str]] = {
    "tulungrejo": APPLES * 3 + ["kentang", "wortel", "kubis"],
    "sumber brantas": VEGETABLES * 2 + ["kentang"] * 3 + ["susu_segar"],
    "sumbergondo": APPLES * 2 + VEGETABLES,
    "bumiaji": APPLES * 2 + ["jeruk_keprok_batu55"] * 2 + VEGETABLES,
    "punten": APPLES + ["jeruk_keprok_batu55"] * 3 + ["stroberi"],
    "bulukerto": APPLES + ["jeruk_keprok_batu55"] * 2 + ["kopi_arabika", "alpukat"],
    "gunungsari": FLOWERS * 3 + VEGETABLES,
    "giripurno": VEGETABLES + ["kopi_arabika"] * 2 + ["alpukat"],
    "pandanrejo": ["susu_segar"] * 4 + ["stroberi"] * 2 + VEGETABLES,
    "sidomulyo": FLOWERS * 4 + ["stroberi"],
    "oro-oro ombo": ["stroberi"] * 3 + ["jeruk_keprok_batu55"] + VEGETABLES,
    "pesanggrahan": ["stroberi", "alpukat"] + VEGETABLES,
    "sumberejo": FLOWERS + VEGETABLES,
}
DEFAULT_CROPS = VEGETABLES + ["alpukat", "stroberi", "jeruk_keprok_batu55"]
# How many listings a village has relative to the others (Bumiaji's highlands farm most).
WEIGHT = {"tulungrejo": 10, "sumber brantas": 9, "sumbergondo": 7, "bumiaji": 8,
          "punten": 7, "bulukerto": 6, "gunungsari": 6, "giripurno": 6, "pandanrejo": 5,
          "sidomulyo": 6}
VARIETIES = {
    "apel_manalagi": ["Manalagi super", "Manalagi A", "Manalagi kecil"],
    "apel_anna": ["Anna", "Anna merah"], "apel_rome_beauty": ["Rome Beauty"],
    "jeruk_keprok_batu55": ["Keprok 55", "Keprok Batu 55 super"],
    "kentang": ["Granola", "Atlantik", "Granola besar"], "wortel": ["Lokal", "Super"],
    "kubis": ["Kubis putih", "Kol gepeng"], "sawi": ["Sawi hijau", "Pakcoy"],
    "brokoli": ["Brokoli hijau"], "tomat": ["Tomat apel", "Tomat servo"],
    "cabai": ["Cabai rawit", "Cabai merah besar"], "bawang_prei": ["Prei lokal"],
    "stroberi": ["Stroberi California", "Stroberi Festival"],
    "mawar": ["Mawar merah", "Mawar putih"], "krisan": ["Krisan spray", "Krisan standar"],
    "anyelir": ["Anyelir"], "kopi_arabika": ["Arabika green bean", "Arabika ose"],
    "alpukat": ["Alpukat mentega", "Alpukat hass"], "susu_segar": ["Susu sapi segar"],
}
PHRASES = ["Panen {day}, kualitas {grade}, bisa diambil di kebun.",
           "Hasil kebun sendiri, dipetik pagi hari, {grade}.",
           "Siap kirim ke hotel dan restoran di Batu, {grade}.",
           "Stok terbatas, harga nego untuk pembelian banyak. {grade}."]
# (commodity codes, the words a buyer types) per search; a few words misspelt.
LOOKS = [(["apel_manalagi"], "manalgi"), (["apel_manalagi", "apel_anna"], "apel"),
         (["kentang"], "kentang"), (["kentang"], "potato granola"), (["wortel"], "wortel"),
         (["jeruk_keprok_batu55"], "keprok"), (["krisan", "mawar"], "bunga"),
         (["stroberi"], "strawberry"), (["susu_segar"], "susu"), (["brokoli"], "brokoli"),
         (["kubis", "sawi"], "sayur"), (["cabai"], "cabe rawit")]


async def load(count: int, seed: int = 11) -> None:
    """Write ``count`` active listings in bulk (Tortoise is initialised)."""
    from among_tani.market.demo import BASE_PRICES
    from among_tani.market.listings import public_point
    from among_tani.market.models import Listing, ListingStatus
    from among_tani.registry.commodities import price_per_base_unit
    from among_tani.registry.models import Commodity, FarmerProfile, Unit
    from backend.clock import utcnow
    from backend.geo.models import Area, AreaLevel
    from backend.search import search_document

    rng = random.Random(seed)
    farmers = await FarmerProfile.filter(verified=True)
    commodities = {c.code: c for c in await Commodity.all()}
    villages = await Area.filter(level=AreaLevel.VILLAGE)
    if not farmers or not villages:
        raise RuntimeError("the demo has no verified farmers or villages")
    weights = [WEIGHT.get(v.name.lower(), 2) for v in villages]
    today = utcnow().date()
    now = utcnow()
    batch: list[Any] = []
    for n in range(count):
        village = rng.choices(villages, weights)[0]
        code = rng.choice(CROPS.get(village.name.lower(), DEFAULT_CROPS))
        commodity = commodities[code]
        unit = Unit(commodity.base_unit)
        if unit == Unit.KG and rng.random() < 0.15 and Unit.KUINTAL.value in commodity.units:
            unit, factor = Unit.KUINTAL, 100
        else:
            factor = 1
        price = int(BASE_PRICES[code] * factor * rng.uniform(0.75, 1.25)) // 100 * 100
        base = price_per_base_unit(commodity, price, unit)
        quantity = Decimal(rng.choice([5, 10, 25, 50, 100, 150, 300, 500, 1000, 3000]))
        if unit == Unit.KUINTAL:
            quantity = max(Decimal(1), quantity / 100)
        milli = int(quantity * 1000)
        # A point inside the village's box (farms lie around the village, not on its centre).
        lat = rng.uniform(village.min_lat, village.max_lat)
        lon = rng.uniform(village.min_lon, village.max_lon)
        public_lat, public_lon = public_point(lat, lon)
        harvest = today - dt.timedelta(days=rng.randrange(0, 8))
        variety = rng.choice(VARIETIES.get(code, [""]))
        grade = rng.choice(["A", "B", "super", ""])
        description = rng.choice(PHRASES).format(day=harvest.isoformat(), grade=grade or "baik")
        farmer = rng.choice(farmers)
        batch.append(Listing(
            farmer_id=farmer.user_id, farmer_profile_id=farmer.id, commodity_id=commodity.id,
            variety=variety, grade=grade, description=description, unit=unit,
            price_per_unit=price,
            price_per_base_unit=None if base is None else int(base.to_integral_value()),
            price_sort=int(base) if base is not None else price, quantity_milli=milli,
            available_milli=milli, min_order_milli=min(milli, 1000), harvest_date=harvest,
            harvest_day=harvest.toordinal(),
            available_until=today + dt.timedelta(days=rng.randrange(3, 21)),
            lat=lat, lon=lon, public_lat=public_lat, public_lon=public_lon,
            village_id=village.id, fulfilment=["pickup"], status=ListingStatus.ACTIVE,
            search_text=search_document(commodity.name_id, commodity.name_en,
                                        commodity.synonyms, variety, grade, description),
            published_at=now, listed_at=now - dt.timedelta(minutes=n)))
        if len(batch) == 2000:
            await Listing.bulk_create(batch)
            batch = []
    if batch:
        await Listing.bulk_create(batch)


async def searches(seed: int = 3) -> list[dict[str, Any]]:
    """24 searches: each village's centre with a look for what is grown around it."""
    from backend.geo.models import Area, AreaLevel

    rng = random.Random(seed)
    villages = await Area.filter(level=AreaLevel.VILLAGE).order_by("code")
    out = []
    for n, village in enumerate(villages):
        codes, text = LOOKS[n % len(LOOKS)] if n < len(LOOKS) else rng.choice(LOOKS)
        out.append({"near": {"lat": round((village.min_lat + village.max_lat) / 2, 5),
                             "lon": round((village.min_lon + village.max_lon) / 2, 5)},
                    "codes": codes, "text": text})
    return out


async def in_process(settings: Any, variables: list[dict[str, Any]], profile: int) -> dict:
    """Statements per search (and a profile) with the app in this process."""
    import httpx

    from backend.app import create_app
    from tests.querycount import counting_queries

    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    result: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        async def ask(v: dict[str, Any]) -> dict[str, Any]:
            body = (await http.post("/graphql", json={"query": SEARCH, "variables": v})).json()
            if body.get("errors"):
                raise RuntimeError(body["errors"])
            return body["data"]["listings"]

        await ask(variables[0])
        counts, rows = [], []
        for v in variables:
            with counting_queries() as log:
                page = await ask(v)
            counts.append(len(log))
            rows.append(len(page["edges"]))
            if v is variables[0]:
                result["statements_shown"] = list(log)
        result["statements"] = sorted(set(counts))
        result["rows"] = (min(rows), statistics.median(rows), max(rows))
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            started = time.perf_counter()
            for n in range(profile):
                await ask(variables[n % len(variables)])
            elapsed = time.perf_counter() - started
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
            result["profile"] = out.getvalue()
            result["profile_ms"] = elapsed / profile * 1000
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cache", action="store_true", help="leave the read cache on")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--show-sql", action="store_true",
                        help="print the statements of one search")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database (batt_bench_listings) for EXPLAIN")
    args = parser.parse_args()
    return asyncio.run(run(args))


async def run(args: argparse.Namespace) -> int:
    facts: dict[str, Any] = {}

    async def prepare(server: Any) -> None:
        os.environ.update(server.env)
        from backend import db
        from backend.settings import load_settings

        settings = load_settings()
        await db.init_db(settings)
        try:
            started = time.perf_counter()
            await load(args.listings)
            if server.postgres:
                await db.connection().execute_script("ANALYZE")
            facts["load_s"] = time.perf_counter() - started
            facts["searches"] = await searches()
            facts.update(await in_process(settings, facts["searches"], args.profile))
        finally:
            await db.close_db()

    env = {"BATT_GRAPHQL_MAX_COST": "1000000"}
    if not args.cache:
        env["BATT_READ_CACHE_BYTES"] = "0"
    async with served("listings", workers=args.workers, postgres=args.postgres,
                      prepare=prepare, env=env, keep=args.keep) as server:
        variables = facts["searches"]
        requests = [graphql_request(SEARCH, v) for v in variables]
        client = KeepAliveClient("127.0.0.1", server.port)
        for request in requests:  # every worker-side cache warm, as a running server's
            await client.send(request)
        before = load_average()
        latencies = []
        for n in range(args.requests):
            started = time.perf_counter()
            body = await client.send(requests[n % len(requests)])
            latencies.append((time.perf_counter() - started) * 1000)
            if body.get("errors"):
                raise RuntimeError(body["errors"])
        await client.close()
        after = load_average()
        under_load = None
        if shutil.which("wrk"):
            with tempfile.TemporaryDirectory() as scripts:
                under_load = (load_average(), run_wrk(
                    server.base_url, "POST", "/graphql",
                    {"query": SEARCH, "variables": variables[0]}, None, args.connections,
                    args.duration, Path(scripts)), load_average())

    name = "PostgreSQL + PostGIS" if args.postgres else "SQLite"
    print(f"bench/listings: {args.listings:,} active listings, {name}, {args.workers} "
          f"worker(s), read cache {'on' if args.cache else 'off'}; loaded in "
          f"{facts['load_s']:.0f} s")
    print(f"  search       listings(near, radiusKm: 10, commodityCodes, text, sort: DISTANCE, "
          f"first: 20), {len(variables)} searches rotating; rows per page min/median/max "
          f"{facts['rows'][0]}/{facts['rows'][1]:g}/{facts['rows'][2]}")
    print(f"  statements   {', '.join(map(str, facts['statements']))} per request")
    print(f"  alone        p50 {statistics.median(latencies):6.1f} ms   p99 "
          f"{percentile(latencies, 0.99):6.1f} ms   ({args.requests} sequential requests; "
          f"{before} before, {after} after)")
    if under_load:
        start_load, (rate, p50, p99, bad), end_load = under_load
        print(f"  wrk -c{args.connections}       {rate:6.0f} req/s, p50 {p50:6.1f} ms   p99 "
              f"{p99:6.1f} ms{f', {bad} errors' if bad else ''}   ({start_load} before, "
              f"{end_load} after)")
    else:
        print("  wrk          not installed (apt-get install wrk): no figure under load")
    if args.profile:
        print(f"  in-process   {facts['profile_ms']:.1f} ms per search (profiled)")
        print(facts["profile"])
    if args.show_sql:
        for statement in facts["statements_shown"]:
            print("   ", " ".join(statement.split())[:400])
    return 0


if __name__ == "__main__":
    sys.exit(main())
