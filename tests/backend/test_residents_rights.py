"""Residents' rights over their data: download it all (with who among the staff read it),
correct name and phone, erase the account — complaints stay as anonymous records."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from among_warga.categories import seed_categories
from backend.accounts import services as accounts
from backend.accounts.models import AuditLog, RefreshToken, Role, User
from backend.clock import utcnow
from backend.geo.services import load_demo_areas
from backend.push.models import Device
from tests.among_warga.test_complaints import BATU_BBOX, submit, upload_photo
from tests.backend.dumps import database_dump, leaks

REGISTER = """mutation($i: RegisterInput!) { register(input: $i) {
  accessToken refreshToken user { id } errors { field code } } }"""
LOGIN = """mutation($i: LoginInput!) { login(input: $i) {
  accessToken refreshToken errors { code } } }"""
MY_DATA = "{ myData }"
DELETE = """mutation($p: String) { deleteMyAccount(password: $p) {
  ok errors { field code message } } }"""
UPDATE = """mutation($i: UpdateMyProfileInput!) { updateMyProfile(input: $i) {
  accessToken refreshToken user { name phone } errors { field code message } } }"""
REFRESH = """mutation($t: String!) { refreshToken(refreshToken: $t) {
  accessToken errors { code } } }"""
PUBLIC_MAP = """query($bbox: BboxInput!) { publicComplaints(bbox: $bbox) {
  edges { node { ticketNumber reporterName description } } } }"""
AS_OPERATOR = """query($t: String) { complaint(ticketNumber: $t) {
  ticketNumber reporterName reporter { name phone } } }"""
PASSWORD = "sandi-warga-2026"
SITI = {"name": "Siti Rahayu", "phone": "081277700001", "nik": "3579014107900071",
        "password": PASSWORD}


@pytest.fixture(autouse=True)
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


async def sign_up(gql, **overrides):
    body = await gql(REGISTER, {"i": {**SITI, **overrides}})
    payload = body["data"]["register"]
    assert payload["errors"] == [], payload
    return payload


async def login(gql, identifier=SITI["phone"], password=PASSWORD):
    return (await gql(LOGIN, {"i": {"identifier": identifier, "password": password}}))[
        "data"]["login"]


async def my_data(gql, token, **headers) -> dict:
    body = await gql(MY_DATA, token=token, headers=headers)
    assert "errors" not in body, body
    return json.loads(body["data"]["myData"])


async def backdate_sign_in(user_id: int, minutes: int = 30) -> None:
    await RefreshToken.filter(user_id=user_id).update(
        created_at=utcnow() - timedelta(minutes=minutes))


async def test_a_resident_sees_everything_and_who_read_her_phone_then_erases_herself(
        gql, client, make_user, settings):
    siti = await sign_up(gql)
    token = siti["accessToken"]
    photo = await upload_photo(client, token)
    filed = await submit(gql, token, photo_ids=[photo], visibility="PUBLIC")
    ticket = filed["complaint"]["ticketNumber"]
    await gql('mutation { registerDevice(token: "fcm-siti-1", platform: ANDROID) '
              '{ errors { code } } }', token=token)
    operator, operator_token = await make_user(Role.OPERATOR, name="Operator Budi")

    before_read = utcnow()
    seen = await gql(AS_OPERATOR, {"t": ticket}, token=operator_token)
    assert seen["data"]["complaint"]["reporter"] == {"name": "Siti Rahayu",
                                                     "phone": "+6281277700001"}

    document = await my_data(gql, token)
    assert document["format"] == "batt.mydata/1"
    account = document["account"]
    assert (account["name"], account["phone"], account["nik"]) == (
        "Siti Rahayu", "+6281277700001", "3579014107900071")
    assert account["signInWith"] == ["password"]
    assert [r["role"] for r in document["roles"]] == ["citizen"]
    assert len(document["sessions"]) == 1 and document["sessions"][0]["current"]
    complaints = document["amongWarga"]["complaints"]
    assert [c["ticketNumber"] for c in complaints] == [ticket]
    assert complaints[0]["photoIds"] == [photo]
    assert complaints[0]["timeline"][0]["toStatus"] == "submitted"
    assert [p["id"] for p in document["photos"]] == [photo]
    assert (await client.get(document["photos"][0]["url"])).status_code == 200
    assert [d["token"] for d in document["push"]["devices"]] == ["fcm-siti-1"]
    # The operator's read of her phone, with its time, by name and role.
    (read,) = document["personalDataAccess"]
    assert read["staff"] == {"name": "Operator Budi", "roles": ["operator"], "skpd": None}
    assert read["fields"] == ["name", "phone"]
    assert read["subject"] == {"type": "complaint", "ticketNumber": ticket}
    assert before_read <= datetime.fromisoformat(read["at"]) <= utcnow()
    # The download itself is on the record.
    assert await AuditLog.filter(action="export_my_data", actor_id=int(siti["user"]["id"])
                                 ).exists()

    # She erases her account (password confirms it is her).
    deleted = (await gql(DELETE, {"p": PASSWORD}, token=token))["data"]["deleteMyAccount"]
    assert deleted == {"ok": True, "errors": []}

    # Her complaint is still on the public map, without her name …
    nodes = [e["node"] for e in (await gql(PUBLIC_MAP, {"bbox": BATU_BBOX}))["data"][
        "publicComplaints"]["edges"]]
    assert [(n["ticketNumber"], n["reporterName"]) for n in nodes] == [(ticket, None)]
    # … and staff see an anonymous record.
    seen = (await gql(AS_OPERATOR, {"t": ticket}, token=operator_token))["data"]["complaint"]
    assert seen == {"ticketNumber": ticket, "reporterName": None, "reporter": None}
    # She cannot sign in again, by phone or NIK; her tokens are dead.
    assert (await login(gql))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(gql, SITI["nik"]))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    refused = await gql(MY_DATA, token=token)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = (await gql(REFRESH, {"t": siti["refreshToken"]}))["data"]["refreshToken"]
    assert again["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert not await Device.filter(token="fcm-siti-1").exists()
    erased = await User.get(id=int(siti["user"]["id"]))
    assert (erased.name, erased.phone, erased.nik, erased.password_hash, erased.is_active) == (
        None, None, None, None, False)
    assert erased.erased_at is not None
    # Nothing of her identity is left in the database.
    assert leaks(await database_dump(settings), phones=["+6281277700001"],
                 niks=[SITI["nik"]], others=["Siti Rahayu"]) == []
    # An admin cannot bring the account back.
    _, admin = await make_user(Role.ADMIN)
    revived = await gql("mutation($u: ID!) { setUserActive(userId: $u, active: true) "
                        "{ errors { code } } }", {"u": siti["user"]["id"]}, token=admin)
    assert revived["data"]["setUserActive"]["errors"] == [{"code": "NOT_FOUND"}]


async def test_deleting_needs_the_password_or_a_fresh_sign_in(gql, make_user):
    siti = await sign_up(gql)
    user_id = int(siti["user"]["id"])
    await backdate_sign_in(user_id)
    stale = (await gql(DELETE, token=siti["accessToken"]))["data"]["deleteMyAccount"]
    assert stale["ok"] is False
    assert stale["errors"][0]["code"] == "REAUTHENTICATION_REQUIRED"
    assert "5 menit" in stale["errors"][0]["message"]
    wrong = (await gql(DELETE, {"p": "bukan-sandinya"}, token=siti["accessToken"]))["data"][
        "deleteMyAccount"]
    assert wrong["errors"] == [{"field": "password", "code": "INVALID_CREDENTIALS",
                                "message": wrong["errors"][0]["message"]}]
    assert await User.filter(id=user_id, erased_at=None).exists()

    fresh = await login(gql)
    done = (await gql(DELETE, token=fresh["accessToken"]))["data"]["deleteMyAccount"]
    assert done == {"ok": True, "errors": []}

    # The last admin cannot leave the city without one.
    admin, admin_token = await make_user(Role.ADMIN)
    last = (await gql(DELETE, {"p": "kata-sandi-uji"}, token=admin_token))["data"][
        "deleteMyAccount"]
    assert last["errors"][0]["code"] == "LAST_ADMIN"


async def test_wrong_passwords_through_delete_count_as_failed_sign_ins(gql):
    siti = await sign_up(gql)
    codes = []
    for _ in range(6):
        body = await gql(DELETE, {"p": "tebak-tebakan"}, token=siti["accessToken"])
        codes.append(body["data"]["deleteMyAccount"]["errors"][0]["code"])
    assert codes[:5] == ["INVALID_CREDENTIALS"] * 5 and codes[5] == "TOO_MANY_ATTEMPTS"


async def test_open_sessions_end_when_the_account_is_erased(gql, settings):
    siti = await sign_up(gql)
    principal = await accounts.principal_for_token(settings, siti["accessToken"])
    assert await accounts.recheck_principals([principal]) != {}
    await gql(DELETE, {"p": PASSWORD}, token=siti["accessToken"])
    # What every process's socket monitor asks: this caller is gone, so its sockets close.
    assert await accounts.recheck_principals([principal]) == {}


async def test_name_is_corrected_at_once_and_a_new_phone_needs_signing_in_again(gql):
    siti = await sign_up(gql)
    token = siti["accessToken"]
    renamed = (await gql(UPDATE, {"i": {"name": "  Siti  Rahayu Putri "}}, token=token))[
        "data"]["updateMyProfile"]
    assert renamed["errors"] == [] and renamed["user"]["name"] == "Siti Rahayu Putri"
    assert renamed["accessToken"] is None  # same session

    await backdate_sign_in(int(siti["user"]["id"]))
    unproven = (await gql(UPDATE, {"i": {"phone": "081277700099"}}, token=token))["data"][
        "updateMyProfile"]
    assert unproven["errors"][0]["code"] == "REAUTHENTICATION_REQUIRED"
    bad = (await gql(UPDATE, {"i": {"phone": "12", "name": "X"}}, token=token))["data"][
        "updateMyProfile"]
    assert {e["code"] for e in bad["errors"]} == {"INVALID_PHONE", "INVALID_NAME"}
    await sign_up(gql, name="Tetangga", phone="081277700050", nik=None)
    taken = (await gql(UPDATE, {"i": {"phone": "081277700050", "password": PASSWORD}},
                       token=token))["data"]["updateMyProfile"]
    assert taken["errors"][0]["code"] == "PHONE_TAKEN"

    moved = (await gql(UPDATE, {"i": {"phone": "0812-7770-0099", "password": PASSWORD}},
                       token=token))["data"]["updateMyProfile"]
    assert moved["errors"] == [] and moved["user"]["phone"] == "+6281277700099"
    assert moved["accessToken"] and moved["refreshToken"]
    # Every earlier session ended; the fresh one works; sign-in follows the new number.
    old = await gql("{ me { phone } }", token=token)
    assert old["errors"][0]["extensions"]["reason"] == "session_revoked"
    assert (await gql("{ me { phone } }", token=moved["accessToken"]))["data"]["me"] == {
        "phone": "+6281277700099"}
    assert (await login(gql, "081277700099"))["errors"] == []
    assert (await login(gql, SITI["phone"]))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(gql, SITI["nik"]))["errors"] == []


async def test_a_fresh_sign_in_confirms_a_phone_change_and_english_errors(gql):
    await sign_up(gql)
    fresh = await login(gql)
    moved = (await gql(UPDATE, {"i": {"phone": "081277700077"}},
                       token=fresh["accessToken"]))["data"]["updateMyProfile"]
    assert moved["errors"] == [] and moved["user"]["phone"] == "+6281277700077"
    await backdate_sign_in((await User.get(User.identified_by(phone="+6281277700077"))).id)
    body = await gql(UPDATE, {"i": {"phone": "081277700078"}}, token=moved["accessToken"],
                     headers={"Accept-Language": "en"})
    error = body["data"]["updateMyProfile"]["errors"][0]
    assert error["code"] == "REAUTHENTICATION_REQUIRED"
    assert error["message"].startswith("For your security")


async def test_a_refused_logout_or_deletion_says_ok_false_not_a_server_error(gql):
    body = await gql('mutation { logout(refreshToken: "nope") { ok errors { code } } }')
    assert body == {"data": {"logout": {"ok": False, "errors": [
        {"code": "INVALID_REFRESH_TOKEN"}]}}}
