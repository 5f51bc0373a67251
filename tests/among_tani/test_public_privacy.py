"""No public Among Tani response carries a phone, a NIK or a farm location finer than the
village (a walk over every value of the whole response), and every list costs the same
number of SQL statements for 2 rows as for 50."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from among_tani.market import listings as listing_service
from among_tani.market import orders as order_service
from among_tani.market.models import Fulfilment, Listing, PaymentMethod
from among_tani.registry.models import FarmerProfile, Unit
from backend.accounts.services import principal_for
from tests.among_tani.market_helpers import ALUN_ALUN, TULUNGREJO, create_listing
from tests.among_tani.test_market import seed_reference
from tests.among_warga.test_complaints import upload_photo, walk

NIK = "3579014508900002"
EVERYTHING = """query($near: NearInput, $first: Int) {
  listings(near: $near, radiusKm: 20, first: $first, sort: DISTANCE) { totalCount
    edges { cursor node { ...L } } }
  priceBoard { commodity { code name group baseUnit units { unit factorToBase } } listings
    medianPricePerBaseUnit referencePrice { price level date ratio } }
  marketPrices(commodityCode: "apel_manalagi") { date market level unit price
    pricePerBaseUnit source demo }
  commodities { code name }
}
fragment L on Listing { id status commodity { code name } variety grade description
  photos { id url thumbnailUrl width height takenAt exifLocation { lat lon } }
  unit pricePerUnit pricePerBaseUnit availableQuantity minOrderQuantity harvestDate
  availableUntil village { code name } distanceKm fulfilment deliveryRadiusKm deliveryFee
  referencePrice { price level date ratio } publishedAt lat lon quantity views ordersCount
  farmer { id displayName village { code name } farmerGroup commodities { code }
    rating ratingCount completedOrders memberSince verified phone nik nikLastDigits
    application { id status applicantName applicantPhone } } }"""
ONE = """query($id: ID!, $farmer: ID!) { listing(id: $id) { ...L } farmer(id: $farmer) {
  id displayName phone nik nikLastDigits village { name } application { id } } }
