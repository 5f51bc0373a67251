"""City conditions (issue 13, item 5): SKPD notices with a geometry and a validity, through the
editorial workflow, and open Among Warga reports counted per village and category — both in
``cityConditions(bbox)`` and ``GET /feeds/conditions.geojson``, from the public-read cache,
never stale after a change, and never carrying a person."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from among_kota.conditions import services as conditions
from among_kota.conditions.models import ConditionNotice
from among_kota.content import services as editorial
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd
from backend.clock import utcnow
from tests.among_warga import test_public_reads
from tests.among_warga.test_complaints import (
    batu,  # noqa: F401 (fixture: areas and complaint categories)
    submit,
    upload_photo,
)

# The app with its lifespan (event bus and read cache started), as a server runs it.
app, client, gql = test_public_reads.app, test_public_reads.client, test_public_reads.gql

CONDITIONS = """query($bbox: BboxInput) { cityConditions(bbox: $bbox) {
  notices { id kind severity title body bodyHtml geometry validFrom validUntil skpdCode
            editorial { status } }
  openReports { villageCode villageName categoryCode categoryName count }
  openReportTotal } }"""
SAVE = """mutation($input: ConditionNoticeInput!) { saveConditionNotice(input: $input) {
  notice { id editorial { status revision } } errors { field code message } } }"""
PUBLISH = """mutation($id: ID!, $at: DateTime) { publishConditionNotice(id: $id, at: $at) {
  notice { id editorial { status } } errors { field code } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawConditionNotice(id: $id) {
  notice { id } errors { field code } } }"""
ROLLBACK = """mutation($id: ID!, $r: Int!) { rollbackConditionNotice(id: $id, revision: $r) {
  notice { id title } errors { field code } } }"""
FEED = "/feeds/conditions.geojson"
# Jl. Raya Punten → Tulungrejo, a road the BPBD closes after a landslide.
ROAD = {"type": "LineString", "coordinates": [[112.5336, -7.8405], [112.5350, -7.8290],
                                              [112.5368, -7.8180]]}
NORTH_BBOX = {"south": -7.85, "west": 112.50, "north": -7.80, "east": 112.58}
CENTRE_BBOX = {"south": -7.89, "west": 112.50, "north": -7.86, "east": 112.55}


@pytest.fixture(autouse=True)
async def agencies() -> None:
    for code, name in (("bpbd", "BPBD"), ("dishub", "Dinas Perhubungan")):
        await Skpd.get_or_create(code=code, defaults={"name": name})


def landslide(**overrides: Any) -> dict[str, Any]:
    notice = {
        "kind": "LANDSLIDE", "severity": "SEVERE",
        "title": {"id": "Longsor: jalan Punten–Tulungrejo ditutup",
                  "en": "Landslide: Punten–Tulungrejo road closed"},
        "body": {"id": "Gunakan jalur **Bumiaji**.", "en": "Use the **Bumiaji** road."},
        "geometry": json.dumps(ROAD),
        "validFrom": (utcnow() - timedelta(hours=1)).isoformat(),
        "validUntil": (utcnow() + timedelta(days=2)).isoformat(),
    }
    notice.update(overrides)
    return notice


async def save(gql, token, notice: dict[str, Any]) -> dict[str, Any]:
    body = await gql(SAVE, {"input": notice}, token=token)
    assert "errors" not in body, body
    return body["data"]["saveConditionNotice"]


async def publish(gql, token, notice_id: str) -> None:
    body = await gql(PUBLISH, {"id": notice_id}, token=token)
    assert body["data"]["publishConditionNotice"]["errors"] == [], body


def notices(body: dict) -> list[str]:
    assert "errors" not in body, body
    return [n["title"] for n in body["data"]["cityConditions"]["notices"]]


async def test_a_published_notice_is_in_the_next_read_and_feed_and_gone_when_withdrawn(
        app, gql, client, make_user):
    cache = app.state.services["read_cache"]
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="bpbd")
    saved = await save(gql, editor, landslide())
    assert saved["errors"] == []
    notice_id = saved["notice"]["id"]
    assert saved["notice"]["editorial"] == {"status": "DRAFT", "revision": 1}

    assert notices(await gql(CONDITIONS)) == []  # a draft is not public
    hits = cache.hits
    assert notices(await gql(CONDITIONS)) == []
    assert cache.hits == hits + 1  # from memory
    feed = await client.get(FEED)
    assert feed.status_code == 200 and feed.json()["features"] == []

    await publish(gql, editor, notice_id)
    body = await gql(CONDITIONS, headers={"Accept-Language": "en"})
    assert notices(body) == ["Landslide: Punten–Tulungrejo road closed"]
    shown = body["data"]["cityConditions"]["notices"][0]
    assert shown["kind"] == "LANDSLIDE" and shown["severity"] == "SEVERE"
    assert shown["skpdCode"] == "bpbd" and shown["editorial"] is None
    assert shown["geometry"] == ROAD
    assert "<strong>Bumiaji</strong>" in shown["bodyHtml"]
    # In the box of the road, not in the city centre's.
    assert len(notices(await gql(CONDITIONS, {"bbox": NORTH_BBOX}))) == 1
    assert notices(await gql(CONDITIONS, {"bbox": CENTRE_BBOX})) == []

    feed = await client.get(FEED, headers={"Accept-Language": "en"})
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/geo+json")
    collection = feed.json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["id"] == notice_id and feature["geometry"] == ROAD
    assert feature["properties"]["title"] == "Landslide: Punten–Tulungrejo road closed"
    assert feature["properties"]["severity"] == "severe"
    again = await client.get(FEED, headers={"Accept-Language": "en",
                                            "If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get(FEED, params={"bbox": "-7.89,112.50,-7.86,112.55"})
            ).json()["features"] == []

    body = await gql(WITHDRAW, {"id": notice_id}, token=editor)
    assert body["data"]["withdrawConditionNotice"]["errors"] == []
    assert notices(await gql(CONDITIONS)) == []
    assert (await client.get(FEED)).json()["features"] == []
    stale = await client.get(FEED, headers={"Accept-Language": "en",
                                            "If-None-Match": feed.headers["etag"]})
    assert stale.status_code == 200


async def test_revisions_and_rollback_of_a_notice(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="bpbd")
    notice_id = (await save(gql, editor, landslide()))["notice"]["id"]
    await publish(gql, editor, notice_id)
    edited = await save(gql, editor, landslide(
        id=notice_id, title={"id": "Longsor: jalan dibuka satu lajur"}, severity="WARNING"))
    assert edited["errors"] == []
    # Pending edits are not public until published.
    assert notices(await gql(CONDITIONS)) == ["Longsor: jalan Punten–Tulungrejo ditutup"]
    await publish(gql, editor, notice_id)
    assert notices(await gql(CONDITIONS)) == ["Longsor: jalan dibuka satu lajur"]
    body = await gql(ROLLBACK, {"id": notice_id, "r": 2}, token=editor)
    assert body["data"]["rollbackConditionNotice"]["errors"] == []
    assert notices(await gql(CONDITIONS)) == ["Longsor: jalan Punten–Tulungrejo ditutup"]


async def test_expired_notices_drop_out_and_scheduled_validity_starts(app, gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dishub")
    now = utcnow()
    current = (await save(gql, editor, landslide(
        kind="EVENT_TRAFFIC", severity="INFO", title={"id": "Batu Night Spectacular ramai"},
        geometry=json.dumps({"type": "Point", "coordinates": [112.5301, -7.8967]}))))
    later = (await save(gql, editor, landslide(
        kind="POWER_OUTAGE", severity="WARNING", title={"id": "Pemadaman listrik Sisir"},
        validFrom=(now + timedelta(hours=3)).isoformat(),
        geometry=json.dumps({"type": "Polygon", "coordinates": [[
            [112.52, -7.875], [112.53, -7.875], [112.53, -7.865], [112.52, -7.865],
            [112.52, -7.875]]]}))))
    for saved in (current, later):
        assert saved["errors"] == []
        await publish(gql, editor, saved["notice"]["id"])
    assert notices(await gql(CONDITIONS)) == ["Batu Night Spectacular ramai"]
    assert await conditions.track_validity() == 0  # nothing started or ended yet

    # Time passes (moved on the rows): the first ends, the second begins. The job marks
    # both, and its events drop the cached answer.
    await ConditionNotice.filter(id=int(current["notice"]["id"])).update(
        valid_from=now - timedelta(days=3), valid_until=now - timedelta(minutes=1))
    await ConditionNotice.filter(id=int(later["notice"]["id"])).update(
        valid_from=now - timedelta(minutes=1))
    assert await conditions.track_validity() == 2
    assert notices(await gql(CONDITIONS)) == ["Pemadaman listrik Sisir"]
    assert await conditions.track_validity() == 0


async def test_open_report_counts_follow_complaints_without_a_person(
        app, gql, client, make_user, count_queries):
    cache = app.state.services["read_cache"]
    reporter, token = await make_user(Role.CITIZEN, name="Warga Pelapor Rahasia")
    _, operator = await make_user(Role.OPERATOR)
    photo = await upload_photo(client, token)
    exact = (-7.87137, 112.52693)

    def counts(body: dict) -> list[tuple[str, str, int]]:
        assert "errors" not in body, body
        found = body["data"]["cityConditions"]
        rows = [(r["villageName"], r["categoryCode"], r["count"]) for r in found["openReports"]]
        assert found["openReportTotal"] == sum(r[2] for r in rows)
        return rows

    assert counts(await gql(CONDITIONS)) == []
    first = await submit(gql, token, photo_ids=[photo], at=exact)
    assert first["errors"] == []
    village = first["complaint"]["area"]["villageName"]
    assert counts(await gql(CONDITIONS)) == [(village, "sampah", 1)]
    hits = cache.hits
    with count_queries() as queries:
        assert counts(await gql(CONDITIONS)) == [(village, "sampah", 1)]
    assert cache.hits == hits + 1
    assert len(queries) == 1, queries.statements  # the event log's head only

    await submit(gql, token, photo_ids=[photo], at=exact)
    await submit(gql, token, photo_ids=[photo], at=exact, categoryCode="jalan_rusak")
    assert counts(await gql(CONDITIONS)) == [(village, "sampah", 2),
                                             (village, "jalan_rusak", 1)]
    # A CONFIDENTIAL report is not counted, not even as a number.
    await submit(gql, token, photo_ids=[photo], at=exact, visibility="CONFIDENTIAL")
    assert counts(await gql(CONDITIONS)) == [(village, "sampah", 2),
                                             (village, "jalan_rusak", 1)]
    # Rejected: no longer open.
    complaint_id = (await gql("query($t: String) { complaint(ticketNumber: $t) { id } }",
                              {"t": first["complaint"]["ticketNumber"]}, token=token)
                    )["data"]["complaint"]["id"]
    rejected = await gql('mutation($id: ID!) { rejectComplaint(id: $id, reason: "Bukan '
                         'wewenang kota.") { errors { code } } }', {"id": complaint_id},
                         token=operator)
    assert rejected["data"]["rejectComplaint"]["errors"] == []
    answer = await gql(CONDITIONS, {"bbox": CENTRE_BBOX})
    assert counts(answer) == [(village, "jalan_rusak", 1), (village, "sampah", 1)]
    assert counts(await gql(CONDITIONS, {"bbox": NORTH_BBOX})) == []

    # Nothing about a person or a report: counts only.
    feed = await client.get(FEED)
    assert feed.json()["openReports"][0]["count"] >= 1
    for text in (json.dumps(answer), feed.text):
        for secret in (reporter.name, reporter.phone, reporter.phone[3:],
                       first["complaint"]["ticketNumber"], "Sampah menumpuk",
                       str(exact[0]), str(exact[1]), "-7.871,", "112.527,"):
            assert secret not in text, secret


async def test_bad_input_gets_codes_and_writes_nothing(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="bpbd")
    _, other = await make_user(Role.CONTENT_EDITOR, skpd="dishub")
    cases = [
        (dict(geometry=json.dumps({"type": "Point", "coordinates": [112.63, -7.98]})),
         "geometry", "OUTSIDE_MAP"),  # Malang
        (dict(geometry=json.dumps({"type": "Point", "coordinates": [-7.87, 112.52]})),
         "geometry", "INVALID_GEOMETRY"),  # lat, lon swapped
        (dict(geometry=json.dumps({"type": "Polygon", "coordinates": [[
            [112.52, -7.875], [112.53, -7.875], [112.53, -7.865]]]})),
         "geometry", "INVALID_GEOMETRY"),  # not closed, too short
        (dict(geometry=json.dumps({"type": "Polygon", "coordinates": [[
            [112.52, -7.875], [112.53, -7.875], [112.53, -7.865], [112.52, -7.866]]]})),
         "geometry", "INVALID_GEOMETRY"),  # not closed
        (dict(geometry=json.dumps({"type": "MultiPoint", "coordinates": []})),
         "geometry", "INVALID_GEOMETRY"),
        (dict(geometry={"type": "Point", "coordinates": ["112.53", -7.87]}),
         "geometry", "INVALID_GEOMETRY"),  # an object (not text) works the same
        (dict(validUntil=(utcnow() - timedelta(hours=2)).isoformat()),
         "validUntil", "VALIDITY_ENDS_BEFORE_START"),
        (dict(validFrom=(utcnow() - timedelta(days=2)).isoformat(),
              validUntil=(utcnow() - timedelta(days=1)).isoformat()),
         "validUntil", "ALREADY_EXPIRED"),
        (dict(title={"id": ""}), "title.id", "NAME_REQUIRED"),
        (dict(skpdCode="dishub"), "skpdCode", "NOT_YOUR_SKPD"),
    ]
    for overrides, field, code in cases:
        result = await save(gql, editor, landslide(**overrides))
        assert result["notice"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)], overrides
    body = await gql(SAVE, {"input": landslide(geometry="{not json")}, token=editor)
    assert body["errors"][0]["extensions"]["reason"] == "invalid_geojson"  # never a 500
    assert await ConditionNotice.all().count() == 0

    notice_id = (await save(gql, editor, landslide()))["notice"]["id"]
    body = await gql(PUBLISH, {"id": notice_id}, token=other)
    assert body["data"]["publishConditionNotice"]["errors"] == [
        {"field": "id", "code": "NOT_YOUR_SKPD"}]
    body = await gql(CONDITIONS, {"bbox": {"south": -7.8, "west": 112.5, "north": -7.9,
                                           "east": 112.6}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    response = await gql.http.get(FEED, params={"bbox": "north,of,here"})
    assert response.status_code == 400


@pytest.mark.parametrize("rows", [2, 50])
async def test_statements_per_read_do_not_grow_with_the_notices(rows, gql, make_user,
                                                                count_queries, settings):
    user = await accounts.create_user(
        name="Editor BPBD", phone=f"+628129900{rows:04d}", password="kata-sandi-uji",
        roles=[Role.CONTENT_EDITOR], skpd_code="bpbd")
    principal = await accounts.principal_for(user)
    for i in range(rows):
        content = await conditions.clean_notice(landslide(
            title={"id": f"Genangan {i}"}, kind="flood", severity="warning",
            geometry={"type": "Point", "coordinates": [112.52 + i * 0.0005, -7.87]},
            valid_from=utcnow() - timedelta(hours=1), valid_until=None))
        notice = await editorial.save_draft(conditions.NOTICES, principal, None, content)
        await editorial.publish(conditions.NOTICES, principal, notice.id)
    # Signed in: never from the cache, so every statement of the real read is counted.
    _, token = await make_user(Role.CITIZEN)
    await gql(CONDITIONS, token=token)  # the session's first lookups warm up
    with count_queries() as queries:
        body = await gql(CONDITIONS, token=token)
    assert len(notices(body)) == rows
    STATEMENTS[rows] = len(queries)
    print(f"cityConditions, {rows} notices: {len(queries)} statements")
    if len(STATEMENTS) == 2:
        assert STATEMENTS[2] == STATEMENTS[50], STATEMENTS


STATEMENTS: dict[int, int] = {}
