"""Rough edges a client developer met: dispatching by SKPD code (ids still accepted) with the
unknown codes named; INVALID_TRANSITION saying what the status is and what the action needs;
the GeoJSON feed speaking GraphQL's names, values and errors."""

from __future__ import annotations

from backend.accounts.models import Role, Skpd
from tests.command_center.conftest import submit_complaint
from tests.conftest import error_extensions

DISPATCH = """mutation($id: ID!, $codes: [String!], $ids: [ID!]) {
  dispatchComplaint(id: $id, skpdCodes: $codes, skpdIds: $ids) {
    complaint { status dispatchedTo { code } } errors { field code message } } }"""


async def test_dispatch_by_skpd_code_naming_unknown_codes(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    case = await submit_complaint(gql, client, resident)

    by_code = (await gql(DISPATCH, {"id": case["id"], "codes": ["dlh", "bpbd"]},
                         token=operator))["data"]["dispatchComplaint"]
    assert by_code["errors"] == []
    assert by_code["complaint"]["dispatchedTo"] == [{"code": "bpbd"}, {"code": "dlh"}]

    unknown = (await gql(DISPATCH, {"id": case["id"], "codes": ["dlh", "dinsos", "pmi"]},
                         token=operator))["data"]["dispatchComplaint"]
    [error] = unknown["errors"]
    assert (error["field"], error["code"]) == ("skpdCodes", "SKPD_NOT_FOUND")
    assert "'dinsos'" in error["message"] and "'pmi'" in error["message"]
    assert "'dlh'" not in error["message"]
    english = (await gql(DISPATCH, {"id": case["id"], "codes": ["dinsos"]}, token=operator,
                         headers={"Accept-Language": "en"}))["data"]["dispatchComplaint"]
    assert english["errors"][0]["message"] == "No SKPD 'dinsos'; see the `skpds` list."

    # The old way still works (deprecated in the schema).
    dpupr = str((await Skpd.get(code="dpupr")).id)
    by_id = (await gql(DISPATCH, {"id": case["id"], "ids": [dpupr]}, token=operator))["data"]
    assert by_id["dispatchComplaint"]["complaint"]["dispatchedTo"] == [{"code": "dpupr"}]
    missing = (await gql(DISPATCH, {"id": case["id"], "ids": ["999999"]}, token=operator))
    assert missing["data"]["dispatchComplaint"]["errors"][0]["field"] == "skpdIds"
    assert "999999" in missing["data"]["dispatchComplaint"]["errors"][0]["message"]
    nothing = (await gql(DISPATCH, {"id": case["id"]}, token=operator))["data"]
    assert nothing["dispatchComplaint"]["errors"][0]["code"] == "SKPD_REQUIRED"

    introspection = await gql("""{ __type(name: "Mutation") { fields { name
        args(includeDeprecated: true) { name isDeprecated } } } }""")
    [field] = [f for f in introspection["data"]["__type"]["fields"]
               if f["name"] == "dispatchComplaint"]
    assert {a["name"]: a["isDeprecated"] for a in field["args"]}["skpdIds"] is True


async def test_invalid_transition_names_the_status_and_what_is_needed(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")
    case = await submit_complaint(gql, client, resident)

    confirm = """mutation($id: ID!) { confirmResolution(id: $id, resolved: true) {
      errors { field code message } } }"""
    early = (await gql(confirm, {"id": case["id"]}, token=resident,
                       headers={"Accept-Language": "en"}))["data"]["confirmResolution"]
    assert early["errors"] == [{"field": "id", "code": "INVALID_TRANSITION",
                                "message": "The report is SUBMITTED now; this needs RESOLVED."}]

    recall = """mutation($id: ID!) { recallComplaint(id: $id, reason: "x") {
      errors { code message } } }"""
    refused = (await gql(recall, {"id": case["id"]}, token=operator))["data"]["recallComplaint"]
    assert refused["errors"] == [{
        "code": "INVALID_TRANSITION",
        "message": "Status kasus saat ini SUBMITTED; tindakan ini memerlukan status "
                   "DISPATCHED / IN_PROGRESS."}]

    await gql(DISPATCH, {"id": case["id"], "codes": ["dlh"]}, token=operator)
    resolve = """mutation($id: ID!, $p: [ID!]!) { resolveCase(id: $id, note: "Selesai.",
      proofPhotoIds: $p) { errors { code message } } }"""
    early_fix = (await gql(resolve, {"id": case["id"], "p": ["1"]}, token=dlh,
                           headers={"Accept-Language": "en"}))["data"]["resolveCase"]
    assert early_fix["errors"][0]["message"] == \
        "The case is DISPATCHED now; this needs IN_PROGRESS."
    verify = 'mutation($id: ID!) { verifyComplaint(id: $id) { errors { code message } } }'
    late = (await gql(verify, {"id": case["id"]}, token=operator,
                      headers={"Accept-Language": "en"}))["data"]["verifyComplaint"]
    assert late["errors"][0]["message"] == "The report is DISPATCHED now; this needs SUBMITTED."


FEED = "/feeds/complaints.geojson"
BATU = "-7.95,112.45,-7.75,112.60"


async def test_the_feed_speaks_graphqls_dialect(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    trash = await submit_complaint(gql, client, resident, categoryCode="sampah")
    road = await submit_complaint(gql, client, resident, categoryCode="jalan_rusak")
    light = await submit_complaint(gql, client, resident, categoryCode="pju")
    await gql('mutation($id: ID!) { verifyComplaint(id: $id) { errors { code } } }',
              {"id": road["id"]}, token=operator)

    async def tickets(**params) -> list[str]:
        response = await client.get(FEED, params={"bbox": BATU, **params})
        assert response.status_code == 200, response.text
        return sorted(f["properties"]["ticketNumber"] for f in response.json()["features"])

    both = sorted([trash["ticketNumber"], road["ticketNumber"]])
    assert await tickets(categoryCodes="sampah,jalan_rusak") == both
    assert await tickets(categoryCodes=["sampah", "jalan_rusak"]) == both
    assert await tickets(category="sampah,jalan_rusak") == both  # the older name
    assert await tickets(statuses="VERIFIED") == [road["ticketNumber"]]
    assert await tickets(statuses=["SUBMITTED", "VERIFIED"]) == sorted(
        [trash["ticketNumber"], road["ticketNumber"], light["ticketNumber"]])
    assert await tickets(status="verified") == [road["ticketNumber"]]  # the older name

    feature = (await client.get(FEED, params={"bbox": BATU, "categoryCodes": "jalan_rusak"},
                                headers={"Accept-Language": "en"})).json()["features"][0]
    graphql = (await gql("""query($id: ID) { complaint(id: $id) { id status
        category { code name } } }""", {"id": road["id"]},
        headers={"Accept-Language": "en"}))["data"]["complaint"]
    assert feature["id"] == graphql["id"]
    assert feature["properties"]["status"] == graphql["status"] == "VERIFIED"
    assert feature["properties"]["categoryCode"] == graphql["category"]["code"]
    assert feature["properties"]["categoryName"] == graphql["category"]["name"]

    # One policy for unknown values: 400, coded like GraphQL's BAD_USER_INPUT, naming them.
    for params, reason, field, named in (
        ({"categoryCodes": "sampah,hantu"}, "unknown_category", "categoryCodes", "hantu"),
        ({"statuses": "SUBMITTED,LOST"}, "unknown_status", "statuses", "LOST"),
        ({"status": "lost"}, "unknown_status", "statuses", "lost"),
        ({"bbox": "10,112,5,113"}, "invalid_bbox", "bbox", None),
    ):
        response = await client.get(FEED, params={"bbox": BATU, **params})
        assert response.status_code == 400, params
        [error] = response.json()["errors"]
        assert error_extensions(error) == {"code": "BAD_USER_INPUT", "reason": reason,
                                           "field": field}
        if named:
            assert named in error["message"]
    # GraphQL refuses an unknown category the same way.
    body = await gql("""{ publicComplaints(bbox: {south: -7.95, west: 112.45, north: -7.75,
        east: 112.60}, categoryCodes: ["sampah", "hantu"]) { totalCount } }""")
    assert body["errors"][0]["extensions"]["reason"] == "unknown_category"
    assert "hantu" in body["errors"][0]["message"]
