"""Hostile GraphQL documents against a real `batt serve`: how fast each is refused, and what a
stream of them does to everyone else's latency (issue 9, "anonymous denial of service").

    .venv/bin/python bench/hostile/run.py [--seconds 20] [--attackers 8] [--repeat 20]

1. Refusal time: every document of bench/hostile/queries.py, sent one at a time over HTTP
   and over WebSocket, each time made unique (a leading comment) so nothing comes from the
   document cache — the cost of a first encounter — and then repeated as is (cached). The
   time runs from the first byte sent to the answer read, on loopback.
2. Under attack: `--attackers` clients send the documents round-robin, unique every time
   (prepared before the clock starts), half over HTTP and half over WebSocket, for
   `--seconds` — once paced at `--rate` documents a second in all, once as fast as the
   server answers — while a separate process requests /healthz every 10 ms on its own
   keep-alive connection; and once with no attack, as the baseline.

One server process (`--workers 1`: the single event loop every request shares) on a fresh
SQLite file under /tmp; the load generator runs on the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` importable

from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from bench.common import cpu_seconds, free_port, percentile  # noqa: E402
from bench.hostile.queries import HOSTILE, Hostile  # noqa: E402

BATT = str(Path(sys.executable).with_name("batt"))


def http_request(port: int, body: bytes) -> bytes:
    head = (f"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


async def http_once(port: int, request: bytes) -> tuple[int, Any]:
    """One request on a fresh connection (a refused large body ends the connection)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        try:
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
        except ConnectionError:
            # The server answered 413 and closed without reading the rest of a large body;
            # the kernel's reset can overtake the answer.
            return 0, {"errors": [{"extensions": {"code": "connection reset"}}]}
        return int(head[9:12]), json.loads(body)
    finally:
        writer.close()


def unique(hostile: Hostile, n: int) -> str:
    return f"# {n}\n{hostile.query}"


def code_of(answer: Any) -> str:
    try:
        return answer["errors"][0]["extensions"]["code"]
    except (KeyError, IndexError, TypeError):
        return f"?{str(answer)[:80]}"


async def ws_open(url: str) -> Any:
    # No permessage-deflate: the figures are the server's, not the client compressing.
    ws = await connect(url, subprotocols=["graphql-transport-ws"], max_size=None,
                       compression=None)
    await ws.send('{"type":"connection_init","payload":{}}')
    await ws.recv()
    return ws


async def ws_once(url: str, ws: Any, query: str, n: int) -> tuple[Any, str]:
    """Send one subscribe; the socket (reopened if the server closed it) and the outcome."""
    if ws is None:
        ws = await ws_open(url)
    try:
        # The server may close (1009) while a large message is still being sent.
        await ws.send(json.dumps({"id": str(n), "type": "subscribe",
                                  "payload": {"query": query}}))
        while True:
            message = json.loads(await ws.recv())
            if message.get("id") == str(n):
                return ws, code_of({"errors": message["payload"]}) \
                    if message["type"] == "error" else "accepted"
    except ConnectionClosed as closed:
        return None, f"closed {closed.rcvd.code if closed.rcvd else '?'}"


async def refusal_times(port: int, repeat: int) -> list[dict[str, Any]]:
    rows = []
    url = f"ws://127.0.0.1:{port}/graphql"
    n = 0
    for hostile in HOSTILE:
        row: dict[str, Any] = {"name": hostile.name, "expected": hostile.code}
        for transport in ("http", "ws"):
            for cached in (False, True):
                times, outcomes = [], set()
                ws = None
                for _ in range(repeat):
                    n += 1
                    query = hostile.query if cached else unique(hostile, n)
                    if transport == "ws" and ws is None:
                        ws = await ws_open(url)  # a refusal may have closed the last one
                    started = time.perf_counter()
                    if transport == "http":
                        status, answer = await http_once(
                            port, http_request(port, json.dumps({"query": query}).encode()))
                        outcome = code_of(answer)
                    else:
                        ws, outcome = await ws_once(url, ws, query, n)
                    times.append((time.perf_counter() - started) * 1000)
                    outcomes.add(outcome)
                if ws is not None:
                    await ws.close()
                row[f"{transport}{'_cached' if cached else ''}"] = percentile(times, 0.5)
                row[f"{transport}_outcome"] = "/".join(sorted(outcomes))
        rows.append(row)
    return rows