""" + EVERYTHING[EVERYTHING.index("fragment"):]


def assert_nothing_private(body, *, phones, exact_points):
    text = json.dumps(body)
    assert "errors" not in body, body
    assert NIK not in text and NIK[-4:] not in text.replace('"date"', "")
    for phone in phones:
        assert phone not in text and phone[3:] not in text
    floats = [v for v in walk(body) if isinstance(v, float)]
    for value in walk(body):
        assert not (isinstance(value, str) and value.startswith("+62")), value
    for lat, lon in exact_points:
        assert lat not in floats and lon not in floats


async def test_public_responses_hide_phone_nik_and_the_farm(gql, client, tani, make_user):
    _, ppl = await tani.officer("bumiaji-tulungrejo")
    farmer, token = await tani.make_user(__import__("backend.accounts.models", fromlist=["Role"])
                                         .Role.CITIZEN, name="Pak Rahasia")
    applied = await tani.apply_farmer(token, nik=NIK)
    await tani.review(ppl, applied["application"]["id"])
    await seed_reference()
    spot = (-7.81234, 112.52345)  # the farm itself
    created = await create_listing(gql, client, token, at=spot)
    listing_id = created["listing"]["id"]
    profile = await FarmerProfile.get(user_id=farmer.id)

    viewers = [None, (await make_user())[1], (await tani.buyer())[1]]
    answers = []
    for viewer in viewers:
        body = await gql(EVERYTHING, {"near": {"lat": ALUN_ALUN[0], "lon": ALUN_ALUN[1]}},
                         token=viewer)
        assert body["data"]["listings"]["totalCount"] == 1
        assert_nothing_private(body, phones=[farmer.phone], exact_points=[spot])
        node = body["data"]["listings"]["edges"][0]["node"]
        assert node["lat"] is None and node["farmer"]["application"] is None
        assert node["village"]["code"] == "bumiaji-tulungrejo"
        one = await gql(ONE, {"id": listing_id, "farmer": str(profile.id)}, token=viewer)
        assert_nothing_private(one, phones=[farmer.phone], exact_points=[spot])
        answers.append((body, one))

    # The strongest form: move the farm within its ~1 km grid cell and every public answer
    # is the same, value for value (distances come from the grid point only).
    await Listing.filter(id=int(listing_id)).update(lat=spot[0] + 0.002, lon=spot[1] - 0.002)
    again = await gql(EVERYTHING, {"near": {"lat": ALUN_ALUN[0], "lon": ALUN_ALUN[1]}})
    assert again["data"]["listings"] == answers[0][0]["data"]["listings"]

    # The farmer sees the exact point of their own listing.
    own = await gql(ONE, {"id": listing_id, "farmer": str(profile.id)}, token=token)
    assert (own["data"]["listing"]["lat"], own["data"]["farmer"]["nik"]) == (
        spot[0] + 0.002, NIK)


async def test_lists_cost_the_same_for_2_and_50_rows(gql, client, tani, count_queries):
    farmer_user, token = await tani.farmer()
    buyer_user, buyer_token = await tani.buyer()
    await seed_reference()
    farmer = await principal_for(farmer_user)
    buyer = await principal_for(buyer_user)
    photo = int(await upload_photo(client, token))
    today = dt.date.today()
    for i in range(50):
        listing = await listing_service.create_listing(farmer, listing_service.ListingInput(
            commodity_code=["apel_manalagi", "kentang", "krisan"][i % 3], variety=f"V{i}",
            unit=Unit.KG if i % 3 != 2 else Unit.TANGKAI, price_per_unit=1000 + i,
            quantity=Decimal(100), min_order_quantity=Decimal(1),
            available_until=today + dt.timedelta(days=10), harvest_date=today,
            lat=TULUNGREJO[0] + i * 0.0003, lon=TULUNGREJO[1], fulfilment=[Fulfilment.PICKUP],
            photo_ids=[photo], provided={"harvest_date"}))
        order = await order_service.place_order(buyer, order_service.PlaceOrder(
            client_request_id=uuid.uuid4().hex,
            lines=[order_service.LineInput(listing.id, Decimal(1))],
            fulfilment=Fulfilment.PICKUP, payment_method=PaymentMethod.COD))
        await order_service.send_message(buyer, order.id, "Halo")

    lists = {
        "listings near": ("""query($n: Int) { listings(near: {lat: -7.871, lon: 112.527},
            radiusKm: 30, sort: DISTANCE, first: $n) { edges { node { ...L } } } }""", None),
        "listings by price": ("""query($n: Int) { listings(sort: PRICE, first: $n,
            text: "manalgi") { edges { node { ...L } } } }""", None),
        "listings by text": ("""query($n: Int) { listings(text: "apel", first: $n) {
            edges { node { ...L } } } }""", None),
        "myListings": ("""query($n: Int) { myListings(first: $n) { edges { node { ...L } } } }""",
                       token),
        "myOrders": ("""query($n: Int) { myOrders(first: $n) { edges { node { ...O } } } }""",
                     buyer_token),
        "mySales": ("""query($n: Int) { mySales(first: $n) { total orders { edges { node {
            ...O } } } byMonthAndCommodity { month commodity { code } orders quantity } } }""",
                    token),
    }
    listing_fragment = EVERYTHING[EVERYTHING.index("fragment"):]
    order_fragment = """
fragment O on Order { id number status total lines { commodity { name } quantity unit }
  counterpart { name phone } farmer { displayName rating } pickupPoint { lat }
  messages { text fromMe authorName } }"""
    for name, (query, viewer) in lists.items():
        counts = []
        for n in (2, 50):
            with count_queries() as statements:
                fragment = order_fragment if "...O" in query else listing_fragment
                body = await gql(query + fragment, {"n": n}, token=viewer)
            assert "errors" not in body, (name, body)
            counts.append(len(statements))
        assert counts[0] == counts[1], (name, counts)
        print(f"{name}: {counts[1]} SQL statements per page (2 or 50 rows)")
