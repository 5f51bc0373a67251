"""The market's public reads from the read cache (backend/read_cache.py): anonymous
``listings``, ``priceBoard``, ``marketPrices``, ``commodities`` and the public farmer profile
come from memory after the first answer, and the next anonymous read after a change that
matters — a listing published, paused or edited, stock taken by an order, a price recorded, a
farmer verified or rated — already shows it; a signed-in caller always gets their own answer."""

from __future__ import annotations

import datetime as dt

from among_tani.market import prices
from among_tani.market.models import PriceLevel
from among_tani.registry.models import FarmerProfile, Unit
from tests.among_tani.market_helpers import TULUNGREJO, create_listing, place
from tests.among_tani.test_market import act
from tests.among_warga.test_public_reads import app, client, gql  # noqa: F401 (fixtures)

NEAR = {"near": {"lat": TULUNGREJO[0], "lon": TULUNGREJO[1]}}
LISTINGS = """query($near: NearInput) {
  listings(near: $near, radiusKm: 10, sort: DISTANCE, first: 20) {
    edges { node { id variety availableQuantity status lat lon
                   farmer { displayName rating } } } } }"""
BOARD = "{ priceBoard { commodity { code } listings medianPricePerBaseUnit } }"
SERIES = '{ marketPrices(commodityCode: "apel_manalagi") { date price } }'
FARMER = "query($id: ID!) { farmer(id: $id) { displayName rating completedOrders } }"


def listed(body: dict) -> list[tuple[str, str]]:
    assert "errors" not in body, body
    return [(e["node"]["variety"], e["node"]["availableQuantity"])
            for e in body["data"]["listings"]["edges"]]


async def test_anonymous_market_reads_follow_every_change(app, gql, client, tani):  # noqa: F811
    cache = app.state.services["read_cache"]
    farmer, farmer_token = await tani.farmer(name="Pak Cache")
    _, hotel = await tani.buyer()
    assert listed(await gql(LISTINGS, NEAR)) == []
    board = await gql(BOARD)
    assert board["data"]["priceBoard"] == []

    # Published: in the very next anonymous read, then served from memory.
    first = (await create_listing(gql, client, farmer_token, variety="Manalagi"))["listing"]
    assert listed(await gql(LISTINGS, NEAR)) == [("Manalagi", "300")]
    hits = cache.hits
    assert listed(await gql(LISTINGS, NEAR)) == [("Manalagi", "300")]
    assert cache.hits == hits + 1
    assert [r["listings"] for r in (await gql(BOARD))["data"]["priceBoard"]] == [1]

    # Stock taken by an order: the next read shows what is left.
    placed = await place(gql, hotel, first["id"], "40")
    assert placed["errors"] == [], placed
    assert listed(await gql(LISTINGS, NEAR)) == [("Manalagi", "260")]

    # Another listing, then the first one paused.
    await create_listing(gql, client, farmer_token, variety="Anna", commodityCode="apel_anna",
                         at=(TULUNGREJO[0] + 0.02, TULUNGREJO[1]))
    assert listed(await gql(LISTINGS, NEAR)) == [("Manalagi", "260"), ("Anna", "300")]
    paused = await gql("mutation($id: ID!) { pauseListing(id: $id) { errors { code } } }",
                       {"id": first["id"]}, token=farmer_token)
    assert paused["data"]["pauseListing"]["errors"] == []
    assert listed(await gql(LISTINGS, NEAR)) == [("Anna", "300")]
    assert [r["listings"] for r in (await gql(BOARD))["data"]["priceBoard"]] == [1]

    # A reference price recorded (as `batt prices import` and the price officer do).
    assert (await gql(SERIES))["data"]["marketPrices"] == []
    hits = cache.hits
    assert (await gql(SERIES))["data"]["marketPrices"] == []
    assert cache.hits == hits + 1
    await prices.seed_markets()
    await prices.record_price(None, prices.PriceInput(
        date=dt.date.today(), market_code="pasar_induk_among_tani",
        commodity_code="apel_manalagi", level=PriceLevel.PRODUCER, unit=Unit.KG,
        price=10500, source="test"))
    assert [p["price"] for p in (await gql(SERIES))["data"]["marketPrices"]] == [10500]

    # The farmer's public profile: completed orders and rating, shown at once.
    profile = await FarmerProfile.get(user_id=farmer.id)
    shown = (await gql(FARMER, {"id": str(profile.id)}))["data"]["farmer"]
    assert shown == {"displayName": "Pak Cache", "rating": None, "completedOrders": 0}
    hits = cache.hits
    assert (await gql(FARMER, {"id": str(profile.id)}))["data"]["farmer"] == shown
    assert cache.hits == hits + 1
    order_id = placed["order"]["id"]
    for name, token in (("acceptOrder", farmer_token), ("markOrderReady", farmer_token),
                        ("confirmOrderReceived", hotel)):
        body = await gql(act(name), {"id": order_id}, token=token)
        assert body["data"][name]["errors"] == [], body
    rated = await gql("mutation($id: ID!) { rateOrder(id: $id, rating: 4) { errors { code } } }",
                      {"id": order_id}, token=hotel)
    assert rated["data"]["rateOrder"]["errors"] == []
    shown = (await gql(FARMER, {"id": str(profile.id)}))["data"]["farmer"]
    assert shown == {"displayName": "Pak Cache", "rating": 4.0, "completedOrders": 1}
    node = (await gql(LISTINGS, NEAR))["data"]["listings"]["edges"][0]["node"]
    assert node["farmer"]["rating"] == 4.0


async def test_a_farmer_verified_shows_at_once(gql, tani, make_user):  # noqa: F811
    from backend.accounts.models import Role

    _, token = await make_user(Role.CITIZEN, name="Bu Tani Baru")
    applied = await tani.apply_farmer(token)
    assert applied["errors"] == [], applied
    profile = await FarmerProfile.get(application_id=int(applied["application"]["id"]))
    for _ in range(2):  # the second from memory: not verified, not public
        assert (await gql(FARMER, {"id": str(profile.id)}))["data"]["farmer"] is None
    _, admin = await tani.distan_admin()
    assert (await tani.review(admin, applied["application"]["id"]))["errors"] == []
    shown = (await gql(FARMER, {"id": str(profile.id)}))["data"]["farmer"]
    assert shown["displayName"] == "Bu Tani Baru"
    commodities = "{ commodities { code } }"
    assert len((await gql(commodities))["data"]["commodities"]) == 19


async def test_a_signed_in_caller_never_gets_the_anonymous_answer(gql, client, tani):  # noqa: F811
    _, farmer_token = await tani.farmer()
    await create_listing(gql, client, farmer_token, variety="Manalagi")
    for _ in range(2):  # the second from memory
        node = (await gql(LISTINGS, NEAR))["data"]["listings"]["edges"][0]["node"]
        assert (node["lat"], node["lon"]) == (None, None)
    # The farmer sees their own farm's point: their own answer, never the cached one.
    own = (await gql(LISTINGS, NEAR, token=farmer_token))["data"]["listings"]
    assert (own["edges"][0]["node"]["lat"], own["edges"][0]["node"]["lon"]) == TULUNGREJO
