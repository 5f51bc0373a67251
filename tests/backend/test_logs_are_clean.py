"""No phone number, NIK, password or token in any log line — with everything at DEBUG,
Tortoise's SQL log (which prints every parameter) included — and one JSON line per request
carrying the request id that the response header and the errors also carry."""

from __future__ import annotations

import io
import json
import logging

import pytest

from among_warga.categories import seed_categories
from backend.accounts.models import Role
from backend.geo.services import load_demo_areas
from backend.observability.logs import JsonFormatter, RedactingFilter, redact
from backend.push.sender import send_due
from tests.among_warga.test_complaints import submit, upload_photo
from tests.backend.dumps import phone_forms

PASSWORD = "rahasia-sekali-2026"
NEW_PASSWORD_GUESS = "tebakan-salah-99"
PHONE, NIK = "081288800001", "3579014107900081"
OTHER_PHONE = "081288800002"


# The test's own HTTP client logs the URLs it requests; that is this side, not the server.
CLIENT_SIDE = ("httpx", "httpcore")


class Capture(logging.Handler):
    """Every record as it reaches a handler: ``raw`` before the redacting filter (what the
    code logs), ``lines`` as written (JSON, redacted)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.raw: list[str] = []
        self.out = io.StringIO()
        self.formatter_ = JsonFormatter()
        self.filter_ = RedactingFilter()

    def emit(self, record: logging.LogRecord) -> None:
        raw = record.getMessage()
        if record.exc_info:
            raw += "\n" + logging.Formatter().formatException(record.exc_info)
        if not record.name.startswith(CLIENT_SIDE):
            self.raw.append(raw)
        copy = logging.makeLogRecord(record.__dict__)
        self.filter_.filter(copy)
        self.out.write(self.formatter_.format(copy) + "\n")

    @property
    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


@pytest.fixture
def captured():
    handler = Capture()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level
              for name in ("", "tortoise", "tortoise.db_client", "asyncio", "batt.request")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


async def call(client, query, variables=None, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers=headers)
    return response, response.json()


async def test_representative_flows_log_no_identifier_password_or_token(
        client, make_user, settings, captured):
    secrets_used: list[str] = [PASSWORD, NEW_PASSWORD_GUESS, NIK]
    phones = ["+6281288800001", "+6281288800002"]

    _, body = await call(client, """mutation($i: RegisterInput!) { register(input: $i) {
        accessToken refreshToken errors { code } } }""",
                         {"i": {"name": "Dewi Log", "phone": PHONE, "nik": NIK,
                                "password": PASSWORD}})
    registered = body["data"]["register"]
    secrets_used += [registered["accessToken"], registered["refreshToken"]]
    login = """mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken
        errors { code } } }"""
    for identifier, password in ((PHONE, PASSWORD), (NIK, PASSWORD), (PHONE, NEW_PASSWORD_GUESS),
                                 ("+62 812-8880-0001", PASSWORD)):
        _, body = await call(client, login, {"i": {"identifier": identifier,
                                                   "password": password}})
        session = body["data"]["login"]
        secrets_used += [t for t in (session["accessToken"], session["refreshToken"]) if t]
    token = session["accessToken"]
    _, body = await call(client, "mutation($t: String!) { refreshToken(refreshToken: $t) "
                         "{ accessToken refreshToken } }", {"t": session["refreshToken"]})
    secrets_used += list(body["data"]["refreshToken"].values())
    token = body["data"]["refreshToken"]["accessToken"]

    # A resident's complaint, read by an operator (a logged read of personal data), found by
    # an admin searching for the phone number over GET (the number is in the query string).
    photo = await upload_photo(client, token)
    filed = await submit(client_gql(client), token, photo_ids=[photo])
    ticket = filed["complaint"]["ticketNumber"]
    operator, operator_token = await make_user(Role.OPERATOR, name="Operator Log")
    admin, admin_token = await make_user(Role.ADMIN, name="Admin Log")
    secrets_used += [operator_token, admin_token, "kata-sandi-uji"]
    phones += [operator.phone, admin.phone]
    _, body = await call(client, "query($t: String) { complaint(ticketNumber: $t) "
                         "{ reporter { phone } } }", {"t": ticket}, operator_token)
    assert body["data"]["complaint"]["reporter"]["phone"] == "+6281288800001"
    searched = await client.get("/graphql", params={
        "query": "query($s: String) { users(search: $s) { totalCount } }",
        "variables": json.dumps({"s": PHONE})}, headers={"Authorization": f"Bearer {admin_token}"})
    assert searched.json()["data"]["users"]["totalCount"] == 1
    await call(client, 'mutation($id: ID!) { verifyComplaint(id: $id) { errors { code } } }',
               {"id": filed["complaint"]["id"]}, operator_token)
    await send_due(settings)  # Firebase off: the push is written to the log instead

    # Bad input and a bad token on the way.
    await call(client, "{ me { phone } }", token=token + "x")
    await call(client, 'mutation { signInWithFirebase(idToken: "eyJhbGciOiJSUzI1NiJ9.'
               'eyJwaG9uZV9udW1iZXIiOiIrNjI4MTI4ODgwMDAwMSJ9.c2lnbmF0dXJl") { errors { code } } }')
    # Residents' rights: download, correct the phone (password), erase (password).
    await call(client, "{ myData }", token=token)
    _, body = await call(client, """mutation($i: UpdateMyProfileInput!) { updateMyProfile(
        input: $i) { accessToken refreshToken errors { code } } }""",
                         {"i": {"phone": OTHER_PHONE, "password": PASSWORD}}, token)
    moved = body["data"]["updateMyProfile"]
    assert moved["errors"] == []
    secrets_used += [moved["accessToken"], moved["refreshToken"]]
    _, body = await call(client, "mutation($p: String) { deleteMyAccount(password: $p) "
                         "{ ok } }", {"p": PASSWORD}, moved["accessToken"])
    assert body["data"]["deleteMyAccount"]["ok"] is True

    needles = [form for phone in phones for form in phone_forms(phone)] + secrets_used
    lines = captured.lines
    assert len(lines) > 50  # SQL at DEBUG, request lines, the push
    assert any('"logger": "tortoise.db_client"' in line for line in lines)
    for line in lines:
        found = [n for n in needles if n in line]
        assert not found, (found, line)
    # Not only scrubbed on the way out: the code itself never logged them (the number in the
    # admin's GET query string never reaches a line: the request line has no query string).
    for raw in captured.raw:
        found = [n for n in needles if n in raw]
        assert not found, (found, raw)


def client_gql(client):
    from tests.conftest import GraphQL

    return GraphQL(client)


async def test_one_json_line_per_request_with_the_request_id_of_the_response(
        client, captured):
    response = await client.post("/graphql", json={"query": "{ me { id } }"},
                                 headers={"X-Request-Id": "app-7f3a-0001"})
    assert response.headers["x-request-id"] == "app-7f3a-0001"
    error = response.json()["errors"][0]
    assert error["extensions"]["requestId"] == "app-7f3a-0001"
    requests = [json.loads(line) for line in captured.lines if '"batt.request"' in line]
    (entry,) = [r for r in requests if r.get("request_id") == "app-7f3a-0001"]
    assert entry["method"] == "POST" and entry["path"] == "/graphql" and entry["status"] == 200
    assert entry["operation"] == "me" and entry["operation_type"] == "query"
    assert entry["outcome"] == "unauthenticated" and entry["duration_ms"] >= 0
    # An id that is not sane is replaced, not echoed into logs.
    odd = await client.get("/healthz", headers={"X-Request-Id": "x <script>alert(1)</script>"})
    assert odd.headers["x-request-id"] != "x <script>alert(1)</script>"
    assert len(odd.headers["x-request-id"]) == 24
    # Every line written while the request ran carries its id (here: the SQL it caused).
    await client.post("/graphql", json={"query": "{ complaintCategories { code } }"},
                      headers={"X-Request-Id": "app-7f3a-0002"})
    sql = [json.loads(line) for line in captured.lines if '"tortoise.db_client"' in line]
    assert any(entry.get("request_id") == "app-7f3a-0002" for entry in sql)


def test_redaction_catches_identifiers_however_written():
    for text in ("login +6281234567890 ok", "phone 0812-3456-7890", "62 812 3456 7890",
                 "nik 3579014107900081", "Authorization: Bearer abc.def.ghi-123456",
                 "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", '{"password": "x y z"}',
                 "GET /media/a.jpg?sig=abcdef&exp=1", "refresh_token=Zm9vYmFyYmF6"):
        out = redact(text)
        assert "[redacted]" in out, (text, out)
        for secret in ("6281234567890", "812-3456", "3579014107900081", "abc.def.ghi",
                       "eyJzdWIi", "x y z", "sig=abcdef", "Zm9vYmFyYmF6"):
            assert secret not in out, (text, out)
    # Ordinary numbers stay: ids, durations, counts, ticket numbers.
    assert redact("complaint 42 took 81.5 ms, BTU-2611-00042, 1200 rows") == (
        "complaint 42 took 81.5 ms, BTU-2611-00042, 1200 rows")


def test_the_whole_suite_log_check_finds_a_phone_a_nik_and_a_token():
    """tests/logwatch.py fails the run when any line of the suite's logs holds these."""
    from tests.logwatch import leaks, phone_forms

    needles = set(phone_forms("+6281288800009")) | {"3579014107900089"}
    lines = [("t", '{"message": "sms to 081288800009"}'),
             ("t", '{"message": "nik 3579014107900089"}'),
             ("t", '{"message": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}'),
             ("t", '{"message": "login", "password": "rahasia"}'),
             ("t", '{"message": "login for [phone] with password ***"}')]
    assert [line for _, line in lines if leaks([("t", line)], needles)] == [
        text for _, text in lines[:4]]
