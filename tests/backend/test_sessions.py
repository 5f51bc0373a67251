"""Who the caller is: every root field of a request sees the same signed-in caller (read
once), an access token ends with its session (logout, refresh-token reuse) and with its
account (deactivation), and the refusals speak the client's language."""

from __future__ import annotations

import pytest

from backend.accounts.models import AuditLog, Role, User
from backend.accounts.tokens import issue_access_token
from backend.clock import utcnow
from tests.backend.test_accounts import LOGIN, REFRESH, RESIDENT, register
from tests.conftest import error_extensions

LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) { ok errors { code } } }"
SET_ACTIVE = """mutation($id: ID!, $active: Boolean!) {
  setUserActive(userId: $id, active: $active) { user { id active } errors { field code } } }"""


async def test_every_root_field_sees_the_caller_read_once(gql, make_user, count_queries):
    user, token = await make_user(Role.CITIZEN)
    with count_queries() as statements:
        body = await gql("{ a: me { id } b: me { id } }", token=token)
    assert "errors" not in body, body
    assert body["data"] == {"a": {"id": str(user.id)}, "b": {"id": str(user.id)}}
    # The user, their roles and the session's revocation: one statement for the request.
    assert len(statements) == 1, statements

    body = await gql("{ me { id } latestEventCursor }", token=token)
    assert "errors" not in body, body
    assert body["data"]["me"] == {"id": str(user.id)} and body["data"]["latestEventCursor"]

    # The way Apollo Client groups a screen's fields into one operation.
    body = await gql("""query Profile {
      me { id name roles }
      myComplaints(first: 5) { totalCount edges { node { id } } }
    }""", token=token)
    assert "errors" not in body, body
    assert body["data"]["me"]["roles"] == ["CITIZEN"]
    assert body["data"]["myComplaints"]["totalCount"] == 0


async def test_a_user_without_roles_is_still_one_statement(gql, make_user, count_queries):
    user, token = await make_user(Role.CITIZEN)
    from backend.accounts.models import UserRole

    await UserRole.filter(user_id=user.id).delete()
    with count_queries() as statements:
        body = await gql("{ me { id } }", token=token)
    assert body["data"]["me"] == {"id": str(user.id)}
    assert len(statements) == 1, statements


async def test_logout_ends_the_access_token_at_once(gql):
    session = await register(gql)
    assert (await gql("{ me { id } }", token=session["accessToken"]))["data"]["me"]
    out = await gql(LOGOUT, {"t": session["refreshToken"]})
    assert out["data"]["logout"] == {"ok": True, "errors": []}
    body = await gql("{ me { id } }", token=session["accessToken"])
    assert body["data"]["me"] is None
    assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED",
                                               "reason": "session_revoked"}


async def test_refresh_token_reuse_ends_every_access_token_of_the_family(gql):
    first = await register(gql)
    rotated = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert (await gql("{ me { id } }", token=rotated["accessToken"]))["data"]["me"]
    # A thief replays the spent refresh token: the whole family is revoked…
    await gql(REFRESH, {"token": first["refreshToken"]})
    # …and with it both access tokens, the thief's race winner and the owner's.
    for token in (first["accessToken"], rotated["accessToken"]):
        body = await gql("{ me { id } }", token=token)
        assert body["errors"][0]["extensions"]["reason"] == "session_revoked"


async def test_other_sessions_of_the_same_user_go_on(gql):
    phone_session = await register(gql)
    body = await gql(LOGIN, {"input": {"identifier": RESIDENT["phone"],
                                      "password": RESIDENT["password"]}})
    tablet = body["data"]["login"]
    await gql(LOGOUT, {"t": phone_session["refreshToken"]})
    assert (await gql("{ me { id } }", token=tablet["accessToken"]))["data"]["me"]


async def test_a_token_without_its_session_is_refused_as_expired(gql, make_user, settings):
    import jwt

    user, _ = await make_user(Role.CITIZEN)
    now = int(utcnow().timestamp())
    legacy = jwt.encode({"iss": "batt", "sub": str(user.id), "typ": "access", "iat": now,
                         "exp": now + 600}, settings.secret_key, algorithm="HS256")
    body = await gql("{ me { id } }", token=legacy)
    assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED",
                                               "reason": "token_expired"}
    # A session id that was never issued is not revoked either way: the signature vouches.
    fresh = issue_access_token(user.id, settings, session="f" * 32)
    assert (await gql("{ me { id } }", token=fresh))["data"]["me"]


