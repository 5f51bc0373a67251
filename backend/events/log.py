from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from enum import Enum
from typing import Any

from tortoise.transactions import in_transaction

from backend import db
from backend.events.audience import normalise
from backend.events.models import DomainEvent
from backend.events.types import check_event_type

log = logging.getLogger(__name__)

# Arbitrary constant naming the advisory lock that orders event ids by commit (PostgreSQL).
EVENT_ORDER_LOCK = 0x0BA77E
NOTIFY_CHANNEL = "batt_events"


# Called with the committed events (in cursor order) after the transaction that wrote them
# commits; never for a rolled-back change. The live stream registers itself here.
Subscriber = Callable[[list[DomainEvent]], Awaitable[None]]
after_commit_subscribers: list[Subscriber] = []


_pending: contextvars.ContextVar[list[DomainEvent] | None] = contextvars.ContextVar(
    "batt_pending_events", default=None
)


@contextlib.asynccontextmanager
async def unit_of_work() -> AsyncIterator[Any]:
    """A transaction whose recorded events are published once it has committed.

    Services wrap every multi-step write in one of these: all rows and their events commit
    together or not at all, and listeners only ever hear about committed changes.
    """
    outer = _pending.get()
    if outer is not None:  # nested: the outermost unit publishes
        async with in_transaction() as connection:
            yield connection
        return
    events: list[DomainEvent] = []
    token = _pending.set(events)
    try:
        async with in_transaction() as connection:
            yield connection
    finally:
        _pending.reset(token)
    if events:
        await publish_committed(events)


async def record_event(
    type: Enum,
    *,
    subject_type: str,
    subject_id: int,
    audience: Iterable[str],
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> DomainEvent:
    """Write an event in the caller's unit of work (or in a transaction of its own).

    ``type`` is a member of a domain's event-type enum (``Domain.event_types``, values
    namespaced like ``"order.placed"``); ``audience`` the keys of who may hear of it
    (``backend.events.audience``), computed by the domain now, as the event happens.

    Call it last in the transaction: on PostgreSQL it takes a transaction-scoped advisory
    lock so that event ids commit in increasing order — a reader resuming "after cursor N"
    can then never miss an event that committed late with a smaller id.
    """
    check_event_type(type)
    fields = dict(
        type=type.value, subject_type=subject_type, subject_id=subject_id,
        audience=normalise(audience), actor_id=actor_id, payload=payload or {},
    )
    pending = _pending.get()
    if pending is not None:
        # Inside a unit of work: already in its transaction, no savepoint needed.
        event = await _insert_event(db.connection(), fields)
        pending.append(event)
        return event
    async with in_transaction() as connection:
        event = await _insert_event(connection, fields)
    await publish_committed([event])
    return event


async def _insert_event(connection: Any, fields: dict[str, Any]) -> DomainEvent:
    if db.dialect() == "postgres":
        # The lock first, so the id is taken under it. The NOTIFY rides along in the same
        # statement: PostgreSQL delivers it at commit, and never for a rollback, to every
        # process's listener (which only needs the wake-up, not a payload).
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock($1), pg_notify($2, '')",
            [EVENT_ORDER_LOCK, NOTIFY_CHANNEL],
        )
    return await DomainEvent.create(**fields, using_db=connection)


async def publish_committed(events: list[DomainEvent]) -> None:
    """Hand committed events to the subscribers; a failing subscriber never fails the caller
    (the events are durable — the stream re-reads the log on its own)."""
    for subscriber in list(after_commit_subscribers):
        try:
            await subscriber(events)
        except Exception:  # a broken listener must not break the mutation that committed
            log.exception("event subscriber %r failed", subscriber)
