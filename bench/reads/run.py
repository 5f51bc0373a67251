"""Read throughput of the real server: req/s and latency of the public reads beside
``/healthz`` in the same run (ratios, so the machine's speed cancels), plus two per-viewer
lists that cannot be cached and one request alone.

    .venv/bin/python bench/reads/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--workers 1] [--complaints 120] [--duration 5] [--connections 16] [--only NAME ...]

Among Kota's public reads (news, events, places, cityConditions — the last only when the
server's schema has it) are the rows named "kota …": ``--only kota`` runs them beside
``/healthz``.

A fresh database (a temporary SQLite file, or a throwaway PostgreSQL database created and
dropped on the given server) is migrated and gets the demo data (``batt serve --demo``'s: the
demo week of Batu, ~120 complaints); ``--complaints N`` adds plain public complaints until
there are N. Then ``batt serve --workers W`` runs on a free port and each request is driven
by ``wrk`` (``apt-get install wrk``) with ``--connections`` keep-alive connections for
``--duration`` seconds, or by a small Python load generator when wrk is not installed (it
shares the CPU with the server: its figures are lower). "alone" is the median of 200
sequential requests on one keep-alive connection.

Anonymous reads are served from the public-read cache after the first request (see
``backend/read_cache.py``): the warm-up request fills it; ``--no-cache`` sends every public
request with a distinct ``variables`` object would defeat that, so instead it sets
``BATT_READ_CACHE_BYTES=0`` (the cache off) to show the cost of building each answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    admin,
    free_port,
    percentile,
    run_wrk,
    unlimited_budgets,
)

BATT = str(Path(sys.executable).with_name("batt"))
CITY = {"south": -7.96, "west": 112.44, "north": -7.74, "east": 112.61}
MAP_CARD = """query($b: BboxInput!, $n: Int) { publicComplaints(bbox: $b, first: $n) {
  edges { node { id ticketNumber status category { code name icon } description lat lon
    area { villageName districtName } photos { thumbnailUrl } supportCount reporterName
    createdAt } }
  pageInfo { hasNextPage endCursor } } }"""
CATEGORIES = "{ complaintCategories { code name } }"
CASE_QUEUE = """query { caseQueue(first: 50) { edges { node { id ticketNumber status
  category { code name } description lat lon area { villageName } createdAt slaDueAt overdue
  reporter { name phone } timeline { kind note createdAt actorLabel } } } } }"""
MY_COMPLAINTS = """query { myComplaints(first: 20) { edges { node { id ticketNumber status
  category { code name } description createdAt supportCount
  timeline { kind note createdAt } } } } }"""
# Among Kota's public reads (issue 13): what the city app's home and map screens send.
NEWS = """query { news(first: 20) { edges { node { id slug title summary tags pinned
  publishedAt urgency coverPhoto { thumbnailUrl } } } pageInfo { hasNextPage endCursor } } }"""
EVENTS = """query { events(first: 20) { edges { node { id startsAt endsAt event { id title
  venueName lat lon free priceMin category { code name } } } } pageInfo { hasNextPage } } }"""
PLACES = """query($near: PointInput, $text: String) {
  places(near: $near, radiusKm: 5, openNow: true, text: $text, first: 20) {
    edges { node { id name distanceKm openNow lat lon categories { code name } } } } }"""
ALUN_ALUN = {"lat": -7.8714, "lon": 112.5269}
GEOJSON = "/feeds/complaints.geojson?bbox=" + ",".join(
    str(CITY[k]) for k in ("south", "west", "north", "east"))


def graphql_get(query: str, variables: dict[str, Any] | None = None) -> str:
    path = "/graphql?query=" + quote(query)
    if variables:
        path += "&variables=" + quote(json.dumps(variables, separators=(",", ":")))
    return path


def apq(query: str) -> dict[str, Any]:
    digest = hashlib.sha256(query.encode()).hexdigest()
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def persisted_get(query: str, variables: dict[str, Any] | None = None) -> str:
    path = "/graphql?extensions=" + quote(json.dumps(apq(query), separators=(",", ":")))
    if variables:
        path += "&variables=" + quote(json.dumps(variables, separators=(",", ":")))
    return path


# (name, method, path, body or None, who)
def requests_table() -> list[tuple[str, str, str, dict[str, Any] | None, str]]:
    card = {"b": CITY, "n": 50}
    return [
        ("healthz", "GET", "/healthz", None, "anonymous"),
        ("complaintCategories", "POST", "/graphql", {"query": CATEGORIES}, "anonymous"),
        ("publicComplaints map card, first 50", "POST", "/graphql",
         {"query": MAP_CARD, "variables": card}, "anonymous"),
        ("publicComplaints, persisted GET", "GET", persisted_get(MAP_CARD, card), None,
         "anonymous"),
        ("GeoJSON feed", "GET", GEOJSON, None, "anonymous"),
        ("publicComplaints as a resident", "POST", "/graphql",
         {"query": MAP_CARD, "variables": card}, "resident"),
        ("caseQueue(first: 50), operator", "POST", "/graphql", {"query": CASE_QUEUE},
         "operator"),
        ("myComplaints(first: 20), resident", "POST", "/graphql", {"query": MY_COMPLAINTS},
         "resident"),
        ("kota news(first: 20)", "POST", "/graphql", {"query": NEWS}, "anonymous"),
        ("kota events(first: 20)", "POST", "/graphql", {"query": EVENTS}, "anonymous"),
        ("kota places(near, 5 km, openNow, text)", "POST", "/graphql",
         {"query": PLACES, "variables": {"near": ALUN_ALUN, "text": "museum"}}, "anonymous"),
        ("kota cityConditions(bbox)", "POST", "/graphql", None, "anonymous"),
    ]


# -- queries the schema may not have yet -------------------------------------------------------

INTROSPECT = """{ __schema { queryType { name } types { name kind
  fields { name args { name type { kind name ofType { kind name ofType { kind name } } } }
           type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
  inputFields { name type { kind name ofType { kind name } } } } } }"""


def _named(ref: dict[str, Any]) -> tuple[str, str]:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref["kind"], ref["name"]


def _selection(types: dict[str, Any], name: str, depth: int) -> str:
    """Every field of the type without arguments: scalars, and objects ``depth`` deep."""
    parts = []
    for field in types[name].get("fields") or []:
        if field["args"] or field["name"] == "editorial":
            continue
        kind, inner = _named(field["type"])
        if kind in ("SCALAR", "ENUM"):
            parts.append(field["name"])
        elif kind == "OBJECT" and depth > 0:
            below = _selection(types, inner, depth - 1)
            if below:
                parts.append(f"{field['name']} {below}")
    return "{ " + " ".join(parts) + " }" if parts else ""


def city_conditions_body(base: str) -> dict[str, Any] | None:
    """``cityConditions(bbox)`` over the whole city with every field it offers, if the
    server's schema has it (it is being built on another branch); None otherwise."""
    schema = httpx.post(f"{base}/graphql", json={"query": INTROSPECT},
                        timeout=30).json()["data"]["__schema"]
    types = {t["name"]: t for t in schema["types"]}
    field = next((f for f in types[schema["queryType"]["name"]]["fields"]
                  if f["name"] == "cityConditions"), None)
    if field is None:
        return None
    bbox = next((a for a in field["args"] if a["name"] == "bbox"), None)
    kind, name = _named(field["type"])
    selection = _selection(types, name, 3) if kind == "OBJECT" else ""
    if bbox is None:
        return {"query": f"query {{ cityConditions {selection} }}"}
    bbox_type = _named(bbox["type"])[1]
    return {"query": f"query($b: {bbox_type}!) {{ cityConditions(bbox: $b) {selection} }}",
            "variables": {"b": CITY}}


# -- the data --------------------------------------------------------------------------------


async def prepare(env: dict[str, str], complaints: int) -> dict[str, str]:
    """Migrate, load the demo, add complaints up to ``complaints``; {phone: password}."""
    os.environ.update(env)
    from among_warga.models import Complaint, ComplaintCategory, Visibility
    from among_warga.visibility import public_point
    from backend import db
    from backend.accounts.models import User
    from backend.demo import seed_demo
    from backend.settings import load_settings

    settings = load_settings()
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        passwords = await seed_demo(settings, echo=lambda *_: None)
        have = await Complaint.all().count()
        resident = await User.get(User.identified_by(phone=RESIDENT_PHONE))
        categories = await ComplaintCategory.filter(active=True)
        rng = random.Random(14)
        batch: list[Complaint] = []
        for n in range(have, complaints):
            category = rng.choice(categories)
            lat = rng.uniform(-7.92, -7.80)
            lon = rng.uniform(112.47, 112.58)
            public_lat, public_lon = public_point(lat, lon, category.sensitive_location)
            batch.append(Complaint(
                ticket_number=f"BEN-{n:08d}", reporter_id=resident.id, category=category,
                description=f"Keluhan nomor {n}: jalan berlubang di dekat pasar, mohon segera "
                "ditangani sebelum musim hujan.", lat=lat, lon=lon, public_lat=public_lat,
                public_lon=public_lon, village_name="Sisir", district_name="Batu",
                village_code="3579011001", district_code="357901",
                visibility=Visibility.PUBLIC if n % 5 else Visibility.ANONYMOUS,
                client_request_id=f"bench-{n}", request_fingerprint="bench"))
            if len(batch) == 500:
                await Complaint.bulk_create(batch)
                batch = []
        if batch:
            await Complaint.bulk_create(batch)
        return passwords
    finally:
        await db.close_db()


OPERATOR_PHONE = "+6281100000002"
RESIDENT_PHONE = "+6281100000005"


# -- load ------------------------------------------------------------------------------------


async def python_load(base: str, method: str, path: str, body: dict[str, Any] | None,
                      token: str | None, connections: int,
                      duration: float) -> tuple[float, float, float, int]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    bad = 0
    deadline = time.perf_counter() + duration

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal bad
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.request(method, base + path, json=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            bad += response.status_code >= 400

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return (len(latencies) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99),
            bad)


def alone(base: str, method: str, path: str, body: dict[str, Any] | None,
          token: str | None, n: int = 200) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(n):
            started = time.perf_counter()
            response = client.request(method, base + path, json=body, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or b'"errors"' in response.content[:20]:
                return float("nan")  # not served (an older server without the feature)
    return statistics.median(times)


# -- the run ---------------------------------------------------------------------------------


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text()[-3000:])
        time.sleep(0.2)


def login(base: str, phone: str, password: str) -> str:
    response = httpx.post(f"{base}/graphql", json={
        "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
        "variables": {"i": {"identifier": phone, "password": password}}}, timeout=30)
    return response.json()["data"]["login"]["accessToken"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--complaints", type=int, default=0,
                        help="add public complaints until there are this many")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-cache", action="store_true", help="switch the read cache off")
    parser.add_argument("--only", nargs="*", help="names (substrings) of requests to run")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="batt-bench-reads-"))
    database = None
    if args.postgres:
        database = f"batt_bench_{secrets.token_hex(4)}"
        parts = urlsplit(args.postgres)
        url = urlunsplit(parts._replace(path=f"/{database}"))
        asyncio.run(admin(args.postgres, f'CREATE DATABASE "{database}"'))
        asyncio.run(admin(url, "CREATE EXTENSION IF NOT EXISTS postgis"))
    else:
        url = f"sqlite://{var_dir / 'bench.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATT_")}
    env.update(BATT_VAR_DIR=str(var_dir), BATT_DATABASE_URL=url, BATT_LOG_FORMAT="json",
               BATT_GRAPHQL_MAX_COST="1000000", **unlimited_budgets())
    if args.no_cache:
        env["BATT_READ_CACHE_BYTES"] = "0"
    passwords = asyncio.run(prepare(env, args.complaints))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = var_dir / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [BATT, "serve", "--port", str(port), "--workers", str(args.workers),
             "--log-level", "warning"], env=env, stdout=out, stderr=subprocess.STDOUT)
    use_wrk = shutil.which("wrk") is not None
    try:
        wait_ready(base, server, log)
        tokens = {"anonymous": None,
                  "operator": login(base, OPERATOR_PHONE, passwords[OPERATOR_PHONE]),
                  "resident": login(base, RESIDENT_PHONE, passwords[RESIDENT_PHONE])}
        db_name = "PostgreSQL" if args.postgres else "SQLite"
        print(f"# {db_name}, {args.workers} worker(s), complaints: "
              f"{max(args.complaints, 0) or 'demo'}, "
              f"{'wrk' if use_wrk else 'python load'} -c{args.connections} "
              f"-d{args.duration:g}s, read cache {'off' if args.no_cache else 'on'}")
        print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
        print(f"{'request':40} {'req/s':>9} {'x healthz':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'alone ms':>9}")
        healthz_rate = None
        for name, method, path, body, who in requests_table():
            if args.only and name != "healthz" and not any(o in name for o in args.only):
                continue
            if "cityConditions" in name:
                body = city_conditions_body(base)
                if body is None:
                    print(f"{name:40} skipped: this server's schema has no cityConditions "
                          "(branch kota-conditions not merged)", flush=True)
                    continue
            token = tokens[who]
            if "persisted" in name:  # register the document once (APQ: hash + document)
                httpx.post(f"{base}/graphql", json={
                    "query": MAP_CARD, "variables": {"b": CITY, "n": 50},
                    "extensions": apq(MAP_CARD)}, timeout=30)
            single = alone(base, method, path, body, token)
            if use_wrk:
                with tempfile.TemporaryDirectory() as scripts:
                    rate, p50, p99, bad = run_wrk(base, method, path, body, token,
                                                  args.connections, args.duration, Path(scripts))
            else:
                rate, p50, p99, bad = asyncio.run(python_load(
                    base, method, path, body, token, args.connections, args.duration))
            if healthz_rate is None:
                healthz_rate = rate
            note = f"  ({bad} errors)" if bad else ""
            print(f"{name:40} {rate:9.0f} {rate / healthz_rate:9.3f} {p50:8.2f} {p99:8.2f} "
                  f"{single:9.2f}{note}", flush=True)
        print(f"load average at end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
        if database:
            asyncio.run(admin(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
