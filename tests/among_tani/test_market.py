"""The marketplace end to end: a verified farmer lists apples, a verified hotel finds them by
a misspelt name near Batu beside the reference price, orders, and the order runs its course;
bad input gets coded errors and changes nothing."""

from __future__ import annotations

import datetime as dt
import json

from among_tani.market import orders as order_service
from among_tani.market import prices
from among_tani.market.models import Listing, ListingStatus, MarketPrice, Order, PriceLevel
from among_tani.registry.models import Unit
from backend.clock import frozen_at, utcnow
from backend.events.handlers import drain
from backend.push.models import PushMessage
from tests.among_tani.market_helpers import (
    ALUN_ALUN,
    create_listing,
    place,
)

SEARCH = """query($near: NearInput, $text: String, $codes: [String!], $sort: ListingSort,
                  $first: Int, $after: String, $radius: Float) {
  listings(near: $near, radiusKm: $radius, commodityCodes: $codes, text: $text, sort: $sort,
           first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id commodity { code name } variety pricePerUnit unit
      pricePerBaseUnit availableQuantity distanceKm village { code name }
      referencePrice { price level date ratio } farmer { displayName rating completedOrders }
      lat lon } } } }"""
ORDER = """query($id: ID!) { order(id: $id) { id status total paidAt rating
  counterpart { name phone } pickupPoint { lat lon } messages { text fromMe } } }"""


def act(name: str) -> str:
    return f"mutation($id: ID!) {{ {name}(id: $id) {{ order {{ id status paidAt }} " \
           "errors { code field message } } }"


async def seed_reference(value: int = 10000) -> None:
    await prices.seed_markets()
    await prices.record_price(None, prices.PriceInput(
        date=dt.date.today() - dt.timedelta(days=1), market_code="pasar_induk_among_tani",
        commodity_code="apel_manalagi", level=PriceLevel.PRODUCER, unit=Unit.KUINTAL,
        price=value * 100, source="test"))


async def test_apples_from_tulungrejo_to_a_hotel_kitchen(gql, client, tani):
    _, ppl = await tani.officer("bumiaji-tulungrejo")
    farmer, farmer_token = await tani.farmer(officer=ppl, name="Pak Slamet")
    hotel, hotel_token = await tani.buyer(name="Hotel Purnama")
    await seed_reference(10000)

    created = await create_listing(gql, client, farmer_token)
    assert created["errors"] == [], created
    listing = created["listing"]
    assert listing["status"] == "ACTIVE" and listing["availableQuantity"] == "300"
    assert listing["pricePerBaseUnit"] == 12000

    found = await gql(SEARCH, {"near": {"lat": ALUN_ALUN[0], "lon": ALUN_ALUN[1]},
                               "radius": 10, "text": "manalgi", "sort": "DISTANCE"},
                      token=hotel_token)
    edges = found["data"]["listings"]["edges"]
    assert [e["node"]["id"] for e in edges] == [listing["id"]], found
    node = edges[0]["node"]
    assert node["commodity"]["code"] == "apel_manalagi"
    assert node["referencePrice"] == {"price": 10000, "level": "PRODUCER",
                                      "date": str(dt.date.today() - dt.timedelta(days=1)),
                                      "ratio": 1.2}
    assert node["village"]["code"] == "bumiaji-tulungrejo"
    assert 4 < node["distanceKm"] < 8
    assert node["lat"] is None and node["farmer"]["displayName"] == "Pak Slamet"
    for text in ("potato", "kentang"):
        none = await gql(SEARCH, {"text": text})
        assert none["data"]["listings"]["totalCount"] == 0

    placed = await place(gql, hotel_token, listing["id"], "40")
    assert placed["errors"] == [], placed
    order = placed["order"]
    assert order["status"] == "PLACED" and order["total"] == 480000
    assert order["counterpart"] == {"name": "Pak Slamet", "phone": None}
    assert (await Listing.get(id=int(listing["id"]))).available_milli == 260_000
    await drain()
    assert await PushMessage.filter(user_id=farmer.id).count() == 1

    for name, token, status in (("acceptOrder", farmer_token, "ACCEPTED"),
                                ("markOrderReady", farmer_token, "READY"),
                                ("markOrderPaid", farmer_token, "READY"),
                                ("confirmOrderReceived", hotel_token, "COMPLETED")):
        body = await gql(act(name), {"id": order["id"]}, token=token)
        result = body["data"][name]
        assert result["errors"] == [], (name, body)
        assert result["order"]["status"] == status
    rated = await gql("""mutation($id: ID!) { rateOrder(id: $id, rating: 5, comment: "Mantap") {
        order { rating } errors { code } } }""", {"id": order["id"]}, token=hotel_token)
    assert rated["data"]["rateOrder"]["order"]["rating"] == 5

    seen = await gql(ORDER, {"id": order["id"]}, token=hotel_token)
    assert seen["data"]["order"]["counterpart"]["phone"] == farmer.phone
    assert seen["data"]["order"]["paidAt"]
    assert (await gql(ORDER, {"id": order["id"]}))["errors"]  # anonymous: refused
    stock = await gql(SEARCH, {"codes": ["apel_manalagi"]})
    node = stock["data"]["listings"]["edges"][0]["node"]
    assert node["availableQuantity"] == "260"
    assert node["farmer"]["rating"] == 5.0 and node["farmer"]["completedOrders"] == 1
    # Every step was pushed to the other party.
    await drain()
    assert await PushMessage.filter(user_id=hotel.id).count() == 3  # accepted, ready, paid
    # …and completed to the farmer.
    assert await PushMessage.filter(user_id=farmer.id).count() == 2


