"""Farming's public reads: the supply outlook buyers see on the marketplace (village
aggregates, a sentence in either language), the harvest outlook's week boundaries and its
compact series, and the read cache (backend/read_cache.py) on harvestOutlook, supplyOutlook,
knowledge and advisories — anonymous answers from memory, and a change (a planting, a
harvest, an advisory) in the very next anonymous read."""

from __future__ import annotations

import json
from datetime import date, timedelta

from among_tani.farming.outlook import week_start
from backend.clock import WIB, utcnow
from tests.among_tani.farming.conftest import OUTLOOK, RECORD_HARVEST, SIDOMULYO, TULUNGREJO
from tests.among_tani.test_public_privacy import assert_nothing_private
from tests.among_warga.test_public_reads import app, client, gql  # noqa: F401 (fixtures)

SUPPLY = """query($c: String!, $w: Int) { supplyOutlook(commodityCode: $c, weeks: $w) {
  commodityCode commodityName weeks fromDate untilDate
  total { villageCode villageName expectedQuantity unit text }
  villages { villageCode villageName expectedQuantity unit text } } }"""
SERIES = """query($c: String) { harvestOutlook(commodityCode: $c, weeks: 3) { fromDate weeks
  series { commodityCode villageCode villageName unit expectedQuantities plantedAreaHa
           plantings }
  totalSeries { commodityCode villageCode unit expectedQuantities plantings } } }"""
KNOWLEDGE = """{ advisories { id title } knowledge(text: "kutu") { id title } }"""


def today_wib() -> date:
    return utcnow().astimezone(WIB).date()


async def plant(farm, token, parcel_id, *, days: int, kg: str, code: str = "kentang"):
    today = today_wib()
    planted = await farm.planting(token, parcelId=parcel_id, commodityCode=code, areaHa="0.5",
                                  plantedOn=str(today - timedelta(days=60)),
                                  expectedHarvestOn=str(today + timedelta(days=days)),
                                  expectedYield=kg, yieldUnit="kg")
    assert planted["errors"] == [], planted
    return planted["planting"]


