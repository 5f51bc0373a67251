"""The case flow across command center and responders, with the live stream seen through a
real graphql-transport-ws client (`gql`) over a real socket."""

from __future__ import annotations

from datetime import timedelta

from among_warga.models import Complaint, TimelineEntry
from backend.accounts.models import AuditLog, Role, Skpd
from backend.clock import utcnow
from backend.events.models import DomainEvent
from command_center.sla import flag_overdue
from tests.among_warga.test_complaints import upload_photo
from tests.command_center.conftest import Collector, submit_complaint

DISPATCH = """mutation($id: ID!, $skpds: [ID!]!, $note: String) {
  dispatchComplaint(id: $id, skpdIds: $skpds, note: $note) {
    complaint { status dispatchedTo { code } slaDueAt } errors { field code } } }"""
INBOX = "{ responderInbox { totalCount edges { node { id ticketNumber status reporter { phone } } } } }"
ACCEPT = "mutation($id: ID!) { acceptCase(id: $id) { complaint { status } errors { code } } }"
RESOLVE = """mutation($id: ID!, $photos: [ID!]!) {
  resolveCase(id: $id, note: "Sampah sudah diangkut.", proofPhotoIds: $photos) {
    complaint { status timeline { kind toStatus note public photoIds actorLabel } }
    errors { field code } } }"""
CASE_TIMELINE = "query($id: ID) { complaint(id: $id) { status timeline { toStatus note public } } }"


async def skpd_id(code: str) -> str:
    return str((await Skpd.get(code=code)).id)


async def test_submit_dispatch_accept_resolve_on_the_live_stream(
    live_server, gql, client, make_user
):
    resident, resident_token = await make_user(Role.CITIZEN, name="Warga Sisir")
    _, operator = await make_user(Role.OPERATOR)
    _, dpupr = await make_user(Role.RESPONDER, skpd="dpupr")
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")

    async with Collector(live_server, operator) as wall, \
            Collector(live_server, dpupr) as dpupr_stream, \
            Collector(live_server, dlh) as dlh_stream, \
            Collector(live_server, resident_token) as resident_stream:
        complaint = await submit_complaint(gql, client, resident_token, categoryCode="jalan_rusak")
        [submitted] = await wall.wait_for(1)
        assert submitted["type"] == "COMPLAINT_SUBMITTED"
        assert submitted["case"]["ticketNumber"] == complaint["ticketNumber"]
        assert submitted["case"]["status"] == "SUBMITTED"

        # Routing suggestion comes from the routing table (Jalan Rusak → Dinas PUPR).
        from command_center.models import RoutingRule

        await RoutingRule.create(category_code="jalan_rusak", area_code=None,
                                 skpd=await Skpd.get(code="dpupr"))
        suggestion = await gql("query($id: ID!) { routingSuggestion(id: $id) { code } }",
                               {"id": complaint["id"]}, token=operator)
        assert suggestion["data"]["routingSuggestion"] == [{"code": "dpupr"}]

        dispatched = await gql(DISPATCH, {"id": complaint["id"], "skpds": [await skpd_id("dpupr")],
                                          "note": "Mohon segera ditambal."}, token=operator)
        assert dispatched["data"]["dispatchComplaint"]["errors"] == []
        assert dispatched["data"]["dispatchComplaint"]["complaint"]["dispatchedTo"] == [
            {"code": "dpupr"}]

        inbox = (await gql(INBOX, token=dpupr))["data"]["responderInbox"]
        assert [e["node"]["ticketNumber"] for e in inbox["edges"]] == [complaint["ticketNumber"]]
        assert inbox["edges"][0]["node"]["reporter"]["phone"] == resident.phone
        assert (await gql(INBOX, token=dlh))["data"]["responderInbox"]["totalCount"] == 0

        accepted = await gql(ACCEPT, {"id": complaint["id"]}, token=dpupr)
        assert accepted["data"]["acceptCase"]["complaint"]["status"] == "IN_PROGRESS"
        proof = await upload_photo(client, dpupr, seed=31)
        resolved = (await gql(RESOLVE, {"id": complaint["id"], "photos": [proof]},
                              token=dpupr))["data"]["resolveCase"]
        assert resolved["errors"] == []
        last = resolved["complaint"]["timeline"][-1]
        assert last["toStatus"] == "RESOLVED" and last["photoIds"] == [proof]
        assert last["actorLabel"] == "Dinas PUPR"

        kinds = [e["type"] for e in await wall.wait_for(4)]
        assert kinds == ["COMPLAINT_SUBMITTED", "COMPLAINT_DISPATCHED", "COMPLAINT_ACCEPTED",
                         "COMPLAINT_RESOLVED"]
        assert [e["type"] for e in await dpupr_stream.wait_for(3)] == kinds[1:]
        assert [e["type"] for e in await resident_stream.wait_for(4)] == kinds
        cursors = [int(e["cursor"]) for e in wall.events]
        assert cursors == sorted(cursors) and len(set(cursors)) == 4
        # Another SKPD hears nothing of this case: the first event DLH receives is a later
        # one of its own case.
        garbage = await submit_complaint(gql, client, resident_token, categoryCode="sampah")
        await gql(DISPATCH, {"id": garbage["id"], "skpds": [await skpd_id("dlh")]},
                  token=operator)
        first_for_dlh = (await dlh_stream.wait_for(1))[0]
        assert first_for_dlh["type"] == "COMPLAINT_DISPATCHED"
        assert first_for_dlh["case"]["ticketNumber"] == garbage["ticketNumber"]

    # The resident sees the whole public history, proof photo included.
    timeline = (await gql(CASE_TIMELINE, {"id": complaint["id"]}, token=resident_token)
                )["data"]["complaint"]["timeline"]
    assert [t["toStatus"] for t in timeline] == ["SUBMITTED", "DISPATCHED", "IN_PROGRESS",
                                                 "RESOLVED"]
    assert await AuditLog.filter(action="dispatch", target_id=complaint["id"]).count() == 1


