"""The database connection as configured for PostgreSQL: Unix-socket URLs, and pooled
connections handed back without asyncpg's per-release reset query."""

from __future__ import annotations

import pytest
from tortoise.exceptions import OperationalError

from backend import db
from backend.db import _connection_config, _keep_session


def test_a_socket_directory_in_the_url_is_the_host():
    config = _connection_config("postgres://batt:secret@/batt?host=/run/postgresql")
    assert config["credentials"]["host"] == "/run/postgresql"
    assert config["credentials"]["database"] == "batt"
    assert config["credentials"]["user"] == "batt"
    tcp = _connection_config("postgres://batt@db.batu.example:6432/batt")["credentials"]
    assert (tcp["host"], tcp["port"]) == ("db.batu.example", 6432)
    assert tcp["reset"] is _keep_session


@pytest.mark.postgres_only
async def test_a_connection_comes_back_from_a_failed_transaction_clean(settings):
    # asyncpg still rolls back what a transaction left open before handing the connection
    # on; only the reset query (advisory locks, LISTEN, session settings) is skipped.
    with pytest.raises(OperationalError):
        async with db.in_transaction() as connection:
            await connection.execute_query("SELECT pg_advisory_xact_lock(42)")
            await connection.execute_query("SELECT 1/0")
    # Still inside the aborted transaction, any statement would fail; and no lock is left.
    rows = await db.connection().execute_query_dict(
        "SELECT count(*) AS locks FROM pg_locks WHERE locktype = 'advisory' "
        "AND pid = pg_backend_pid()"
    )
    assert rows == [{"locks": 0}]