async def test_buyers_see_the_supply_outlook_as_village_sums_in_their_language(
        app, tani, farm, gql):  # noqa: F811
    cache = app.state.services["read_cache"]
    farmer, token = await tani.farmer(village="batu-sidomulyo", name="Pak Kentang Rahasia",
                                      commodities=("kentang",))
    parcel = (await farm.parcel(token, name="Ladang Rahasia", lat=SIDOMULYO[0],
                                lon=SIDOMULYO[1], areaHa="2"))["parcel"]
    await plant(farm, token, parcel["id"], days=3, kg="25000")
    await plant(farm, token, parcel["id"], days=20, kg="15000")
    await plant(farm, token, parcel["id"], days=40, kg="99000")  # beyond 4 weeks
    other, other_token = await tani.farmer(name="Bu Wortel", commodities=("kentang",))
    far = (await farm.parcel(other_token, lat=TULUNGREJO[0], lon=TULUNGREJO[1],
                             areaHa="1"))["parcel"]
    await plant(farm, other_token, far["id"], days=10, kg="800")

    body = await gql(SUPPLY, {"c": "kentang", "w": 4})
    assert "errors" not in body, body
    supply = body["data"]["supplyOutlook"]
    assert (supply["commodityName"], supply["weeks"]) == ("Kentang", 4)
    assert [(v["villageCode"], v["expectedQuantity"], v["unit"]) for v in supply["villages"]] \
        == [("batu-sidomulyo", "40000", "kg"), ("bumiaji-tulungrejo", "800", "kg")]
    sidomulyo = supply["villages"][0]["text"]
    assert sidomulyo == ("sekitar 40 t kentang diperkirakan dari Sidomulyo dalam 4 minggu "
                         "ke depan"), sidomulyo
    assert supply["total"]["villageCode"] is None
    assert supply["total"]["expectedQuantity"] == "40800"

    english = await gql(SUPPLY, {"c": "kentang", "w": 4}, headers={"Accept-Language": "en"})
    line = english["data"]["supplyOutlook"]["villages"][0]["text"]
    assert line == "about 40 t of potato expected from Sidomulyo in the next 4 weeks", line
    assert english["data"]["supplyOutlook"]["commodityName"] == "Potato"

    # Nothing of the farmers: no name, phone, parcel name or point — for anyone.
    points = [SIDOMULYO, TULUNGREJO]
    for viewer in (None, (await tani.buyer())[1]):
        seen = await gql(SUPPLY, {"c": "kentang", "w": 4}, token=viewer)
        assert_nothing_private(seen, phones=[farmer.phone, other.phone], exact_points=points)
        text = json.dumps(seen)
        assert "Rahasia" not in text and "Wortel" not in text

    # From memory the second time; a new planting is in the very next anonymous read.
    hits = cache.hits
    await gql(SUPPLY, {"c": "kentang", "w": 4})
    assert cache.hits == hits + 1
    await plant(farm, token, parcel["id"], days=5, kg="10000")
    again = (await gql(SUPPLY, {"c": "kentang", "w": 4}))["data"]["supplyOutlook"]
    assert again["villages"][0]["expectedQuantity"] == "50000"
    assert again["villages"][0]["text"].startswith("sekitar 50 t kentang")

    # Bad input: coded errors.
    bad = await gql(SUPPLY, {"c": "kentang", "w": 13})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await gql(SUPPLY, {"c": "batu_akik", "w": 4})
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_outlook_counts_each_day_in_its_own_week_and_follows_changes(
        app, tani, farm, gql):  # noqa: F811
    cache = app.state.services["read_cache"]
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("kentang",))
    parcel = (await farm.parcel(token, lat=SIDOMULYO[0], lon=SIDOMULYO[1],
                                areaHa="3"))["parcel"]
    today = today_wib()
    monday = week_start(today)
    # The Sunday closing this week, and next week's Monday and Sunday.
    days = {0: (monday + timedelta(days=6) - today).days,
            1: (monday + timedelta(days=7) - today).days,
            2: (monday + timedelta(days=13) - today).days}
    for week, offset in days.items():
        await plant(farm, token, parcel["id"], days=offset, kg=str(1000 * (week + 1)))

    body = await gql(OUTLOOK, {"c": "kentang", "w": 3})
    assert "errors" not in body, body
    entries = body["data"]["harvestOutlook"]["entries"]
    assert [(e["weekStart"], e["expectedQuantity"]) for e in entries] == [
        (str(monday), "1000"), (str(monday + timedelta(days=7)), "5000")]

    series = (await gql(SERIES, {"c": "kentang"}))["data"]["harvestOutlook"]
    assert series["series"] == [{
        "commodityCode": "kentang", "villageCode": "batu-sidomulyo",
        "villageName": "Sidomulyo", "unit": "kg",
        "expectedQuantities": ["1000", "5000", "0"], "plantedAreaHa": ["0.5", "1", "0"],
        "plantings": [1, 2, 0]}]
    assert series["totalSeries"][0]["villageCode"] is None
    assert series["totalSeries"][0]["expectedQuantities"] == ["1000", "5000", "0"]

    # Cached, then a planting and a harvest each reach the next anonymous read.
    hits = cache.hits
    await gql(OUTLOOK, {"c": "kentang", "w": 3})
    assert cache.hits == hits + 1
    planting = await plant(farm, token, parcel["id"], days=days[0], kg="500")
    again = (await gql(OUTLOOK, {"c": "kentang", "w": 3}))["data"]["harvestOutlook"]
    assert again["entries"][0]["expectedQuantity"] == "1500"
    hits = cache.hits
    await gql(OUTLOOK, {"c": "kentang", "w": 3})
    assert cache.hits == hits + 1
    harvested = await gql(RECORD_HARVEST, {"i": {
        "plantingId": planting["id"], "quantity": "480", "unit": "kg",
        "harvestedOn": str(today)}}, token=token)
    assert harvested["data"]["recordHarvest"]["errors"] == []
    hits = cache.hits
    await gql(OUTLOOK, {"c": "kentang", "w": 3})
    assert cache.hits == hits  # recomputed after the harvest event


async def test_a_new_advisory_is_in_the_next_anonymous_read(app, tani, gql):  # noqa: F811
    cache = app.state.services["read_cache"]
    _, distan = await tani.distan_admin()
    assert (await gql(KNOWLEDGE))["data"] == {"advisories": [], "knowledge": []}
    hits = cache.hits
    assert (await gql(KNOWLEDGE))["data"] == {"advisories": [], "knowledge": []}
    assert cache.hits == hits + 1
    published = await gql("""mutation { publishAdvisory(input: {titleId: "Waspada kutu daun",
        bodyId: "Periksa daun.", commodityCodes: ["krisan"],
        villageCodes: ["batu-sidomulyo"]}) { advisory { id } errors { code } } }""",
                          token=distan)
    assert published["data"]["publishAdvisory"]["errors"] == [], published
    advisory_id = published["data"]["publishAdvisory"]["advisory"]["id"]
    body = (await gql(KNOWLEDGE))["data"]
    assert [a["id"] for a in body["advisories"]] == [advisory_id]
    assert [a["id"] for a in body["knowledge"]] == [advisory_id]
