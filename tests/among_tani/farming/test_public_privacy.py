"""The public privacy walk (tests/among_tani/test_public_privacy.py) over farming's public
answers: a PPL enters a farmer's parcel and planting for him; the planting shows in the
harvest outlook as a village aggregate; no public answer — outlook, advisories, knowledge —
holds the parcel's geometry or point, the farmer's name, phone or NIK."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from tests.among_tani.farming.conftest import ANSWER, SIDOMULYO, square
from tests.among_tani.test_public_privacy import NIK, assert_nothing_private

PUBLIC = """query($c: String) {
  harvestOutlook(commodityCode: $c, weeks: 12) { fromDate weeks
    entries { commodityCode villageCode villageName weekStart expectedQuantity unit
              plantedAreaHa plantings }
    totals { commodityCode weekStart expectedQuantity unit plantedAreaHa plantings }
    series { commodityCode villageCode villageName unit expectedQuantities plantedAreaHa
             plantings }
    totalSeries { commodityCode villageCode unit expectedQuantities plantings } }
  supplyOutlook(commodityCode: "krisan", weeks: 4) { commodityCode commodityName weeks
    fromDate untilDate total { villageCode villageName expectedQuantity unit text }
    villages { villageCode villageName expectedQuantity unit text } }
  advisories { id title bodyHtml summary commodityCodes villages { code name } area severity
               problemType isArticle validFrom validUntil createdAt }
  knowledge(text: "kutu daun") { id title bodyHtml summary commodityCodes isArticle
                                 problemType villages { code } }
}"""


async def test_public_farming_answers_hold_no_farmer_and_no_field(gql, tani, farm, make_user):
    ppl_user, ppl = await tani.officer("batu-sidomulyo")
    _, distan = await tani.distan_admin()
    farmer, token = await tani.make_user(
        __import__("backend.accounts.models", fromlist=["Role"]).Role.CITIZEN,
        name="Pak Rahasia Krisan")
    applied = await tani.apply_farmer(token, villageCode="batu-sidomulyo", nik=NIK,
                                      commodityCodes=["krisan"])
    await tani.review(ppl, applied["application"]["id"])
    polygon = square(*SIDOMULYO)
    parcel = (await farm.parcel(ppl, farmerId=str(farmer.id), name="Kebun Pak Rahasia",
                                geometry=json.dumps(polygon)))["parcel"]
    assert parcel["enteredBy"]["id"] == str(ppl_user.id)
    today = date.today()
    planted = await farm.planting(ppl, parcelId=parcel["id"], commodityCode="krisan",
                                  areaHa="1", plantedOn=str(today - timedelta(days=50)),
                                  expectedHarvestOn=str(today + timedelta(days=20)),
                                  expectedYield="300000", yieldUnit="tangkai")
    assert planted["errors"] == [], planted
    asked = await farm.ask(token, clientRequestId=uuid.uuid4().hex, commodityCode="krisan",
                           problemType="PEST", lat=SIDOMULYO[0], lon=SIDOMULYO[1],
                           parcelId=parcel["id"],
                           description="Kutu daun hijau di pucuk krisan saya.")
    qid = asked["question"]["id"]
    await gql(ANSWER, {"i": {"questionId": qid, "text": "Semprot sabun insektisida."}},
              token=ppl)
    await gql("""mutation($q: ID!) { publishKnowledgeArticle(questionId: $q,
        titleId: "Kutu daun pada krisan") { errors { code } } }""", {"q": qid}, token=distan)
    await gql("""mutation { publishAdvisory(input: {titleId: "Waspada kutu daun",
        bodyId: "Periksa daun.", commodityCodes: ["krisan"],
        villageCodes: ["batu-sidomulyo"]}) { errors { code } } }""", token=distan)

    points = [(lat, lon) for lon, lat in polygon["coordinates"][0]] + [SIDOMULYO]
    for viewer in (None, (await make_user())[1], (await tani.buyer())[1]):
        body = await gql(PUBLIC, {"c": "krisan"}, token=viewer)
        assert_nothing_private(body, phones=[farmer.phone], exact_points=points)
        text = json.dumps(body)
        assert "Rahasia" not in text and "Kebun" not in text and "Polygon" not in text
        entries = body["data"]["harvestOutlook"]["entries"]
        assert [(e["villageCode"], e["plantings"]) for e in entries] == [("batu-sidomulyo", 1)]
        supply = body["data"]["supplyOutlook"]["villages"]
        assert [(v["villageCode"], v["expectedQuantity"]) for v in supply] == [
            ("batu-sidomulyo", "300000")]
        assert sorted(k["isArticle"] for k in body["data"]["knowledge"]) == [False, True]
        assert len(body["data"]["advisories"]) == 1
