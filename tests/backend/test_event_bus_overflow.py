"""A live subscriber waiting for its next event must not be lost when a burst overflows its
queue: it catches up from the log instead of waiting forever (found by the 20-run loop of
the stream tests, as a rare time-out of the slow-consumer test under load)."""

from __future__ import annotations

import asyncio

from among_warga.events import ComplaintEvent
from backend.events import bus as bus_module
from backend.events import record_event
from backend.events.bus import EventBus
from backend.events.models import DomainEvent


async def event(n: int) -> int:
    recorded = await record_event(ComplaintEvent.COMPLAINT_PROGRESS, subject_type="test",
                                  subject_id=n, audience=["role:operator"], payload={"n": n})
    return recorded.id


async def test_a_waiting_subscriber_overflowed_by_a_burst_catches_up(settings, monkeypatch):
    monkeypatch.setattr(bus_module, "QUEUE_SIZE", 3)
    bus = EventBus(settings.database_url)
    await bus.start()
    seen: list[int] = []
    arrived = asyncio.Event()

    async def consume() -> None:
        async for received in bus.stream(None, {"role:operator"}):
            seen.append(received.id)
            arrived.set()

    consumer = asyncio.create_task(consume())
    try:
        async with asyncio.timeout(10):
            while not bus.subscriptions:  # registered on its first step; polled
                await asyncio.sleep(0.005)
        first = await event(0)
        async with asyncio.timeout(10):
            while first not in seen:
                arrived.clear()
                await arrived.wait()
        # The consumer is now waiting on its empty queue. Eight events land in one read of
        # the log (the reader is held back while they commit): more than the queue holds.
        async with bus._read_lock:
            burst = [await event(n) for n in range(1, 9)]
        async with asyncio.timeout(10):
            while len(seen) < 9:
                arrived.clear()
                await arrived.wait()
        assert seen == [first, *burst]
        assert seen == [e.id for e in await DomainEvent.all().order_by("id")]
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await bus.stop()
