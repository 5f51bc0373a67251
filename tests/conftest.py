"""Test fixtures: a real database, migrated (never ``generate_schemas``), and the ASGI app.

Default: a fresh SQLite file per test session. With ``BATT_TEST_DATABASE_URL`` pointing at a
PostgreSQL server (e.g. ``postgres://postgres@127.0.0.1:5432/postgres``) the suite creates a
fresh database there with PostGIS, migrates it, and drops it at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from tortoise import Tortoise

from backend import db
from backend.accounts import services as accounts
from backend.accounts.models import Role
from backend.app import create_app
from backend.settings import Settings
from tests.querycount import count_queries  # noqa: F401 (fixture: SQL statements sent)

pytest_plugins = ("tests.logwatch",)

TEST_DATABASE_URL = os.environ.get("BATT_TEST_DATABASE_URL", "").strip()
USING_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))


def pytest_report_header(config: pytest.Config) -> str:
    parts = urlsplit(TEST_DATABASE_URL)
    target = f"{parts.hostname}:{parts.port or 5432}" if USING_POSTGRES else "SQLite (file)"
    return f"BATT test database: {'PostgreSQL+PostGIS ' if USING_POSTGRES else ''}{target}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if USING_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set BATT_TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


async def _admin_execute(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var_dir = tmp_path_factory.mktemp("var")
    if USING_POSTGRES:
        database_url = _with_database(TEST_DATABASE_URL, f"batt_test_{secrets.token_hex(4)}")
        database_url = database_url.replace("postgresql://", "postgres://", 1)
    else:
        database_url = f"sqlite://{var_dir / 'test.sqlite3'}"
    return Settings(
        env="test",
        var_dir=var_dir,
        database_url=database_url,
        media_dir=var_dir / "media",
        secret_key="test-secret-key-" + "x" * 32,
        # Throttling limits low enough to reach in a test, high enough not to trip others.
        login_max_failures=5,
        login_max_failures_per_address=50,
        login_max_failures_per_identifier=20,
    )


@pytest.fixture(scope="session")
async def database(test_settings: Settings) -> AsyncIterator[Settings]:
    if USING_POSTGRES:
        name = urlsplit(test_settings.database_url).path.lstrip("/")
        await _admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
        await _admin_execute(test_settings.database_url, "CREATE EXTENSION IF NOT EXISTS postgis")
    await db.migrate(test_settings)
    await db.close_db()
    await db.init_db(test_settings)
    yield test_settings
    await db.close_db()
    if USING_POSTGRES:
        name = urlsplit(test_settings.database_url).path.lstrip("/")
        await _admin_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables() -> list[str]:
    tables = []
    for models in Tortoise.apps.values():
        for model in models.values():
            tables.append(model._meta.db_table)
    return sorted(set(tables))


async def truncate_all() -> None:
    conn = db.connection()
    tables = _tables()
    if db.dialect() == "postgres":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        statements = ["PRAGMA foreign_keys = OFF"]
        statements += [f'DELETE FROM "{t}"' for t in tables]
        statements += ["DELETE FROM sqlite_sequence", "PRAGMA foreign_keys = ON"]
        await conn.execute_script(";\n".join(statements))


@pytest.fixture(autouse=True)
async def clean_database(database: Settings) -> AsyncIterator[None]:
    yield
    from tests.logwatch import harvest_identifiers  # (a plugin: imported by pytest first)

    try:
        await harvest_identifiers()  # for the whole suite's log check (tests/logwatch.py)
    finally:
        await truncate_all()
    # Event ids start again at 1 in the next test: renderings the live stream keeps per event
    # id in this process (backend/graphql/ws.py) belong to this test's events.
    from backend.graphql import ws

    ws._RENDERED.clear()


@pytest.fixture
def settings(database: Settings) -> Settings:
    return database


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQL:
    """Sends GraphQL over real HTTP to the ASGI app, the way the mobile apps do."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def login(self, identifier: str, password: str) -> str:
        body = await self(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }",
            {"i": {"identifier": identifier, "password": password}},
        )
        assert body["data"]["login"]["errors"] == [], body
        return body["data"]["login"]["accessToken"]


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQL:
    return GraphQL(client)


_phone_counter = iter(range(1, 10**6))


@pytest.fixture
def make_user(gql: GraphQL):
    """Create an account with roles and return (user, access token)."""

    async def make(*roles: Role, skpd: str | None = None, name: str = "Pengguna Uji"):
        phone = f"+62812{next(_phone_counter):08d}"
        password = "kata-sandi-uji"
        user = await accounts.create_user(
            name=name, phone=phone, password=password, roles=list(roles) or [Role.CITIZEN],
            skpd_code=skpd,
        )
        return user, await gql.login(phone, password)

    return make


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def error_extensions(error: dict[str, Any]) -> dict[str, Any]:
    """An error's extensions without the request id every error carries (asserted there)."""
    extensions = dict(error["extensions"])
    assert isinstance(extensions.pop("requestId", None), str), error
    return extensions
