"""Database faults under load: PostgreSQL restarted (twice) while residents submit complaints.

    .venv/bin/python bench/faults/run.py [--complaints 1000] [--clients 16] [--workers 2]
                                         [--restarts 2] [--residents 20]

PostgreSQL only; it restarts the machine's cluster with `pg_ctlcluster 15 main restart`
(BENCH_PG_CLUSTER="15 main" to change), so nothing else should be using it. Creates and drops
its own database (batt_bench_faults) on BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/postgres) and serves it with `batt serve --workers N`.

Clients submit complaints, each with its own clientRequestId, and retry whatever fails — a
503 SERVICE_UNAVAILABLE (after its Retry-After), a dropped connection — with the same id, as
the apps do. An operator verifies every tenth complaint (a push to its reporter each), and a
wall display follows `commandCenterEvents`, resubscribing with its last cursor whenever its
socket drops. The restarts happen at 25 % and 60 % of the submissions. At the end the run
checks: exactly N complaints, none twice, none lost; every event of the log received on the
stream exactly once, in order; /readyz said 503 during an outage; no response was a traceback
or a 500; the push outbox sent everything that was pending; the server processes are the
ones that started (nothing was restarted but PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from PIL import Image
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` importable

from bench.common import admin, free_port, unlimited_budgets, worker_pids  # noqa: E402

BATT = str(Path(sys.executable).with_name("batt"))
DB_NAME = "batt_bench_faults"
ALUN_ALUN = (-7.8713, 112.5269)
OPERATOR_PHONE = "081199990009"
PASSWORD = "bench-faults-password-1"

REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }"
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }"
UPLOAD = "mutation($file: Upload!) { uploadPhoto(file: $file) { photo { id } errors { code } } }"
SUBMIT = ("mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) "
          "{ complaint { id ticketNumber } errors { code } } }")
VERIFY = "mutation($id: ID!) { verifyComplaint(id: $id) { complaint { status } errors { code } } }"
EVENTS = ("subscription($after: String) { commandCenterEvents(after: $after) "
          "{ cursor type case { id ticketNumber } } }")


def small_jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((640, 480), 30 + seed % 20).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


class Stats:
    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.bad_bodies: list[str] = []
        self.readyz: Counter[int] = Counter()


async def post(http: httpx.AsyncClient, stats: Stats, query: str, variables: dict,
               token: str | None) -> dict | None:
    """One attempt; the body when it succeeded, None when the caller should retry."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = await http.post("/graphql", json={"query": query, "variables": variables},
                                    headers=headers)
    except httpx.TransportError as exc:
        stats.outcomes[f"transport:{type(exc).__name__}"] += 1
        await asyncio.sleep(0.5)
        return None
    if response.status_code == 503:
        body = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        ok = codes == {"SERVICE_UNAVAILABLE"} and "retry-after" in response.headers
        stats.outcomes["503" if ok else "503-malformed"] += 1
        if not ok:
            stats.bad_bodies.append(response.text[:300])
        await asyncio.sleep(min(float(response.headers.get("retry-after", 1)), 2.0))
        return None
    if response.status_code != 200:
        stats.outcomes[f"http-{response.status_code}"] += 1
        stats.bad_bodies.append(f"{response.status_code}: {response.text[:300]}")
        await asyncio.sleep(0.5)
        return None
    body = response.json()
    if body.get("errors"):
        stats.outcomes["graphql-error"] += 1
        stats.bad_bodies.append(json.dumps(body["errors"])[:300])
        await asyncio.sleep(0.5)
        return None
    return body["data"]


