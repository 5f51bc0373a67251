"""Telling "the database is down" from a bug.

While PostgreSQL restarts (or a network drops), queries fail with connection errors; those
requests are answered ``SERVICE_UNAVAILABLE`` (HTTP 503, ``Retry-After``) instead of an internal
error, and the client retries — safely, since every write is idempotent by its client request
id or its conditional update. Nothing needs restarting afterwards: asyncpg's pool replaces a
closed connection when it is next acquired, and the event listener reconnects by itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from backend.errors import ErrorCode, messages

# Seconds a client should wait before retrying; a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 5


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _from_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(("asyncpg", "tortoise")):
            return True
        tb = tb.tb_next
    return False


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be reached right now."""
    try:
        import asyncpg.exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pg = None
    for error in _chain(exc):
        if pg is not None:
            if isinstance(error, (pg.PostgresConnectionError, pg.CannotConnectNowError,
                                  pg.AdminShutdownError, pg.CrashShutdownError,
                                  pg.TooManyConnectionsError)):
                return True
            if isinstance(error, pg.InterfaceError) and "closed" in str(error):
                return True
            # A connection caught by a restart mid-query (it is discarded on release).
            if isinstance(error, pg.InternalClientError) and (
                    "cannot switch to state" in str(error) or "not connected" in str(error)):
                return True
        if isinstance(error, (ConnectionError, OSError)) and not isinstance(
                error, FileNotFoundError | PermissionError):
            if isinstance(error, ConnectionError) or _from_driver(error):
                return True
        if isinstance(error, TimeoutError) and _from_driver(error):
            return True
        if isinstance(error, sqlite3.OperationalError) and (
                "locked" in str(error) or "unable to open" in str(error)):
            return True  # busy beyond its timeout, or its disk gone: try again shortly
    return False


class AvailabilityCode(ErrorCode):
    SERVICE_UNAVAILABLE = "service_unavailable"


messages({
    AvailabilityCode.SERVICE_UNAVAILABLE: (
        "Layanan sedang tidak dapat dijangkau sebentar. Coba lagi dalam beberapa detik; "
        "laporan yang dikirim ulang tidak akan tercatat dua kali.",
        "The service is briefly unavailable. Try again in a few seconds; a report sent again "
        "is never recorded twice.",
    ),
})


def unavailable_error(language: str) -> dict:
    """The GraphQL error a client gets while the database is down (HTTP 503)."""
    return {
        "message": AvailabilityCode.SERVICE_UNAVAILABLE.message(language),
        "extensions": {"code": "SERVICE_UNAVAILABLE", "retryAfterSeconds": RETRY_AFTER_SECONDS},
    }
