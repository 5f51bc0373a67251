"""Among Warga end to end over HTTP: residents report, follow, support and confirm; the public
map shows only what may be public. Runs on SQLite and PostGIS alike."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from among_warga.categories import seed_categories
from among_warga.models import (
    Complaint,
    ComplaintStatus,
    PersonalDataAccess,
    TimelineEntry,
)
from among_warga.services import close_unconfirmed
from backend.accounts.models import Role
from backend.clock import utcnow
from backend.events.models import DomainEvent
from backend.geo.services import load_demo_areas
from tests.backend.media.conftest import upload_to
from tests.backend.media.samples import encode, photo_like

ALUN_ALUN = (-7.8713, 112.5269)  # Kota Batu's town square
MALANG = (-7.9797, 112.6304)
M_PER_DEG_LAT = 110_590.0  # at 7.9° S, within 0.1 %

SUBMIT = """
mutation($input: SubmitComplaintInput!) {
  submitComplaint(input: $input) {
    complaint { id ticketNumber status category { code } area { villageName districtName }
                slaDueAt createdAt visibility photos { id thumbnailUrl } }
    errors { field code message }
  }
}"""
MINE = """query($status: ComplaintStatus) { myComplaints(status: $status) { totalCount
  edges { node { id ticketNumber status area { villageCode villageName districtName }
                 slaDueAt timeline { kind toStatus actorLabel } } } } }"""
PUBLIC = """query($bbox: BboxInput!, $first: Int, $after: String) {
  publicComplaints(bbox: $bbox, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id ticketNumber visibility reporterName reporter { name phone }
                   lat lon description category { code } supportCount
                   photos { url thumbnailUrl takenAt exifLocation { lat lon } }
                   timeline { note } } } } }"""
BATU_BBOX = {"south": -7.95, "west": 112.45, "north": -7.75, "east": 112.60}


@pytest.fixture(autouse=True)
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


@pytest.fixture
def jpeg() -> bytes:
    return encode(photo_like((1600, 1200), seed=7), "JPEG", quality=85)


async def upload_photo(client, token: str, seed: int = 1) -> str:
    data = encode(photo_like((800, 600), seed=seed), "JPEG", quality=80)
    body = await upload_to(client, data, token=token, client_key=uuid.uuid4().hex)
    payload = body["data"]["uploadPhoto"]
    assert payload["errors"] == [], payload
    return payload["photo"]["id"]


def complaint_input(photo_ids: list[str], **overrides: Any) -> dict[str, Any]:
    lat, lon = overrides.pop("at", ALUN_ALUN)
    return {
        "clientRequestId": overrides.pop("clientRequestId", uuid.uuid4().hex),
        "categoryCode": "sampah",
        "description": "Sampah menumpuk di pinggir jalan dekat alun-alun sejak tiga hari.",
        "lat": lat, "lon": lon, "photoIds": photo_ids, "visibility": "PUBLIC",
        **overrides,
    }


async def submit(gql, token, **overrides) -> dict[str, Any]:
    body = await gql(SUBMIT, {"input": complaint_input(**overrides)}, token=token)
    return body["data"]["submitComplaint"]


@pytest.fixture
async def resident(make_user, client):
    user, token = await make_user(Role.CITIZEN, name="Siti Rahayu")
    return user, token, await upload_photo(client, token)


async def test_resident_reports_and_follows_it(gql, resident):
    user, token, photo = resident
    result = await submit(gql, token, photo_ids=[photo])
    assert result["errors"] == []
    complaint = result["complaint"]
    assert complaint["status"] == "SUBMITTED"
    assert complaint["ticketNumber"].startswith("BTU-") and len(complaint["ticketNumber"]) == 14
    assert complaint["area"]["villageName"] and complaint["area"]["districtName"] == "Batu"
    assert complaint["slaDueAt"] > complaint["createdAt"]
    assert [p["id"] for p in complaint["photos"]] == [photo]

    mine = (await gql(MINE, token=token))["data"]["myComplaints"]
    assert mine["totalCount"] == 1
    node = mine["edges"][0]["node"]
    assert node["ticketNumber"] == complaint["ticketNumber"]
    assert node["area"]["villageCode"] and node["slaDueAt"]
    assert node["timeline"] == [{"kind": "STATUS", "toStatus": "SUBMITTED",
                                 "actorLabel": "Pelapor"}]

    by_ticket = await gql("query($t: String) { complaint(ticketNumber: $t) { id } }",
                          {"t": complaint["ticketNumber"].lower()})
    assert by_ticket["data"]["complaint"]["id"] == complaint["id"]
    # The submission is in the event log, written in the same transaction.
    event = await DomainEvent.get(subject_id=int(complaint["id"]))
    assert event.type == "complaint.submitted"
    assert event.audience == ["role:admin", "role:operator", f"user:{user.id}"]


async def test_same_submission_three_times_creates_one(gql, resident):
    _, token, photo = resident
    data = complaint_input([photo], clientRequestId="retry-" + uuid.uuid4().hex)
    results = [(await gql(SUBMIT, {"input": data}, token=token))["data"]["submitComplaint"]
               for _ in range(3)]
    assert all(r["errors"] == [] for r in results)
    assert len({r["complaint"]["ticketNumber"] for r in results}) == 1
    assert await Complaint.all().count() == 1
    assert await DomainEvent.filter(type="complaint.submitted").count() == 1

    changed = {**data, "description": "Sesuatu yang sama sekali berbeda dari laporan pertama."}
    conflict = (await gql(SUBMIT, {"input": changed}, token=token))["data"]["submitComplaint"]
    assert [e["code"] for e in conflict["errors"]] == ["IDEMPOTENCY_CONFLICT"]


async def test_bad_submissions_are_refused_with_distinct_codes(gql, resident, make_user, client):
    _, token, photo = resident
    _, other_token = await make_user(Role.CITIZEN)
    others_photo = await upload_photo(client, other_token, seed=9)
    cases = {
        "OUTSIDE_CITY": dict(photo_ids=[photo], at=MALANG),
        "UNKNOWN_CATEGORY": dict(photo_ids=[photo], categoryCode="tidak_ada"),
        "PHOTO_NOT_FOUND": dict(photo_ids=[others_photo]),
        "DESCRIPTION_REQUIRED": dict(photo_ids=[photo], description="   "),
        "PHOTO_REQUIRED": dict(photo_ids=[]),
        "INVALID_COORDINATES": dict(photo_ids=[photo], at=(-95.0, 112.5)),
    }
    for code, overrides in cases.items():
        result = await submit(gql, token, **overrides)
        assert result["complaint"] is None
        assert [e["code"] for e in result["errors"]] == [code], (code, result)
    assert await Complaint.all().count() == 0
    assert await DomainEvent.all().count() == 0
    assert await TimelineEntry.all().count() == 0


def walk(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


async def test_public_view_hides_what_is_private(gql, client, make_user):
    reporter, token = await make_user(Role.CITIZEN, name="Bambang Nik Pelapor")
    await reporter.__class__.filter(id=reporter.id).update(nik="3579011203850001")
    photos = [await upload_photo(client, token, seed=s) for s in (1, 2, 3, 4)]
    public = await submit(gql, token, photo_ids=[photos[0]], visibility="PUBLIC")
    anonymous = await submit(gql, token, photo_ids=[photos[1]], visibility="ANONYMOUS")
    confidential = await submit(gql, token, photo_ids=[photos[2]], visibility="CONFIDENTIAL")
    drugs = await submit(gql, token, photo_ids=[photos[3]], visibility="ANONYMOUS",
                         categoryCode="narkoba", at=(-7.87137, 112.52693))

    # (The reporter sees their own reports as theirs on the map too, the same values as in
    # myComplaints: tests/among_warga/test_one_complaint_per_caller.py.)
    for viewer in (None, (await make_user(Role.CITIZEN))[1]):
        body = await gql(PUBLIC, {"bbox": BATU_BBOX}, token=viewer)
        assert "errors" not in body, body
        page = body["data"]["publicComplaints"]
        nodes = {n["node"]["ticketNumber"]: n["node"] for n in page["edges"]}
        assert confidential["complaint"]["ticketNumber"] not in nodes
        assert page["totalCount"] == 3
        assert nodes[public["complaint"]["ticketNumber"]]["reporterName"] == "Bambang Nik Pelapor"
        assert nodes[anonymous["complaint"]["ticketNumber"]]["reporterName"] is None
        # No phone or NIK anywhere in the response, and no personal data object.
        text = json.dumps(body)
        assert reporter.phone not in text and reporter.phone[3:] not in text
        assert "3579011203850001" not in text
        assert all(n["reporter"] is None for n in nodes.values())
        assert all(p["exifLocation"] is None and p["takenAt"] is None
                   for n in nodes.values() for p in n["photos"])
        for value in walk(body):
            assert not (isinstance(value, str) and value.startswith("+62")), value
        # Sensitive category: location snapped to a ~110 m grid.
        drug_node = nodes[drugs["complaint"]["ticketNumber"]]
        assert (drug_node["lat"], drug_node["lon"]) == (-7.871, 112.527)

    # CONFIDENTIAL is not even visible by id to other residents …
    other = (await make_user(Role.CITIZEN))[1]
    hidden = await gql("query($id: ID) { complaint(id: $id) { id } }",
                       {"id": confidential["complaint"]["id"]}, token=other)
    assert hidden["data"]["complaint"] is None
    # … but is to its reporter.
    mine = await gql("query($id: ID) { complaint(id: $id) { id reporter { phone } } }",
                     {"id": confidential["complaint"]["id"]}, token=token)
    assert mine["data"]["complaint"]["reporter"]["phone"] == reporter.phone


async def test_geojson_feed_is_public_only(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN, name="Pelapor Feed")
    photo = await upload_photo(client, token)
    await submit(gql, token, photo_ids=[photo], visibility="CONFIDENTIAL")
    shown = await submit(gql, token, photo_ids=[photo], visibility="ANONYMOUS")
    response = await client.get("/feeds/complaints.geojson",
                                params={"bbox": "-7.95,112.45,-7.75,112.60"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    feed = response.json()
    assert feed["type"] == "FeatureCollection"
    assert [f["properties"]["ticketNumber"] for f in feed["features"]] == [
        shown["complaint"]["ticketNumber"]]
    lon, lat = feed["features"][0]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx(ALUN_ALUN)  # RFC 7946 order: lon, lat
    assert "Pelapor Feed" not in response.text
    assert (await client.get("/feeds/complaints.geojson", params={"bbox": "x"})).status_code == 400


async def test_public_complaints_paginate_newest_first(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, token)
    tickets = [(await submit(gql, token, photo_ids=[photo]))["complaint"]["ticketNumber"]
               for _ in range(5)]
    seen, after = [], None
    while True:
        page = (await gql(PUBLIC, {"bbox": BATU_BBOX, "first": 2, "after": after})
                )["data"]["publicComplaints"]
        seen += [e["node"]["ticketNumber"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(tickets))
    bad = await gql(PUBLIC, {"bbox": {"south": 10, "west": 112, "north": 5, "east": 113}})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


SIMILAR = """query($lat: Float!, $lon: Float!) {
  similarComplaints(categoryCode: "sampah", lat: $lat, lon: $lon) {
    distanceMeters complaint { ticketNumber } } }"""


async def test_similar_complaints_within_50_m(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, token)
    lat, lon = ALUN_ALUN
    near = await submit(gql, token, photo_ids=[photo], at=(lat + 30 / M_PER_DEG_LAT, lon))
    await submit(gql, token, photo_ids=[photo], at=(lat - 80 / M_PER_DEG_LAT, lon))
    await submit(gql, token, photo_ids=[photo], at=(lat, lon), categoryCode="jalan_rusak")
    await submit(gql, token, photo_ids=[photo], at=(lat, lon), visibility="CONFIDENTIAL")

    found = (await gql(SIMILAR, {"lat": lat, "lon": lon}))["data"]["similarComplaints"]
    assert [f["complaint"]["ticketNumber"] for f in found] == [near["complaint"]["ticketNumber"]]
    assert found[0]["distanceMeters"] == pytest.approx(30, abs=1)

    # Closed and old complaints are not offered.
    await Complaint.filter(ticket_number=near["complaint"]["ticketNumber"]).update(
        created_at=utcnow() - timedelta(days=15))
    assert (await gql(SIMILAR, {"lat": lat, "lon": lon}))["data"]["similarComplaints"] == []


async def test_support_is_counted_once(gql, resident, make_user):
    _, token, photo = resident
    complaint = (await submit(gql, token, photo_ids=[photo]))["complaint"]
    _, neighbour = await make_user(Role.CITIZEN)
    support = "mutation($id: ID!) { supportComplaint(id: $id) { complaint { supportCount supportedByMe } errors { code } } }"
    for _ in range(2):
        result = (await gql(support, {"id": complaint["id"]}, token=neighbour))["data"]
        assert result["supportComplaint"]["complaint"] == {"supportCount": 1, "supportedByMe": True}
    own = (await gql(support, {"id": complaint["id"]}, token=token))["data"]["supportComplaint"]
    assert own["errors"] == [{"code": "OWN_COMPLAINT"}]


CONFIRM = """mutation($id: ID!, $ok: Boolean!, $rating: Int, $comment: String) {
  confirmResolution(id: $id, resolved: $ok, rating: $rating, comment: $comment) {
    complaint { status rating timeline { kind toStatus note } } errors { field code } } }"""


async def mark_resolved(complaint_id: str, days_ago: float = 0) -> None:
    when = utcnow() - timedelta(days=days_ago)
    await Complaint.filter(id=int(complaint_id)).update(status=ComplaintStatus.RESOLVED,
                                                        resolved_at=when)


async def test_confirming_closes_and_disputing_reopens(gql, resident, make_user):
    _, token, photo = resident
    first = (await submit(gql, token, photo_ids=[photo]))["complaint"]
    second = (await submit(gql, token, photo_ids=[photo]))["complaint"]

    early = (await gql(CONFIRM, {"id": first["id"], "ok": True}, token=token))["data"]
    assert early["confirmResolution"]["errors"] == [{"field": "id", "code": "INVALID_TRANSITION"}]

    await mark_resolved(first["id"])
    await mark_resolved(second["id"])
    _, stranger = await make_user(Role.CITIZEN)
    assert (await gql(CONFIRM, {"id": first["id"], "ok": True}, token=stranger))["data"][
        "confirmResolution"]["errors"][0]["code"] == "NOT_FOUND"
    bad = (await gql(CONFIRM, {"id": first["id"], "ok": True, "rating": 9}, token=token))["data"]
    assert bad["confirmResolution"]["errors"] == [{"field": "rating", "code": "INVALID_RATING"}]

    closed = (await gql(CONFIRM, {"id": first["id"], "ok": True, "rating": 5},
                        token=token))["data"]["confirmResolution"]
    assert closed["errors"] == [] and closed["complaint"]["status"] == "CLOSED"
    assert closed["complaint"]["rating"] == 5

    reopened = (await gql(CONFIRM, {"id": second["id"], "ok": False,
                                    "comment": "Sampah masih ada."}, token=token))["data"]
    complaint = reopened["confirmResolution"]["complaint"]
    assert complaint["status"] == "DISPATCHED"
    assert "Sampah masih ada." in complaint["timeline"][-1]["note"]
    assert await DomainEvent.filter(type="complaint.reopened").count() == 1


async def test_unconfirmed_resolutions_close_after_seven_days(gql, resident):
    _, token, photo = resident
    stale = (await submit(gql, token, photo_ids=[photo]))["complaint"]
    fresh = (await submit(gql, token, photo_ids=[photo]))["complaint"]
    await mark_resolved(stale["id"], days_ago=7.1)
    await mark_resolved(fresh["id"], days_ago=2)
    assert await close_unconfirmed() == 1
    assert await close_unconfirmed() == 0  # never twice
    assert (await Complaint.get(id=int(stale["id"]))).status == ComplaintStatus.CLOSED
    assert (await Complaint.get(id=int(fresh["id"]))).status == ComplaintStatus.RESOLVED
    late = (await gql(CONFIRM, {"id": stale["id"], "ok": True}, token=token))["data"]
    assert late["confirmResolution"]["errors"][0]["code"] == "INVALID_TRANSITION"


async def test_staff_reads_of_personal_data_are_logged(gql, resident, make_user):
    user, token, photo = resident
    complaint = (await submit(gql, token, photo_ids=[photo], visibility="CONFIDENTIAL"))["complaint"]
    query = "query($id: ID) { complaint(id: $id) { reporter { name phone } } }"
    _, operator = await make_user(Role.OPERATOR)
    seen = (await gql(query, {"id": complaint["id"]}, token=operator))["data"]["complaint"]
    assert seen["reporter"] == {"name": "Siti Rahayu", "phone": user.phone}
    assert await PersonalDataAccess.filter(complaint_id=int(complaint["id"])).count() == 1
    # The reporter reading their own data is not a staff access.
    await gql(query, {"id": complaint["id"]}, token=token)
    assert await PersonalDataAccess.all().count() == 1
    # A responder of an SKPD the case was never dispatched to sees nothing.
    from backend.accounts.models import Skpd

    await Skpd.create(code="dpupr", name="Dinas PUPR")
    _, responder = await make_user(Role.RESPONDER, skpd="dpupr")
    assert (await gql(query, {"id": complaint["id"]}, token=responder))["data"]["complaint"] is None


async def test_categories_are_data(gql, make_user):
    categories = (await gql("{ complaintCategories { code name } }",
                            headers={"Accept-Language": "en"}))["data"]["complaintCategories"]
    assert len(categories) == 13 and categories[0] == {"code": "jalan_rusak", "name": "Damaged road"}
    _, admin = await make_user(Role.ADMIN)
    save = """mutation($i: ComplaintCategoryInput!) { saveComplaintCategory(input: $i) {
      category { code active triageMinutes } errors { field code } } }"""
    off = (await gql(save, {"i": {"code": "iklan_liar", "active": False}}, token=admin))["data"]
    assert off["saveComplaintCategory"]["category"]["active"] is False
    codes = [c["code"] for c in (await gql("{ complaintCategories { code } }"))["data"][
        "complaintCategories"]]
    assert "iklan_liar" not in codes
    bad = (await gql(save, {"i": {"code": "sampah", "triageMinutes": 0}}, token=admin))["data"]
    assert bad["saveComplaintCategory"]["errors"] == [{"field": "triageMinutes",
                                                       "code": "INVALID_TARGET"}]
    _, citizen = await make_user(Role.CITIZEN)
    denied = await gql(save, {"i": {"code": "sampah", "active": False}}, token=citizen)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
