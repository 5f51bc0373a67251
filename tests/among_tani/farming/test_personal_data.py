"""A farmer's parcels and questions are in their myData, and go (or are stripped) with the
account."""

from __future__ import annotations

import json
import uuid

from among_tani.farming.models import CropQuestion, Parcel, Planting
from tests.among_tani.farming.conftest import SIDOMULYO, square


async def test_my_data_holds_farm_records_and_questions_and_deleting_erases_them(
        tani, farm, gql):
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    parcel = (await farm.parcel(token, geometry=json.dumps(square(*SIDOMULYO))))["parcel"]
    planted = await farm.planting(token, parcelId=parcel["id"], commodityCode="krisan",
                                  areaHa="0.5", plantedOn="2026-10-01",
                                  expectedHarvestOn="2026-12-20")
    assert planted["errors"] == []
    asked = await farm.ask(token, clientRequestId=uuid.uuid4().hex, commodityCode="krisan",
                           problemType="DISEASE", lat=SIDOMULYO[0], lon=SIDOMULYO[1],
                           description="Bercak putih di daun krisan sejak minggu lalu.")
    assert asked["errors"] == []

    body = await gql("{ myData }", token=token)
    farming = json.loads(body["data"]["myData"])["farming"]
    [mine] = farming["parcels"]
    assert mine["geometry"]["type"] == "Polygon" and mine["village"] == "batu-sidomulyo"
    assert mine["plantings"][0]["commodityCode"] == "krisan"
    [question] = farming["cropQuestions"]
    assert question["messages"][0]["text"].startswith("Bercak putih")

    deleted = await gql("mutation { deleteMyAccount { ok errors { code } } }", token=token)
    assert deleted["data"]["deleteMyAccount"]["ok"] is True, deleted
    assert await Parcel.all().count() == 0 and await Planting.all().count() == 0
    left = await CropQuestion.get(id=int(asked["question"]["id"]))
    assert left.description == "" and left.lat == round(SIDOMULYO[0], 2)