class Wall:
    """A wall display: follows every event, resubscribing from its last cursor."""

    def __init__(self, url: str, token: str, after: str) -> None:
        self.url, self.token, self.after = url, token, after
        self.received: list[tuple[int, str, str]] = []  # (event id, type, complaint id)
        self.reconnects = 0
        self.task: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                async with connect(self.url, subprotocols=["graphql-transport-ws"],
                                   open_timeout=10, ping_interval=None) as ws:
                    await ws.send(json.dumps({"type": "connection_init", "payload": {
                        "Authorization": f"Bearer {self.token}"}}))
                    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if ack.get("type") != "connection_ack":
                        raise RuntimeError(str(ack))
                    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                        "query": EVENTS, "variables": {"after": self.after}}}))
                    async for raw in ws:
                        message = json.loads(raw)
                        if message.get("type") != "next":
                            raise RuntimeError(str(message)[:200])
                        event = message["payload"]["data"]["commandCenterEvents"]
                        self.received.append((int(event["cursor"]), event["type"],
                                              (event.get("case") or {}).get("id")))
                        self.after = event["cursor"]
                        self.changed.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.reconnects += 1
                await asyncio.sleep(0.5)


async def restart_postgres(cluster: str, http: httpx.AsyncClient, stats: Stats) -> float:
    """Restart the cluster; probe /readyz meanwhile. Returns the restart's duration."""
    version, name = cluster.split()
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        "pg_ctlcluster", version, name, "restart", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    waiting = asyncio.create_task(process.communicate())
    while not waiting.done():
        try:
            stats.readyz[(await http.get("/readyz", timeout=2)).status_code] += 1
        except httpx.TransportError:
            stats.readyz[0] += 1
        await asyncio.sleep(0.05)
    out, err = await waiting
    if process.returncode != 0:
        raise RuntimeError(f"pg_ctlcluster failed: {err.decode()}")
    return time.monotonic() - started


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--restarts", type=int, default=2)
    args = parser.parse_args()

    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    cluster = os.environ.get("BENCH_PG_CLUSTER", "15 main")
    db_url = urlunsplit(urlsplit(pg_url)._replace(path=f"/{DB_NAME}"))
    var_dir = Path(f"/tmp/batt-bench-faults-{os.getpid()}")
    var_dir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from backend.crypto.keys import new_key

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BATT_")},
           "BATT_DATABASE_URL": db_url, "BATT_VAR_DIR": str(var_dir),
           "BATT_SECRET_KEY": "bench-secret-" + "k" * 40,
           "BATT_DATA_KEYS": new_key("bench").encoded(), **unlimited_budgets()}
    server = None
    log = open(var_dir / "server.log", "w")
    stats = Stats()
    try:
        await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)',
                    f'CREATE DATABASE "{DB_NAME}"')
        await admin(db_url, "CREATE EXTENSION IF NOT EXISTS postgis")
        for command in (["migrate"], ["seed-demo"],
                        ["create-user", "--name", "Operator Faults", "--phone", OPERATOR_PHONE,
                         "--password", PASSWORD, "--role", "operator"]):
            subprocess.run([BATT, *command], env=env, check=True, capture_output=True,
                           timeout=180)
        port = free_port()
        server = subprocess.Popen(
            [BATT, "serve", "--port", str(port), "--workers", str(args.workers),
             "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=args.clients + 8)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("server did not become ready")
            workers_before = sorted(worker_pids(server.pid))

            async def gql(query: str, variables: dict, token: str | None = None) -> dict:
                while (data := await post(http, stats, query, variables, token)) is None:
                    pass
                return data

            residents: list[tuple[str, str]] = []  # (token, photo id)
            for i in range(args.residents):
                token = (await gql(REGISTER, {"i": {
                    "name": f"Warga Uji {i}", "phone": f"0813999{i:05d}",
                    "password": PASSWORD}}))["register"]["accessToken"]
                uploaded = (await http.post(
                    "/graphql", headers={"Authorization": f"Bearer {token}"},
                    data={"operations": json.dumps({"query": UPLOAD,
                                                    "variables": {"file": None}}),
                          "map": json.dumps({"0": ["variables.file"]})},
                    files={"0": (f"IMG_{i}.jpg", small_jpeg(i), "image/jpeg")},
                )).json()["data"]["uploadPhoto"]
                residents.append((token, uploaded["photo"]["id"]))
            operator = (await gql(LOGIN, {"i": {"identifier": OPERATOR_PHONE,
                                                "password": PASSWORD}}))["login"]["accessToken"]
            start_cursor = (await gql("{ latestEventCursor }", {}, operator))[
                "latestEventCursor"]
            wall = Wall(f"ws://127.0.0.1:{port}/graphql", operator, start_cursor)
            wall.task = asyncio.create_task(wall.run())

            requests = [(uuid.uuid4().hex, residents[n % len(residents)])
                        for n in range(args.complaints)]
            queue: asyncio.Queue[tuple[str, tuple[str, str]]] = asyncio.Queue()
            for item in requests:
                queue.put_nowait(item)
            results: dict[str, tuple[int, str]] = {}
            done = asyncio.Event()
            attempts = Counter[str]()

            async def client() -> None:
                while not queue.empty():
                    request_id, (token, photo) = queue.get_nowait()
                    variables = {"i": {
                        "clientRequestId": request_id, "categoryCode": "sampah",
                        "description": "Sampah menumpuk di pinggir jalan dekat alun-alun.",
                        "lat": ALUN_ALUN[0], "lon": ALUN_ALUN[1], "photoIds": [photo],
                        "visibility": "PUBLIC"}}
                    while True:
                        attempts[request_id] += 1
                        data = await post(http, stats, SUBMIT, variables, token)
                        if data is None:
                            continue
                        payload = data["submitComplaint"]
                        if payload["errors"]:
                            stats.outcomes["payload-error"] += 1
                            stats.bad_bodies.append(json.dumps(payload["errors"]))
                            await asyncio.sleep(0.5)
                            continue
                        results[request_id] = (int(payload["complaint"]["id"]),
                                               payload["complaint"]["ticketNumber"])
                        stats.outcomes["created"] += 1
                        if len(results) == len(requests):
                            done.set()
                        break

            verified: set[int] = set()

            async def verifier() -> None:
                # Every tenth complaint, as it shows on the wall: a push to its reporter.
                seen = 0
                while True:
                    while seen < len(wall.received):
                        _, kind, complaint_id = wall.received[seen]
                        seen += 1
                        if kind != "COMPLAINT_SUBMITTED" or int(complaint_id) % 10:
                            continue
                        while (data := await post(http, stats, VERIFY,
                                                  {"id": complaint_id}, operator)) is None:
                            pass
                        # A retry of a verification whose answer the outage cut finds the
                        # case verified already (INVALID_TRANSITION): done either way.
                        verified.add(int(complaint_id))
                        del data
                    if done.is_set():
                        return
                    wall.changed.clear()
                    waits = {asyncio.ensure_future(wall.changed.wait()),
                             asyncio.ensure_future(done.wait())}
                    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    for task in pending:
                        task.cancel()

            started = time.monotonic()
            clients = [asyncio.create_task(client()) for _ in range(args.clients)]
            checker = asyncio.create_task(verifier())
            restarts: list[float] = []
            for fraction in (0.25, 0.6, 0.8, 0.9)[:args.restarts]:
                while len(results) < fraction * args.complaints:
                    await asyncio.sleep(0.05)
                restarts.append(await restart_postgres(cluster, http, stats))
            await asyncio.gather(*clients)
            elapsed = time.monotonic() - started

            # The wall: every event of the log, once each, in order.
            conn = await asyncpg.connect(db_url)
            try:
                expected_ids: list[int] = []
                await asyncio.wait_for(checker, 120)
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    expected_ids = [r["id"] for r in await conn.fetch(
                        "SELECT id FROM domain_event WHERE id > $1 ORDER BY id",
                        int(start_cursor))]
                    if [r[0] for r in wall.received] == expected_ids:
                        break
                    wall.changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wall.changed.wait(), 1.0)
                complaints = await conn.fetchval("SELECT count(*) FROM complaint")
                distinct = await conn.fetchval(
                    "SELECT count(DISTINCT client_request_id) FROM complaint")
                ours = await conn.fetch(
                    "SELECT id, client_request_id FROM complaint WHERE client_request_id = "
                    "ANY($1::text[])", [r for r, _ in requests])
                submitted_events = await conn.fetchval(
                    "SELECT count(*) FROM domain_event WHERE type = 'complaint.submitted'")
                # The outbox: every push queued by a verification goes out (logged here, no
                # Firebase), including those queued before an outage.
                outbox_deadline = time.monotonic() + 60
                while True:
                    pending = await conn.fetchval(
                        "SELECT count(*) FROM push_outbox WHERE status = 'pending'")
                    if not pending or time.monotonic() > outbox_deadline:
                        break
                    await asyncio.sleep(0.5)
                pushes = await conn.fetch("SELECT status, count(*) AS n FROM push_outbox "
                                          "GROUP BY status ORDER BY status")
            finally:
                await conn.close()
            workers_after = sorted(worker_pids(server.pid))
            # What Prometheus saw (all workers aggregated).
            scraped = (await http.get("/metrics")).text
            metric_lines = [line for line in scraped.splitlines() if line.startswith((
                "batt_db_unavailable_total", 'batt_graphql_operations_total{operation='
                '"submitComplaint"', "batt_database_up", "batt_push_outbox_messages"))]
            if wall.task:
                wall.task.cancel()

        received_ids = [r[0] for r in wall.received]
        by_request = {r["client_request_id"]: r["id"] for r in ours}
        lost = [r for r, _ in requests if r not in by_request]
        mismatched = [r for r, (cid, _) in results.items() if by_request.get(r) != cid]
        duplicates = len(received_ids) - len(set(received_ids))
        retried = sum(1 for n in attempts.values() if n > 1)
        print(f"complaints submitted      {len(results):,} of {args.complaints:,} in "
              f"{elapsed:.1f} s by {args.clients} clients ({retried} retried at least once)")
        print(f"PostgreSQL restarts       {len(restarts)}: "
              + ", ".join(f"{d:.1f} s" for d in restarts))
        print("attempt outcomes          " + ", ".join(
            f"{k} {v:,}" for k, v in sorted(stats.outcomes.items())))
        print("/readyz during restarts   " + ", ".join(
            f"{('no answer' if k == 0 else k)}: {v}" for k, v in sorted(stats.readyz.items())))
        print(f"complaints in database    {complaints:,} (distinct clientRequestId "
              f"{distinct:,}); ours found {len(by_request):,}; lost {len(lost)}; "
              f"answer ≠ row {len(mismatched)}")
        print(f"submitted events in log   {submitted_events:,}")
        print(f"stream                    {len(received_ids):,} events received, log has "
              f"{len(expected_ids):,}; duplicates {duplicates}; in log order "
              f"{received_ids == expected_ids}; resubscriptions {wall.reconnects}")
        print(f"verified (pushes queued)  {len(verified)}; outbox: "
              + ", ".join(f"{r['status']} {r['n']}" for r in pushes))
        print(f"server workers            before {workers_before} after {workers_after}")
        print("/metrics (all workers):")
        for line in metric_lines:
            print("   ", line)
        if stats.bad_bodies:
            print("unexpected answers (first 5):")
            for body in stats.bad_bodies[:5]:
                print("   ", body)
        checks = {
            "exactly N complaints": (complaints == args.complaints == len(by_request)
                                     == submitted_events),
            "no duplicates": distinct == complaints and duplicates == 0,
            "none lost": not lost and not mismatched,
            "every event once, in order": received_ids == expected_ids,
            "/readyz said 503": stats.readyz.get(503, 0) > 0,
            "only 503s, never a 500 or a traceback": not any(
                k.startswith(("http-", "503-malformed", "graphql-error", "payload-error"))
                for k in stats.outcomes),
            "outbox drained": all(r["status"] != "pending" for r in pushes),
            "no worker restarted": workers_before == workers_after and bool(workers_before),
        }
        for name, ok in checks.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {name}")
        return 0 if all(checks.values()) else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()
        try:
            await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        except Exception as exc:
            print(f"(could not drop {DB_NAME}: {exc})")


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
