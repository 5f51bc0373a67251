"""Live-stream fan-out: mutation response → receipt by 1,000 WebSocket subscribers, 2 workers.

1,000 operator subscribers over graphql-transport-ws spread across 2 `batt serve` worker
processes on PostgreSQL; each measured mutation commits one event; latency runs from the
mutation's HTTP response to each subscriber's receipt of the matching `next` message.

    .venv/bin/python bench/fanout/run.py [--subscribers 1000] [--events 50] [--spacing-ms 150]
                                         [--workers 2] [--deflate]

Creates and drops its own database (batt_bench_fanout) on the server named by BENCH_PG_URL
(default postgres://postgres@127.0.0.1:5432/postgres). The subscribers and the mutation sender
share one event loop, so one `time.perf_counter` clock times both ends; that loop runs on the
same 2 cores as the 2 server processes and its own receive work is inside the figures. The
client offers no permessage-deflate unless --deflate (browsers do offer it; see the output).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from PIL import Image
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` importable

from bench.common import (  # noqa: E402
    admin,
    cpu_seconds,
    free_port,
    percentile,
    unlimited_budgets,
    worker_pids,
)

BATT = str(Path(sys.executable).with_name("batt"))
DB_NAME = "batt_bench_fanout"
ALUN_ALUN = (-7.8713, 112.5269)
OPERATOR_PHONE = "081199990001"
OPERATOR_PASSWORD = "bench-operator-password-1"

REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }"
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }"
UPLOAD = ("mutation($file: Upload!) { uploadPhoto(file: $file) "
          "{ photo { id } errors { code } } }")
SUBMIT = ("mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) "
          "{ complaint { id ticketNumber } errors { code } } }")
CHANGE = ("mutation($id: ID!, $c: String!, $note: String) { changeCategory(id: $id, "
          "categoryCode: $c, note: $note) { errors { code } } }")
# What a wall display asks for, trimmed; `note` carries the mutation's tag so every delivery
# is matched to the mutation that committed it.
EVENTS = "subscription { commandCenterEvents { cursor type note case { ticketNumber } } }"
CATEGORIES = ("jalan_rusak", "sampah")





def small_jpeg() -> bytes:
    import io

    out = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()




def connections_per_pid(port: int, peers: set[int], pids: list[int]) -> dict[int, int]:
    """Established server-side sockets on `port` whose peer is one of our subscriber ports,
    counted by the process holding them (socket inodes from /proc/net/tcp matched against
    each worker's open descriptors)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            peer_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == port and peer_port in peers and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
    counts = {}
    for pid in pids:
        held = 0
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            match = re.fullmatch(r"socket:\[(\d+)\]", target)
            if match and match.group(1) in inodes:
                held += 1
        counts[pid] = held
    return counts


class Subscriber:
    """One operator's socket. Receipt is stamped first and parsed later, so the client's own
    work per message is as small as the websockets library allows."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.ws: ClientConnection | None = None
        self.received: list[tuple[float, str]] = []
        self.task: asyncio.Task[None] | None = None
        self.error: str | None = None

    async def open(self, url: str, token: str, deflate: bool) -> None:
        self.ws = await asyncio.wait_for(connect(
            url, subprotocols=["graphql-transport-ws"],
            compression="deflate" if deflate else None,
            open_timeout=30, ping_interval=None, max_queue=None,
        ), 40)
        await self.ws.send(json.dumps({"type": "connection_init",
                                       "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"subscriber {self.index}: expected connection_ack, got {ack}")
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe",
                                       "payload": {"query": EVENTS}}))
        self.task = asyncio.create_task(self._receive())

    async def _receive(self) -> None:
        assert self.ws is not None
        received = self.received
        clock = time.perf_counter
        recv = self.ws.recv
        try:
            while True:
                raw = await recv()
                received.append((clock(), raw))
        except Exception as exc:  # closed at the end, or the server dropped us: reported
            self.error = repr(exc)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:
                pass
        if self.task is not None:
            self.task.cancel()


def tag_of(raw: str) -> tuple[str | None, str | None]:
    """(note, type) of a `next` message, or (None, kind) of anything else."""
    message = json.loads(raw)
    if message.get("type") != "next":
        return None, f"{message.get('type')}: {str(message.get('payload'))[:200]}"
    event = (message["payload"].get("data") or {}).get("commandCenterEvents") or {}
    return event.get("note"), event.get("type")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--spacing-ms", type=float, default=150.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deflate", action="store_true",
                        help="offer permessage-deflate, as browsers and gql do")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * args.subscribers + 1024))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    db_url = urlunsplit(urlsplit(pg_url)._replace(path=f"/{DB_NAME}"))
    var_dir = Path(f"/tmp/batt-bench-fanout-{os.getpid()}")
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BATT_")},
           "BATT_DATABASE_URL": db_url, "BATT_VAR_DIR": str(var_dir),
           "BATT_SECRET_KEY": "bench-secret-" + "k" * 40, **unlimited_budgets()}
    server: subprocess.Popen[bytes] | None = None
    log = open(var_dir / "server.log", "w")
    subscribers: list[Subscriber] = []
    deadline = time.monotonic() + 170  # the whole run stays under ~3 minutes
    try:
        await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)',
                    f'CREATE DATABASE "{DB_NAME}"')
        await admin(db_url, "CREATE EXTENSION IF NOT EXISTS postgis")
        for command in (["migrate"], ["seed-demo"],
                        ["create-user", "--name", "Operator Bench", "--phone", OPERATOR_PHONE,
                         "--password", OPERATOR_PASSWORD, "--role", "operator"]):
            subprocess.run([BATT, *command], env=env, check=True, capture_output=True,
                           timeout=120)

        port = free_port()
        server = subprocess.Popen(
            [BATT, "serve", "--port", str(port), "--workers", str(args.workers),
             "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("server did not become ready")

            async def gql(query: str, variables: dict, token: str | None = None) -> dict:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                body = (await http.post("/graphql", headers=headers, json={
                    "query": query, "variables": variables})).json()
                if body.get("errors"):
                    raise RuntimeError(f"GraphQL errors: {body['errors']}")
                return body["data"]

            resident = (await gql(REGISTER, {"i": {
                "name": "Warga Bench", "phone": "081399990001",
                "password": "bench-password-1"}}))["register"]["accessToken"]
            operator = (await gql(LOGIN, {"i": {
                "identifier": OPERATOR_PHONE, "password": OPERATOR_PASSWORD}}))["login"]
            assert not operator["errors"], operator
            operator_token = operator["accessToken"]
            photo = (await http.post(
                "/graphql", headers={"Authorization": f"Bearer {resident}"},
                data={"operations": json.dumps({"query": UPLOAD, "variables": {"file": None}}),
                      "map": json.dumps({"0": ["variables.file"]})},
                files={"0": ("IMG_0001.jpg", small_jpeg(), "image/jpeg")},
            )).json()["data"]["uploadPhoto"]
            assert not photo["errors"], photo
            submitted = (await gql(SUBMIT, {"i": {
                "clientRequestId": uuid.uuid4().hex, "categoryCode": CATEGORIES[1],
                "description": "Sampah menumpuk di pinggir jalan dekat alun-alun.",
                "lat": ALUN_ALUN[0], "lon": ALUN_ALUN[1], "photoIds": [photo["photo"]["id"]],
                "visibility": "PUBLIC"}}, resident))["submitComplaint"]
            assert not submitted["errors"], submitted
            complaint_id = submitted["complaint"]["id"]

            # Subscribers, opened a few dozen at a time (the kernel hands each accepted
            # connection to whichever worker accepts first).
            ws_url = f"ws://127.0.0.1:{port}/graphql"
            subscribers = [Subscriber(i) for i in range(args.subscribers)]
            opening = asyncio.Semaphore(50)

            async def open_one(sub: Subscriber) -> None:
                async with opening:
                    await sub.open(ws_url, operator_token, args.deflate)

            started = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(open_one(s) for s in subscribers)), 90)
            connect_s = time.perf_counter() - started
            pids = worker_pids(server.pid)
            peers = {s.ws.transport.get_extra_info("sockname")[1]
                     for s in subscribers if s.ws is not None}
            spread = connections_per_pid(port, peers, pids)

            async def mutate(n: int, tag: str) -> tuple[float, float]:
                sent = time.perf_counter()
                body = (await http.post("/graphql", headers={
                    "Authorization": f"Bearer {operator_token}"}, json={
                    "query": CHANGE, "variables": {"id": complaint_id,
                                                   "c": CATEGORIES[n % 2], "note": tag}})).json()
                answered = time.perf_counter()
                errors = body.get("errors") or body["data"]["changeCategory"]["errors"]
                if errors:
                    raise RuntimeError(f"changeCategory {tag}: {errors}")
                return sent, answered

            def delivered(tag: str) -> int:
                # Only the newest message of each subscriber can be it (events arrive in order).
                return sum(1 for s in subscribers
                           if s.received and tag in s.received[-1][1])

            # Warm-up: proves every subscription is live (graphql-transport-ws has no
            # "subscribed" acknowledgement) and keeps first-use costs out of the figures.
            for w in range(3):
                tag = f"bench-warmup-{w}-{uuid.uuid4().hex[:6]}"
                await mutate(w + 1, tag)
                while delivered(tag) < len(subscribers):
                    if time.monotonic() > deadline - 60:
                        raise RuntimeError(f"warm-up: {delivered(tag)}/{len(subscribers)} "
                                           "subscribers received the event")
                    await asyncio.sleep(0.05)
            for s in subscribers:
                s.received.clear()

            # The measured run: one committed event per mutation, spaced like a busy city.
            rng = random.Random(5)
            sent_at: dict[str, float] = {}
            answered_at: dict[str, float] = {}
            # The client's own garbage-collector pauses are not server latency.
            gc.collect()
            gc.disable()
            cpu_before = {pid: cpu_seconds(pid) for pid in [*pids, "self"]}
            run_started = time.perf_counter()
            for n in range(args.events):
                tag = f"bench-{n:04d}-{uuid.uuid4().hex[:6]}"
                sent_at[tag], answered_at[tag] = await mutate(n, tag)
                pause = args.spacing_ms / 1000 * rng.uniform(0.8, 1.2)
                await asyncio.sleep(max(0.0, pause - (answered_at[tag] - sent_at[tag])))
            expected = len(subscribers) * args.events
            while sum(len(s.received) for s in subscribers) < expected:
                if time.monotonic() > deadline - 15:
                    break
                await asyncio.sleep(0.05)
            run_s = time.perf_counter() - run_started
            cpu_used = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
            gc.enable()
    finally:
        for s in subscribers:
            if s.task is not None:
                s.task.cancel()
        await asyncio.gather(*(s.close() for s in subscribers), return_exceptions=True)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        log.close()
        try:
            await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        finally:
            subprocess.run(["rm", "-rf", str(var_dir)], check=False)

    from_response: list[float] = []
    from_request: list[float] = []
    stamps_of: dict[str, list[float]] = {tag: [] for tag in answered_at}
    unexpected: list[str] = []
    for s in subscribers:
        for stamp, raw in s.received:
            tag, kind = tag_of(raw)
            if tag not in answered_at:
                unexpected.append(f"{tag} {kind}")
                continue
            from_response.append((stamp - answered_at[tag]) * 1000)
            from_request.append((stamp - sent_at[tag]) * 1000)
            stamps_of[tag].append(stamp)
    per_event_last = [(max(st) - min(st)) * 1000 for st in stamps_of.values() if st]
    early = sum(1 for v in from_response if v < 0)
    dropped = [s.error for s in subscribers if s.error]

    print(f"bench/fanout: {len(subscribers)} operator subscribers (graphql-transport-ws), "
          f"{args.events} events (changeCategory, ~{args.spacing_ms:.0f} ms apart), "
          f"{args.workers} uvicorn workers, PostgreSQL LISTEN/NOTIFY"
          f"{', permessage-deflate' if args.deflate else ', no compression'}")
    print("  subscribers per server process  "
          + ", ".join(f"pid {pid}: {n}" for pid, n in spread.items())
          + f"  (connected in {connect_s:.1f} s)")
    print(f"  deliveries   {len(from_response)} received / {expected} expected"
          + (f"  ({len(unexpected)} unexpected, e.g. {unexpected[0]})" if unexpected else "")
          + (f"  ({len(dropped)} sockets closed early, e.g. {dropped[0]})" if dropped else ""))
    round_trips = sorted((answered_at[t] - sent_at[t]) * 1000 for t in answered_at)
    if round_trips:
        print(f"  mutation round trip (sent → response) during fan-out: "
              f"p50 {percentile(round_trips, 0.5):.1f} ms  max {round_trips[-1]:.1f} ms")
    print(f"  measured run {run_s:.1f} s; CPU used meanwhile: "
          + ", ".join(f"server pid {pid} {cpu_used[pid]:.1f} s" for pid in pids)
          + f", bench client {cpu_used['self']:.1f} s"
          + f"  (per delivery: server {sum(cpu_used[p] for p in pids) / expected * 1e6:.0f} µs,"
          + f" client {cpu_used['self'] / expected * 1e6:.0f} µs)")
    if from_response:
        print("  latency, mutation response → subscriber receipt:")
        for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
            print(f"    {name}  {percentile(from_response, q):8.1f} ms")
        print(f"    max  {max(from_response):8.1f} ms   min {min(from_response):.1f} ms  "
              f"({early} deliveries arrived before the response: kept, negative)")
        print(f"  latency, mutation sent → receipt:  p50 {percentile(from_request, 0.5):.1f} ms"
              f"  p99 {percentile(from_request, 0.99):.1f} ms")
        print(f"  spread of one event over all subscribers (first → last receipt): "
              f"p50 {percentile(per_event_last, 0.5):.1f} ms  max {max(per_event_last):.1f} ms")
        target = percentile(from_response, 0.99) <= 100
        print(f"  target p99 ≤ 100 ms: {'met' if target else 'MISSED'}")
    print(f"  machine: {os.cpu_count()} cores shared by the load generator (one Python process, "
          f"{len(subscribers)} sockets) and the {args.workers} server processes; the client's "
          "receive loop is inside the figures.")


if __name__ == "__main__":
    asyncio.run(main())
