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


@pytest.mark.postgres_only
async def test_a_connection_killed_mid_query_is_discarded_not_reused(settings):
    # What a PostgreSQL restart does to a busy connection, to one backend: the query fails,
    # the connection is marked and the pool terminates it instead of handing it out again
    # ("cannot switch to state …" for the next request otherwise).
    import asyncio

    import asyncpg

    from backend.db_faults import database_unavailable

    pool = db.connection()._pool
    killer = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://"))
    try:
        with pytest.raises(Exception) as failed:  # noqa: B017 - the release may raise too
            async with pool.acquire() as conn:
                raw = conn._con
                pid = await conn.fetchval("SELECT pg_backend_pid()")
                sleeping = asyncio.ensure_future(conn.fetchval("SELECT pg_sleep(30)"))
                while not await killer.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 "
                        "AND query LIKE 'SELECT pg_sleep%'", pid):
                    await asyncio.sleep(0.02)
                await killer.fetchval("SELECT pg_terminate_backend($1)", pid)
                await sleeping
    finally:
        await killer.close()
    assert database_unavailable(failed.value)
    assert raw.broken and raw.is_closed()
    # The pool carries on with healthy connections; an ordinary SQL error marks nothing.
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.exceptions.DivisionByZeroError):
            await conn.fetchval("SELECT 1/0")
        assert not conn._con.broken
        assert await conn.fetchval("SELECT 2") == 2
