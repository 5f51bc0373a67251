"""Two real `batt serve` processes on one PostgreSQL: a listing published, or stock taken by
an order, through one is in the very next anonymous `listings` read from the other, whose
answer was in its read cache (the pattern of tests/among_warga/test_public_reads_two_workers.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from among_tani.registry.models import (
    Application,
    ApplicationStatus,
    BuyerProfile,
    FarmerProfile,
)
from tests.among_tani.market_helpers import TULUNGREJO, listing_input, order_input
from tests.among_warga.test_public_reads_two_workers import PASSWORD, gql, start_server
from tests.backend.media.samples import encode, photo_like
from tests.backend.push.test_jobs_once_per_cluster import wait_ready

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

LISTINGS = """query($near: NearInput) {
  listings(near: $near, radiusKm: 10, sort: DISTANCE, first: 20) {
    edges { node { variety availableQuantity } } } }"""
NEAR = {"near": {"lat": TULUNGREJO[0], "lon": TULUNGREJO[1]}}
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code } } }"


def listed(data) -> list[tuple[str, str]]:
    return [(e["node"]["variety"], e["node"]["availableQuantity"])
            for e in data["listings"]["edges"]]


async def test_a_listing_or_an_order_on_one_worker_is_in_the_next_read_on_the_other(
        settings, tmp_path, batu):
    servers = [start_server(settings, tmp_path, name) for name in ("worker-a", "worker-b")]
    try:
        for server, port, log_path in servers:
            await wait_ready(server, port, log_path)
        a, b = (f"http://127.0.0.1:{port}" for _, port, _ in servers)
        async with httpx.AsyncClient(timeout=30) as http:
            tokens = []
            for n, name in enumerate(("Pak Dua Pintu", "Dapur Hotel Dua Pintu")):
                made = await gql(http, a, REGISTER, {"i": {
                    "name": name, "phone": f"08123450010{n}", "password": PASSWORD}})
                tokens.append(made["register"]["accessToken"])
            farmer, hotel = tokens
            applied = await gql(http, a, """mutation { applyAsFarmer(input: {
                villageCode: "bumiaji-tulungrejo", commodityCodes: ["apel_manalagi"]}) {
                errors { code } } }""", token=farmer)
            assert applied["applyAsFarmer"]["errors"] == []
            applied = await gql(http, a, """mutation { applyAsBuyer(input: {
                buyerType: RESTAURANT_HOTEL, businessName: "Hotel"}) { errors { code } } }""",
                                token=hotel)
            assert applied["applyAsBuyer"]["errors"] == []
            # The reviews (their flow and events have their own tests), approved directly.
            await Application.all().update(status=ApplicationStatus.APPROVED)
            await FarmerProfile.all().update(verified=True)
            await BuyerProfile.all().update(verified=True)
            operations = {"query": "mutation($f: Upload!) { uploadPhoto(file: $f) { "
                          "photo { id } errors { code } } }", "variables": {"f": None}}
            upload = await http.post(
                f"{a}/graphql", headers={"Authorization": f"Bearer {farmer}"},
                data={"operations": json.dumps(operations), "map": '{"0": ["variables.f"]}'},
                files={"0": ("a.jpg", encode(photo_like((640, 480), seed=5), "JPEG"),
                             "image/jpeg")})
            photo = upload.json()["data"]["uploadPhoto"]["photo"]["id"]

            assert listed(await gql(http, b, LISTINGS, NEAR)) == []
            assert listed(await gql(http, b, LISTINGS, NEAR)) == []  # from B's memory
            created = (await gql(http, a, """mutation($i: CreateListingInput!) {
                createListing(input: $i) { listing { id } errors { code } } }""",
                                 {"i": listing_input([photo], variety="Manalagi")},
                                 token=farmer))["createListing"]
            assert created["errors"] == []
            assert listed(await gql(http, b, LISTINGS, NEAR)) == [("Manalagi", "300")]
            assert listed(await gql(http, b, LISTINGS, NEAR)) == [("Manalagi", "300")]
            placed = (await gql(http, a, """mutation($i: PlaceOrderInput!) {
                placeOrder(input: $i) { order { id } errors { code } } }""",
                                {"i": order_input(created["listing"]["id"], "40")},
                                token=hotel))["placeOrder"]
            assert placed["errors"] == []
            assert listed(await gql(http, b, LISTINGS, NEAR)) == [("Manalagi", "260")]
    finally:
        for server, _, _ in servers:
            server.terminate()
        for server, _, _ in servers:
            server.wait(20)
