"""Leaks between confidentiality levels: the privacy log of personal-data reads (every read,
one INSERT per operation), what an SKPD still sees after the case is taken from it, and
duplicates of confidential reports that must not name them."""

from __future__ import annotations

import asyncio

from gql import gql as parse

from among_warga.models import Complaint, PersonalDataAccess, TimelineEntry
from backend.accounts.models import Role
from backend.events.models import DomainEvent
from tests.command_center.conftest import Collector, submit_complaint, ws_client

QUEUE = """query($first: Int) { caseQueue(first: $first) { edges { node {
  id reporterName reporter { name phone } } } } }"""
QUEUE_NAMES = "{ caseQueue { edges { node { id reporterName } } } }"
DISPATCH = """mutation($id: ID!, $codes: [String!]) { dispatchComplaint(id: $id, skpdCodes: $codes) {
  errors { field code message } } }"""
CASE = """query($id: ID) { complaint(id: $id) { id status description lat lon reporterName
  reporter { phone } dispatchedTo { code } timeline { note public actorLabel } } }"""


async def three_reports(gql, client, make_user):
    made = {}
    for visibility in ("PUBLIC", "ANONYMOUS", "CONFIDENTIAL"):
        _, token = await make_user(Role.CITIZEN, name=f"Warga {visibility.title()}")
        made[visibility] = await submit_complaint(gql, client, token, visibility=visibility)
    return made


async def test_every_staff_read_of_personal_data_is_logged_in_one_insert(
    gql, client, make_user, count_queries
):
    made = await three_reports(gql, client, make_user)
    operator, token = await make_user(Role.OPERATOR)

    with count_queries() as statements:
        body = await gql(QUEUE, {"first": 50}, token=token)
    assert "errors" not in body, body
    inserts = statements.matching(r"insert into .?personal_data_access")
    assert len(inserts) == 1, inserts
    rows = await PersonalDataAccess.all().order_by("complaint_id")
    # One row per complaint read — not one per field and row.
    assert sorted(r.complaint_id for r in rows) == sorted(int(c["id"]) for c in made.values())
    assert {r.fields_read for r in rows} == {"name,phone"}
    assert {r.staff_id for r in rows} == {operator.id}
    assert len({r.created_at for r in rows}) == 1

    # The reporter's name alone is personal data on ANONYMOUS and CONFIDENTIAL reports (not on
    # PUBLIC ones, where everyone sees it).
    await PersonalDataAccess.all().delete()
    body = await gql(QUEUE_NAMES, token=token)
    names = {e["node"]["id"]: e["node"]["reporterName"] for e in body["data"]["caseQueue"]["edges"]}
    assert names[made["CONFIDENTIAL"]["id"]] == "Warga Confidential"
    logged = {(r.complaint_id, r.fields_read) for r in await PersonalDataAccess.all()}
    assert logged == {(int(made["ANONYMOUS"]["id"]), "name"),
                      (int(made["CONFIDENTIAL"]["id"]), "name")}

    # A responder of the SKPD holding the case is logged the same way.
    await PersonalDataAccess.all().delete()
    await gql(DISPATCH, {"id": made["ANONYMOUS"]["id"], "codes": ["dlh"]}, token=token)
    responder, dlh = await make_user(Role.RESPONDER, skpd="dlh")
    inbox = await gql("{ responderInbox { edges { node { reporterName reporter { phone } } } } }",
                      token=dlh)
    assert inbox["data"]["responderInbox"]["edges"][0]["node"]["reporter"]["phone"]
    [row] = await PersonalDataAccess.all()
    assert (row.staff_id, row.complaint_id, row.fields_read) == (
        responder.id, int(made["ANONYMOUS"]["id"]), "name,phone")


# Below the per-socket limit of concurrent operations (BATT_WS_MAX_OPERATIONS, 20).
SUBSCRIPTIONS = 15
SUBSCRIPTION = """subscription {{ s{n}: commandCenterEvents(after: "0") {{
  cursor complaint {{ id reporterName reporter {{ phone }} }} }} }}"""


