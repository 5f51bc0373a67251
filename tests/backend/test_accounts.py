from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import httpx
import pytest

from backend import firebase
from backend.accounts.models import AuditLog, RefreshToken, Role, Skpd, User, UserRole
from backend.accounts.tokens import issue_access_token
from backend.app import create_app
from backend.clock import utcnow
from tests.conftest import GraphQL, error_extensions, replace_settings

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    accessToken refreshToken
    user { id name phone roles }
    errors { field message code }
  }
}"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken user { id phone } errors { field message code } }
}"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken errors { field code } }
}"""
ME = "query { me { id name phone nik roles skpd { code } } }"

RESIDENT = {"name": "Budi Santoso", "phone": "0812-3456-7890", "password": "apel-manalagi-99",
            "nik": "3579011203850001"}


async def register(gql, **overrides):
    body = await gql(REGISTER, {"input": {**RESIDENT, **overrides}})
    return body["data"]["register"]


async def test_register_login_me_round_trip(gql):
    registered = await register(gql)
    assert registered["errors"] == []
    assert registered["user"]["phone"] == "+6281234567890"
    assert registered["user"]["roles"] == ["CITIZEN"]

    body = await gql(LOGIN, {"input": {"identifier": "081234567890", "password": "apel-manalagi-99"}})
    login = body["data"]["login"]
    assert login["errors"] == [] and login["accessToken"]

    me = (await gql(ME, token=login["accessToken"]))["data"]["me"]
    assert me["name"] == "Budi Santoso"
    assert me["phone"] == "+6281234567890"
    assert me["nik"] == "3579011203850001"
    assert me["roles"] == ["CITIZEN"]

    # The NIK works as the identifier too.
    by_nik = await gql(LOGIN, {"input": {"identifier": "3579011203850001",
                                        "password": "apel-manalagi-99"}})
    assert by_nik["data"]["login"]["user"]["phone"] == "+6281234567890"


async def test_wrong_password_is_a_payload_error(gql, client):
    await register(gql)
    response = await client.post("/graphql", json={
        "query": LOGIN,
        "variables": {"input": {"identifier": "+6281234567890", "password": "salah-salah-1"}},
    })
    assert response.status_code == 200
    login = response.json()["data"]["login"]
    assert login["accessToken"] is None
    assert login["errors"] == [{"field": "password", "code": "INVALID_CREDENTIALS",
                                "message": "Nomor HP/NIK atau kata sandi salah."}]


@pytest.mark.parametrize("nik", ["1234", "35790112038500011", "3579011203850A01",
                                 "9979011203850001", "3579013213850001", "3579011203850000"])
async def test_malformed_nik_is_refused(gql, nik):
    result = await register(gql, nik=nik)
    assert result["accessToken"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("nik", "INVALID_NIK")]
    assert await User.all().count() == 0


async def test_english_messages_when_asked(gql):
    body = await gql(REGISTER, {"input": {**RESIDENT, "phone": "12"}},
                     headers={"Accept-Language": "en-US,en;q=0.9"})
    error = body["data"]["register"]["errors"][0]
    assert error["code"] == "INVALID_PHONE"
    assert error["message"].startswith("Invalid phone number")


async def test_duplicate_phone_and_nik_are_refused(gql):
    await register(gql)
    same_phone = await register(gql, nik="3579015507900002", password="lain-sandi-123")
    assert [e["code"] for e in same_phone["errors"]] == ["PHONE_TAKEN"]
    same_nik = await register(gql, phone="081298765432")
    assert [e["code"] for e in same_nik["errors"]] == ["NIK_TAKEN"]
    assert await User.all().count() == 1


async def test_retried_registration_signs_in_instead_of_duplicating(gql):
    first = await register(gql)
    retry = await register(gql)  # the phone lost the first response and sent it again
    assert retry["errors"] == []
    assert retry["user"]["id"] == first["user"]["id"]
    assert await User.all().count() == 1


async def test_several_problems_reported_at_once(gql):
    result = await register(gql, name="X", phone="abc", password="123")
    assert {(e["field"], e["code"]) for e in result["errors"]} == {
        ("name", "INVALID_NAME"), ("phone", "INVALID_PHONE"), ("password", "WEAK_PASSWORD")}


async def test_admin_operation_as_citizen_is_forbidden(gql, make_user):
    _, token = await make_user(Role.CITIZEN)
    body = await gql('mutation { createSkpd(input: {code: "dinsos", name: "Dinas Sosial"}) '
                     "{ errors { code } } }", token=token)
    assert body["data"] is None or body["data"]["createSkpd"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    anonymous = await gql("query { users { totalCount } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_roles_are_read_per_request_and_a_deactivated_user_is_refused(gql, make_user):
    await Skpd.create(code="dlh", name="Dinas Lingkungan Hidup")
    user, token = await make_user(Role.CITIZEN, Role.RESPONDER, skpd="dlh")
    me = (await gql(ME, token=token))["data"]["me"]
    assert sorted(me["roles"]) == ["CITIZEN", "RESPONDER"] and me["skpd"] == {"code": "dlh"}

    # A revoked role stops working with the next request, not when the token expires.
    await UserRole.filter(user_id=user.id, role=Role.RESPONDER).delete()
    me = (await gql(ME, token=token))["data"]["me"]
    assert me["roles"] == ["CITIZEN"] and me["skpd"] is None
    # Without any role the account still signs in.
    await UserRole.filter(user_id=user.id).delete()
    assert (await gql(ME, token=token))["data"]["me"]["roles"] == []

    for keep_roles in (False, True):
        other, other_token = await make_user(Role.CITIZEN, name=f"Nonaktif {keep_roles}")
        if not keep_roles:
            await UserRole.filter(user_id=other.id).delete()
        await User.filter(id=other.id).update(is_active=False)
        body = await gql(ME, token=other_token)
        assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED",
                                                   "reason": "user_inactive"}


async def test_expired_and_forged_access_tokens_are_refused(gql, make_user, settings):
    user, _ = await make_user(Role.CITIZEN)
    expired = issue_access_token(user.id, settings, now=utcnow() - timedelta(hours=1),
                                 session="a" * 32)
    body = await gql(ME, token=expired)
    assert error_extensions(body["errors"][0]) == {"code": "UNAUTHENTICATED", "reason": "token_expired"}

    forged = issue_access_token(user.id, replace_settings(settings, secret_key="z" * 40),
                                session="a" * 32)
    body = await gql(ME, token=forged)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refresh_token_works_once_and_reuse_revokes_family(gql):
    first = await register(gql)
    rotated = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert rotated["errors"] == [] and rotated["refreshToken"] != first["refreshToken"]
    assert (await gql(ME, token=rotated["accessToken"]))["data"]["me"]["phone"]

    reused = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert reused["accessToken"] is None
    assert [e["code"] for e in reused["errors"]] == ["REFRESH_TOKEN_REUSED"]
    # The thief's use revoked the whole family, including the legitimate rotated token.
    after = (await gql(REFRESH, {"token": rotated["refreshToken"]}))["data"]["refreshToken"]
    assert [e["code"] for e in after["errors"]] == ["INVALID_REFRESH_TOKEN"]
    # Only hashes are stored.
    assert not await RefreshToken.filter(token_hash=first["refreshToken"]).exists()


async def test_logout_revokes_the_session(gql):
    first = await register(gql)
    out = await gql("mutation($t: String!) { logout(refreshToken: $t) { ok errors { code } } }",
                    {"t": first["refreshToken"]})
    assert out["data"]["logout"] == {"ok": True, "errors": []}
    again = (await gql(REFRESH, {"token": first["refreshToken"]}))["data"]["refreshToken"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_REFRESH_TOKEN"]


async def test_login_failures_are_throttled_per_identifier(gql):
    await register(gql)
    for _ in range(5):
        body = await gql(LOGIN, {"input": {"identifier": "081234567890", "password": "nope-nope"}})
        assert body["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    body = await gql(LOGIN, {"input": {"identifier": "081234567890",
                                      "password": RESIDENT["password"]}})
    assert body["data"]["login"]["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    # Another account from the same address is not locked out by this one's failures.
    await register(gql, phone="081298765432", nik=None)
    other = await gql(LOGIN, {"input": {"identifier": "081298765432",
                                       "password": RESIDENT["password"]}})
    assert other["data"]["login"]["errors"] == []


async def test_login_failures_are_throttled_per_address(gql, settings, client):
    await register(gql)
    for i in range(settings.login_max_failures_per_address):
        await gql(LOGIN, {"input": {"identifier": f"08129{i:07d}", "password": "nope-nope"}})
    body = await gql(LOGIN, {"input": {"identifier": "081234567890",
                                      "password": RESIDENT["password"]}})
    assert body["data"]["login"]["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


async def test_admin_manages_skpd_and_roles(gql, make_user):
    _, admin = await make_user(Role.ADMIN)
    created = await gql('mutation { createSkpd(input: {code: "dpupr", name: "Dinas PUPR"}) '
                        "{ skpd { id code name } errors { code } } }", token=admin)
    assert created["data"]["createSkpd"]["skpd"]["code"] == "dpupr"
    dup = await gql('mutation { createSkpd(input: {code: "dpupr", name: "Lagi"}) '
                    "{ errors { field code } } }", token=admin)
    assert dup["data"]["createSkpd"]["errors"] == [{"field": "code", "code": "SKPD_CODE_TAKEN"}]

    staff, staff_token = await make_user(Role.CITIZEN, name="Petugas Jalan")
    grant = """mutation($u: ID!, $r: Role!, $s: String) {
      grantRole(userId: $u, role: $r, skpdCode: $s) { user { roles skpd { code } } errors { field code } } }"""
    missing = await gql(grant, {"u": str(staff.id), "r": "RESPONDER"}, token=admin)
    assert missing["data"]["grantRole"]["errors"] == [{"field": "skpdCode", "code": "SKPD_REQUIRED"}]
    ok = await gql(grant, {"u": str(staff.id), "r": "RESPONDER", "s": "dpupr"}, token=admin)
    assert ok["data"]["grantRole"] == {
        "user": {"roles": ["CITIZEN", "RESPONDER"], "skpd": {"code": "dpupr"}}, "errors": []}
    me = (await gql(ME, token=staff_token))["data"]["me"]
    assert me["skpd"] == {"code": "dpupr"} and "RESPONDER" in me["roles"]

    revoke = await gql('mutation($u: ID!) { revokeRole(userId: $u, role: RESPONDER) '
                       "{ user { roles } errors { code } } }", {"u": str(staff.id)}, token=admin)
    assert revoke["data"]["revokeRole"]["user"]["roles"] == ["CITIZEN"]
    assert await AuditLog.filter(action__in=["grant_role", "revoke_role", "create_skpd"]).count() == 3

    skpds = await gql("query { skpds { code name } }")
    assert skpds["data"]["skpds"] == [{"code": "dpupr", "name": "Dinas PUPR"}]


async def test_last_admin_cannot_be_removed(gql, make_user):
    admin_user, admin = await make_user(Role.ADMIN)
    body = await gql('mutation($u: ID!) { revokeRole(userId: $u, role: ADMIN) { errors { code } } }',
                     {"u": str(admin_user.id)}, token=admin)
    assert body["data"]["revokeRole"]["errors"] == [{"code": "LAST_ADMIN"}]


async def test_users_connection_paginates(gql, make_user):
    _, admin = await make_user(Role.ADMIN, name="Admin")
    for i in range(4):
        await make_user(Role.FARMER, name=f"Petani {i}")
    query = """query($after: String) { users(first: 2, after: $after, role: FARMER) {
        totalCount edges { node { name roles } cursor } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await gql(query, {"after": after}, token=admin))["data"]["users"]
        assert page["totalCount"] == 4
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Petani 3", "Petani 2", "Petani 1", "Petani 0"]

    bad = await gql('query { users(after: "???") { totalCount } }', token=admin)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# -- Firebase phone sign-in, verified by the real firebase-admin against emulator tokens --


def emulator_id_token(project: str, uid: str, phone: str | None) -> str:
    """An ID token as the Firebase Auth emulator issues it: unsigned (alg "none")."""
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}", "aud": project,
        "auth_time": now, "user_id": uid, "sub": uid, "iat": now, "exp": now + 3600,
        "firebase": {"identities": {"phone": [phone]} if phone else {},
                     "sign_in_provider": "phone"},
    }
    if phone:
        claims["phone_number"] = phone

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


