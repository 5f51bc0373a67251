"""Counting the SQL statements a piece of work sends, on SQLite and PostgreSQL alike.

Every statement BATT sends goes through a Tortoise client (the ORM, and the SQLAlchemy Core
statements of backend/geo/sql.py run on Tortoise's connection), so the execute methods of the
client classes are wrapped, once, and count into whatever :class:`QueryLog` is active.
Transaction control counts too — ``BEGIN``, ``COMMIT``, ``ROLLBACK`` and savepoints are round
trips like any other. A call that Tortoise makes from inside another counted call (a client
method delegating to its parent class) counts once.

Not counted: what the drivers do on their own (asyncpg's type introspection on a fresh
connection, SQLite PRAGMAs when a connection opens) and the event bus's LISTEN connection.

    with count_queries() as queries:
        await gql(...)
    assert len(queries) == 3, queries.statements
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient

_EXECUTE = ("execute_insert", "execute_many", "execute_query", "execute_query_dict",
            "execute_query_dict_with_affected", "execute_script")
_TRANSACTION = {"begin": "BEGIN", "commit": "COMMIT", "rollback": "ROLLBACK",
                "savepoint": "SAVEPOINT", "release_savepoint": "RELEASE SAVEPOINT",
                "savepoint_rollback": "ROLLBACK TO SAVEPOINT"}

_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("querycount_inside", default=False)
_active: list[QueryLog] = []
_installed = False


class QueryLog:
    """The statements sent while it was active, in order."""

    def __init__(self, task: Any = None) -> None:
        self.statements: list[str] = []
        # Only statements sent by this asyncio task (None: any), e.g. not the event bus
        # reading the log while the block runs.
        self.task = task

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Iterator[str]:
        return iter(self.statements)

    def __repr__(self) -> str:
        return f"QueryLog({len(self)} statements)"

    def clear(self) -> None:
        self.statements.clear()

    def matching(self, pattern: str) -> list[str]:
        """The statements matching a regular expression (case-insensitive)."""
        compiled = re.compile(pattern, re.IGNORECASE)
        return [s for s in self.statements if compiled.search(s)]


def _counted(method: Callable[..., Any], label: Callable[[tuple[Any, ...]], str]) -> Callable:
    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _active or _inside.get():
            return await method(self, *args, **kwargs)
        text = label(args) if args else label((kwargs.get("query", ""),))
        current = asyncio.current_task()
        for log in _active:
            if log.task is None or log.task is current:
                log.statements.append(text)
        token = _inside.set(True)
        try:
            return await method(self, *args, **kwargs)
        finally:
            _inside.reset(token)

    wrapper.__querycount__ = True  # type: ignore[attr-defined]
    return wrapper


def _client_classes() -> list[type]:
    # Import both dialects' clients so their classes exist before they are wrapped.
    import tortoise.backends.asyncpg.client  # noqa: F401
    import tortoise.backends.sqlite.client  # noqa: F401

    found, todo = [], [BaseDBAsyncClient]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def install() -> None:
    """Wrap the client methods (idempotent; the wrappers cost nothing while no log is
    active)."""
    global _installed
    if _installed:
        return
    for cls in _client_classes():
        for name in _EXECUTE:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__querycount__", False):
                setattr(cls, name, _counted(method, lambda args: str(args[0])))
        for name, text in _TRANSACTION.items():
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__querycount__", False):
                setattr(cls, name, _counted(method, lambda args, text=text: text))
    _installed = True


@contextlib.contextmanager
def counting_queries(*, this_task_only: bool = False) -> Iterator[QueryLog]:
    install()
    log = QueryLog(asyncio.current_task() if this_task_only else None)
    _active.append(log)
    try:
        yield log
    finally:
        _active.remove(log)


@pytest.fixture
def count_queries() -> Callable[[], contextlib.AbstractContextManager[QueryLog]]:
    """``with count_queries() as queries: …`` — the SQL statements sent inside the block."""
    install()
    return counting_queries
