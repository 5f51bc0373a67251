"""With the database out of reach, every request gets a coded SERVICE_UNAVAILABLE (HTTP 503,
Retry-After, a GraphQL-shaped body with the request id) — never a traceback or a 500 — and
/readyz says 503. The connection used here is a real driver pointed at a database that is not
there (a closed port). The real outage — a
PostgreSQL restart under load, recovered without restarting anything — is bench/faults/run.py.
"""

from __future__ import annotations

import contextlib

import pytest
from tortoise import connections

from backend.accounts.models import Role
from backend.observability import metrics
from tests.e2e.test_serve import free_port

CATEGORIES = "{ complaintCategories { code } }"


@contextlib.asynccontextmanager
async def database_gone(tmp_path):
    from tortoise.backends.asyncpg import AsyncpgDBClient

    broken = AsyncpgDBClient(connection_name="default", host="127.0.0.1", port=free_port(),
                             user="postgres", password="", database="nowhere",
                             minsize=1, maxsize=1)
    token = connections.set("default", broken)
    try:
        yield
    finally:
        connections.reset(token)
        with contextlib.suppress(Exception):
            await broken.close()


def unavailable_total() -> float:
    return metrics.DB_UNAVAILABLE._value.get()


@pytest.mark.postgres_only  # SQLite has no server to lose; its faults are lock time-outs
async def test_requests_during_an_outage_are_told_to_retry(client, make_user, tmp_path):
    _, token = await make_user(Role.CITIZEN)
    before = unavailable_total()
    async with database_gone(tmp_path):
        for headers, language in (({}, "id"), ({"Accept-Language": "en"}, "en")):
            response = await client.post("/graphql", json={"query": CATEGORIES},
                                         headers=headers)
            assert response.status_code == 503
            assert response.headers["retry-after"] == "5"
            body = response.json()
            assert body["data"] is None
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert error["extensions"]["retryAfterSeconds"] == 5
            assert error["extensions"]["requestId"] == response.headers["x-request-id"]
            assert ("Try again" in error["message"]) == (language == "en")
            assert "Traceback" not in response.text and "Error" not in error["message"]

        # A signed-in mutation: the caller cannot even be read.
        submitted = await client.post(
            "/graphql", headers={"Authorization": f"Bearer {token}"},
            json={"query": 'mutation { supportComplaint(id: "1") { errors { code } } }'})
        assert submitted.status_code == 503
        assert submitted.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

        # Outside GraphQL: the map feed, and readiness.
        feed = await client.get("/feeds/complaints.geojson",
                                params={"bbox": "-7.95,112.45,-7.75,112.60"})
        assert feed.status_code == 503 and feed.headers["retry-after"] == "5"
        assert feed.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert (await client.get("/readyz")).status_code == 503
    assert unavailable_total() - before == 4

    # Back: the same client, nothing restarted.
    assert (await client.get("/readyz")).status_code == 200
    response = await client.post("/graphql", json={"query": CATEGORIES})
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connect call failed"),
    ConnectionResetError(104, "reset by peer"),
])
def test_connection_errors_count_as_unavailable(error):
    from backend.db_faults import database_unavailable

    wrapped = RuntimeError("while querying")
    wrapped.__cause__ = error
    assert database_unavailable(wrapped)
    assert not database_unavailable(ValueError("a bug"))
    assert not database_unavailable(FileNotFoundError("no such template"))


def test_postgres_shutdown_errors_count_as_unavailable():
    import asyncpg

    from backend.db_faults import database_unavailable

    for error in (asyncpg.exceptions.AdminShutdownError("terminating connection"),
                  asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
                  asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
                  asyncpg.exceptions.InterfaceError("connection is closed")):
        assert database_unavailable(error), error
    assert not database_unavailable(asyncpg.exceptions.UniqueViolationError("duplicate"))
