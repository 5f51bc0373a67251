"""Tortoise ORM set-up: one config for the server, the CLI and the tests.

Tortoise owns every table and migration. Raw SQL (spatial queries composed with
GeoAlchemy2) runs on Tortoise's connection via :func:`connection` so it joins the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.transactions import in_transaction

from backend.apps import installed_apps
from backend.crypto import keys
from backend.settings import Settings

__all__ = ["tortoise_config", "init_db", "close_db", "migrate", "ping", "connection", "numbered",
           "in_transaction", "dialect"]


def _connection_config(database_url: str) -> dict[str, Any] | str:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        return {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "foreign_keys": "ON",
                # Several writers (server + CLI) wait for each other instead of failing.
                "busy_timeout": 10000,
                "synchronous": "NORMAL",
                # Deleted and overwritten content is zeroed in the file, so an erased
                # account's name (or a replaced ciphertext) does not linger in free pages.
                "secure_delete": "ON",
            },
        }
    parts = urlsplit(database_url)
    # libpq's convention for a server on the same machine: ?host=/run/postgresql (the
    # directory of its Unix socket) instead of a host name — cheaper than loopback TCP.
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    return {
        "engine": "tortoise.backends.asyncpg",
        "credentials": {
            "host": socket_dir or parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "database": (parts.path or "/").lstrip("/") or "postgres",
            "minsize": 1,
            "maxsize": 10,
            "reset": _keep_session,
            "connection_class": _connection_class(),
            # Text search (backend/search.py): the share of a query word's trigrams that
            # `word <% search_text` requires — the same on every pooled connection, set when
            # it opens (a placeholder until pg_trgm is loaded, which then adopts it).
            "server_settings": {"pg_trgm.word_similarity_threshold": "0.5"},
        },
    }


async def _keep_session(connection: Any) -> None:
    """Return a connection to the pool as it is — unless it failed at the connection level.

    asyncpg's default reset sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` on every release — a round trip for each query run outside a transaction, about a
    third of all statements on the complaint intake path. BATT leaves no session state on
    pooled connections: its advisory lock is transaction-scoped (``pg_advisory_xact_lock``),
    it never uses ``SET`` without ``LOCAL``, cursors or ``LISTEN`` on them (the event bus
    listens on a connection of its own). What a reset must still do, asyncpg does before
    calling this: roll back a transaction left open and drop listeners.

    The reset query also used to weed out broken connections: when PostgreSQL restarts, a
    connection that was mid-query receives the shutdown error and waits for a ready signal
    that never comes; until the socket's end is noticed it looks open, and handed out again it
    fails every query ("cannot switch to state …"). Such a connection is marked as it fails
    (:class:`_Connection`) and refused here, so the pool terminates it and opens a new one."""
    if getattr(connection, "broken", False):
        import asyncpg

        raise asyncpg.exceptions.ConnectionDoesNotExistError(
            "connection failed at the protocol level; discarded")


def _connection_class() -> type:
    import asyncpg
    import asyncpg.exceptions as pg

    broken_by = (pg.InternalClientError, pg.InterfaceError, pg.PostgresConnectionError,
                 pg.AdminShutdownError, pg.CrashShutdownError, pg.CannotConnectNowError,
                 OSError, TimeoutError)

    class _Connection(asyncpg.Connection):
        """Remembers a failure that leaves the protocol unusable (see :func:`_keep_session`).
        Every query path — prepared (``_do_execute``) and simple (``execute`` without
        arguments, which transactions use) — goes through these two methods."""

        broken = False

        async def _do_execute(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return await super()._do_execute(*args, **kwargs)
            except broken_by:
                self.broken = True
                raise

        async def execute(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return await super().execute(*args, **kwargs)
            except broken_by:
                self.broken = True
                raise

    return _Connection


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": _connection_config(settings.database_url)},
        "apps": {
            app.label: {
                "models": [app.models],
                "migrations": app.migrations,
                "default_connection": "default",
            }
            for app in installed_apps()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(settings: Settings) -> None:
    if settings.database_dialect == "sqlite":
        from pathlib import Path

        Path(settings.database_url.removeprefix("sqlite://")).parent.mkdir(
            parents=True, exist_ok=True
        )


async def init_db(settings: Settings) -> None:
    _ensure_sqlite_dir(settings)
    keys.install(keys.keyring_for(settings))
    # The global fallback lets request tasks (spawned outside the lifespan task) see the ORM.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(
    settings: Settings, progress: Callable[[str, str, str], object] | None = None
) -> None:
    """Bring the database to the current schema with Tortoise's built-in migrations."""
    _ensure_sqlite_dir(settings)
    keys.install(keys.keyring_for(settings))
    await tortoise_migrate(config=tortoise_config(settings), progress=progress)


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def dialect() -> str:
    return connection().capabilities.dialect


async def ping() -> None:
    await connection().execute_query("SELECT 1")


def numbered(sql: str) -> str:
    """Raw SQL is written with ``?`` placeholders (SQLite's); PostgreSQL wants ``$1, $2 …``.
    (Only for statements whose text holds no literal question mark.)"""
    if dialect() != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
