"""The push job against the real firebase-admin and a fake FCM."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from backend.accounts.models import Role
from backend.clock import utcnow
from backend.events import unit_of_work
from backend.push import sender
from backend.push.models import Device, Platform, PushMessage, PushStatus
from backend.push.services import enqueue_push, register_device
from tests.backend.push import fake_fcm as fcm
from tests.backend.push.conftest import PROJECT_ID

ANDROID_TOKEN = "dAndroid-1:APA91bH_token_for_the_resident_phone"
IOS_TOKEN = "fIos-2:APA91bH_token_for_the_resident_ipad"
DATA = {"kind": "complaint_update", "complaintId": "42", "ticketNumber": "BT-2406-0042",
        "status": "verified"}


async def queue(user_id: int, key: str = "complaint:42:verified") -> int:
    async with unit_of_work():
        return await enqueue_push(
            [user_id], title="Laporan BT-2406-0042", body="Laporan Anda sudah diverifikasi.",
            data=DATA, dedupe_key=key,
        )


async def resident_with(make_user, *tokens: tuple[str, Platform]):
    user, _ = await make_user(Role.CITIZEN)
    for token, platform in tokens:
        await register_device(user, token=token, platform=platform)
    return user


async def test_sends_a_well_formed_v1_message_to_every_device(make_user, fcm_settings, fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID),
                               (IOS_TOKEN, Platform.IOS))
    assert await queue(user.id) == 1

    report = await sender.send_due(fcm_settings)

    assert report == {"sent": 1}
    assert {s.message["token"] for s in fake_fcm.sends} == {ANDROID_TOKEN, IOS_TOKEN}
    for send in fake_fcm.sends:
        assert send.project == PROJECT_ID
        # The access token the fake's OAuth endpoint issued for the service account.
        scheme, _, access_token = send.headers["authorization"].partition(" ")
        assert scheme == "Bearer" and access_token in fake_fcm.issued_tokens
        assert send.headers["content-type"].startswith("application/json")
        message = send.message
        assert set(message) >= {"token", "notification", "data", "android", "apns"}
        assert message["notification"] == {"title": "Laporan BT-2406-0042",
                                           "body": "Laporan Anda sudah diverifikasi."}
        assert message["data"] == DATA
        assert all(isinstance(v, str) for v in message["data"].values())
        assert message["android"]["priority"] == "high"
        assert message["apns"]["headers"]["apns-priority"] == "10"
        assert message["apns"]["payload"]["aps"]["sound"] == "default"
        assert "validate_only" not in send.body
    # OAuth grants signed with the service account's key, for a scope FCM accepts.
    for grant in fake_fcm.token_grants:
        assert grant["iss"] == f"batt-push@{PROJECT_ID}.iam.gserviceaccount.com"
        assert "https://www.googleapis.com/auth/cloud-platform" in grant["scope"].split()

    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.SENT and row.attempts == 1 and row.finished_at is not None
    assert sorted(row.delivered_device_ids) == sorted(
        await Device.filter(user_id=user.id).values_list("id", flat=True))
    # Sent rows are done: the next run finds nothing.
    assert await sender.send_due(fcm_settings) == {}
    assert len(fake_fcm.sends) == 2


async def test_a_rolled_back_change_sends_nothing(make_user, fcm_settings, fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))

    class Refused(Exception):
        pass

    try:
        async with unit_of_work():
            assert await enqueue_push([user.id], title="Laporan", body="Diverifikasi.",
                                      data=DATA, dedupe_key="complaint:42:verified") == 1
            raise Refused  # the state change failed after the push was queued
    except Refused:
        pass

    assert await PushMessage.all().count() == 0
    assert await sender.send_due(fcm_settings) == {}
    assert fake_fcm.sends == []


async def test_fcm_500_then_503_then_success_is_delivered_once(make_user, fcm_settings,
                                                                fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)
    fake_fcm.answer(ANDROID_TOKEN, fcm.INTERNAL, fcm.UNAVAILABLE)

    # firebase-admin retries 500/503 itself, with backoff, inside the one send.
    assert await sender.send_due(fcm_settings) == {"sent": 1}

    sends = fake_fcm.sends_to(ANDROID_TOKEN)
    assert len(sends) == 3
    assert sends[0].body == sends[1].body == sends[2].body
    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.SENT and row.attempts == 1


async def test_outbox_retries_with_exponential_backoff_then_delivers(make_user, fcm_settings,
                                                                     fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)
    # Errors firebase-admin gives back at once (a 429 without Retry-After, then 500s that
    # outlast its own retries would take seconds) come back to the outbox.
    fake_fcm.answer(ANDROID_TOKEN, fcm.QUOTA_EXCEEDED, fcm.QUOTA_EXCEEDED)
    start = utcnow()

    assert await sender.send_due(fcm_settings, now=start) == {"pending": 1}
    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == start + timedelta(seconds=30)
    assert "QUOTA_EXCEEDED" in row.last_error or "Quota exceeded" in row.last_error

    # Not due yet: nothing is sent.
    assert await sender.send_due(fcm_settings, now=start + timedelta(seconds=29)) == {}
    assert len(fake_fcm.sends) == 1

    second = start + timedelta(seconds=30)
    assert await sender.send_due(fcm_settings, now=second) == {"pending": 1}
    row = await PushMessage.get(user_id=user.id)
    assert row.attempts == 2 and row.next_attempt_at == second + timedelta(seconds=60)

    assert await sender.send_due(fcm_settings, now=second + timedelta(seconds=60)) == {"sent": 1}
    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.SENT and row.attempts == 3
    assert len(fake_fcm.sends_to(ANDROID_TOKEN)) == 3


async def test_gives_up_after_the_last_attempt_with_the_error(make_user, fcm_settings, fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)
    fake_fcm.answer(ANDROID_TOKEN, *[fcm.QUOTA_EXCEEDED] * sender.MAX_ATTEMPTS)
    now = utcnow()
    for attempt in range(1, sender.MAX_ATTEMPTS + 1):
        report = await sender.send_due(fcm_settings, now=now)
        expected = "failed" if attempt == sender.MAX_ATTEMPTS else "pending"
        assert report == {expected: 1}, attempt
        now = (await PushMessage.get(user_id=user.id)).next_attempt_at
    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.FAILED and row.attempts == sender.MAX_ATTEMPTS
    assert "Quota exceeded" in row.last_error
    assert len(fake_fcm.sends) == sender.MAX_ATTEMPTS
    # The backoff doubled each time and stopped growing at the cap.
    assert sender.retry_delay(1) == timedelta(seconds=30)
    assert sender.retry_delay(3) == timedelta(minutes=2)
    assert sender.retry_delay(20) == sender.MAX_RETRY_DELAY


async def test_unregistered_token_removes_the_device(make_user, fcm_settings, fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID),
                               (IOS_TOKEN, Platform.IOS))
    await queue(user.id)
    fake_fcm.answer(ANDROID_TOKEN, fcm.UNREGISTERED)

    assert await sender.send_due(fcm_settings) == {"sent": 1}

    assert await Device.filter(user_id=user.id).values_list("token", flat=True) == [IOS_TOKEN]
    # The next push goes only to the device that is still there.
    await queue(user.id, key="complaint:42:resolved")
    await sender.send_due(fcm_settings)
    assert len(fake_fcm.sends_to(ANDROID_TOKEN)) == 1
    assert len(fake_fcm.sends_to(IOS_TOKEN)) == 2


async def test_invalid_token_removed_and_nothing_left_means_no_devices(make_user, fcm_settings,
                                                                       fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)
    fake_fcm.answer(ANDROID_TOKEN, fcm.INVALID_TOKEN)

    assert await sender.send_due(fcm_settings) == {"no_devices": 1}
    assert await Device.filter(user_id=user.id).count() == 0


async def test_a_message_fcm_refuses_fails_without_retrying(make_user, fcm_settings, fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)
    fake_fcm.answer(ANDROID_TOKEN, fcm.INVALID_MESSAGE)

    assert await sender.send_due(fcm_settings) == {"failed": 1}
    row = await PushMessage.get(user_id=user.id)
    assert "message.data" in row.last_error and row.attempts == 1
    # A bad message is not the device's fault: it stays registered.
    assert await Device.filter(user_id=user.id).count() == 1


async def test_partial_failure_retries_only_the_devices_not_reached(make_user, fcm_settings,
                                                                    fake_fcm):
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID),
                               (IOS_TOKEN, Platform.IOS))
    await queue(user.id)
    fake_fcm.answer(IOS_TOKEN, fcm.QUOTA_EXCEEDED)
    now = utcnow()

    assert await sender.send_due(fcm_settings, now=now) == {"pending": 1}
    assert await sender.send_due(fcm_settings, now=now + timedelta(minutes=1)) == {"sent": 1}

    assert len(fake_fcm.sends_to(ANDROID_TOKEN)) == 1  # not sent twice
    assert len(fake_fcm.sends_to(IOS_TOKEN)) == 2


async def test_user_without_devices_is_done_with_nothing_sent(make_user, fcm_settings, fake_fcm):
    user, _ = await make_user(Role.CITIZEN)
    await queue(user.id)

    assert await sender.send_due(fcm_settings) == {"no_devices": 1}
    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.NO_DEVICES and row.finished_at is not None
    assert fake_fcm.sends == []


async def test_without_firebase_the_push_is_logged(make_user, settings, caplog, monkeypatch):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    assert settings.firebase_credentials is None
    user = await resident_with(make_user, (ANDROID_TOKEN, Platform.ANDROID))
    await queue(user.id)

    with caplog.at_level(logging.INFO, logger="backend.push.sender"):
        assert await sender.send_due(settings) == {"logged": 1}

    row = await PushMessage.get(user_id=user.id)
    assert row.status == PushStatus.LOGGED and row.last_error is None
    assert "Firebase not configured" in caplog.text and "Laporan BT-2406-0042" in caplog.text
    assert await sender.send_due(settings) == {}


async def test_senders_never_share_a_row(make_user, fcm_settings):
    users = [await resident_with(make_user) for _ in range(5)]
    for user in users:
        await queue(user.id)
    now = utcnow()

    claim_a, first = await sender.claim_due(now, limit=3)
    claim_b, second = await sender.claim_due(now, limit=3)
    claim_c, third = await sender.claim_due(now, limit=3)

    assert len(first) == 3 and len(second) == 2 and third == []
    assert not {r.id for r in first} & {r.id for r in second}
    # A sender that died mid-batch: its rows come back once the lease is over.
    _, again = await sender.claim_due(now + sender.CLAIM_LEASE, limit=10)
    assert {r.id for r in again} == {r.id for r in first + second}
    assert all(r.attempts == 2 for r in again)


async def test_finished_rows_are_purged_after_the_retention(make_user, settings):
    user = await resident_with(make_user)
    await queue(user.id)
    now = utcnow()
    assert await sender.send_due(settings, now=now) == {"logged": 1}

    assert await sender.purge_finished(now + sender.RETENTION - timedelta(seconds=1)) == 0
    assert await sender.purge_finished(now + sender.RETENTION + timedelta(seconds=1)) == 1
    assert await PushMessage.all().count() == 0



async def test_concurrent_senders_split_the_due_rows(make_user):
    users = [await resident_with(make_user) for _ in range(6)]
    for user in users:
        await queue(user.id)
    now = utcnow()

    claims = await asyncio.gather(*(sender.claim_due(now, limit=2) for _ in range(4)))

    claimed = [row.id for _, rows in claims for row in rows]
    assert len(claimed) == len(set(claimed))  # no row went to two senders
    # (A sender may come away with less than its limit while others hold the rows.)
    _, rest = await sender.claim_due(now, limit=10)
    assert len(claimed) + len(rest) == 6
