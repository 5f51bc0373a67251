"""The live half of the event stream, one per server process.

Committed events reach the process as a wake-up — PostgreSQL ``NOTIFY`` on one dedicated
listening connection per process (PostgreSQL slows down with many listeners), or the
after-commit hook on SQLite — and the bus then reads the log once, from the last id it has
seen, and fans the rows out in memory to every subscription. Because event ids commit in
order (see :func:`backend.events.log.record_event`), "everything after the last id" never
skips an event.

Each subscription has a bounded queue. A consumer that falls behind is not waited for: its
queue is dropped and it re-reads the log from its own last cursor, so the others never stall
and nothing is lost or repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from backend import db
from backend.clock import utcnow
from backend.db_faults import database_unavailable
from backend.events.audience import hears
from backend.events.log import NOTIFY_CHANNEL, after_commit_subscribers
from backend.events.models import DomainEvent
from backend.observability.metrics import EVENT_LAG

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
READ_BATCH = 500
# A safety net: re-read the log this often even without a wake-up (a NOTIFY lost while the
# listening connection was being re-established, a CLI process writing on SQLite). The server
# passes Settings.event_poll_seconds (BATT_EVENT_POLL_SECONDS).
POLL_SECONDS = 5.0


class Subscription:
    def __init__(self, bus: EventBus, accept: Callable[[DomainEvent], bool]) -> None:
        self.bus = bus
        self.accept = accept
        # Events, or None: "you fell behind, read the log" (see offer).
        self.queue: asyncio.Queue[DomainEvent | None] = asyncio.Queue(QUEUE_SIZE)
        self.lagging = False

    def offer(self, event: DomainEvent) -> None:
        if self.lagging:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Too slow: stop buffering for it; it will catch up from the log. The queue is
            # emptied and left holding one wake-up: a consumer already waiting on it (the
            # burst came in one read, before it could take anything) must not wait forever.
            self.lagging = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class EventBus:
    def __init__(self, database_url: str | None = None, *,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.database_url = database_url
        self.poll_seconds = poll_seconds
        self.subscriptions: set[Subscription] = set()
        self.last_id = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._read_lock = asyncio.Lock()
        self._started = False
        self._behind = False  # events were skipped while nobody listened

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.last_id = await latest_event_id()
        after_commit_subscribers.append(self._after_commit)
        self._tasks.append(asyncio.create_task(self._reader(), name="event-bus-reader"))
        if db.dialect() == "postgres" and self.database_url:
            self._tasks.append(asyncio.create_task(self._listener(), name="event-bus-listen"))

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            after_commit_subscribers.remove(self._after_commit)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._started = False

    async def _after_commit(self, events: list[DomainEvent]) -> None:
        self._wake.set()

    async def _listener(self) -> None:
        import asyncpg

        url = self.database_url.replace("postgres://", "postgresql://", 1)
        while True:
            try:
                conn = await asyncpg.connect(url)
                try:
                    await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
                    self._wake.set()  # catch up on anything committed while we were away
                    while not conn.is_closed():
                        await asyncio.sleep(self.poll_seconds)
                        await conn.execute("SELECT 1")  # notice a dead connection
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect; events are durable, the reader catches up
                log.warning("event listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1.0)

    async def _reader(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                await self._read_new()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next wake-up or poll tries again
                if database_unavailable(exc):
                    log.warning("event bus: database unavailable (%s); retrying",
                                type(exc).__name__)
                    await asyncio.sleep(1.0)
                    self._wake.set()  # catch up as soon as it is back
                else:
                    log.exception("event bus could not read the log")

    async def _read_new(self) -> None:
        async with self._read_lock:
            if not self.subscriptions:
                # Nobody in this process to hand events to: no read. The live edge is
                # looked up again when someone subscribes (see stream).
                self._behind = True
                return
            while True:
                events = await DomainEvent.filter(id__gt=self.last_id).order_by("id").limit(
                    READ_BATCH
                )
                if not events:
                    return
                self.last_id = events[-1].id
                now = utcnow()
                for event in events:  # commit → fan-out, once per event and process
                    EVENT_LAG.observe(max(0.0, (now - event.occurred_at).total_seconds()))
                for subscription in list(self.subscriptions):
                    for event in events:
                        if subscription.accept(event):
                            subscription.offer(event)
                if len(events) < READ_BATCH:
                    return

    # -- consumers --------------------------------------------------------------------------

    async def stream(
        self, after: int | None, keys: Iterable[str],
        accept: Callable[[DomainEvent], bool] | None = None,
    ) -> AsyncIterator[DomainEvent]:
        """Events the consumer may hear of with id > ``after`` (from the log), then live ones —
        each exactly once and in order. ``after=None`` starts at the live edge.

        ``keys`` are the viewer's (``backend.events.audience.viewer_keys``): an event reaches
        the consumer only when its audience holds one of them — decided here, for every
        subscription, before anything is rendered. ``accept`` narrows further (one subject,
        some types)."""
        accept = _audience_filter(keys if keys is EVERY_EVENT else frozenset(keys), accept)
        if self._behind:
            async with self._read_lock:
                if self._behind and not self.subscriptions:
                    self.last_id = await latest_event_id()
                self._behind = False
        subscription = Subscription(self, accept)
        # Registered before reading the log: whatever commits meanwhile is queued and the
        # overlap is dropped below by id, so the seam has neither a gap nor a duplicate.
        self.subscriptions.add(subscription)
        try:
            # A cursor from beyond the log (a reset database, a cursor from another
            # deployment) would silence the stream until ids caught up: start at the end.
            cursor = self.last_id if after is None else min(after, await latest_event_id())
            async for event in _replay(cursor, accept):
                cursor = event.id
                yield event
            while True:
                if subscription.lagging:
                    subscription.lagging = False
                    async for event in _replay(cursor, accept):
                        cursor = event.id
                        yield event
                    continue
                event = await subscription.queue.get()
                if event is None or event.id <= cursor:
                    continue  # None: lagging, caught up above
                cursor = event.id
                yield event
        finally:
            self.subscriptions.discard(subscription)


# The keys of a platform consumer that hears every event whatever its audience — the public
# read cache, which only drops entries: never a viewer's stream, nothing rendered from it.
EVERY_EVENT: frozenset[str] = frozenset({"*every-event*"})


def _audience_filter(keys: frozenset[str], accept: Callable[[DomainEvent], bool] | None
                     ) -> Callable[[DomainEvent], bool]:
    if keys is EVERY_EVENT:
        return accept or (lambda event: True)
    if isinstance(keys, str) or not keys:
        raise ValueError("a stream needs the viewer's audience keys")
    if accept is None:
        return lambda event: hears(event.audience, keys)
    return lambda event: hears(event.audience, keys) and accept(event)


async def _replay(after: int, accept: Callable[[DomainEvent], bool]) -> AsyncIterator[DomainEvent]:
    cursor = after
    while True:
        events = await DomainEvent.filter(id__gt=cursor).order_by("id").limit(READ_BATCH)
        for event in events:
            cursor = event.id
            if accept(event):
                yield event
        if len(events) < READ_BATCH:
            return


async def latest_event_id() -> int:
    """The id of the newest committed event (0 before the first): a cursor from which a
    subscription misses nothing committed after this call."""
    latest = await DomainEvent.all().order_by("-id").first()
    return latest.id if latest else 0
