from __future__ import annotations

import json
from datetime import datetime

from among_kota.services.models import SurveyAnswer
from among_kota.services.services import submit_answer
from backend.accounts.models import Role, User
from backend.accounts.services import principal_for
from backend.clock import WIB, frozen_at
from tests.among_kota.conftest import museum_angkut, publish_place, save_place

SAVE = """mutation($input: PublicServiceInput!) { savePublicService(input: $input) {
  service { id slug name free } errors { field code } } }"""
PUBLISH = """mutation($id: ID!) { publishPublicService(id: $id) { errors { code } } }"""
SUBMIT = """mutation($input: SatisfactionSurveyInput!) { submitSatisfactionSurvey(input: $input) {
  ok errors { field code message } } }"""
SATISFACTION = """query($id: ID!, $from: DateTime, $to: DateTime) {
  serviceSatisfaction(serviceId: $id, from: $from, to: $to) {
    answers index grade elements { element mean } } }"""

KTP = {
    "name": {"id": "Perekaman KTP-el", "en": "Electronic ID card (KTP-el) registration"},
    "description": {"id": "Untuk warga berusia 17 tahun atau sudah menikah."},
    "requirements": [{"id": "Fotokopi Kartu Keluarga", "en": "A copy of the family card"}],
    "steps": [{"id": "Ambil nomor antrean"}, {"id": "Perekaman foto, sidik jari dan iris"}],
    "processingTime": {"id": "1 hari kerja", "en": "1 working day"}, "processingDays": 1,
    "cost": 0, "product": {"id": "KTP-el"},
    "complaintChannel": {"id": "Among Warga, kategori Lainnya"},
    "complaintCategoryCode": "lainnya",
    "legalBasis": ["UU No. 24 Tahun 2013 tentang Administrasi Kependudukan"],
}


