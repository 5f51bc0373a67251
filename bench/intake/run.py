"""Complaint intake over real HTTP: concurrent residents each upload one 1600×1200 JPEG phone
photo and submit a complaint, against `batt serve` (uvicorn) on PostgreSQL + PostGIS.

    .venv/bin/python bench/intake/run.py [--complaints 600] [--concurrency 24] [--workers 2]

Creates and drops its own database (batt_bench_intake) on the server named by
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres). Prints throughput and
p50/p99 latency. The load generator runs on the same machine and takes CPU from the server
(kept small: requests are prepared bytes, one connection per complaint), so the figures are a
floor.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import struct
import sys
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` importable

from bench.common import (  # noqa: E402
    DEFAULT_PG_URL,
    KeepAliveClient,
    cpu_seconds,
    load_average,
    machine_cpu_seconds,
    percentile,
    served,
    server_cpu_seconds,
    worker_pids,
)

CENTRE = (-7.8713, 112.5269)

UPLOAD = ("mutation($file: Upload!, $key: String) { uploadPhoto(file: $file, clientKey: $key) "
          "{ photo { id } errors { code } } }")
SUBMIT = ("mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) "
          "{ complaint { ticketNumber } errors { code } } }")
REGISTER = ("mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }")


def phone_photo() -> bytes:
    """A 1600×1200 photo-like JPEG (~250 KB, like a phone's): textured gradients and shapes.
    Pure per-pixel noise would be a pathological 1 MB file no camera produces."""
    rng = random.Random(42)
    size = (1600, 1200)
    texture = Image.effect_noise(size, 40).filter(ImageFilter.GaussianBlur(1.2))
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (texture, gradient, Image.blend(texture, gradient.rotate(180), 0.5)))
    for _ in range(60):
        x, y = rng.randrange(1500), rng.randrange(1100)
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)),
                    (x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 160)))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A145F"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def unique_copy(jpeg: bytes, tag: str) -> bytes:
    """The same picture with a unique JPEG comment, so every upload is a new photo (uploads
    are deduplicated by content per user)."""
    text = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]



async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    # Untimed complaints first: every worker's pool opens its PostgreSQL connections and
    # prepares its statements, as a server that has been up for a while has.
    parser.add_argument("--warmup", type=int, default=48)
    # At most 10 complaints per resident per hour (the per-user rate limit).
    parser.add_argument("--residents", type=int, default=80)
    args = parser.parse_args()

    pg_url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
    async with served("intake", workers=args.workers, postgres=pg_url) as server, \
            httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        port = server.port
        # Residents (Argon2 hashing is not what this measures: done before the clock).
        tokens = []
        for i in range(args.residents):
            body = (await http.post("/graphql", json={"query": REGISTER, "variables": {"i": {
                "name": f"Warga Bench {i}", "phone": f"08139{i:07d}",
                "password": "bench-password-1"}}})).json()
            tokens.append(body["data"]["register"]["accessToken"])

        # Every upload request is prepared before the clock starts (a phone has its
        # photo ready too); the timed loop only sends bytes and reads JSON answers.
        base_jpeg = phone_photo()
        uploads = []
        for n in range(args.warmup + args.complaints):
            operations = {"query": UPLOAD, "variables": {"file": None, "key": f"k{n}"}}
            uploads.append(KeepAliveClient.multipart_request(
                "/graphql",
                {"operations": json.dumps(operations),
                 "map": json.dumps({"0": ["variables.file"]})},
                {"0": (f"IMG_{n}.jpg", unique_copy(base_jpeg, uuid.uuid4().hex),
                       "image/jpeg")},
                {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}))
        rng = random.Random(7)
        latencies: list[float] = []
        failures: list[str] = []
        queue: asyncio.Queue[int] = asyncio.Queue()

        async def resident_client() -> None:
            while True:
                try:
                    n = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                # One connection per complaint, as a phone opens one for its upload and
                # submit: connections spread over the workers the way real ones do (a
                # few long-lived connections can all land on one worker).
                client = KeepAliveClient("127.0.0.1", port)
                try:
                    await submit_one(client, n)
                finally:
                    await client.close()

        async def submit_one(client: KeepAliveClient, n: int) -> None:
            started = time.perf_counter()
            photo = (await client.send(uploads[n]))["data"]["uploadPhoto"]
            if photo["errors"]:
                failures.append(f"upload {photo['errors']}")
                return
            lat = CENTRE[0] + rng.uniform(-0.01, 0.01)
            lon = CENTRE[1] + rng.uniform(-0.01, 0.01)
            result = (await client.send(KeepAliveClient.json_request(
                "/graphql", {"query": SUBMIT, "variables": {"i": {
                    "clientRequestId": uuid.uuid4().hex, "categoryCode": "sampah",
                    "description": "Sampah menumpuk di tepi jalan, mohon diangkut.",
                    "lat": lat, "lon": lon, "photoIds": [photo["photo"]["id"]],
                    "visibility": "PUBLIC"}}},
                {"Authorization": f"Bearer {tokens[n % len(tokens)]}"},
            )))["data"]["submitComplaint"]
            if result["errors"]:
                failures.append(f"submit {result['errors']}")
                return
            latencies.append((time.perf_counter() - started) * 1000)

        for n in range(args.warmup):
            queue.put_nowait(n)
        await asyncio.gather(*(resident_client() for _ in range(args.concurrency)))
        latencies.clear()
        for n in range(args.warmup, args.warmup + args.complaints):
            queue.put_nowait(n)

        cpu_start = server_cpu_seconds(server.pid), time.process_time()
        machine_start = machine_cpu_seconds()
        workers_start = {pid: cpu_seconds(pid) for pid in worker_pids(server.pid)}
        wall_start = time.perf_counter()
        await asyncio.gather(*(resident_client() for _ in range(args.concurrency)))
        wall = time.perf_counter() - wall_start
        server_cpu = server_cpu_seconds(server.pid) - cpu_start[0]
        client_cpu = time.process_time() - cpu_start[1]
        machine_end = machine_cpu_seconds()
        per_worker = [cpu_seconds(pid) - start for pid, start in workers_start.items()]
        machine_busy = machine_end[0] - machine_start[0]
        machine_idle = machine_end[1] - machine_start[1]
        load = load_average()

    print(f"bench/intake: {len(latencies)} complaints (1600×1200 JPEG upload + submit) after "
          f"{args.warmup} untimed, {args.concurrency} concurrent clients, {args.workers} uvicorn "
          f"workers, PostgreSQL; {load} at the end")
    print(f"  throughput   {len(latencies) / wall:7.1f} complaints/s  (wall {wall:.1f} s)")
    if latencies:
        print(f"  latency p50  {statistics.median(latencies):7.1f} ms")
        print(f"  latency p99  {percentile(latencies, 0.99):7.1f} ms")
    print(f"  failures     {len(failures)}" + (f"  e.g. {failures[0]}" if failures else ""))
    done = max(1, len(latencies))
    print(f"  CPU          server {server_cpu:.1f} s ({server_cpu / done * 1000:.1f} ms per "
          f"complaint), load generator {client_cpu:.1f} s — of {2 * wall:.1f} core-seconds")
    print("  workers      " + ", ".join(f"{seconds:.1f} s" for seconds in per_worker)
          + " of CPU each")
    print(f"  machine      busy {machine_busy:.1f} s (server, load generator, PostgreSQL and the "
          f"rest), idle {machine_idle:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
