"""One caller, one version of each complaint: API clients (Apollo, urql, Relay) normalise
objects by typename and id, so `Complaint:16` from the public map and from myComplaints must
carry the same values — or the reporter's own pin jumps to the rounded public point. Every
query resolves a complaint the way this caller may see it; this checks it for the reporter,
an operator, the SKPD holding the case, and an anonymous visitor, over HTTP and WebSocket."""

from __future__ import annotations

from typing import Any

from among_warga.categories import seed_categories
from backend.accounts.models import Role, Skpd
from backend.geo.services import load_demo_areas
from tests.among_warga.test_complaints import complaint_input, upload_photo
from tests.command_center.conftest import Collector, live_server  # noqa: F401 (fixture)

FIELDS = """fragment C on Complaint {
  id ticketNumber status visibility lat lon reporterName reporter { name phone }
  dispatchedTo { code } rating isMine supportedByMe supportCount category { code }
  area { villageCode } duplicateOf { ticketNumber }
  photos { id url thumbnailUrl } timeline { kind note public photoIds } }"""
SUBMIT = """mutation($input: SubmitComplaintInput!) {
  submitComplaint(input: $input) { complaint { ...C } errors { code } } }""" + FIELDS
MINE = "{ myComplaints { edges { node { ...C } } } }" + FIELDS
PUBLIC = """{ publicComplaints(bbox: {south: -7.95, west: 112.45, north: -7.75, east: 112.60}) {
  edges { node { ...C } } } }""" + FIELDS
ONE = "query($id: ID) { complaint(id: $id) { ...C } }" + FIELDS
SIMILAR = """query($lat: Float!, $lon: Float!) { similarComplaints(categoryCode: "narkoba",
  lat: $lat, lon: $lon, radiusMeters: 500) { complaint { ...C } } }""" + FIELDS
QUEUE = "{ caseQueue { edges { node { ...C } } } }" + FIELDS
INBOX = "{ responderInbox { edges { node { ...C } } } }" + FIELDS
UPDATES = """subscription($id: ID!, $after: String) { caseUpdates(id: $id, after: $after) {
  complaint { ...C } } }""" + FIELDS
SPOT = (-7.87144, 112.52744)


async def versions(gql, token: str | None, complaint_id: str, *queries: str) -> list[dict]:
    found = []
    for query in queries:
        body = await gql(query, {"id": complaint_id, "lat": SPOT[0], "lon": SPOT[1]},
                         token=token)
        assert "errors" not in body, body
        found += [c for c in walk(body["data"]) if c.get("id") == complaint_id]
    return found


def walk(value: Any):
    if isinstance(value, dict):
        if "ticketNumber" in value and "lat" in value:
            yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def assert_one_version(found: list[dict], count: int) -> dict:
    assert len(found) == count
    for other in found[1:]:
        assert other == found[0]
    return found[0]


async def test_each_caller_gets_one_version_of_a_complaint(
    gql, client, make_user, live_server  # noqa: F811
):
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    await Skpd.create(code="bnn", name="BNN Kota Batu")
    reporter, token = await make_user(Role.CITIZEN, name="Pelapor Sensitif")
    photo = await upload_photo(client, token)
    submitted = await gql(SUBMIT, {"input": complaint_input(
        [photo], categoryCode="narkoba", at=SPOT, visibility="ANONYMOUS")}, token=token)
    complaint = submitted["data"]["submitComplaint"]["complaint"]
    complaint_id = complaint["id"]

    _, operator = await make_user(Role.OPERATOR)
    dispatched = await gql("""mutation($id: ID!) { dispatchComplaint(id: $id,
        skpdCodes: ["bnn"]) { errors { code } } }""", {"id": complaint_id}, token=operator)
    assert dispatched["data"]["dispatchComplaint"]["errors"] == []
    _, bnn = await make_user(Role.RESPONDER, skpd="bnn")

    # The reporter: their exact pin everywhere, the public map included.
    mine = assert_one_version(
        await versions(gql, token, complaint_id, MINE, PUBLIC, ONE, SIMILAR), 4)
    assert (mine["lat"], mine["lon"]) == SPOT
    assert mine["reporter"]["phone"] == reporter.phone and mine["isMine"] is True
    async with Collector(live_server, token, UPDATES, {"id": complaint_id, "after": "0"}) as stream:
        events = await stream.wait_for(2)  # submitted, dispatched
    assert events[-1]["complaint"] == mine

    # An operator and the SKPD holding the case: exact, with personal data, in every list.
    staff = assert_one_version(
        await versions(gql, operator, complaint_id, QUEUE, PUBLIC, ONE, SIMILAR), 4)
    assert (staff["lat"], staff["lon"]) == SPOT and staff["dispatchedTo"] == [{"code": "bnn"}]
    assigned = assert_one_version(
        await versions(gql, bnn, complaint_id, INBOX, PUBLIC, ONE, SIMILAR), 4)
    assert assigned["reporter"]["phone"] == reporter.phone

    # Anyone else: the coarse point, no personal data — in every list alike.
    public = assert_one_version(
        await versions(gql, None, complaint_id, PUBLIC, ONE, SIMILAR), 3)
    assert (public["lat"], public["lon"]) == (-7.871, 112.527)
    assert public["reporter"] is None and public["reporterName"] is None
