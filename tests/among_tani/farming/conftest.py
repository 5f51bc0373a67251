from __future__ import annotations

from typing import Any

import pytest

# A point in the demo boundary of Sidomulyo (the flower village) and one in Tulungrejo.
SIDOMULYO = (-7.8584865, 112.5356412)
TULUNGREJO = (-7.801555, 112.511319)


def square(lat: float, lon: float, side_deg: float = 0.001) -> dict[str, Any]:
    """A GeoJSON Polygon around (lat, lon): 0.001° is about 110 m a side, ~1.2 ha."""
    h = side_deg / 2
    ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h],
            [lon - h, lat - h]]
    return {"type": "Polygon", "coordinates": [ring]}


ADD_PARCEL = """mutation($i: ParcelInput!) { addParcel(input: $i) {
  parcel { id name areaHa tenure geometry lat lon village { code name }
           farmer { id name } enteredBy { id name } }
  errors { field code message } } }"""
ADD_PLANTING = """mutation($i: PlantingInput!) { addPlanting(input: $i) {
  planting { id commodityCode areaHa expectedYield yieldUnit enteredBy { id } }
  errors { field code message } } }"""
RECORD_HARVEST = """mutation($i: HarvestInput!) { recordHarvest(input: $i) {
  harvest { id quantity unit grade } errors { field code message } } }"""
ASK = """mutation($i: AskCropQuestionInput!) { askCropQuestion(input: $i) {
  question { id status dueAt officers { id } village { code } }
  errors { field code message } } }"""
ANSWER = """mutation($i: MessageInput!) { answerCropQuestion(input: $i) {
  question { id status firstAnswerAt } errors { field code message } } }"""
REPLY = """mutation($i: MessageInput!) { replyToCropQuestion(input: $i) {
  question { id status } errors { field code message } } }"""
CLOSE = """mutation($id: ID!, $solved: Boolean, $rating: Int) {
  closeCropQuestion(id: $id, solved: $solved, rating: $rating) {
    question { id status solved rating } errors { field code message } } }"""
OUTLOOK = """query($c: String, $w: Int) { harvestOutlook(commodityCode: $c, weeks: $w) {
  fromDate weeks entries { commodityCode villageCode villageName weekStart expectedQuantity
  unit plantedAreaHa plantings } totals { commodityCode weekStart expectedQuantity unit } } }"""


@pytest.fixture
def farm(gql):
    return FarmApi(gql)


class FarmApi:
    def __init__(self, gql) -> None:
        self.gql = gql

    async def parcel(self, token, **data):
        body = await self.gql(ADD_PARCEL, {"i": {"name": "Kebun", "tenure": "OWN", **data}},
                              token=token)
        assert "errors" not in body, body
        return body["data"]["addParcel"]

    async def planting(self, token, **data):
        body = await self.gql(ADD_PLANTING, {"i": data}, token=token)
        assert "errors" not in body, body
        return body["data"]["addPlanting"]

    async def ask(self, token, **data):
        body = await self.gql(ASK, {"i": data}, token=token)
        assert "errors" not in body, body
        return body["data"]["askCropQuestion"]