async def test_place_order_is_idempotent_and_refuses_bad_orders(gql, client, tani):
    _, farmer_token = await tani.farmer()
    _, other_farmer = await tani.farmer(name="Pak Hadi", village="bumiaji-punten",
                                        commodities=("jeruk_keprok_batu55",))
    _, buyer = await tani.buyer()
    first = (await create_listing(gql, client, farmer_token))["listing"]["id"]
    second = (await create_listing(gql, client, other_farmer, commodityCode="jeruk_keprok_batu55",
                                   at=(-7.845, 112.525)))
    assert second["errors"] == [], second
    second = second["listing"]["id"]

    placed = await place(gql, buyer, first, "10", clientRequestId="retry-0000001")
    again = await place(gql, buyer, first, "10", clientRequestId="retry-0000001")
    assert again["order"]["id"] == placed["order"]["id"]
    conflict = await place(gql, buyer, first, "11", clientRequestId="retry-0000001")
    assert [e["code"] for e in conflict["errors"]] == ["IDEMPOTENCY_CONFLICT"]
    assert await Order.all().count() == 1

    cases = [
        (buyer, {"quantity": "2"}, "QUANTITY_BELOW_MINIMUM"),
        (buyer, {"quantity": "1000"}, "INSUFFICIENT_STOCK"),
        (farmer_token, {}, "BUYER_NOT_VERIFIED"),
        (buyer, {"lines": [{"listingId": first, "quantity": "5"},
                           {"listingId": second, "quantity": "5"}]}, "ONE_FARMER_PER_ORDER"),
        (buyer, {"lines": [{"listingId": "999999", "quantity": "5"}]}, "NOT_FOUND"),
        (buyer, {"fulfilment": "COURIER"}, "FULFILMENT_NOT_OFFERED"),
        (buyer, {"fulfilment": "DELIVERY"}, "DELIVERY_POINT_REQUIRED"),
        (buyer, {"fulfilment": "DELIVERY", "deliveryPoint": {"lat": -7.6, "lon": 112.9}},
         "OUTSIDE_DELIVERY_RADIUS"),
        (buyer, {"clientRequestId": "x"}, "CLIENT_REQUEST_ID_REQUIRED"),
    ]
    for token, overrides, code in cases:
        quantity = overrides.pop("quantity", "10")
        result = await place(gql, token, first, quantity, **overrides)
        assert [e["code"] for e in result["errors"]] == [code], (code, result)
    assert await Order.all().count() == 1
    assert (await Listing.get(id=int(first))).available_milli == 290_000
    # The farmer cannot order his own produce.
    _, both = await tani.buyer(name="Petani juga pembeli")
    del both
    own = await place(gql, farmer_token, first, "10")
    assert [e["code"] for e in own["errors"]] == ["BUYER_NOT_VERIFIED"]