async def test_a_service_standard_is_published_and_found_by_text_in_english(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    place_id = (await save_place(gql, editor, museum_angkut(name={"id": "Mal Pelayanan Publik"},
                                                            categoryCodes=["government_office"])
                                 ))["place"]["id"]
    await publish_place(gql, editor, place_id)
    saved = await gql(SAVE, {"input": {**KTP, "servicePointIds": [place_id]}}, token=editor)
    service = saved["data"]["savePublicService"]["service"]
    assert service["free"] is True
    await gql(PUBLISH, {"id": service["id"]}, token=editor)
    body = await gql("""query($text: String) { publicServices(text: $text) { totalCount
        edges { node { name requirements steps processingTime cost free complaintCategoryCode
                       servicePoints { name openingHours { periods { openDay } } }
                       editorial { status } } } } }""",
                     {"text": "electronik card"}, headers={"Accept-Language": "en"})
    page = body["data"]["publicServices"]
    assert page["totalCount"] == 1
    node = page["edges"][0]["node"]
    assert node["name"] == "Electronic ID card (KTP-el) registration"
    assert node["requirements"] == ["A copy of the family card"]
    assert node["steps"] == ["Ambil nomor antrean", "Perekaman foto, sidik jari dan iris"]
    assert node["processingTime"] == "1 working day" and node["cost"] == 0
    assert node["servicePoints"][0]["name"] == "Mal Pelayanan Publik"
    assert node["editorial"] is None


async def test_ikm_of_thirty_answers_matches_a_hand_computation(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    service_id = (await gql(SAVE, {"input": KTP}, token=editor)
                  )["data"]["savePublicService"]["service"]["id"]
    await gql(PUBLISH, {"id": service_id}, token=editor)
    # 30 residents: 20 answer all 4s except 3 for time (U3), 10 answer all 3s except 2 for
    # cost (U4). The first through the API, the others through the same service (accounts
    # without a password: hashing 29 would be most of the test's time).
    _, token = await make_user(Role.CITIZEN)
    others = [await principal_for(await User.create(name=f"Warga {i}", phone=f"+6281355{i:06d}"))
              for i in range(29)]
    with frozen_at(datetime(2026, 11, 15, 10, 0, tzinfo=WIB)):
        body = await gql(SUBMIT, {"input": {"serviceId": service_id,
                                            "scores": [4, 4, 3, 4, 4, 4, 4, 4, 4]}},
                         token=token)
        assert body["data"]["submitSatisfactionSurvey"]["errors"] == [], body
        for i, principal in enumerate(others, start=1):
            scores = [4, 4, 3, 4, 4, 4, 4, 4, 4] if i < 20 else [3, 3, 3, 2, 3, 3, 3, 3, 3]
            await submit_answer(principal, int(service_id), scores)
    # Element means: U3 = 3.0, U4 = (20·4 + 10·2)/30 = 3.3333…, the other seven
    # (20·4 + 10·3)/30 = 3.6667. Mean of means = (3.0 + 3.3333 + 7 · 3.6667)/9 = 3.5556;
    # IKM = 3.5556 × 25 = 88.89 → A.
    window = {"id": service_id, "from": "2026-11-01T00:00:00+07:00",
              "to": "2026-12-01T00:00:00+07:00"}
    body = await gql(SATISFACTION, window)
    found = body["data"]["serviceSatisfaction"]
    assert found["answers"] == 30
    assert found["index"] == 88.89 and found["grade"] == "A"
    means = {e["element"]: e["mean"] for e in found["elements"]}
    assert means["TIME"] == 3.0 and means["COST"] == 3.3333
    assert means["REQUIREMENTS"] == 3.6667 and list(means)[0] == "REQUIREMENTS"
    assert len(means) == 9
    # The answers themselves are nowhere in the public response.
    assert "scores" not in json.dumps(body)

    # Outside the period, or under 30 answers: only the count is public.
    body = await gql(SATISFACTION, {**window, "from": "2026-11-15T09:00:00+07:00",
                                    "to": "2026-11-15T10:00:00+07:00"})
    assert body["data"]["serviceSatisfaction"] == {"answers": 0, "index": None,
                                                   "grade": None, "elements": None}


async def test_survey_bad_input_once_a_month_and_my_data(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    service_id = (await gql(SAVE, {"input": KTP}, token=editor)
                  )["data"]["savePublicService"]["service"]["id"]
    _, resident = await make_user(Role.CITIZEN)
    draft = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": [4] * 9}},
                      token=resident)
    assert [e["code"] for e in draft["data"]["submitSatisfactionSurvey"]["errors"]] == [
        "NOT_FOUND"]  # not published yet
    await gql(PUBLISH, {"id": service_id}, token=editor)
    cases = {"SCORE_COUNT": [4] * 8, "INVALID_SCORE": [4, 4, 4, 5, 4, 4, 4, 4, 4]}
    for code, scores in cases.items():
        body = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": scores}},
                         token=resident)
        assert [e["code"] for e in body["data"]["submitSatisfactionSurvey"]["errors"]] == [
            code]
    zero = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": [0] * 9}},
                     token=resident)
    assert zero["data"]["submitSatisfactionSurvey"]["errors"][0]["field"] == "scores[0]"
    assert await SurveyAnswer.all().count() == 0
    with frozen_at(datetime(2026, 11, 30, 23, 0, tzinfo=WIB)):
        ok = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": [3] * 9}},
                       token=resident)
        assert ok["data"]["submitSatisfactionSurvey"]["ok"] is True
        again = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": [4] * 9}},
                          token=resident)
        assert [e["code"] for e in again["data"]["submitSatisfactionSurvey"]["errors"]] == [
            "ALREADY_ANSWERED"]
    with frozen_at(datetime(2026, 12, 1, 8, 0, tzinfo=WIB)):  # a new month (WIB)
        ok = await gql(SUBMIT, {"input": {"serviceId": service_id, "scores": [4] * 9}},
                       token=resident)
        assert ok["data"]["submitSatisfactionSurvey"]["ok"] is True
    # Few answers: the editor of the service's SKPD sees the index, the public only the count.
    window = {"id": service_id, "from": "2026-11-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
    public = (await gql(SATISFACTION, window))["data"]["serviceSatisfaction"]
    assert public["answers"] == 2 and public["index"] is None
    staff = (await gql(SATISFACTION, window, token=editor))["data"]["serviceSatisfaction"]
    assert staff["index"] == 87.5 and staff["grade"] == "B"

    my_data = json.loads((await gql("{ myData }", token=resident))["data"]["myData"])
    surveys = my_data["satisfactionSurveys"]["satisfactionSurveys"]
    assert [s["month"] for s in surveys] == ["2026-11", "2026-12"]
    assert surveys[0]["scores"]["REQUIREMENTS"] == 3