@pytest.fixture
def firebase_emulator(monkeypatch, settings):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    firebase.reset_firebase_app()
    yield replace_settings(settings, firebase_project_id="batt-test")
    firebase.reset_firebase_app()


SIGN_IN = """mutation($t: String!) { signInWithFirebase(idToken: $t) {
  accessToken user { id phone roles } errors { field code } } }"""


async def test_sign_in_with_firebase_creates_then_links(firebase_emulator):
    app = create_app(firebase_emulator, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as http:
        gql = GraphQL(http)
        created = (await gql(SIGN_IN, {"t": emulator_id_token("batt-test", "fb-1",
                                                               "+6281355500001")}))
        payload = created["data"]["signInWithFirebase"]
        assert payload["errors"] == [] and payload["user"]["phone"] == "+6281355500001"
        assert payload["user"]["roles"] == ["CITIZEN"]

        # An existing password account is linked by its phone number, not duplicated.
        await register(gql, phone="081355500002", nik=None)
        linked = (await gql(SIGN_IN, {"t": emulator_id_token("batt-test", "fb-2",
                                                              "+6281355500002")}))
        assert linked["data"]["signInWithFirebase"]["errors"] == []
        user = await User.get(User.identified_by(phone="+6281355500002"))
        assert user.firebase_uid == "fb-2"
        assert await User.all().count() == 2

        wrong_project = await gql(SIGN_IN, {"t": emulator_id_token("other", "x", "+6281355500003")})
        assert wrong_project["data"]["signInWithFirebase"]["errors"] == [
            {"field": "idToken", "code": "INVALID_FIREBASE_TOKEN"}]
        no_phone = await gql(SIGN_IN, {"t": emulator_id_token("batt-test", "fb-4", None)})
        assert no_phone["data"]["signInWithFirebase"]["errors"][0]["code"] == \
            "FIREBASE_PHONE_MISSING"


async def test_firebase_not_configured(gql, monkeypatch):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    body = await gql(SIGN_IN, {"t": "whatever"})
    assert body["data"]["signInWithFirebase"]["errors"] == [
        {"field": None, "code": "FIREBASE_NOT_CONFIGURED"}]
