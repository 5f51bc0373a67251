"""The crop-problem help desk, as the acceptance story tells it: a Sidomulyo farmer asks about
aphids on his chrysanthemums, the Sidomulyo PPL answers with a photo, the farmer replies, the
PPL closes, the farmer rates; a question left unanswered past its deadline is flagged once;
three aphid questions within 2 km in a week raise one pest alert."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from among_tani.farming import questions
from among_tani.farming.events import FarmingEvent
from among_tani.farming.models import CropQuestion, PestAlert, QuestionMessage
from backend.accounts.models import Role, UserRole
from backend.events.handlers import drain
from backend.events.models import DomainEvent
from backend.push.models import PushMessage
from tests.among_tani.farming.conftest import ANSWER, CLOSE, REPLY, SIDOMULYO, TULUNGREJO
from tests.backend.media.conftest import upload_to
from tests.backend.media.samples import encode, photo_like


async def upload_photo(client, token: str, seed: int = 1) -> str:
    data = encode(photo_like((640, 480), seed=seed), "JPEG", quality=80)
    body = await upload_to(client, data, token=token, client_key=uuid.uuid4().hex)
    assert body["data"]["uploadPhoto"]["errors"] == [], body
    return body["data"]["uploadPhoto"]["photo"]["id"]


async def drained() -> bool:
    """Pushes are after-commit handlers: run them (the signal to wait for)."""
    await drain()
    return True


def codes(payload) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def aphids(photo_ids, at=SIDOMULYO, **extra):
    return {"clientRequestId": uuid.uuid4().hex, "commodityCode": "krisan",
            "problemType": "PEST", "lat": at[0], "lon": at[1], "photoIds": photo_ids,
            "description": "Daun krisan penuh kutu daun hijau, bunga jadi keriting.", **extra}


async def test_aphids_in_sidomulyo_from_question_to_rating(tani, farm, gql, client):
    officer, ppl = await tani.officer("batu-sidomulyo", name="PPL Sidomulyo")
    _, far_ppl = await tani.officer("bumiaji-tulungrejo", name="PPL Tulungrejo")
    farmer, token = await tani.farmer(village="batu-sidomulyo", name="Pak Darmo",
                                      commodities=("krisan",))
    photo = await upload_photo(client, token)
    data = aphids([photo])
    asked = await farm.ask(token, **data)
    assert asked["errors"] == [], asked
    question = asked["question"]
    assert question["status"] == "OPEN"
    assert question["officers"] == [{"id": str(officer.id)}]
    assert question["village"]["code"] == "batu-sidomulyo"
    due = datetime.fromisoformat(question["dueAt"])
    created = (await CropQuestion.get(id=int(question["id"]))).created_at
    assert abs((due - created) - timedelta(hours=72)) < timedelta(seconds=5)

    # A retry with the same clientRequestId is the same question; other content is refused.
    again = await farm.ask(token, **data)
    assert again["question"]["id"] == question["id"]
    conflict = await farm.ask(token, **{**data, "description": "Sesuatu yang lain sama sekali."})
    assert codes(conflict) == ["IDEMPOTENCY_CONFLICT"]
    assert await CropQuestion.all().count() == 1

    # The event reaches the farmer, the village officer and distan; the PPL gets a push.
    event = await DomainEvent.filter(type=FarmingEvent.QUESTION_ASKED.value).get()
    audience = set(event.audience)
    assert {f"user:{farmer.id}", f"user:{officer.id}"} <= audience
    assert any(k.startswith("skpd:") for k in audience)
    assert await drained() and await PushMessage.filter(user_id=officer.id).count() == 1

    # The PPL sees it in the list; an officer of another village does not, and may not answer.
    listed = await gql("{ cropQuestions { totalCount edges { node { id asker { name } } } } }",
                       token=ppl)
    assert listed["data"]["cropQuestions"]["totalCount"] == 1
    hidden = await gql("{ cropQuestions { totalCount } }", token=far_ppl)
    assert hidden["data"]["cropQuestions"]["totalCount"] == 0
    outside = await gql(ANSWER, {"i": {"questionId": question["id"], "text": "Semprot."}},
                        token=far_ppl)
    assert codes(outside["data"]["answerCropQuestion"]) == ["OUTSIDE_OFFICER_VILLAGES"]

    answer_photo = await upload_photo(client, ppl, seed=2)
    answered = await gql(ANSWER, {"i": {
        "questionId": question["id"], "photoIds": [answer_photo],
        "text": "Itu kutu daun (Aphis). Semprot sabun insektisida, buang daun yang parah.",
        "recommendedActions": ["Semprot pagi hari", "Pasang perangkap kuning"]}}, token=ppl)
    assert answered["data"]["answerCropQuestion"]["errors"] == [], answered
    assert answered["data"]["answerCropQuestion"]["question"]["status"] == "ANSWERED"
    assert await drained() and await PushMessage.filter(user_id=farmer.id).count() == 1

    replied = await gql(REPLY, {"i": {"questionId": question["id"],
                                      "text": "Terima kasih, sudah saya semprot."}}, token=token)
    assert replied["data"]["replyToCropQuestion"]["errors"] == []
    # Only the asker replies.
    not_his = await gql(REPLY, {"i": {"questionId": question["id"], "text": "x"}}, token=ppl)
    assert codes(not_his["data"]["replyToCropQuestion"]) == ["NOT_ALLOWED"]

    closed = await gql(CLOSE, {"id": question["id"], "solved": True}, token=ppl)
    assert closed["data"]["closeCropQuestion"]["question"]["status"] == "CLOSED"
    bad = await gql(CLOSE, {"id": question["id"], "rating": 9}, token=token)
    assert codes(bad["data"]["closeCropQuestion"]) == ["INVALID_RATING"]
    rated = await gql(CLOSE, {"id": question["id"], "solved": True, "rating": 5}, token=token)
    assert rated["data"]["closeCropQuestion"]["question"]["rating"] == 5
    twice = await gql(CLOSE, {"id": question["id"], "rating": 4}, token=token)
    assert codes(twice["data"]["closeCropQuestion"]) == ["INVALID_TRANSITION"]

    thread = await gql("""query($id: ID!) { cropQuestion(id: $id) { status solved rating
        messages { kind text author { name } photos { id } recommendedActions } } }""",
                       {"id": question["id"]}, token=token)
    kinds = [m["kind"] for m in thread["data"]["cropQuestion"]["messages"]]
    assert kinds == ["QUESTION", "ANSWER", "REPLY", "SYSTEM", "SYSTEM"]
    answer = thread["data"]["cropQuestion"]["messages"][1]
    assert answer["photos"] == [{"id": answer_photo}]
    assert answer["recommendedActions"] == ["Semprot pagi hari", "Pasang perangkap kuning"]
    types = await DomainEvent.filter(subject_type="crop_question").order_by("id") \
        .values_list("type", flat=True)
    assert types == ["question.asked", "question.answered", "question.replied",
                     "question.closed", "question.rated"]


async def test_bad_questions_change_nothing(tani, farm, client):
    await tani.officer("batu-sidomulyo")
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    _, stranger = await tani.farmer(name="Orang Lain")
    foreign_photo = await upload_photo(client, stranger)
    cases = [
        (aphids([], description=""), "PHOTO_OR_DESCRIPTION_REQUIRED"),
        (aphids([], commodityCode="durian"), "UNKNOWN_COMMODITY"),
        (aphids([], at=(-7.6, 112.7)), "OUTSIDE_CITY"),
        (aphids([foreign_photo]), "PHOTO_NOT_FOUND"),
        (aphids([], clientRequestId="short"), "CLIENT_REQUEST_ID_REQUIRED"),
    ]
    for data, code in cases:
        refused = await farm.ask(token, **data)
        assert refused["question"] is None and code in codes(refused), (code, refused)
    assert await CropQuestion.all().count() == 0
    assert await DomainEvent.filter(subject_type="crop_question").count() == 0


async def test_hand_off_to_a_specialist_and_back(tani, farm, gql, make_user):
    officer, ppl = await tani.officer("batu-sidomulyo")
    specialist, specialist_token = await make_user(Role.RESPONDER, skpd="distan",
                                                   name="POPT Distan")
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    question = (await farm.ask(token, **aphids([])))["question"]
    handoff = """mutation($id: ID!, $s: ID!) { handOffCropQuestion(id: $id, specialistId: $s,
        note: "Perlu POPT") { question { specialist { id } } errors { code } } }"""
    not_staff = await gql(handoff, {"id": question["id"], "s": str(officer.id)}, token=ppl)
    assert codes(not_staff["data"]["handOffCropQuestion"]) == ["NOT_A_SPECIALIST"]
    handed = await gql(handoff, {"id": question["id"], "s": str(specialist.id)}, token=ppl)
    assert handed["data"]["handOffCropQuestion"]["question"]["specialist"] == {
        "id": str(specialist.id)}
    assert await drained() and await PushMessage.filter(user_id=specialist.id).count() == 1
    answered = await gql(ANSWER, {"i": {"questionId": question["id"],
                                        "text": "Hasil pengamatan POPT: kutu daun."}},
                         token=specialist_token)
    assert answered["data"]["answerCropQuestion"]["errors"] == []
    back = await gql("""mutation($id: ID!) { handBackCropQuestion(id: $id) {
        question { specialist { id } } errors { code } } }""", {"id": question["id"]},
                     token=specialist_token)
    assert back["data"]["handBackCropQuestion"]["question"]["specialist"] is None
    kinds = await QuestionMessage.all().order_by("id").values_list("kind", flat=True)
    assert [k.value for k in kinds] == ["question", "handoff", "answer", "handback"]


async def test_a_missed_deadline_is_flagged_once_and_escalated(tani, farm, gql, make_user):
    await tani.officer("batu-sidomulyo")
    supervisor, supervisor_token = await tani.distan_admin()
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    # Deadlines are data per problem type: PEST within 24 h here.
    set_hours = await gql("""mutation { setAnswerDeadline(problemType: PEST, hours: 24) {
        hours errors { code } } }""", token=supervisor_token)
    assert set_hours["data"]["setAnswerDeadline"] == {"hours": 24, "errors": []}
    question = (await farm.ask(token, **aphids([])))["question"]
    row = await CropQuestion.get(id=int(question["id"]))
    assert abs(row.due_at - row.created_at - timedelta(hours=24)) < timedelta(seconds=5)

    assert await questions.flag_overdue(now=row.due_at - timedelta(minutes=1)) == 0
    assert await questions.flag_overdue(now=row.due_at + timedelta(minutes=1)) == 1
    # Restart-safe: the flag is data; later runs find nothing more to do.
    assert await questions.flag_overdue(now=row.due_at + timedelta(hours=5)) == 0
    assert await DomainEvent.filter(type=FarmingEvent.QUESTION_OVERDUE.value).count() == 1
    assert await drained() and await PushMessage.filter(user_id=supervisor.id).count() == 1
    overdue = await gql("{ cropQuestions(overdue: true) { edges { node { id overdue } } } }",
                        token=supervisor_token)
    assert overdue["data"]["cropQuestions"]["edges"] == [
        {"node": {"id": question["id"], "overdue": True}}]
    # The command-center wall: operators see the overdue question beside complaints, without
    # the farmer, the description or the point.
    _, operator = await make_user(Role.OPERATOR)
    wall = await gql("""{ overdueCropQuestions { id commodityCode problemType village { code }
        overdueSince } }""", token=operator)
    [shown] = wall["data"]["overdueCropQuestions"]
    assert (shown["id"], shown["village"]["code"]) == (question["id"], "batu-sidomulyo")
    event = await DomainEvent.get(type=FarmingEvent.QUESTION_OVERDUE.value)
    assert "role:operator" in event.audience


async def test_three_aphid_questions_within_2_km_raise_one_alert(tani, farm, gql):
    await tani.officer("batu-sidomulyo", "bumiaji-tulungrejo")
    _, distan = await tani.distan_admin()
    lat, lon = SIDOMULYO
    asked = []
    for i, offset in enumerate((0.0, 0.004, -0.005)):  # within ~600 m of each other
        _, token = await tani.farmer(village="batu-sidomulyo", name=f"Petani {i}",
                                     commodities=("krisan",))
        asked.append(await farm.ask(token, **aphids([], at=(lat + offset, lon))))
        assert await PestAlert.all().count() == (1 if i == 2 else 0)
    # A fourth far away (Tulungrejo, ~7 km) does not join; a fourth nearby joins the alert.
    _, far = await tani.farmer(name="Petani Jauh", commodities=("krisan",))
    await farm.ask(far, **aphids([], at=TULUNGREJO))
    _, near = await tani.farmer(village="batu-sidomulyo", name="Petani Dekat",
                                commodities=("krisan",))
    await farm.ask(near, **aphids([], at=(lat + 0.001, lon)))
    alerts = await gql("{ pestAlerts { id status commodityCode problemType questionCount "
                       "points { lat lon } } }", token=distan)
    [alert] = alerts["data"]["pestAlerts"]
    assert (alert["commodityCode"], alert["problemType"], alert["questionCount"]) == (
        "krisan", "PEST", 4)
    assert await DomainEvent.filter(type=FarmingEvent.PEST_ALERT.value).count() == 1
    reviewed = await gql("""mutation($id: ID!) { reviewPestAlert(id: $id, confirm: true) {
        alert { status } errors { code } } }""", {"id": alert["id"]}, token=distan)
    assert reviewed["data"]["reviewPestAlert"]["alert"]["status"] == "CONFIRMED"


async def test_question_lists_cost_the_same_statements_for_2_or_50(
        tani, farm, gql, count_queries):
    officer, ppl = await tani.officer("batu-sidomulyo")
    farmer, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    first = (await farm.ask(token, **aphids([])))["question"]
    template = await CropQuestion.get(id=int(first["id"]))
    query = """{ cropQuestions(first: 100) { edges { node { id status village { name }
        asker { name } officers { id } specialist { id } photos { id } } } } }"""

    async def statements(n: int) -> int:
        for i in range(n - await CropQuestion.all().count()):
            await CropQuestion.create(
                asker_id=farmer.id, client_request_id=f"bulk-{n}-{i:04d}",
                request_fingerprint="x", commodity_code="krisan",
                problem_type=template.problem_type, description="d", lat=template.lat,
                lon=template.lon, village_id=template.village_id, due_at=template.due_at)
        with count_queries() as queries:
            body = await gql(query, token=ppl)
        assert len(body["data"]["cropQuestions"]["edges"]) == n
        return len(queries)

    assert await statements(2) == await statements(50)
    assert await UserRole.filter(user_id=officer.id).count() >= 1


async def test_distan_statistics(tani, farm, gql):
    officer, ppl = await tani.officer("batu-sidomulyo")
    _, distan = await tani.distan_admin()
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    asked = (await farm.ask(token, **aphids([])))["question"]
    await farm.ask(token, **aphids([], problemType="DISEASE"))
    await gql(ANSWER, {"i": {"questionId": asked["id"], "text": "Semprot."}}, token=ppl)
    body = await gql("""{ farmingStatistics { questions { problemType village { code }
        questions open overdue } answerTimes { officer { id } answered meanHours } } }""",
                     token=distan)
    stats = body["data"]["farmingStatistics"]
    assert {(q["problemType"], q["questions"], q["open"]) for q in stats["questions"]} == {
        ("PEST", 1, 0), ("DISEASE", 1, 1)}
    assert [(a["officer"]["id"], a["answered"]) for a in stats["answerTimes"]] == [
        (str(officer.id), 1)]
    refused = await gql("{ farmingStatistics { planted { areaHa } } }", token=ppl)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