def probe(port: int, seconds: float, out: Any) -> None:
    """In its own process: /healthz every 10 ms on one keep-alive connection."""

    async def run() -> list[float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
        latencies = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
        writer.close()
        return latencies

    out.put(asyncio.run(run()))


VARIANTS = 200  # unique copies of each document, prepared before the clock starts


def prepared(port: int) -> list[tuple[bytes, str]]:
    """(HTTP request, query) pairs, each document in VARIANTS unique copies, interleaved."""
    out = []
    for n in range(VARIANTS):
        for hostile in HOSTILE:
            query = unique(hostile, n)
            out.append((http_request(port, json.dumps({"query": query}).encode()), query))
    return out


async def attack(port: int, seconds: float, attackers: int, rate: float | None,
                 server_pid: int) -> dict[str, Any]:
    """Hostile documents for `seconds` (at `rate` a second in all, or as fast as the
    server answers), /healthz probed meanwhile by another process."""
    documents = prepared(port) if attackers else []
    queue: Any = multiprocessing.Queue()
    prober = multiprocessing.Process(target=probe, args=(port, seconds, queue))
    sent = {"http": 0, "ws": 0}
    outcomes: dict[str, int] = {}
    url = f"ws://127.0.0.1:{port}/graphql"
    cpu_before = cpu_seconds(server_pid)
    prober.start()
    started = time.monotonic()
    deadline = started + seconds
    interval = attackers / rate if rate else 0.0

    async def attacker(number: int) -> None:
        transport = "http" if number % 2 == 0 else "ws"
        ws = None
        i = number
        next_at = started + number * (interval / max(attackers, 1))
        while time.monotonic() < deadline:
            if interval:
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            request, query = documents[i % len(documents)]
            i += attackers
            if transport == "http":
                _, answer = await http_once(port, request)
                outcome = code_of(answer)
            else:
                ws, outcome = await ws_once(url, ws, query, i)
            sent[transport] += 1
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if ws is not None:
            await ws.close()

    if attackers:
        await asyncio.gather(*(attacker(i) for i in range(attackers)))
    latencies = await asyncio.to_thread(queue.get)
    await asyncio.to_thread(prober.join)
    cpu = cpu_seconds(server_pid) - cpu_before
    return {"sent": sent, "outcomes": outcomes, "healthz": latencies, "server_cpu": cpu}


def summary(latencies: list[float]) -> str:
    return (f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
            f"max {max(latencies):.1f} ms ({len(latencies)} probes)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100,
                        help="hostile documents a second in the paced run")
    args = parser.parse_args()

    var_dir = Path(f"/tmp/batt-bench-hostile-{os.getpid()}")
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BATT_")
              or k.startswith("BATT_GRAPHQL_")},
           "BATT_VAR_DIR": str(var_dir), "BATT_SECRET_KEY": "bench-secret-" + "k" * 40}
    subprocess.run([BATT, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    log = open(var_dir / "server.log", "w")
    server = subprocess.Popen([BATT, "serve", "--port", str(port), "--workers", "1",
                               "--log-level", "warning"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                status, _ = await http_once(port, b"GET /healthz HTTP/1.1\r\nHost: b\r\n"
                                                  b"Connection: close\r\n\r\n")
                if status == 200:
                    break
            except OSError:
                await asyncio.sleep(0.1)
        print(f"batt serve on 127.0.0.1:{port}, 1 worker, SQLite\n")

        rows = await refusal_times(port, args.repeat)
        print(f"Refusal time, p50 of {args.repeat} sends (ms): first encounter / cached")
        print(f"{'document':34} {'bytes':>9}  {'HTTP':>13}  {'WebSocket':>13}  answer")
        sizes = {h.name: len(h.query) for h in HOSTILE}
        for row in rows:
            print(f"{row['name']:34} {sizes[row['name']]:>9,}  "
                  f"{row['http']:>5.1f} / {row['http_cached']:<5.1f}  "
                  f"{row['ws']:>5.1f} / {row['ws_cached']:<5.1f}  "
                  f"HTTP {row['http_outcome']}, WS {row['ws_outcome']}")

        baseline = await attack(port, min(args.seconds, 10), 0, None, server.pid)
        print(f"\n/healthz with no attack: {summary(baseline['healthz'])}")
        for rate in (args.rate, None):
            result = await attack(port, args.seconds, args.attackers, rate, server.pid)
            total = sum(result["sent"].values())
            pace = f"paced at {rate:.0f}/s" if rate else "as fast as answered"
            print(f"\nUnder attack, {args.attackers} clients {pace}: {total} hostile documents "
                  f"in {args.seconds:.0f} s ({total / args.seconds:.0f}/s; HTTP "
                  f"{result['sent']['http']}, WebSocket {result['sent']['ws']})")
            print(f"  /healthz: {summary(result['healthz'])}")
            print(f"  server CPU: {result['server_cpu']:.1f} s "
                  f"({1000 * result['server_cpu'] / max(total, 1):.2f} ms per document)")
            print(f"  answers: {result['outcomes']}")
        rss = int(Path(f"/proc/{server.pid}/status").read_text().split("VmRSS:")[1].split()[0])
        print(f"server memory after the attack: {rss / 1024:.0f} MiB RSS")
    finally:
        server.terminate()
        server.wait(10)
        log.close()


if __name__ == "__main__":
    asyncio.run(main())