async def test_bad_listings_get_coded_errors_and_change_nothing(gql, client, tani, make_user):
    _, farmer = await tani.farmer()
    from backend.accounts.models import Role

    _, stranger = await make_user(Role.CITIZEN)
    today = dt.date.today()
    cases = [
        (stranger, {}, "FARMER_NOT_VERIFIED"),
        (farmer, {"unit": "LITER"}, "UNIT_NOT_ALLOWED"),
        (farmer, {"pricePerUnit": 0}, "INVALID_PRICE"),
        (farmer, {"pricePerUnit": 900_000_000}, "INVALID_PRICE"),
        (farmer, {"quantity": "0"}, "INVALID_QUANTITY"),
        (farmer, {"quantity": "5000000"}, "INVALID_QUANTITY"),
        (farmer, {"minOrderQuantity": "400"}, "INVALID_MIN_ORDER"),
        (farmer, {"availableUntil": str(today - dt.timedelta(days=1))}, "INVALID_DATES"),
        (farmer, {"at": (-7.98, 112.63)}, "OUTSIDE_CITY"),
        (farmer, {"fulfilment": []}, "FULFILMENT_REQUIRED"),
        (farmer, {"fulfilment": ["DELIVERY"], "deliveryRadiusKm": None}, "INVALID_DELIVERY"),
        (farmer, {"photoIds": []}, "PHOTO_REQUIRED"),
        (farmer, {"commodityCode": "durian"}, "UNKNOWN_COMMODITY"),
    ]
    for token, overrides, code in cases:
        result = await create_listing(gql, client, token, **overrides)
        assert [e["code"] for e in result["errors"]] == [code], (code, result)
    # A photo someone else uploaded.
    from tests.among_warga.test_complaints import upload_photo

    theirs = await upload_photo(client, stranger)
    result = await create_listing(gql, client, farmer, photoIds=[theirs])
    assert [e["code"] for e in result["errors"]] == ["PHOTO_NOT_FOUND"]
    assert await Listing.all().count() == 0


async def test_unanswered_orders_expire_once_and_return_stock(gql, client, tani):
    _, farmer = await tani.farmer()
    _, buyer = await tani.buyer()
    listing_id = (await create_listing(gql, client, farmer))["listing"]["id"]
    placed = await place(gql, buyer, listing_id, "300")
    assert placed["errors"] == []
    assert (await Listing.get(id=int(listing_id))).status == ListingStatus.SOLD_OUT
    assert await order_service.expire_unanswered() == 0
    assert await order_service.warn_expiring() == 0
    with frozen_at(utcnow() + dt.timedelta(hours=23)):
        assert await order_service.warn_expiring() == 1
        assert await order_service.warn_expiring() == 0  # once
    with frozen_at(utcnow() + dt.timedelta(hours=25)):
        assert await order_service.expire_unanswered() == 1
        assert await order_service.expire_unanswered() == 0
    listing = await Listing.get(id=int(listing_id))
    assert listing.available_milli == 300_000 and listing.status == ListingStatus.ACTIVE
    late = await gql(act("acceptOrder"), {"id": placed["order"]["id"]}, token=farmer)
    assert [e["code"] for e in late["data"]["acceptOrder"]["errors"]] == ["INVALID_TRANSITION"]


