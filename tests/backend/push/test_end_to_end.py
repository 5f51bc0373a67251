"""A push through the real flow: the operator verifies a complaint over GraphQL, the job
delivers the resident's push through firebase-admin to the fake FCM."""

from __future__ import annotations

import logging

import pytest

from among_warga.categories import seed_categories
from backend.accounts.models import Role
from backend.events.handlers import drain
from backend.geo.services import load_demo_areas
from backend.push import sender
from backend.push.models import PushMessage, PushStatus
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo

REGISTER = """mutation($token: String!) { registerDevice(token: $token, platform: ANDROID) {
  errors { code } } }"""
VERIFY = """mutation($id: ID!) { verifyComplaint(id: $id) { complaint { status }
  errors { code } } }"""
PHONE = "eResident:APA91bH-phone-of-the-reporter"


@pytest.fixture(autouse=True)
async def city() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


async def verified_complaint(gql, client, make_user) -> tuple[int, dict]:
    resident, session = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    registered = await gql(REGISTER, {"token": PHONE}, token=session)
    assert registered["data"]["registerDevice"]["errors"] == []
    photo = await upload_photo(client, session)
    submitted = (await gql(SUBMIT, {"input": complaint_input([photo])}, token=session))[
        "data"]["submitComplaint"]
    assert submitted["errors"] == [], submitted

    verified = (await gql(VERIFY, {"id": submitted["complaint"]["id"]}, token=operator))[
        "data"]["verifyComplaint"]

    # The mutation answers before, and regardless of, anything FCM does.
    assert verified == {"complaint": {"status": "VERIFIED"}, "errors": []}
    return resident.id, submitted["complaint"]


async def test_verifying_a_complaint_pushes_to_the_reporters_phone(
    gql, client, make_user, fcm_settings, fake_fcm
):
    resident_id, complaint = await verified_complaint(gql, client, make_user)

    await drain()  # the event handlers queue the pushes

    report = await sender.send_due(fcm_settings)

    assert report.get("sent", 0) >= 1
    pushes = fake_fcm.sends_to(PHONE)
    verified = [p.message for p in pushes if p.message["data"].get("status") == "verified"]
    assert len(verified) == 1
    message = verified[0]
    assert message["data"]["complaintId"] == complaint["id"]
    assert message["data"]["ticketNumber"] == complaint["ticketNumber"]
    assert complaint["ticketNumber"] in message["notification"]["title"]
    assert all(isinstance(v, str) for v in message["data"].values())
    assert await PushMessage.filter(user_id=resident_id, status=PushStatus.PENDING).count() == 0


async def test_without_firebase_the_mutation_succeeds_and_the_push_is_logged(
    gql, client, make_user, settings, caplog, monkeypatch
):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    resident_id, complaint = await verified_complaint(gql, client, make_user)

    with caplog.at_level(logging.INFO, logger="backend.push.sender"):
        await drain()  # the event handlers queue the pushes
        report = await sender.send_due(settings)

    assert report.get("logged", 0) >= 1 and set(report) == {"logged"}
    assert complaint["ticketNumber"] in caplog.text
    rows = await PushMessage.filter(user_id=resident_id)
    assert rows and all(r.status == PushStatus.LOGGED for r in rows)
