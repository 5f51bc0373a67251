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
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DEFAULT_PG_URL,
    KeepAliveClient,
    graphql_request,
    load_average,
    percentile,
    served,
)

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


async def setup(http: httpx.AsyncClient, db_url: str, buyers: int, stock: int
                ) -> tuple[str, list[str]]:
    """A verified farmer with a listing of ``stock`` kg and ``buyers`` verified buyers:
    (listing id, buyers' tokens)."""

    async def register(i: int) -> str:
        body = await gql(http, REGISTER, {"i": {
            "name": f"Pembeli Bench {i}", "phone": f"08139{i:07d}",
            "password": "bench-password-1"}})
        return body["data"]["register"]["accessToken"]

    farmer = await register(9_999_999)
    await gql(http, APPLY_FARMER, token=farmer)
    tokens: list[str] = []
    for start in range(0, buyers, 20):
        tokens += await asyncio.gather(*(register(i) for i in range(
            start, min(buyers, start + 20))))
    await asyncio.gather(*(gql(http, APPLY_BUYER, token=t) for t in tokens))
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
        "quantity": str(stock), "minOrderQuantity": "1",
        "availableUntil": str(today + dt.timedelta(days=7)),
        "lat": -7.815, "lon": 112.523, "fulfilment": ["PICKUP"],
        "photoIds": [photo]}}, token=farmer)
    result = created["data"]["createListing"]
    if result["errors"]:
        raise RuntimeError(f"createListing: {result['errors']}")
    return result["listing"]["id"], tokens


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    pg_url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
    async with served("orders", workers=args.workers, postgres=pg_url) as server:
        # A new connection per set-up request: Argon2 makes registrations slow, and a pooled
        # connection idle past uvicorn's keep-alive timeout is closed under the client's feet.
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120,
                                     limits=httpx.Limits(max_keepalive_connections=0)) as http:
            listing, buyers = await setup(http, server.database_url, args.buyers, args.stock)

        # Every order is prepared before the gate opens; each buyer has a connection of
        # its own, opened before the gate (phones do not share one), so the connections
        # spread over the workers and the race is between the transactions.
        requests = [graphql_request(PLACE, {"i": {
            "clientRequestId": uuid.uuid4().hex,
            "lines": [{"listingId": listing, "quantity": "1"}],
            "fulfilment": "PICKUP", "paymentMethod": "COD"}}, token) for token in buyers]
        clients = [KeepAliveClient("127.0.0.1", server.port) for _ in buyers]
        await asyncio.gather(*(c.connect() for c in clients))
        latencies: list[float] = []
        outcomes: dict[str, int] = {}
        gate = asyncio.Event()

        async def order(client: KeepAliveClient, request: bytes) -> None:
            await gate.wait()
            started = time.perf_counter()
            try:
                body = await client.send(request)
            except Exception as exc:  # noqa: BLE001 - counted as an outcome, shown below
                body = {"transport": repr(exc)[:200]}
            latencies.append((time.perf_counter() - started) * 1000)
            result = (body.get("data") or {}).get("placeOrder")
            code = "ERROR" if result is None else (
                result["errors"][0]["code"] if result["errors"] else "OK")
            if code == "ERROR":
                print("  error:", json.dumps(body)[:300], file=sys.stderr)
            outcomes[code] = outcomes.get(code, 0) + 1

        tasks = [asyncio.create_task(order(c, r)) for c, r in zip(clients, requests,
                                                                  strict=True)]
        await asyncio.sleep(0.1)
        load = load_average()
        wall_start = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - wall_start
        await asyncio.gather(*(c.close() for c in clients))

        conn = await asyncpg.connect(server.database_url)
        try:
            left = await conn.fetchval(
                "SELECT available_milli FROM tani_listing WHERE id = $1", int(listing))
            status = await conn.fetchval(
                "SELECT status FROM tani_listing WHERE id = $1", int(listing))
            sold = int(await conn.fetchval("SELECT COALESCE(SUM(quantity_milli), 0) FROM "
                                           "tani_order_line WHERE listing_id = $1",
                                           int(listing)))
            orders = await conn.fetchval("SELECT count(DISTINCT order_id) FROM tani_order_line "
                                         "WHERE listing_id = $1", int(listing))
        finally:
            await conn.close()

    print(f"bench/orders: {args.buyers} buyers order 1 kg each at once from a {args.stock} kg "
          f"listing; {args.workers} uvicorn workers, PostgreSQL; {load} at the start")
    print(f"  outcomes     {json.dumps(outcomes, sort_keys=True)}")
    print(f"  orders       {orders} placed, {sold / 1000:g} kg sold, stock left "
          f"{left / 1000:g} kg, listing {status}")
    ok = (outcomes.get("OK", 0) == args.stock and left == 0 and sold == args.stock * 1000
          and outcomes.get("INSUFFICIENT_STOCK", 0) == args.buyers - args.stock)
    print(f"  never sold twice: {'yes' if ok else 'NO'}")
    print(f"  throughput   {len(latencies) / wall:7.1f} orders/s answered (wall {wall:.2f} s, "
          f"{outcomes.get('OK', 0) / wall:.1f} placed/s)")
    print(f"  latency p50  {statistics.median(latencies):7.1f} ms")
    print(f"  latency p99  {percentile(latencies, 0.99):7.1f} ms")
    print(f"  {load_average()} at the end")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