async def test_decline_and_cancel_return_stock(gql, client, tani):
    _, farmer = await tani.farmer()
    _, buyer = await tani.buyer()
    listing_id = (await create_listing(gql, client, farmer))["listing"]["id"]
    one = (await place(gql, buyer, listing_id, "100"))["order"]["id"]
    two = (await place(gql, buyer, listing_id, "100"))["order"]["id"]
    no_reason = await gql("""mutation($id: ID!) { declineOrder(id: $id) { errors { code } } }""",
                          {"id": one}, token=farmer)
    assert [e["code"] for e in no_reason["data"]["declineOrder"]["errors"]] == ["REASON_REQUIRED"]
    declined = await gql("""mutation($id: ID!) { declineOrder(id: $id, reason: "Habis") {
        order { status } errors { code } } }""", {"id": one}, token=farmer)
    assert declined["data"]["declineOrder"]["order"]["status"] == "DECLINED"
    cancelled = await gql(act("cancelOrder"), {"id": two}, token=buyer)
    assert cancelled["data"]["cancelOrder"]["order"]["status"] == "CANCELLED"
    assert (await Listing.get(id=int(listing_id))).available_milli == 300_000


async def test_price_board_and_series(gql, client, tani):
    _, farmer = await tani.farmer()
    await seed_reference(10000)
    await create_listing(gql, client, farmer, pricePerUnit=1_100_000, unit="KUINTAL",
                         quantity="3", minOrderQuantity="1")
    board = await gql("{ priceBoard { commodity { code } listings medianPricePerBaseUnit "
                      "referencePrice { price ratio } } }")
    rows = {r["commodity"]["code"]: r for r in board["data"]["priceBoard"]}
    assert rows["apel_manalagi"]["medianPricePerBaseUnit"] == 11000
    assert rows["apel_manalagi"]["referencePrice"] == {"price": 10000, "ratio": 1.1}
    series = await gql('{ marketPrices(commodityCode: "apel_manalagi") { date market level '
                       'price pricePerBaseUnit unit } }')
    assert series["data"]["marketPrices"][0]["pricePerBaseUnit"] == 10000
    bad = await gql('{ marketPrices(commodityCode: "durian") { date } }')
    assert bad["errors"][0]["extensions"]["reason"] == "unknown_commodity"
    assert await MarketPrice.all().count() == 1
    json.dumps(board)


async def test_my_data_holds_orders_and_profiles(gql, client, tani):
    _, farmer = await tani.farmer()
    _, buyer = await tani.buyer()
    listing_id = (await create_listing(gql, client, farmer))["listing"]["id"]
    order = (await place(gql, buyer, listing_id, "10", note="Tolong dipilih yang merah"))
    await gql("""mutation($id: ID!) { sendOrderMessage(orderId: $id, text: "Kapan siap?") {
        errors { code } } }""", {"id": order["order"]["id"]}, token=buyer)
    mine = json.loads((await gql("{ myData }", token=buyer))["data"]["myData"])
    (bought,) = mine["taniMarket"]["orders"]
    assert bought["as"] == "buyer" and bought["note"] == "Tolong dipilih yang merah"
    assert bought["myMessages"][0]["text"] == "Kapan siap?"
    assert bought["lines"] == [{"commodity": "apel_manalagi", "quantity": "10", "unit": "kg",
                                "pricePerUnit": 12000, "lineTotal": 120000}]
    assert mine["taniRegistry"]["buyer"]["verified"] is True
    theirs = json.loads((await gql("{ myData }", token=farmer))["data"]["myData"])
    assert theirs["taniMarket"]["orders"][0]["as"] == "farmer"
    assert theirs["taniMarket"]["orders"][0]["note"] is None  # the buyer's text, not theirs
    assert theirs["taniMarket"]["listings"][0]["pickupPoint"]["lat"]
    assert theirs["taniRegistry"]["farmer"]["village"] == "bumiaji-tulungrejo"