async def test_many_subscriptions_on_one_socket_log_each_read_once(
    live_server, gql, client, make_user
):
    made = await three_reports(gql, client, make_user)
    operator, token = await make_user(Role.OPERATOR)
    received: dict[int, list[dict]] = {}

    async with ws_client(live_server, token) as session:
        async def follow(n: int) -> None:
            # A different document each (so each runs on its own), replaying the three
            # submissions with the reporters' phones.
            async for result in session.subscribe(parse(SUBSCRIPTION.format(n=n))):
                received.setdefault(n, []).append(result[f"s{n}"])
                if len(received[n]) == 3:
                    return

        await asyncio.wait_for(asyncio.gather(*(follow(n) for n in range(SUBSCRIPTIONS))), 30)
    assert all(e["complaint"]["reporter"]["phone"] for got in received.values() for e in got)
    # 15 subscriptions × 3 events on one socket: one row per complaint (it was 45 rows —
    # 27,900 with 300 subscriptions replaying 93 events).
    rows = await PersonalDataAccess.filter(staff_id=operator.id)
    assert sorted(r.complaint_id for r in rows) == sorted(int(c["id"]) for c in made.values())
    assert {r.fields_read for r in rows} == {"name,phone"}


INTERNAL_NOTE = """mutation($id: ID!, $note: String!) {
  addProgress(id: $id, note: $note, public: false) { errors { code } } }"""
ACCEPT = "mutation($id: ID!) { acceptCase(id: $id) { errors { code } } }"
RECALL = 'mutation($id: ID!) { recallComplaint(id: $id, reason: "Salah SKPD") { errors { code } } }'


async def test_after_a_recall_the_former_skpd_sees_the_case_without_personal_data(
    gql, client, make_user
):
    resident, resident_token = await make_user(Role.CITIZEN, name="Warga Rahasia")
    case = await submit_complaint(gql, client, resident_token, visibility="CONFIDENTIAL")
    _, operator = await make_user(Role.OPERATOR)
    _, dpupr = await make_user(Role.RESPONDER, skpd="dpupr")
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")

    await gql(DISPATCH, {"id": case["id"], "codes": ["dpupr"]}, token=operator)
    await gql(ACCEPT, {"id": case["id"]}, token=dpupr)
    await gql(INTERNAL_NOTE, {"id": case["id"], "note": "Catatan internal PUPR."}, token=dpupr)
    held = (await gql(CASE, {"id": case["id"]}, token=dpupr))["data"]["complaint"]
    assert held["reporter"]["phone"] == resident.phone
    assert held["dispatchedTo"] == [{"code": "dpupr"}]

    assert (await gql(RECALL, {"id": case["id"]}, token=operator))["data"][
        "recallComplaint"]["errors"] == []
    await gql(DISPATCH, {"id": case["id"], "codes": ["dlh"]}, token=operator)
    await gql(ACCEPT, {"id": case["id"]}, token=dlh)
    await gql(INTERNAL_NOTE, {"id": case["id"], "note": "Catatan internal DLH."}, token=dlh)

    former = (await gql(CASE, {"id": case["id"]}, token=dpupr))["data"]["complaint"]
    # The case as they worked it: there, with its place and their own note …
    assert former["id"] == case["id"] and former["description"]
    notes = [t["note"] for t in former["timeline"] if not t["public"]]
    assert notes == ["Catatan internal PUPR."]
    # … but no personal data, no other agency's notes, not the recall reason, not who has it.
    assert former["reporter"] is None and former["reporterName"] is None
    assert former["dispatchedTo"] == []
    assert "Salah SKPD" not in str(former) and "DLH" not in str(former["timeline"])

    current = (await gql(CASE, {"id": case["id"]}, token=dlh))["data"]["complaint"]
    assert current["reporter"]["phone"] == resident.phone
    assert [t["note"] for t in current["timeline"] if not t["public"]] == [
        "Catatan internal DLH."]
    staff = (await gql(CASE, {"id": case["id"]}, token=operator))["data"]["complaint"]
    assert {"Catatan internal PUPR.", "Catatan internal DLH.", "Salah SKPD"} <= {
        t["note"] for t in staff["timeline"]}
    # The resident sees neither internal note.
    own = (await gql(CASE, {"id": case["id"]}, token=resident_token))["data"]["complaint"]
    assert all(t["public"] for t in own["timeline"])
    # Each note records the SKPD that wrote it.
    authors = {e.note: e.author_skpd_id for e in await TimelineEntry.filter(public=False)}
    assert authors["Catatan internal PUPR."] != authors["Catatan internal DLH."]
    assert authors["Salah SKPD"] is None


