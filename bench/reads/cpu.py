"""CPU per request of the per-viewer lists that cannot be cached, measured in-process (the
machine is shared: CPU time per request is what other processes' load does not inflate),
with the SQL statements each sends.

    .venv/bin/python bench/reads/cpu.py [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                        [--complaints N] [--repeat 60] [--profile NAME] [--show]

A fresh database with the demo (as bench/reads/run.py prepares it), the real ASGI app driven
by httpx in the same process (no sockets), each request of bench/reads/run.py's table that
cannot be served from the cache sent ``--repeat`` times after a warm-up; printed: the median
and the 10th percentile of the process CPU time per request (``time.process_time``, the
test client's share included), the wall-clock median, and the statements of one request
(tests/querycount.py). ``--profile NAME`` prints a cProfile of that request's runs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import admin, unlimited_budgets  # noqa: E402
from bench.reads.run import (  # noqa: E402
    CASE_QUEUE,
    CITY,
    MAP_CARD,
    MY_COMPLAINTS,
    OPERATOR_PHONE,
    RESIDENT_PHONE,
    prepare,
)

REQUESTS = {
    "caseQueue": (CASE_QUEUE, None, "operator"),
    "myComplaints": (MY_COMPLAINTS, None, "resident"),
    "publicComplaints as a resident": (MAP_CARD, {"b": CITY, "n": 50}, "resident"),
}


async def measure(repeat: int, profile: str | None, show: bool) -> None:
    from backend import db
    from backend.app import create_app
    from backend.settings import load_settings
    from tests.querycount import counting_queries

    settings = load_settings()
    await db.init_db(settings)
    try:
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            tokens = {}
            for who, phone in (("operator", OPERATOR_PHONE), ("resident", RESIDENT_PHONE)):
                response = await http.post("/graphql", json={
                    "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                    "variables": {"i": {"identifier": phone, "password": PASSWORDS[phone]}}})
                tokens[who] = response.json()["data"]["login"]["accessToken"]
            print(f"{'request':34} {'CPU p50 ms':>10} {'CPU p10 ms':>10} {'wall p50 ms':>11} "
                  f"{'statements':>10}  rows")
            for name, (query, variables, who) in REQUESTS.items():
                headers = {"Authorization": f"Bearer {tokens[who]}"}
                body = {"query": query, "variables": variables or {}}

                async def once(body=body, headers=headers, name=name) -> dict:
                    response = await http.post("/graphql", json=body, headers=headers)
                    data = response.json()
                    if response.status_code != 200 or data.get("errors"):
                        raise RuntimeError(f"{name}: {response.status_code} {data}")
                    return data

                for _ in range(5):
                    data = await once()
                with counting_queries() as log:
                    data = await once()
                rows = len(next(iter(data["data"].values()))["edges"])
                cpu, wall = [], []
                profiler = cProfile.Profile() if profile == name else None
                for _ in range(repeat):
                    started_cpu, started = time.process_time(), time.perf_counter()
                    if profiler:
                        profiler.enable()
                    await once()
                    if profiler:
                        profiler.disable()
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    wall.append((time.perf_counter() - started) * 1000)
                cpu.sort()
                print(f"{name:34} {statistics.median(cpu):10.2f} {cpu[len(cpu) // 10]:10.2f} "
                      f"{statistics.median(wall):11.2f} {len(log):10d}  {rows}", flush=True)
                if show:
                    for statement in log:
                        print("    ", " ".join(statement.split())[:150])
                if profiler:
                    order = os.environ.get("BENCH_SORT", "tottime")  # or cumulative
                    pstats.Stats(profiler).sort_stats(order).print_stats(30)
    finally:
        await db.close_db()


PASSWORDS: dict[str, str] = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--complaints", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--profile", choices=sorted(REQUESTS))
    parser.add_argument("--show", action="store_true", help="print each request's statements")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="batt-bench-cpu-"))
    database = None
    if args.postgres:
        database = f"batt_bench_{secrets.token_hex(4)}"
        url = urlunsplit(urlsplit(args.postgres)._replace(path=f"/{database}"))
        asyncio.run(admin(args.postgres, f'CREATE DATABASE "{database}"'))
        asyncio.run(admin(url, "CREATE EXTENSION IF NOT EXISTS postgis"))
    else:
        url = f"sqlite://{var_dir / 'bench.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATT_")}
    env.update(BATT_VAR_DIR=str(var_dir), BATT_DATABASE_URL=url, BATT_LOG_FORMAT="json",
               BATT_GRAPHQL_MAX_COST="1000000", **unlimited_budgets())
    try:
        PASSWORDS.update(asyncio.run(prepare(env, args.complaints)))
        print(f"# {'PostgreSQL' if args.postgres else 'SQLite'}, in-process, complaints: "
              f"{args.complaints or 'demo'}, load average {os.getloadavg()[0]:.1f}")
        asyncio.run(measure(args.repeat, args.profile, args.show))
        print(f"# load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if database:
            asyncio.run(admin(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