async def test_price_import_is_idempotent_and_reports_rejected_rows(batu, tmp_path):
    path = tmp_path / "prices.csv"
    day = str(dt.date.today() - dt.timedelta(days=2))
    path.write_text(
        "date,market,commodity,level,unit,price,source\n"
        f"{day},pasar_induk_among_tani,kentang,wholesale,kg,12000,Distan\n"
        f"{day},pasar_besar_batu,kentang,retail,kuintal,1500000,Distan\n"
        f"{day},pasar_entah,kentang,retail,kg,15000,Distan\n"
        f"{day},pasar_besar_batu,durian,retail,kg,15000,Distan\n"
        f"{day},pasar_besar_batu,susu_segar,retail,kg,15000,Distan\n"
        f"kemarin,pasar_besar_batu,kentang,retail,kg,15000,Distan\n"
        f"{day},pasar_besar_batu,wortel,retail,kg,12.5,Distan\n", encoding="utf-8")
    seen = []
    report = await prices.import_prices(path, progress=lambda done, total: seen.append(done))
    assert report.imported == 2 and [line for line, _ in report.rejected] == [4, 5, 6, 7, 8]
    assert seen[-1] == 7
    again = await prices.import_prices(path)
    assert again.imported == 2 and await MarketPrice.all().count() == 2
    retail = await MarketPrice.get(level=PriceLevel.RETAIL)
    assert retail.price_per_base_unit == 15000


async def test_update_pause_and_publish_a_listing(gql, client, tani):
    _, farmer = await tani.farmer()
    _, other = await tani.farmer(name="Pak Lain")
    _, buyer = await tani.buyer()
    listing_id = (await create_listing(gql, client, farmer))["listing"]["id"]
    await place(gql, buyer, listing_id, "100")
    update = """mutation($id: ID!, $i: UpdateListingInput!) { updateListing(id: $id, input: $i) {
        listing { status availableQuantity pricePerUnit quantity } errors { code field } } }"""
    changed = await gql(update, {"id": listing_id, "i": {"quantity": "50", "pricePerUnit": 11000}},
                        token=farmer)
    assert changed["data"]["updateListing"]["listing"] == {
        "status": "ACTIVE", "availableQuantity": "50", "pricePerUnit": 11000, "quantity": "150"}
    foreign = await gql(update, {"id": listing_id, "i": {"pricePerUnit": 1}}, token=other)
    assert [e["code"] for e in foreign["data"]["updateListing"]["errors"]] == ["NOT_YOUR_LISTING"]
    bad_unit = await gql(update, {"id": listing_id, "i": {"unit": "TANGKAI"}}, token=farmer)
    assert [e["code"] for e in bad_unit["data"]["updateListing"]["errors"]] == ["UNIT_NOT_ALLOWED"]
    pause = """mutation($id: ID!) { pauseListing(id: $id) { listing { status } errors { code } } }"""
    assert (await gql(pause, {"id": listing_id}, token=farmer))["data"]["pauseListing"][
        "listing"]["status"] == "PAUSED"
    refused = await place(gql, buyer, listing_id, "10")
    assert [e["code"] for e in refused["errors"]] == ["LISTING_NOT_AVAILABLE"]
    again = await gql(pause, {"id": listing_id}, token=farmer)
    assert [e["code"] for e in again["data"]["pauseListing"]["errors"]] == ["INVALID_TRANSITION"]
    publish = """mutation($id: ID!) { publishListing(id: $id) { listing { status } } }"""
    assert (await gql(publish, {"id": listing_id}, token=farmer))["data"]["publishListing"][
        "listing"]["status"] == "ACTIVE"
    mine = await gql("{ myListings { totalCount edges { node { views ordersCount lat } } } }",
                     token=farmer)
    node = mine["data"]["myListings"]["edges"][0]["node"]
    assert node["ordersCount"] == 1 and node["lat"] is not None