async def test_other_skpd_and_citizens_are_kept_out(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")
    complaint = await submit_complaint(gql, client, resident)
    await gql(DISPATCH, {"id": complaint["id"], "skpds": [await skpd_id("dpupr")]}, token=operator)

    for mutation in (
        'mutation($id: ID!) { verifyComplaint(id: $id) { errors { code } } }',
        'mutation($id: ID!) { acceptCase(id: $id) { errors { code } } }',
        'mutation($id: ID!) { returnCase(id: $id, reason: "x") { errors { code } } }',
    ):
        body = await gql(mutation, {"id": complaint["id"]}, token=resident)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", mutation

    # A responder of another SKPD: not in their inbox, not readable, not actionable.
    assert (await gql(INBOX, token=dlh))["data"]["responderInbox"]["totalCount"] == 0
    assert (await gql(ACCEPT, {"id": complaint["id"]}, token=dlh))["data"]["acceptCase"][
        "errors"] == [{"code": "NOT_YOUR_CASE"}]
    # (the complaint is PUBLIC, so they see the public view only: no reporter data)
    seen = await gql("query($id: ID) { complaint(id: $id) { reporter { phone } dispatchedTo { code } } }",
                     {"id": complaint["id"]}, token=dlh)
    assert seen["data"]["complaint"] == {"reporter": None, "dispatchedTo": []}


async def test_triage_actions_and_their_rules(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    first = await submit_complaint(gql, client, resident)
    second = await submit_complaint(gql, client, resident)
    third = await submit_complaint(gql, client, resident)

    verify = 'mutation($id: ID!) { verifyComplaint(id: $id) { complaint { status } errors { code } } }'
    assert (await gql(verify, {"id": first["id"]}, token=operator))["data"]["verifyComplaint"][
        "complaint"]["status"] == "VERIFIED"
    again = (await gql(verify, {"id": first["id"]}, token=operator))["data"]["verifyComplaint"]
    assert again["errors"] == [{"code": "INVALID_TRANSITION"}]

    reject = 'mutation($id: ID!, $r: String!) { rejectComplaint(id: $id, reason: $r) { complaint { status } errors { field code } } }'
    empty = (await gql(reject, {"id": second["id"], "r": " "}, token=operator))["data"]
    assert empty["rejectComplaint"]["errors"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    rejected = (await gql(reject, {"id": second["id"], "r": "Bukan wilayah Kota Batu."},
                          token=operator))["data"]["rejectComplaint"]
    assert rejected["complaint"]["status"] == "REJECTED"

    duplicate = """mutation($id: ID!, $o: ID!) { markDuplicate(id: $id, originalId: $o) {
        complaint { status duplicateOf { ticketNumber } } errors { field code } } }"""
    marked = (await gql(duplicate, {"id": third["id"], "o": first["id"]}, token=operator))["data"]
    assert marked["markDuplicate"]["complaint"] == {
        "status": "DUPLICATE", "duplicateOf": {"ticketNumber": first["ticketNumber"]}}

    recategorise = """mutation($id: ID!) { changeCategory(id: $id, categoryCode: "pohon_tumbang") {
        complaint { category { code } } errors { code } } }"""
    changed = (await gql(recategorise, {"id": first["id"]}, token=operator))["data"]
    assert changed["changeCategory"]["complaint"]["category"]["code"] == "pohon_tumbang"

    # Dispatch to two SKPD, re-route to one, recall.
    both = [await skpd_id("dlh"), await skpd_id("bpbd")]
    assert (await gql(DISPATCH, {"id": first["id"], "skpds": both}, token=operator))["data"][
        "dispatchComplaint"]["complaint"]["dispatchedTo"] == [{"code": "bpbd"}, {"code": "dlh"}]
    rerouted = (await gql(DISPATCH, {"id": first["id"], "skpds": [both[0]]}, token=operator)
                )["data"]["dispatchComplaint"]["complaint"]
    assert rerouted["dispatchedTo"] == [{"code": "dlh"}]
    recall = """mutation($id: ID!) { recallComplaint(id: $id, reason: "Salah kirim") {
        complaint { status dispatchedTo { code } } errors { code } } }"""
    recalled = (await gql(recall, {"id": first["id"]}, token=operator))["data"]["recallComplaint"]
    assert recalled["complaint"] == {"status": "VERIFIED", "dispatchedTo": []}
    unknown = (await gql(DISPATCH, {"id": first["id"], "skpds": ["999"]}, token=operator))["data"]
    assert unknown["dispatchComplaint"]["errors"] == [{"field": "skpdIds", "code": "SKPD_NOT_FOUND"}]

    assert {a.action for a in await AuditLog.all()} >= {
        "verify", "reject", "mark_duplicate", "change_category", "dispatch", "recall"}
    # The recall is internal: the resident's timeline does not show it.
    timeline = (await gql(CASE_TIMELINE, {"id": first["id"]}, token=resident)
                )["data"]["complaint"]["timeline"]
    assert "Salah kirim" not in str(timeline)


async def test_internal_notes_and_returns_stay_internal(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")
    complaint = await submit_complaint(gql, client, resident)
    await gql(DISPATCH, {"id": complaint["id"], "skpds": [await skpd_id("dlh")]}, token=operator)
    await gql(ACCEPT, {"id": complaint["id"]}, token=dlh)
    progress = """mutation($id: ID!, $note: String!, $public: Boolean) {
      addProgress(id: $id, note: $note, public: $public) { errors { code } } }"""
    await gql(progress, {"id": complaint["id"], "note": "Truk dijadwalkan besok pagi.",
                         "public": True}, token=dlh)
    await gql(progress, {"id": complaint["id"], "note": "Catatan internal: sopir cuti.",
                         "public": False}, token=dlh)
    no_proof = (await gql(RESOLVE, {"id": complaint["id"], "photos": []}, token=dlh))["data"]
    assert no_proof["resolveCase"]["errors"] == [
        {"field": "proofPhotoIds", "code": "PROOF_PHOTO_REQUIRED"}]

    resident_view = str((await gql(CASE_TIMELINE, {"id": complaint["id"]}, token=resident))["data"])
    assert "Truk dijadwalkan" in resident_view and "sopir cuti" not in resident_view
    staff_view = str((await gql(CASE_TIMELINE, {"id": complaint["id"]}, token=operator))["data"])
    assert "sopir cuti" in staff_view

    returned = (await gql('mutation($id: ID!) { returnCase(id: $id, reason: "Wewenang DPUPR") '
                          "{ complaint { status } errors { code } } }", {"id": complaint["id"]},
                          token=dlh))["data"]["returnCase"]
    assert returned["complaint"]["status"] == "VERIFIED"
    assert (await gql(INBOX, token=dlh))["data"]["responderInbox"]["totalCount"] == 0


async def test_a_missed_deadline_is_flagged_once(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    complaint = await submit_complaint(gql, client, resident)
    await Complaint.filter(id=int(complaint["id"])).update(sla_due_at=utcnow() - timedelta(minutes=1))

    assert await flag_overdue() == 1
    assert await flag_overdue() == 0  # same deadline: never twice (also after a restart:
    # the flag is in the database, not in memory)
    overdue = await DomainEvent.filter(type="complaint.overdue")
    assert len(overdue) == 1 and overdue[0].payload["stage"] == "triage"
    assert await TimelineEntry.filter(complaint_id=int(complaint["id"]), public=False).count() == 1

    queue = await gql("{ caseQueue(overdueOnly: true) { totalCount edges { node { overdue } } } }",
                      token=operator)
    assert queue["data"]["caseQueue"]["totalCount"] == 1
    assert queue["data"]["caseQueue"]["edges"][0]["node"]["overdue"] is True

    # A new stage has a new deadline, which can be missed again — once.
    await gql(DISPATCH, {"id": complaint["id"], "skpds": [await skpd_id("dlh")]}, token=operator)
    await Complaint.filter(id=int(complaint["id"])).update(sla_due_at=utcnow() - timedelta(seconds=5))
    assert await flag_overdue() == 1
    assert await flag_overdue() == 0
    assert await DomainEvent.filter(type="complaint.overdue").count() == 2
