"""The Sidomulyo PPL sees a Sidomulyo question live; the farmer sees the answer live; an
officer of another village sees neither."""

from __future__ import annotations

import uuid

import httpx

from tests.among_tani.farming.conftest import ANSWER, ASK, SIDOMULYO, TULUNGREJO
from tests.command_center.conftest import Collector, live_server  # noqa: F401 (fixture)

EVENTS = """subscription($after: String) { farmingEvents(after: $after) {
  cursor type question { id status village { code } } } }"""


async def post(address: str, token: str, query: str, variables: dict) -> dict:
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=10) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables},
                                   headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def question(at, commodity="krisan") -> dict:
    return {"clientRequestId": uuid.uuid4().hex, "commodityCode": commodity,
            "problemType": "PEST", "lat": at[0], "lon": at[1],
            "description": "Kutu daun di pucuk tanaman, daun mengeriting."}


async def test_question_and_answer_live_to_their_audience_only(live_server, tani):  # noqa: F811
    _, ppl = await tani.officer("batu-sidomulyo", name="PPL Sidomulyo")
    _, far_ppl = await tani.officer("bumiaji-tulungrejo", name="PPL Tulungrejo")
    _, farmer = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    _, far_farmer = await tani.farmer(name="Petani Tulungrejo")
    async with Collector(live_server, ppl, EVENTS) as officer_stream, \
            Collector(live_server, farmer, EVENTS) as farmer_stream, \
            Collector(live_server, far_ppl, EVENTS) as far_stream:
        asked = (await post(live_server, farmer, ASK, {"i": question(SIDOMULYO)}))
        qid = asked["askCropQuestion"]["question"]["id"]
        [seen] = await officer_stream.wait_for(1)
        assert (seen["type"], seen["question"]["id"]) == ("question.asked", qid)
        assert seen["question"]["village"]["code"] == "batu-sidomulyo"
        await post(live_server, ppl, ANSWER, {"i": {"questionId": qid, "text": "Semprot."}})
        events = await farmer_stream.wait_for(2)
        assert [e["type"] for e in events] == ["question.asked", "question.answered"]
        assert events[1]["question"]["status"] == "ANSWERED"
        # The other village's officer: the first event he gets is his own village's question.
        far = await post(live_server, far_farmer, ASK,
                         {"i": question(TULUNGREJO, "apel_manalagi")})
        [first] = await far_stream.wait_for(1)
        assert first["question"]["id"] == far["askCropQuestion"]["question"]["id"]
