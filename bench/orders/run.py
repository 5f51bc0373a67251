"""Never sold twice, under load: 200 verified buyers order 1 kg each at the same moment from a
listing with 50 kg, over real HTTP against `batt serve` with 2 worker processes on
PostgreSQL + PostGIS. Exactly 50 must succeed, 150 get INSUFFICIENT_STOCK, and the stock must
end at 0 — never below.

    .venv/bin/python bench/orders/run.py [--buyers 200] [--stock 50] [--workers 2]

Creates and drops its own database (batt_bench_orders) on BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/postgres). Setup (accounts, applications) goes through
the API; the reviews are approved in SQL to keep setup short. Prints the outcome, orders/s
and p50/p99 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import admin, free_port, percentile, unlimited_budgets  # noqa: E402

BATT = str(Path(sys.executable).with_name("batt"))
DB_NAME = "batt_bench_orders"
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }"
APPLY_BUYER = """mutation { applyAsBuyer(input: {buyerType: HOUSEHOLD, businessName: "Rumah"}) {
  application { id } errors { code } } }"""
APPLY_FARMER = """mutation { applyAsFarmer(input: {villageCode: "bumiaji-tulungrejo",
  commodityCodes: ["apel_manalagi"]}) { application { id } errors { code } } }"""
UPLOAD = ("mutation($file: Upload!) { uploadPhoto(file: $file) { photo { id } errors { code } } }")
CREATE = """mutation($i: CreateListingInput!) { createListing(input: $i) {
  listing { id availableQuantity } errors { code } } }"""
PLACE = """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) {
  order { id } errors { code message } } }"""


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


async def gql(http, query, variables=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers=headers)
    return response.json()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    pg_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    db_url = urlunsplit(urlsplit(pg_url)._replace(path=f"/{DB_NAME}"))
    await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)',
                f'CREATE DATABASE "{DB_NAME}"')
    await admin(db_url, "CREATE EXTENSION IF NOT EXISTS postgis")
    var_dir = Path(f"/tmp/batt-bench-orders-{os.getpid()}")
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BATT_")},
           "BATT_DATABASE_URL": db_url, "BATT_VAR_DIR": str(var_dir),
           "BATT_SECRET_KEY": "bench-secret-" + "k" * 40, **unlimited_budgets()}
    subprocess.run([BATT, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BATT, "seed-demo"], env=env, check=True, capture_output=True)

    port = free_port()
    log = open(var_dir / "server.log", "w")
    server = subprocess.Popen(
        [BATT, "serve", "--port", str(port), "--workers", str(args.workers),
         "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
    limits = httpx.Limits(max_connections=args.buyers + 10,
                          max_keepalive_connections=args.buyers + 10)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120,
                                     limits=limits) as http:
            for _ in range(300):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)

            async def register(i: int) -> str:
                body = await gql(http, REGISTER, {"i": {
                    "name": f"Pembeli Bench {i}", "phone": f"08139{i:07d}",
                    "password": "bench-password-1"}})
                return body["data"]["register"]["accessToken"]

            farmer = await register(9_999_999)
            await gql(http, APPLY_FARMER, token=farmer)
            buyers = []
            for start in range(0, args.buyers, 20):
                buyers += await asyncio.gather(*(register(i) for i in range(
                    start, min(args.buyers, start + 20))))
            await asyncio.gather(*(gql(http, APPLY_BUYER, token=t) for t in buyers))
            conn = await asyncpg.connect(db_url)
            try:  # the reviews, approved directly (the review flow has its own tests)
                await conn.execute("UPDATE tani_application SET status = 'approved', "
                                   "approved_at = now(), reviewed_at = now()")
                await conn.execute("UPDATE tani_farmer_profile SET verified = true, "
                                   "verified_at = now()")
                await conn.execute("UPDATE tani_buyer_profile SET verified = true")
            finally:
                await conn.close()
            operations = {"query": UPLOAD, "variables": {"file": None}}
            upload = await http.post("/graphql", data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.file"]})},
                files={"0": ("apel.jpg", jpeg(), "image/jpeg")},
                headers={"Authorization": f"Bearer {farmer}"})
            photo = upload.json()["data"]["uploadPhoto"]["photo"]["id"]
            today = dt.date.today()
            created = await gql(http, CREATE, {"i": {
                "commodityCode": "apel_manalagi", "unit": "KG", "pricePerUnit": 12000,
                "quantity": str(args.stock), "minOrderQuantity": "1",
                "availableUntil": str(today + dt.timedelta(days=7)),
                "lat": -7.815, "lon": 112.523, "fulfilment": ["PICKUP"],
                "photoIds": [photo]}}, token=farmer)
            listing = created["data"]["createListing"]["listing"]["id"]

            latencies: list[float] = []
            outcomes: dict[str, int] = {}
            gate = asyncio.Event()

            async def order(token: str) -> None:
                await gate.wait()
                started = time.perf_counter()
                body = await gql(http, PLACE, {"i": {
                    "clientRequestId": uuid.uuid4().hex,
                    "lines": [{"listingId": listing, "quantity": "1"}],
                    "fulfilment": "PICKUP", "paymentMethod": "COD"}}, token=token)
                latencies.append((time.perf_counter() - started) * 1000)
                result = (body.get("data") or {}).get("placeOrder")
                code = "ERROR" if result is None else (
                    result["errors"][0]["code"] if result["errors"] else "OK")
                outcomes[code] = outcomes.get(code, 0) + 1

            tasks = [asyncio.create_task(order(t)) for t in buyers]
            await asyncio.sleep(0.1)
            wall_start = time.perf_counter()
            gate.set()
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - wall_start

            conn = await asyncpg.connect(db_url)
            try:
                left = await conn.fetchval(
                    "SELECT available_milli FROM tani_listing WHERE id = $1", int(listing))
                sold = await conn.fetchval("SELECT COALESCE(SUM(quantity_milli), 0) FROM "
                                           "tani_order_line WHERE listing_id = $1", int(listing))
                orders = await conn.fetchval("SELECT count(*) FROM tani_order")
            finally:
                await conn.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        await admin(pg_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(var_dir)], check=False)

    print(f"bench/orders: {args.buyers} buyers order 1 kg each at once from a {args.stock} kg "
          f"listing; {args.workers} uvicorn workers, PostgreSQL")
    print(f"  outcomes     {json.dumps(outcomes, sort_keys=True)}")
    print(f"  orders       {orders} placed, {sold / 1000:g} kg sold, stock left "
          f"{left / 1000:g} kg")
    ok = outcomes.get("OK", 0) == args.stock and left == 0 and sold == args.stock * 1000
    print(f"  never sold twice: {'yes' if ok else 'NO'}")
    print(f"  throughput   {len(latencies) / wall:7.1f} requests/s  (wall {wall:.2f} s)")
    print(f"  latency p50  {statistics.median(latencies):7.1f} ms")
    print(f"  latency p99  {percentile(latencies, 0.99):7.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
