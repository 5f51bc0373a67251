"""Two real `batt serve` processes on one PostgreSQL: a complaint submitted or rejected through
one is in (or out of) the very next anonymous read from the other, whose answer was in its
read cache — no waiting for the wake-up to travel (backend/read_cache.py)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from backend.accounts import services as accounts
from backend.accounts.models import Role
from backend.settings import Settings
from command_center.services import reject
from tests.among_warga.test_complaints import (
    BATU_BBOX,
    batu,  # noqa: F401 (fixture)
    complaint_input,
)
from tests.backend.media.samples import encode, photo_like
from tests.backend.push.test_jobs_once_per_cluster import wait_ready
from tests.command_center.conftest import free_port
from tests.e2e.test_serve import BATT

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

MAP = """query($bbox: BboxInput!, $statuses: [ComplaintStatus!]) {
  publicComplaints(bbox: $bbox, statuses: $statuses, first: 50) {
    edges { node { ticketNumber status } } } }"""
OPEN = {"bbox": BATU_BBOX, "statuses": ["SUBMITTED"]}
PASSWORD = "kata-sandi-uji"


def start_server(settings: Settings, tmp_path: Path, name: str):
    port = free_port()
    log_path = tmp_path / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATT_", "FIREBASE_"))}
    env.update(BATT_DATABASE_URL=settings.database_url, BATT_SECRET_KEY=settings.secret_key,
               BATT_VAR_DIR=str(tmp_path / name), BATT_MEDIA_DIR=str(settings.media_dir))
    with open(log_path, "w") as log:
        server = subprocess.Popen([BATT, "serve", "--port", str(port), "--log-level", "warning"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, port, log_path


async def gql(http: httpx.AsyncClient, base: str, query: str, variables=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(f"{base}/graphql", json={"query": query,
                                                        "variables": variables or {}},
                               headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def tickets(data) -> list[str]:
    return [e["node"]["ticketNumber"] for e in data["publicComplaints"]["edges"]]


async def test_a_change_on_one_worker_is_in_the_next_read_on_the_other(settings, tmp_path):
    operator = await accounts.create_user(name="Operator Dua Pintu", phone="+6281234500002",
                                          password=PASSWORD, roles=[Role.OPERATOR])
    servers = [start_server(settings, tmp_path, name) for name in ("worker-a", "worker-b")]
    try:
        for server, port, log_path in servers:
            await wait_ready(server, port, log_path)
        a, b = (f"http://127.0.0.1:{port}" for _, port, _ in servers)
        login = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }"
        async with httpx.AsyncClient(timeout=30) as http:
            # (Registered through the server: phone look-ups use the server's keys.)
            await gql(http, a, "mutation($i: RegisterInput!) { register(input: $i) { "
                      "errors { code } } }", {"i": {"name": "Warga Dua Pintu",
                                                    "phone": "081234500001",
                                                    "password": PASSWORD}})
            resident = (await gql(http, a, login, {"i": {
                "identifier": "+6281234500001", "password": PASSWORD}}))["login"]["accessToken"]
            assert resident
            operations = {"query": "mutation($f: Upload!, $k: String) { uploadPhoto(file: $f, "
                          "clientKey: $k) { photo { id } errors { code message } } }",
                          "variables": {"f": None, "k": uuid.uuid4().hex}}
            upload = await http.post(
                f"{a}/graphql", headers={"Authorization": f"Bearer {resident}"},
                data={"operations": json.dumps(operations), "map": '{"0": ["variables.f"]}'},
                files={"0": ("a.jpg", encode(photo_like((640, 480), seed=3), "JPEG"),
                             "image/jpeg")})
            assert upload.json()["data"], upload.text
            uploaded = upload.json()["data"]["uploadPhoto"]
            assert uploaded and uploaded["photo"], upload.text
            photo = uploaded["photo"]["id"]
            submit = """mutation($input: SubmitComplaintInput!) { submitComplaint(input: $input)
                { complaint { id ticketNumber } errors { code } } }"""

            shown: list[str] = []
            for _ in range(3):
                assert tickets(await gql(http, b, MAP, OPEN)) == shown
                assert tickets(await gql(http, b, MAP, OPEN)) == shown  # from B's memory
                made = (await gql(http, a, submit, {"input": complaint_input([photo])},
                                  token=resident))["submitComplaint"]
                assert made["errors"] == []
                shown.insert(0, made["complaint"]["ticketNumber"])
                assert tickets(await gql(http, b, MAP, OPEN)) == shown  # at once on B

            # Rejected by a third process (this one) writing to the same database.
            await reject(operator, int(made["complaint"]["id"]), "Bukan wewenang kota.")
            assert tickets(await gql(http, b, MAP, OPEN)) == shown[1:]
    finally:
        for server, _, _ in servers:
            server.terminate()
        for server, _, _ in servers:
            server.wait(20)
