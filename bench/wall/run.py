"""Wall display latency: a resident's submit response → the report on the wall, in headless
Chromium (what the wall-display test used to assert as "within a second").

    .venv/bin/python bench/wall/run.py [--reports 60] [--spacing-ms 300] [--postgres]

Starts `batt serve --demo` (one worker; a fresh SQLite file in a temporary directory, or with
--postgres a throwaway database batt_bench_wall on BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432/postgres), so the wall starts with the demo week's open
cases. Signs in as the demo operator in a real headless Chromium (tests/e2e/chromium.py), then
residents submit reports one after another (photos uploaded before the clock starts). In the
page a MutationObserver stamps each report's feed entry when it enters the DOM and again at the
next animation frame (when it is painted); latency runs from the moment the submit response
arrived to those stamps — both are the machine's wall clock (Date.now() in the page,
time.time() here), so the figures are whole milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` and `tests` importable

from among_warga.demo_photos import render_photo  # noqa: E402
from bench.common import admin, free_port, percentile  # noqa: E402
from tests.e2e.chromium import Chromium  # noqa: E402

BATT = str(Path(sys.executable).with_name("batt"))
DB_NAME = "batt_bench_wall"
OPERATOR_PHONE = "+6281100000002"
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }"
UPLOAD = ("mutation($file: Upload!, $key: String) { uploadPhoto(file: $file, clientKey: $key) "
          "{ photo { id } errors { code } } }")
SUBMIT = ("mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) "
          "{ complaint { ticketNumber } errors { code } } }")
PER_RESIDENT = 10  # the per-resident hourly limit on reports
# In the page: each new feed entry calls window.battSeen with its ticket and two stamps.
OBSERVE = """(() => {
  const feed = document.getElementById('feed');
  new MutationObserver((records) => {
    const dom = Date.now();
    for (const record of records) for (const node of record.addedNodes) {
      const ticket = node.dataset && node.dataset.ticket;
      if (!ticket) continue;
      requestAnimationFrame(() => window.battSeen(JSON.stringify(
        { ticket, dom, frame: Date.now() })));
    }
  }).observe(feed, { childList: true });
  return true;
})()"""


async def wait_ready(http: httpx.AsyncClient, server: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--spacing-ms", type=int, default=300)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="batt-bench-wall-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATT_", "FIREBASE_"))}
    env.update(BATT_VAR_DIR=str(workdir / "var"), PYTHONPATH=str(ROOT))
    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if args.postgres:
        db_url = urlunsplit(urlsplit(pg_url)._replace(path=f"/{DB_NAME}"))
        await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)',
                    f'CREATE DATABASE "{DB_NAME}"')
        await admin(db_url, "CREATE EXTENSION IF NOT EXISTS postgis")
        env["BATT_DATABASE_URL"] = db_url

    port = free_port()
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([BATT, "serve", "--demo", "--port", str(port),
                                   "--log-level", "warning"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await wait_ready(http, server, log_path)
            operator = re.search(rf"operator\s+{re.escape(OPERATOR_PHONE)}\s+(\S+)",
                                 log_path.read_text())
            assert operator, log_path.read_text()

            # Residents and their photos, before the clock starts.
            total = args.warmup + args.reports
            tokens = []
            for i in range(-(-total // PER_RESIDENT)):
                body = (await http.post("/graphql", json={"query": REGISTER, "variables": {"i": {
                    "name": f"Warga Bench {i}", "phone": f"08139{i:07d}",
                    "password": "bench-password-1"}}})).json()
                tokens.append(body["data"]["register"]["accessToken"])
            reports = []
            for n in range(total):
                token = tokens[n // PER_RESIDENT]
                data = render_photo("sampah", f"Bench {n}", seed=f"bench-{n}-{uuid.uuid4()}",
                                    taken_at=datetime.now(UTC),
                                    lat=-7.8713, lon=112.5269)
                response = await http.post("/graphql", headers={
                    "Authorization": f"Bearer {token}"}, data={
                    "operations": json.dumps({"query": UPLOAD, "variables": {
                        "file": None, "key": f"bench-{n}"}}),
                    "map": json.dumps({"0": ["variables.file"]})},
                    files={"0": ("IMG.jpg", data, "image/jpeg")})
                photo = response.json()["data"]["uploadPhoto"]["photo"]["id"]
                reports.append((token, {
                    "clientRequestId": uuid.uuid4().hex, "categoryCode": "sampah",
                    "description": "Sampah menumpuk di pinggir jalan dekat alun-alun.",
                    "lat": -7.8713 + (n % 7) * 0.0004, "lon": 112.5269 + (n % 5) * 0.0004,
                    "photoIds": [photo], "visibility": "PUBLIC"}))

            async with Chromium(workdir / "chromium") as browser:
                page = await browser.new_page()
                seen: dict[str, dict[str, int]] = {}
                arrived = asyncio.Event()

                def on_seen(payload: str) -> None:
                    stamp = json.loads(payload)
                    seen.setdefault(stamp["ticket"], stamp)
                    arrived.set()

                await page.bind("battSeen", on_seen)
                await page.goto(f"{base}/command-center")
                await page.wait_for("!document.getElementById('signin').hidden")
                await page.type("#phone", OPERATOR_PHONE)
                await page.type("#password", operator.group(1))
                await page.click("#signin-submit")
                await page.wait_for("document.getElementById('wall').dataset.ready === '1'",
                                    timeout=60)
                await page.wait_for(
                    "document.getElementById('connection').dataset.state === 'live'")
                await page.evaluate(OBSERVE)

                dom_ms, frame_ms, response_ms = [], [], []
                for n, (token, report) in enumerate(reports):
                    sent = time.time()
                    body = (await http.post("/graphql", json={
                        "query": SUBMIT, "variables": {"i": report}},
                        headers={"Authorization": f"Bearer {token}"})).json()
                    answered = time.time()
                    payload = body["data"]["submitComplaint"]
                    assert payload["errors"] == [], payload
                    ticket = payload["complaint"]["ticketNumber"]
                    async with asyncio.timeout(30):
                        while ticket not in seen:
                            arrived.clear()
                            await arrived.wait()
                    if n >= args.warmup:
                        stamp = seen[ticket]
                        response_ms.append((answered - sent) * 1000)
                        dom_ms.append(stamp["dom"] - answered * 1000)
                        frame_ms.append(stamp["frame"] - answered * 1000)
                    await asyncio.sleep(args.spacing_ms / 1000)  # pacing, not a measurement
                assert page.problems == [], page.problems
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')

    def line(name: str, values: list[float]) -> str:
        return (f"{name:<40} p50 {percentile(values, 0.5):6.1f} ms   p90 "
                f"{percentile(values, 0.9):6.1f} ms   p99 {percentile(values, 0.99):6.1f} ms   "
                f"max {max(values):6.1f} ms")

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"wall display, {len(dom_ms)} reports ({args.warmup} untimed first), one every "
          f"~{args.spacing_ms} ms, 1 worker on {database}, demo week loaded")
    print(line("submit request → response", response_ms))
    print(line("submit response → in the wall's DOM", dom_ms))
    print(line("submit response → painted (next frame)", frame_ms))


if __name__ == "__main__":
    asyncio.run(main())
