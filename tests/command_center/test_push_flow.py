"""Dispatch reaches the SKPD's responders and resolution reaches the resident — as FCM v1
messages that the real firebase-admin sends to a fake FCM on 127.0.0.1."""

from __future__ import annotations

from backend.accounts.models import Role, Skpd
from backend.events.handlers import drain
from backend.push import sender
from tests.among_warga.test_complaints import upload_photo
from tests.backend.push.conftest import fake_fcm, fcm_settings, service_account_key  # noqa: F401
from tests.command_center.conftest import submit_complaint
from tests.command_center.test_flow import ACCEPT, DISPATCH, RESOLVE

REGISTER = """mutation($t: String!) { registerDevice(token: $t, platform: ANDROID) {
  errors { code } } }"""


async def test_dispatch_and_resolution_push(gql, client, make_user, fcm_settings, fake_fcm):  # noqa: F811
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    _, responder = await make_user(Role.RESPONDER, skpd="dpupr")
    _, other_skpd = await make_user(Role.RESPONDER, skpd="dlh")
    for token, device in ((resident, "resident-phone"), (responder, "dpupr-phone"),
                          (other_skpd, "dlh-phone")):
        assert (await gql(REGISTER, {"t": device}, token=token))["data"]["registerDevice"][
            "errors"] == []

    complaint = await submit_complaint(gql, client, resident, categoryCode="jalan_rusak")
    dpupr = str((await Skpd.get(code="dpupr")).id)
    await gql(DISPATCH, {"id": complaint["id"], "skpds": [dpupr]}, token=operator)
    await drain()  # the event handlers queue the pushes
    await sender.send_due(fcm_settings)

    [dispatch_push] = [p.message for p in fake_fcm.sends_to("dpupr-phone")]
    assert dispatch_push["token"] == "dpupr-phone"
    assert dispatch_push["notification"]["title"] == f"Kasus baru {complaint['ticketNumber']}"
    assert dispatch_push["data"] == {"kind": "dispatch", "complaintId": complaint["id"],
                                     "ticketNumber": complaint["ticketNumber"],
                                     "status": "dispatched"}
    assert all(isinstance(v, str) for v in dispatch_push["data"].values())
    assert fake_fcm.sends_to("dlh-phone") == []  # another SKPD is not told

    await gql(ACCEPT, {"id": complaint["id"]}, token=responder)
    proof = await upload_photo(client, responder, seed=5)
    resolved = (await gql(RESOLVE, {"id": complaint["id"], "photos": [proof]},
                          token=responder))["data"]["resolveCase"]
    assert resolved["errors"] == []
    await drain()  # the event handlers queue the pushes
    await sender.send_due(fcm_settings)

    pushes = {p.message["data"]["status"]: p.message for p in fake_fcm.sends_to("resident-phone")}
    # (sent concurrently: compare as a set) one per public status change, none repeated
    assert sorted(pushes) == ["dispatched", "in_progress", "resolved"]
    assert len(fake_fcm.sends_to("resident-phone")) == 3
    resolved_push = pushes["resolved"]
    assert resolved_push["notification"]["title"] == f"Laporan {complaint['ticketNumber']}"
    assert "selesai" in resolved_push["notification"]["body"]
