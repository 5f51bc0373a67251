"""Run SQLAlchemy Core statements on Tortoise's connection.

Spatial statements are composed with SQLAlchemy Core (+ GeoAlchemy2 functions on PostGIS),
compiled for the current dialect, and executed on ``backend.db.connection()`` — which inside
``in_transaction()`` is that transaction's connection. So spatial reads and writes join the
caller's transaction, and there is one pool, Tortoise's.

On SQLite the geodesic distance function ``batt_geodesic_m(lat1, lon1, lat2, lon2)`` is
registered on each aiosqlite connection the first time spatial SQL runs on it.
"""

from __future__ import annotations

import datetime
import weakref
from collections import OrderedDict
from enum import Enum
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import dialect as AsyncpgDialect
from sqlalchemy.dialects.sqlite.pysqlite import dialect as SqliteDialect
from sqlalchemy.sql import ClauseElement
from tortoise.backends.base.client import BaseDBAsyncClient

from backend import db
from backend.geo.geodesy import geodesic_distance_m

GEODESIC_FUNCTION = "batt_geodesic_m"

_DIALECTS = {"postgres": AsyncpgDialect(), "sqlite": SqliteDialect()}
# Python functions SQLite statements may call (PostGIS and pg_trgm have their own): name →
# (number of arguments, function). Each is registered on a connection before its first use.
_SQLITE_FUNCTIONS: dict[str, tuple[int, Any]] = {}
_prepared_sqlite: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def register_sqlite_function(name: str, arguments: int, function: Any) -> None:
    """Make ``name(...)`` callable from SQL that runs through this module on SQLite
    (deterministic functions only: SQLite may cache their results)."""
    _SQLITE_FUNCTIONS[name] = (arguments, function)


def _sqlite_geodesic(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float | None:
    if None in (lat1, lon1, lat2, lon2):
        return None
    return geodesic_distance_m(lat1, lon1, lat2, lon2)


register_sqlite_function(GEODESIC_FUNCTION, 4, _sqlite_geodesic)


def _sqlite_value(value: Any) -> Any:
    # Match how Tortoise writes values on SQLite (its sqlite3 adapters), not SQLAlchemy's
    # own formats, so caller conditions on Tortoise columns compare like with like.
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


_COMPILED_CACHE_SIZE = 512
_compiled: OrderedDict[tuple[str, Any], Any] = OrderedDict()


def _compiled_for(statement: ClauseElement, dialect_name: str) -> tuple[Any, Any]:
    # Compiling costs about a millisecond — as much as a spatial query on a million rows.
    # Like SQLAlchemy's engine, cache the compiled form by the statement's structure and
    # bind this statement's values into it (IN lists are expanded per execution).
    dialect = _DIALECTS[dialect_name]
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return dialect.statement_compiler(dialect, statement), None
    slot = (dialect_name, cache_key.key)
    compiled = _compiled.get(slot)
    if compiled is None:
        compiled = dialect.statement_compiler(dialect, statement, cache_key=cache_key)
        _compiled[slot] = compiled
        if len(_compiled) > _COMPILED_CACHE_SIZE:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(slot)
    return compiled, cache_key[1]


def compile_statement(statement: ClauseElement, dialect_name: str) -> tuple[str, list[Any]]:
    compiled, extracted = _compiled_for(statement, dialect_name)
    params = (compiled.construct_params(extracted_parameters=extracted) if extracted is not None
              else compiled.construct_params())
    expanded = compiled.construct_expanded_state(params)
    names = expanded.positiontup or []
    values = expanded.parameters
    if dialect_name == "sqlite":
        return expanded.statement, [_sqlite_value(values[name]) for name in names]
    processors = expanded.processors
    result = []
    for name in names:
        value = values[name]
        if isinstance(value, Enum):
            value = value.value
        processor = processors.get(name)
        result.append(processor(value) if processor else value)
    return expanded.statement, result


async def _prepare(conn: BaseDBAsyncClient) -> None:
    if conn.capabilities.dialect != "sqlite":
        return
    raw = getattr(conn, "_connection", None)
    if raw is None:
        await conn.create_connection(with_db=True)
        raw = conn._connection  # type: ignore[attr-defined]
    registered = _prepared_sqlite.setdefault(raw, set())
    for name, (arguments, function) in list(_SQLITE_FUNCTIONS.items()):
        if name not in registered:
            await raw.create_function(name, arguments, function, deterministic=True)
            registered.add(name)


async def fetch_all(statement: ClauseElement) -> list[dict[str, Any]]:
    conn = db.connection()
    await _prepare(conn)
    sql, values = compile_statement(statement, conn.capabilities.dialect)
    return list(await conn.execute_query_dict(sql, values))


async def fetch_raw(sql: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
    """Plain SQL on the same connection (EXPLAIN, catalogue look-ups)."""
    conn = db.connection()
    await _prepare(conn)
    return list(await conn.execute_query_dict(sql, values or []))
