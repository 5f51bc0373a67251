"""`batt backup` and `batt restore` for real: back up a live database and its photos, wipe
everything (a new empty database, an empty media directory), restore, and find every
account (signs in), complaint and photo (same bytes over HTTP) again — on SQLite and on
PostgreSQL alike."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from among_warga.categories import seed_categories
from backend.accounts.models import Role
from backend.crypto.keys import keyring
from backend.geo.services import load_demo_areas
from tests.among_warga.test_complaints import submit, upload_photo
from tests.conftest import (
    PROJECT_ROOT,
    TEST_DATABASE_URL,
    USING_POSTGRES,
    _admin_execute,
    _with_database,
)
from tests.e2e.test_serve import free_port

BATT = [sys.executable, "-m", "backend.cli"]
PASSWORD = "kata-sandi-uji"


@pytest.fixture(autouse=True)
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


def batt_env(settings, database_url: str, media_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATT_")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), BATT_ENV="test", BATT_VAR_DIR=str(settings.var_dir),
               BATT_DATABASE_URL=database_url, BATT_MEDIA_DIR=str(media_dir),
               BATT_SECRET_KEY=settings.secret_key, BATT_RATE_LIMITS="off",
               BATT_DATA_KEYS=",".join(k.encoded() for k in keyring().keys))
    return env


def batt(env, *args, check=True):
    result = subprocess.run([*BATT, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
async def empty_database(tmp_path):
    """A brand-new, empty database of the kind under test (no tables at all)."""
    if USING_POSTGRES:
        name = f"batt_restore_{secrets.token_hex(4)}"
        url = _with_database(TEST_DATABASE_URL, name).replace("postgresql://", "postgres://")
        await _admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
        yield url
        await _admin_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{tmp_path / 'restored' / 'batt.sqlite3'}"


def serve(env, log_path: Path):
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen([*BATT, "serve", "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        assert server.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)


@pytest.mark.slow
async def test_backup_wipe_restore_finds_everything_again(
        settings, gql, client, make_user, tmp_path, empty_database):
    # A small city: residents with complaints and photos, an operator.
    residents = []
    photos: dict[str, bytes] = {}
    tickets = []
    for i in range(3):
        user, token = await make_user(Role.CITIZEN, name=f"Warga Cadangan {i}")
        ids = [await upload_photo(client, token, seed=10 * i + s) for s in range(2)]
        filed = await submit(gql, token, photo_ids=ids)
        assert filed["errors"] == [], filed
        tickets.append(filed["complaint"]["ticketNumber"])
        for photo in filed["complaint"]["photos"]:
            photos[photo["thumbnailUrl"]] = (await client.get(photo["thumbnailUrl"])).content
        residents.append(user)
    operator, _ = await make_user(Role.OPERATOR, name="Operator Cadangan")

    backup_dir = tmp_path / "backup"
    live = batt_env(settings, settings.database_url, settings.media_dir)
    first = batt(live, "backup", str(backup_dir))
    assert "3 complaints" in first.stdout and "12 copied" in first.stdout, first.stdout
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"]["dialect"] == settings.database_dialect
    assert manifest["counts"]["account_user"] == 4 and manifest["counts"]["media_photo"] == 6
    assert "0004_protected_identifiers" in manifest["migrations"]["accounts"]
    # Again into the same directory: the photos are there already, only the database is new.
    again = batt(live, "backup", str(backup_dir))
    assert "0 copied, 12 already there" in again.stdout, again.stdout
    # A directory holding something else is refused.
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("x")
    refused = batt(live, "backup", str(tmp_path / "junk"), check=False)
    assert refused.returncode == 1 and "not empty" in refused.stderr

    # Wipe: a new empty database and an empty media directory.
    media = tmp_path / "restored-media"
    fresh = batt_env(settings, empty_database, media)
    restored = batt(fresh, "restore", str(backup_dir))
    assert "4 accounts, 3 complaints, 6 photos" in restored.stdout, restored.stdout
    assert "12 copied" in restored.stdout

    # The restored copy, served: everyone signs in, every complaint and photo is there.
    server, base = serve(fresh, tmp_path / "serve.log")
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            async def call(query, variables=None, token=None):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = await http.post("/graphql", json={"query": query,
                                                              "variables": variables or {}},
                                           headers=headers)
                assert response.status_code == 200, response.text
                return response.json()

            for user, ticket in zip(residents, tickets, strict=True):
                signed_in = await call(
                    "mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }",
                    {"i": {"identifier": user.phone, "password": PASSWORD}})
                token = signed_in["data"]["login"]["accessToken"]
                assert token, signed_in
                mine = await call("{ myComplaints { totalCount edges { node { ticketNumber "
                                  "photos { thumbnailUrl } } } } }", token=token)
                (edge,) = mine["data"]["myComplaints"]["edges"]
                assert edge["node"]["ticketNumber"] == ticket
                for photo in edge["node"]["photos"]:
                    served = await http.get(photo["thumbnailUrl"])
                    assert served.status_code == 200
                    assert served.content == photos[photo["thumbnailUrl"]]
            operator_login = await call(
                "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                {"i": {"identifier": operator.phone, "password": PASSWORD}})
            assert operator_login["data"]["login"]["accessToken"]
    finally:
        server.terminate()
        server.wait(10)

    # Restoring over a database that holds accounts needs --force.
    over = batt(fresh, "restore", str(backup_dir), check=False)
    assert over.returncode == 1 and "--force" in over.stderr, over.stderr
    forced = batt(fresh, "restore", str(backup_dir), "--force")
    assert "0 copied, 12 already there" in forced.stdout

    # A damaged backup is refused before anything is touched.
    database_file = backup_dir / manifest["database"]["file"]
    database_file.write_bytes(database_file.read_bytes() + b"x")
    damaged = batt(fresh, "restore", str(backup_dir), "--force", check=False)
    assert damaged.returncode == 1 and "checksum" in damaged.stderr


def test_restore_says_what_is_missing_without_pg_tools(tmp_path, settings):
    if not USING_POSTGRES:
        pytest.skip("PostgreSQL client tools are only needed for PostgreSQL")
    env = batt_env(settings, settings.database_url, settings.media_dir)
    env["PATH"] = str(tmp_path)  # no pg_dump here
    result = subprocess.run([sys.executable, "-m", "backend.cli", "backup", str(tmp_path / "b")],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "pg_dump is not installed" in result.stderr and "postgresql-client" in result.stderr