async def test_admin_deactivates_an_account(gql, make_user):
    admin, admin_token = await make_user(Role.ADMIN, name="Admin Kominfo")
    target, target_token = await make_user(Role.OPERATOR, name="Operator Lama")
    body = await gql(LOGIN, {"input": {"identifier": target.phone,
                                      "password": "kata-sandi-uji"}})
    refresh = body["data"]["login"]["refreshToken"]

    body = await gql(SET_ACTIVE, {"id": str(target.id), "active": False}, token=admin_token)
    assert body["data"]["setUserActive"] == {
        "user": {"id": str(target.id), "active": False}, "errors": []}
    body = await gql("{ me { id } }", token=target_token)
    assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED",
                                               "reason": "user_inactive"}
    # Its sessions are revoked: reactivating it does not bring old tokens back.
    body = await gql(REFRESH, {"token": refresh})
    assert [e["code"] for e in body["data"]["refreshToken"]["errors"]] == [
        "INVALID_REFRESH_TOKEN"]
    body = await gql(SET_ACTIVE, {"id": str(target.id), "active": True}, token=admin_token)
    assert body["data"]["setUserActive"]["user"]["active"] is True
    body = await gql("{ me { id } }", token=target_token)
    assert body["errors"][0]["extensions"]["reason"] == "session_revoked"
    actions = await AuditLog.filter(target_id=str(target.id)).order_by("id").values_list(
        "action", "actor_id")
    assert actions == [("deactivate_user", admin.id), ("activate_user", admin.id)]

    # An admin cannot lock themselves (or the city) out.
    body = await gql(SET_ACTIVE, {"id": str(admin.id), "active": False}, token=admin_token)
    assert body["data"]["setUserActive"]["errors"] == [{"field": "userId",
                                                        "code": "OWN_ACCOUNT"}]
    body = await gql(SET_ACTIVE, {"id": "999999", "active": False}, token=admin_token)
    assert body["data"]["setUserActive"]["errors"][0]["code"] == "NOT_FOUND"
    # Only admins may.
    body = await gql(SET_ACTIVE, {"id": str(admin.id), "active": False}, token=target_token)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await User.filter(id=admin.id, is_active=True).exists()


async def test_the_last_active_admin_cannot_be_deactivated(gql, make_user):
    from backend.accounts import services

    first, first_token = await make_user(Role.ADMIN, name="Admin Satu")
    second, _ = await make_user(Role.ADMIN, name="Admin Dua")
    body = await gql(SET_ACTIVE, {"id": str(second.id), "active": False}, token=first_token)
    assert body["data"]["setUserActive"]["errors"] == []
    # `first` is now the only active admin: nobody (here the CLI, no actor) may leave the
    # city without one.
    with pytest.raises(services.ServiceError) as refused:
        await services.set_user_active(None, user_id=first.id, active=False)
    assert refused.value.code.value == "last_admin"


async def test_top_level_refusals_speak_the_clients_language(gql, make_user):
    _, citizen = await make_user(Role.CITIZEN)
    query = "{ users { totalCount } }"
    body = await gql(query)
    assert body["errors"][0]["message"] == "Silakan masuk terlebih dahulu."
    body = await gql(query, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert body["errors"][0]["message"] == "Sign in required."
    assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED",
                                               "reason": "token_missing"}

    body = await gql(query, token=citizen)
    assert error_extensions(body["errors"][0]) == {"code": "FORBIDDEN"}
    assert body["errors"][0]["message"] == (
        "Anda tidak berwenang: tindakan ini hanya untuk peran admin.")
    body = await gql(query, token=citizen, headers={"Accept-Language": "en"})
    assert body["errors"][0]["message"] == "This operation needs one of the roles: admin."

    body = await gql(query, token="not-a-token", headers={"Accept-Language": "en"})
    assert body["errors"][0]["message"] == "Invalid access token. Sign in again."
    body = await gql(query, token="not-a-token")
    assert body["errors"][0]["message"] == "Token akses tidak valid. Silakan masuk lagi."
