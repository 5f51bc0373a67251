"""Advisories reach exactly the farmers who grow the commodity in the target; knowledge is
searched typo-tolerant in both languages; public answers carry no farmer and no field."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from among_tani.farming.advisories import push_advisory
from among_tani.farming.models import Advisory
from backend.accounts.models import User
from backend.events.handlers import drain
from backend.events.models import DomainEvent
from backend.push.models import PushMessage
from backend.push.services import enqueue_push_many
from tests.among_tani.farming.conftest import ANSWER, SIDOMULYO, TULUNGREJO, square

PUBLISH = """mutation($i: PublishAdvisoryInput!) { publishAdvisory(input: $i) {
  recipientCount advisory { id title bodyHtml villages { code } severity }
  errors { field code message } } }"""
KNOWLEDGE = """query($t: String, $c: String) { knowledge(text: $t, commodityCode: $c) {
  id title summary bodyHtml isArticle commodityCodes problemType } }"""


async def test_an_advisory_for_chrysanthemum_in_sidomulyo_reaches_its_three_growers(
        tani, farm, gql):
    _, distan = await tani.distan_admin()
    a, _ = await tani.farmer(village="batu-sidomulyo", name="Tani A", commodities=("krisan",))
    b, _ = await tani.farmer(village="batu-sidomulyo", name="Tani B", commodities=("krisan",))
    # C's profile says roses, but the registry has his chrysanthemum planting in Sidomulyo.
    c, c_token = await tani.farmer(village="batu-sidomulyo", name="Tani C", commodities=("mawar",))
    parcel = (await farm.parcel(c_token, geometry=json.dumps(square(*SIDOMULYO))))["parcel"]
    today = date.today()
    assert (await farm.planting(c_token, parcelId=parcel["id"], commodityCode="krisan",
                                areaHa="0.5", plantedOn=str(today - timedelta(days=30)),
                                expectedHarvestOn=str(today + timedelta(days=40))))["errors"] \
        == []
    d, _ = await tani.farmer(village="batu-sidomulyo", name="Tani D", commodities=("mawar",))
    e, _ = await tani.farmer(village="bumiaji-tulungrejo", name="Tani E", commodities=("krisan",))

    bad = await gql(PUBLISH, {"i": {"titleId": "x", "bodyId": "y",
                                    "commodityCodes": ["krisan"]}}, token=distan)
    assert [x["code"] for x in bad["data"]["publishAdvisory"]["errors"]] == ["TARGET_REQUIRED"]
    body = await gql(PUBLISH, {"i": {
        "titleId": "Waspada kutu daun pada krisan", "titleEn": "Aphids on chrysanthemum",
        "bodyId": "Periksa **bawah daun**. <script>alert(1)</script>",
        "bodyEn": "Check the **underside** of leaves.",
        "commodityCodes": ["krisan"], "villageCodes": ["batu-sidomulyo"],
        "severity": "WARNING"}}, token=distan)
    published = body["data"]["publishAdvisory"]
    assert published["errors"] == [], body
    assert published["recipientCount"] == 3
    assert "<script>" not in published["advisory"]["bodyHtml"]
    assert "<strong>bawah daun</strong>" in published["advisory"]["bodyHtml"]
    assert await drain() >= 1
    pushed = set(await PushMessage.filter(dedupe_key__startswith="advisory:")
                 .values_list("user_id", flat=True))
    assert pushed == {a.id, b.id, c.id}
    queued = await PushMessage.filter(user_id=a.id).first()
    assert queued.title == "Waspada kutu daun pada krisan" and queued.attempts == 0
    assert queued.next_attempt_at <= queued.created_at + timedelta(seconds=1)
    assert queued.data["kind"] == "advisory.published"
    # The bulk queue counts what it wrote, skips inactive users and repeats.
    await User.filter(id=e.id).update(is_active=False)
    many = {"title": "t", "body": "b", "data": {"kind": "x"}, "dedupe_key": "bulk-check"}
    assert await enqueue_push_many([a.id, b.id, e.id], **many) == 2
    assert await enqueue_push_many([a.id, b.id, c.id], **many) == 1
    # Handlers run at least once: running it again for the same event queues nothing new.
    event = await DomainEvent.get(type="advisory.published")
    assert await push_advisory(event) == 0
    assert await PushMessage.filter(dedupe_key__startswith="advisory:").count() == 3
    assert d.id not in pushed and e.id not in pushed

    # A drawn area targets the parcels inside it.
    drawn = square(*SIDOMULYO, side_deg=0.004)
    area = await gql(PUBLISH, {"i": {"titleId": "Area", "bodyId": "Di dalam area.",
                                     "commodityCodes": ["krisan"],
                                     "area": json.dumps(drawn)}}, token=distan)
    assert area["data"]["publishAdvisory"]["recipientCount"] == 1  # C's parcel only

    english = await gql("{ advisories { title } }", headers={"Accept-Language": "en"})
    assert {x["title"] for x in english["data"]["advisories"]} == {
        "Aphids on chrysanthemum", "Area"}
    assert await Advisory.all().count() == 2
    _ = TULUNGREJO


async def test_an_answered_question_becomes_an_anonymous_article_found_by_typos(
        tani, farm, gql):
    _, ppl = await tani.officer("batu-sidomulyo")
    _, distan = await tani.distan_admin()
    farmer, token = await tani.farmer(village="batu-sidomulyo", name="Pak Rahasia Sekali",
                                      commodities=("krisan",))
    question = (await farm.ask(token, clientRequestId=uuid.uuid4().hex, commodityCode="krisan",
                               problemType="PEST", lat=SIDOMULYO[0], lon=SIDOMULYO[1],
                               description="Daun krisan keriting, ada kutu daun hijau."))
    qid = question["question"]["id"]
    publish = """mutation($q: ID!) { publishKnowledgeArticle(questionId: $q,
        titleId: "Kutu daun pada krisan", titleEn: "Aphids on chrysanthemum") {
        advisory { id isArticle } errors { code } } }"""
    early = await gql(publish, {"q": qid}, token=distan)
    assert [x["code"] for x in early["data"]["publishKnowledgeArticle"]["errors"]] == [
        "NOT_ANSWERED"]
    await gql(ANSWER, {"i": {"questionId": qid, "text": "Semprot sabun insektisida.",
                             "recommendedActions": ["Pasang perangkap kuning"]}}, token=ppl)
    made = await gql(publish, {"q": qid}, token=distan)
    assert made["data"]["publishKnowledgeArticle"]["advisory"]["isArticle"] is True

    for text in ("kutu dauun", "aphid", "perangkap kuning", "krisan"):
        found = await gql(KNOWLEDGE, {"t": text})
        assert "errors" not in found, found
        assert [x["isArticle"] for x in found["data"]["knowledge"]] == [True], text
        raw = json.dumps(found)
        assert "Rahasia" not in raw and farmer.phone not in raw
        assert str(SIDOMULYO[0])[:7] not in raw
    assert (await gql(KNOWLEDGE, {"t": "kentang busuk"}))["data"]["knowledge"] == []
