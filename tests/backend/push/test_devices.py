"""Registering the phones that receive pushes, over GraphQL as the apps do it."""

from __future__ import annotations

from datetime import timedelta

from backend.accounts.models import Role
from backend.clock import utcnow
from backend.push import services
from backend.push.models import Device, Platform

REGISTER = """mutation($token: String!, $platform: DevicePlatform!) {
  registerDevice(token: $token, platform: $platform) {
    device { id platform createdAt lastSeenAt } errors { field code message } } }"""
UNREGISTER = """mutation($token: String!) {
  unregisterDevice(token: $token) { removed errors { field code } } }"""
TOKEN = "cX9a1:APA91bGx-resident-phone_token"


async def register(gql, token: str, session: str, platform: str = "ANDROID") -> dict:
    body = await gql(REGISTER, {"token": token, "platform": platform}, token=session)
    return body["data"]["registerDevice"]


async def test_register_is_idempotent_and_refreshes_last_seen(gql, make_user):
    user, session = await make_user(Role.CITIZEN)

    first = await register(gql, TOKEN, session)
    assert first["errors"] == [] and first["device"]["platform"] == "ANDROID"
    again = await register(gql, f"  {TOKEN} ", session)

    assert again["errors"] == []
    assert again["device"]["id"] == first["device"]["id"]
    assert again["device"]["lastSeenAt"] >= first["device"]["lastSeenAt"]
    assert await Device.filter(user_id=user.id).count() == 1


async def test_a_token_registered_again_moves_to_the_new_user(gql, make_user):
    first_owner, first_session = await make_user(Role.CITIZEN)
    second_owner, second_session = await make_user(Role.CITIZEN)
    await register(gql, TOKEN, first_session)

    moved = await register(gql, TOKEN, second_session, platform="IOS")

    assert moved["errors"] == [] and moved["device"]["platform"] == "IOS"
    device = await Device.get(token=TOKEN)
    assert device.user_id == second_owner.id
    assert await Device.filter(user_id=first_owner.id).count() == 0


async def test_unregister_removes_only_the_callers_own_device(gql, make_user):
    owner, owner_session = await make_user(Role.CITIZEN)
    _, stranger_session = await make_user(Role.CITIZEN)
    await register(gql, TOKEN, owner_session)

    stranger = (await gql(UNREGISTER, {"token": TOKEN}, token=stranger_session))["data"]
    assert stranger["unregisterDevice"] == {"removed": False, "errors": []}
    assert await Device.filter(user_id=owner.id).count() == 1

    mine = (await gql(UNREGISTER, {"token": TOKEN}, token=owner_session))["data"]
    assert mine["unregisterDevice"] == {"removed": True, "errors": []}
    twice = (await gql(UNREGISTER, {"token": TOKEN}, token=owner_session))["data"]
    assert twice["unregisterDevice"] == {"removed": False, "errors": []}
    assert await Device.all().count() == 0


async def test_bad_tokens_are_payload_errors(gql, make_user):
    _, session = await make_user(Role.CITIZEN)
    for bad in ("", "   ", "has space", "x" * 1025):
        payload = await register(gql, bad, session)
        assert payload["device"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            ("token", "INVALID_DEVICE_TOKEN")]
    english = await gql(REGISTER, {"token": "", "platform": "WEB"}, token=session,
                        headers={"Accept-Language": "en"})
    assert "FCM registration token" in \
        english["data"]["registerDevice"]["errors"][0]["message"]
    assert await Device.all().count() == 0


async def test_signed_out_callers_are_refused(gql):
    body = await gql(REGISTER, {"token": TOKEN, "platform": "ANDROID"})
    assert body["data"]["registerDevice"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(UNREGISTER, {"token": TOKEN})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_least_recently_seen_devices_beyond_the_cap_are_dropped(make_user):
    user, _ = await make_user(Role.CITIZEN)
    start = utcnow()
    for n in range(services.MAX_DEVICES_PER_USER + 2):
        await services.register_device(user, token=f"token-{n}", platform=Platform.ANDROID,
                                       now=start + timedelta(minutes=n))

    tokens = set(await Device.filter(user_id=user.id).values_list("token", flat=True))
    assert len(tokens) == services.MAX_DEVICES_PER_USER
    assert "token-0" not in tokens and "token-1" not in tokens
