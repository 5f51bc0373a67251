"""After-commit handlers: reactions to events (pushes, notifications, another domain's
follow-up) run from the durable log instead of inside the change that caused them.

A domain lists its handlers in its manifest (``Domain.handlers``)::

    HANDLERS = [Handler("tani_market.notify-farmer", (OrderEvent.PLACED,), notify_farmer)]

``fn(event)`` is async and runs after the event's transaction committed, in a transaction of
its own that also advances the handler's cursor (table ``event_handler_cursor``): what the
handler writes in the database and the cursor commit together, so database effects happen
once; effects outside (an HTTP call) happen **at least once** — a crash between the call and
the commit repeats it — so a handler must be idempotent (the push outbox is, by
``dedupe_key``: key it on the event id). A handler that raises stops at that event and is
retried on the next round (logged at ERROR); later events wait for it, in order.

Handlers run in the periodic job ``event-handlers`` (``backend.jobs``), so on PostgreSQL in
one process of the cluster at a time (advisory lock); a commit in this process wakes the job
at once, others are picked up within a second. A handler added later starts at the beginning
of the log (a new domain's events are all its own). In tests, ``await drain()`` runs every
handler until it has caught up — the signal to wait for.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from backend.events.log import after_commit_subscribers, unit_of_work
from backend.events.models import DomainEvent, HandlerCursor

log = logging.getLogger(__name__)

BATCH = 500
INTERVAL_SECONDS = 1.0


@dataclass(frozen=True)
class Handler:
    name: str  # unique, stable: it names the cursor ("<domain>.<what it does>")
    event_types: tuple[Enum | str, ...]
    fn: Callable[[DomainEvent], Awaitable[Any]]

    @property
    def types(self) -> frozenset[str]:
        return frozenset(getattr(t, "value", t) for t in self.event_types)


@functools.cache
def _handlers(names: tuple[str, ...]) -> tuple[Handler, ...]:
    from backend import domains
    from backend.events.types import registered_event_types

    found: list[Handler] = [h for group in domains.collect("handlers") for h in group]
    seen: set[str] = set()
    known = registered_event_types()
    for handler in found:
        if handler.name in seen:
            raise ValueError(f"two event handlers are named {handler.name!r}")
        seen.add(handler.name)
        unknown = sorted(handler.types - known.keys())
        if unknown or not handler.types:
            raise ValueError(f"handler {handler.name!r}: unknown event types {unknown}")
    return tuple(found)


def handlers() -> tuple[Handler, ...]:
    """Every installed domain's handlers, in domain order."""
    from backend import domains

    return _handlers(tuple(d.name for d in domains.domains()))


async def run_handler(handler: Handler) -> int:
    """Hand every event after the handler's cursor to it; returns how many it handled."""
    cursor, _ = await HandlerCursor.get_or_create(name=handler.name)
    last_id = cursor.last_id
    types = handler.types
    handled = 0
    while True:
        events = await DomainEvent.filter(id__gt=last_id).order_by("id").limit(BATCH)
        if not events:
            return handled
        for event in events:
            if event.type in types:
                try:
                    async with unit_of_work():
                        await handler.fn(event)
                        await HandlerCursor.filter(name=handler.name).update(last_id=event.id)
                except Exception:
                    log.exception("event handler %s failed on event %s (%s); retrying on the "
                                  "next round", handler.name, event.id, event.type)
                    await _advance(handler.name, last_id)
                    raise
                handled += 1
            last_id = event.id
        # Past events of other types too, so the next read starts after them.
        await _advance(handler.name, last_id)
        if len(events) < BATCH:
            return handled


async def _advance(name: str, last_id: int) -> None:
    await HandlerCursor.filter(name=name, last_id__lt=last_id).update(last_id=last_id)


async def run_handlers() -> int:
    """One round of every handler (the ``event-handlers`` job). A failing handler does not
    hold up the others; it is reported by raising once all have had their turn."""
    handled = 0
    failed: list[str] = []
    for handler in handlers():
        try:
            handled += await run_handler(handler)
        except Exception:
            failed.append(handler.name)
    if failed:
        raise HandlerFailed(f"event handlers failed: {', '.join(failed)}")
    return handled


class HandlerFailed(RuntimeError):
    pass


async def drain() -> int:
    """Run every handler until none has anything left (tests; the demo). Returns how many
    events were handled."""
    total = 0
    while True:
        handled = await run_handlers()
        total += handled
        if not handled:
            return total


# -- the job ------------------------------------------------------------------------------------

_wake = asyncio.Event()


async def _committed(events: list[DomainEvent]) -> None:
    _wake.set()


def jobs(settings: Any) -> list[Any]:
    """The events domain's periodic job: run the handlers, woken by commits in this process
    and at least every second (commits of other processes)."""
    from backend.jobs import Job

    if _committed not in after_commit_subscribers:
        after_commit_subscribers.append(_committed)
    return [Job("event-handlers", INTERVAL_SECONDS, run_handlers, wake=_wake)]