DUPLICATE = """mutation($id: ID!, $o: ID!) { markDuplicate(id: $id, originalId: $o) {
  errors { code } } }"""
SHOWN = """query($id: ID) { complaint(id: $id) { status duplicateOf { id ticketNumber }
  timeline { note } } }"""
PUBLIC_PAGE = """{ publicComplaints(bbox: {south: -7.95, west: 112.45, north: -7.75, east: 112.60},
  statuses: [DUPLICATE]) { edges { node { ticketNumber duplicateOf { ticketNumber } } } } }"""


async def test_a_public_duplicate_does_not_name_a_confidential_original(
    gql, client, make_user, count_queries
):
    _, first_token = await make_user(Role.CITIZEN)
    _, second_token = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    secret = await submit_complaint(gql, client, first_token, visibility="CONFIDENTIAL")
    open_original = await submit_complaint(gql, client, first_token, visibility="PUBLIC")
    copies = [await submit_complaint(gql, client, second_token) for _ in range(4)]
    for copy, original in zip(copies, (secret, secret, secret, open_original), strict=True):
        marked = await gql(DUPLICATE, {"id": copy["id"], "o": original["id"]}, token=operator)
        assert marked["data"]["markDuplicate"]["errors"] == []

    for viewer in (None, second_token):  # anyone, and the duplicate's own reporter
        shown = (await gql(SHOWN, {"id": copies[0]["id"]}, token=viewer))["data"]["complaint"]
        assert shown["status"] == "DUPLICATE" and shown["duplicateOf"] is None
        assert secret["ticketNumber"] not in str(shown)
        assert "Sama dengan laporan lain" in shown["timeline"][-1]["note"]
    # A public original is named, in the note and as duplicateOf.
    named = (await gql(SHOWN, {"id": copies[3]["id"]}))["data"]["complaint"]
    assert named["duplicateOf"]["ticketNumber"] == open_original["ticketNumber"]
    assert open_original["ticketNumber"] in named["timeline"][-1]["note"]
    # Those who may see the original still get it: the operator, the original's reporter.
    for viewer in (operator, first_token):
        shown = (await gql(SHOWN, {"id": copies[0]["id"]}, token=viewer))["data"]["complaint"]
        assert shown["duplicateOf"]["ticketNumber"] == secret["ticketNumber"]
    # The reporter's stream does not carry it either.
    events = await DomainEvent.filter(type="complaint.duplicate",
                                      subject_id=int(copies[0]["id"]))
    assert secret["ticketNumber"] not in events[0].payload["note"]

    # Decided for the whole page: the originals are read once, not once per row.
    with count_queries() as statements:
        page = await gql(PUBLIC_PAGE, token=second_token)
    nodes = [e["node"] for e in page["data"]["publicComplaints"]["edges"]]
    assert len(nodes) == 4
    assert sorted(str(n["duplicateOf"]) for n in nodes) == sorted(
        ["None"] * 3 + [str({"ticketNumber": open_original["ticketNumber"]})])
    originals = statements.matching(r'from "?complaint"? .*where .*"?id"? in')
    assert len(originals) <= 2, originals  # the page's rows, then their originals
    assert await Complaint.filter(duplicate_of_id=int(secret["id"])).count() == 3


LIVE = """subscription($after: String) { commandCenterEvents(after: $after) { type complaint { dispatchedTo { code }
  timeline { note } } } }"""


async def test_each_event_shows_the_complaint_as_it_is_then(live_server, gql, client, make_user):
    # One WebSocket serves many executions; what one event loaded must not stand in for the
    # complaint at the next (who holds it, its timeline).
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    async with Collector(live_server, operator, LIVE) as wall:
        case = await submit_complaint(gql, client, resident)
        await wall.wait_for(1)
        await gql(DISPATCH, {"id": case["id"], "codes": ["dlh"]}, token=operator)
        await wall.wait_for(2)
        await gql(DISPATCH, {"id": case["id"], "codes": ["dpupr"]}, token=operator)
        events = await wall.wait_for(3)
    assert [e["complaint"]["dispatchedTo"] for e in events] == [
        [], [{"code": "dlh"}], [{"code": "dpupr"}]]
    assert [len(e["complaint"]["timeline"]) for e in events] == [1, 2, 3]
