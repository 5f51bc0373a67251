"""Topic pushes: installations kept in the topics their owners follow, told to FCM through
the real firebase-admin (against the local fake), and one message per broadcast."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.accounts.models import Role
from backend.clock import utcnow
from backend.push import sender
from backend.push.models import Device, Platform, PushStatus, TopicMembership, TopicPush
from backend.push.personal_data import erase as erase_push_data
from backend.push.services import register_device, unregister_device
from backend.push.topics import (
    enqueue_topic_push,
    fcm_topic_name,
    refresh_topics,
    register_topic_source,
    send_due_topic_pushes,
    sync_memberships,
)
from tests.backend.push.fake_fcm import QUOTA_EXCEEDED, UNREGISTERED

# What the people of these tests follow (a domain keeps this in its own tables).
FOLLOWS: dict[int, set[str]] = {}


@register_topic_source
async def followed(user_ids: list[int]) -> dict[int, set[str]]:
    return {u: FOLLOWS[u] for u in user_ids if u in FOLLOWS}


@pytest.fixture(autouse=True)
def no_follows():
    FOLLOWS.clear()
    yield
    FOLLOWS.clear()


def fcm(settings):
    return sender.fcm_transport(settings)


async def follow(user_id: int, *topics: str) -> None:
    FOLLOWS[user_id] = set(topics)
    await refresh_topics(user_ids=[user_id])


async def test_a_phone_follows_its_owner_into_topics_and_out_again(
        make_user, fcm_settings, fake_fcm):
    ana, _ = await make_user(Role.CITIZEN)
    budi, _ = await make_user(Role.CITIZEN)
    await register_device(ana, token="phone-1", platform=Platform.ANDROID)
    await follow(ana.id, "test:city", "test:village:a")
    await follow(budi.id, "test:village:b")

    assert await sync_memberships(fcm(fcm_settings)) == {"joined": 2}
    assert fake_fcm.topics[fcm_topic_name("test:city")] == {"phone-1"}
    assert fake_fcm.topics[fcm_topic_name("test:village:a")] == {"phone-1"}
    assert await sync_memberships(fcm(fcm_settings)) == {}  # nothing left to tell

    # The shared phone is signed in by Budi: it leaves Ana's topics and joins his.
    await register_device(budi, token="phone-1", platform=Platform.ANDROID)
    assert await sync_memberships(fcm(fcm_settings)) == {"joined": 1, "left": 2}
    assert {t: m for t, m in fake_fcm.topics.items() if m} == {
        fcm_topic_name("test:village:b"): {"phone-1"}}

    # Signed out: out of every topic, and the left rows are gone once FCM knows.
    await unregister_device(budi, token="phone-1")
    assert await sync_memberships(fcm(fcm_settings)) == {"left": 1}
    assert not any(fake_fcm.topics.values())
    assert await TopicMembership.all().count() == 0


async def test_an_erased_account_takes_its_phones_out_of_every_topic(
        make_user, fcm_settings, fake_fcm):
    ana, _ = await make_user(Role.CITIZEN)
    await register_device(ana, token="phone-2", platform=Platform.IOS)
    await follow(ana.id, "test:city")
    await sync_memberships(fcm(fcm_settings))
    assert fake_fcm.topics[fcm_topic_name("test:city")] == {"phone-2"}

    await erase_push_data(ana.id)  # deleteMyAccount runs every section's erase

    assert await sync_memberships(fcm(fcm_settings)) == {"left": 1}
    assert fake_fcm.topics[fcm_topic_name("test:city")] == set()


async def test_a_dead_token_is_forgotten_and_a_failed_call_retried(
        make_user, fcm_settings, fake_fcm):
    ana, _ = await make_user(Role.CITIZEN)
    await register_device(ana, token="dead-phone", platform=Platform.ANDROID)
    await register_device(ana, token="live-phone", platform=Platform.ANDROID)
    fake_fcm.answer("dead-phone", UNREGISTERED)
    fake_fcm.answer("live-phone", QUOTA_EXCEEDED)
    await follow(ana.id, "test:city")

    report = await sync_memberships(fcm(fcm_settings))

    assert report == {"token_gone": 1, "retry": 1}
    assert await Device.filter(token="dead-phone").count() == 0
    [waiting] = await TopicMembership.all()
    assert (waiting.token, waiting.synced, waiting.attempts) == ("live-phone", False, 1)
    assert waiting.next_attempt_at > utcnow()
    assert await sync_memberships(fcm(fcm_settings)) == {}  # not due yet

    later = utcnow() + timedelta(minutes=5)
    assert await sync_memberships(fcm(fcm_settings), now=later) == {"joined": 1}
    assert fake_fcm.topics[fcm_topic_name("test:city")] == {"live-phone"}


async def test_a_broadcast_is_one_message_once_and_retried_when_fcm_fails(
        fcm_settings, fake_fcm):
    topics = [f"test:village:{n}" for n in range(7)]
    queued = await enqueue_topic_push(topics, title="Banjir", body="Hindari Jl. Diponegoro",
                                      data={"type": "announcement"}, dedupe_key="flood-1")
    assert queued == 2  # five topics per FCM condition
    again = await enqueue_topic_push(topics, title="Banjir", body="Hindari Jl. Diponegoro",
                                     data={"type": "announcement"}, dedupe_key="flood-1")
    assert again == 0

    assert await send_due_topic_pushes(fcm(fcm_settings)) == {"sent": 2}
    conditions = [s.message["condition"] for s in fake_fcm.sends]
    names = sorted(fcm_topic_name(t) for t in topics)
    assert conditions[0] == " || ".join(f"'{n}' in topics" for n in names[:5])
    assert fake_fcm.sends[1].message["condition"] == " || ".join(
        f"'{n}' in topics" for n in names[5:])


async def test_without_firebase_a_broadcast_is_logged(settings, caplog):
    await enqueue_topic_push(["test:city"], title="Uji", body="Uji siaran", data={},
                             dedupe_key="log-1")
    assert await send_due_topic_pushes(None) == {"logged": 1}
    assert (await TopicPush.get(dedupe_key="log-1")).status is PushStatus.LOGGED
    assert "Uji siaran" in caplog.text
