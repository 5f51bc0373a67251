"""The live stream: the graphql-transport-ws protocol itself, replay from a cursor with no gap
or duplicate at the seam, slow consumers, and a server process killed mid-stream."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import websockets

from backend.accounts.models import Role
from backend.events import bus as bus_module
from backend.events.bus import EventBus
from backend.events.models import DomainEvent
from command_center import services as triage
from tests.command_center.conftest import Collector, free_port, submit_complaint

PROTOCOL = "graphql-transport-ws"

# An operator's keys: hears of every complaint event.
STAFF_KEYS = frozenset({"public", "role:operator"})


async def connect(address: str, subprotocols=(PROTOCOL,)):
    return await websockets.connect(f"ws://{address}/graphql", subprotocols=list(subprotocols))


async def closed_with(ws) -> int:
    with pytest.raises(websockets.ConnectionClosed):
        for _ in range(10):
            await asyncio.wait_for(ws.recv(), 5)
    return ws.close_code


async def test_protocol_handshake_and_errors(live_server, make_user):
    _, operator = await make_user(Role.OPERATOR)

    ws = await connect(live_server, subprotocols=["graphql-ws"])  # the legacy protocol
    assert await closed_with(ws) == 4406

    ws = await connect(live_server)
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ skpds { code } }"}}))
    assert await closed_with(ws) == 4401  # subscribe before connection_ack

    ws = await connect(live_server)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}))
    assert await closed_with(ws) == 4403

    ws = await connect(live_server)
    await ws.send("this is not json")
    assert await closed_with(ws) == 4400

    async with await connect(live_server) as ws:
        assert ws.subprotocol == PROTOCOL
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {operator}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        # Queries work over the socket too: one next, then complete.
        await ws.send(json.dumps({"id": "q", "type": "subscribe",
                                  "payload": {"query": "{ me { roles } }"}}))
        assert json.loads(await ws.recv()) == {"id": "q", "type": "next",
                                               "payload": {"data": {"me": {"roles": ["OPERATOR"]}}}}
        assert json.loads(await ws.recv()) == {"id": "q", "type": "complete"}
        # Validation errors come as an error message for that operation only.
        await ws.send(json.dumps({"id": "bad", "type": "subscribe",
                                  "payload": {"query": "subscription { nope }"}}))
        message = json.loads(await ws.recv())
        assert message["type"] == "error" and message["id"] == "bad"
        sub = {"query": "subscription { commandCenterEvents { cursor } }"}
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
        # The server reads a connection's messages in order: the first is registered when
        # the second arrives.
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
        assert await closed_with(ws) == 4409

    async with await connect(live_server) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"type": "connection_init"}))
        assert await closed_with(ws) == 4429

    # Anonymous connections may run public operations but not subscribe to case events.
    async with await connect(live_server) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": {
            "query": "subscription { commandCenterEvents { cursor } }"}}))
        message = json.loads(await ws.recv())
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def make_events(actor, complaint_id: int, count: int) -> None:
    """Real state changes through the service layer: the category flips back and forth."""
    for i in range(count):
        await triage.change_category(actor, complaint_id, "sampah" if i % 2 else "pohon_tumbang")


async def make_marker(actor, complaint_id: int) -> str:
    """One more event, told apart by its note: when it is the next one a subscriber receives,
    nothing else (a duplicate, a straggler) came before it."""
    note = f"penanda {uuid.uuid4().hex[:8]}"
    await triage.change_category(actor, complaint_id, "sampah", note=note)
    return note


async def subscribed(bus: EventBus, count: int) -> None:
    """Wait until ``count`` streams have registered with the bus. A stream registers when
    its generator first runs (after at most one read of the log); nothing announces it, so
    the condition is polled."""
    async with asyncio.timeout(10):
        while len(bus.subscriptions) < count:
            await asyncio.sleep(0.005)


async def test_replay_from_a_cursor_then_live_without_gap_or_duplicate(
    live_server, gql, client, make_user
):
    operator_user, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    complaint = await submit_complaint(gql, client, resident)
    await make_events(operator_user, int(complaint["id"]), 3)
    history = [e.id for e in await DomainEvent.all().order_by("id")]
    assert len(history) == 4

    async with Collector(live_server, operator, variables={"after": str(history[1])}) as stream:
        # Events committed while the replay runs and after it: all arrive, once each.
        await make_events(operator_user, int(complaint["id"]), 5)
        await stream.wait_for(7)
        await stream.next_is(make_marker(operator_user, int(complaint["id"])))
    expected = [e.id for e in await DomainEvent.filter(id__gt=history[1]).order_by("id")]
    assert [int(e["cursor"]) for e in stream.events] == expected and len(expected) == 8


async def test_a_snapshot_then_a_stream_from_the_latest_cursor_misses_nothing(
    live_server, gql, client, make_user
):
    operator_user, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    assert (await gql("{ latestEventCursor }"))["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED")
    complaint = await submit_complaint(gql, client, resident)
    cursor = (await gql("{ latestEventCursor }", token=operator))["data"]["latestEventCursor"]
    assert int(cursor) == (await DomainEvent.all().order_by("-id").first()).id
    # What commits between reading the cursor (before the snapshot) and subscribing is
    # replayed; what came before it is not.
    await make_events(operator_user, int(complaint["id"]), 2)
    async with Collector(live_server, operator, variables={"after": cursor}) as stream:
        await make_events(operator_user, int(complaint["id"]), 1)
        await stream.wait_for(3)
        await stream.next_is(make_marker(operator_user, int(complaint["id"])))
    expected = [e.id for e in await DomainEvent.filter(id__gt=int(cursor)).order_by("id")]
    assert [int(e["cursor"]) for e in stream.events] == expected and len(expected) == 4


async def test_a_slow_consumer_stalls_no_one_and_loses_nothing(
    settings, gql, client, make_user, monkeypatch
):
    monkeypatch.setattr(bus_module, "QUEUE_SIZE", 3)
    operator_user, _ = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    complaint = await submit_complaint(gql, client, resident)
    bus = EventBus(settings.database_url)
    await bus.start()
    try:
        slow = bus.stream(None, STAFF_KEYS)
        fast = bus.stream(None, STAFF_KEYS)
        slow_first = asyncio.ensure_future(slow.__anext__())
        fast_seen = []

        async def consume_fast():
            async for event in fast:
                fast_seen.append(event.id)
                if len(fast_seen) == 12:
                    return

        fast_task = asyncio.create_task(consume_fast())
        await subscribed(bus, 2)
        await make_events(operator_user, int(complaint["id"]), 12)
        await asyncio.wait_for(fast_task, 10)  # not held up by the slow one
        # The slow consumer read one event and then nothing while 11 more arrived (its queue
        # holds 3): it catches up from the log, in order, without a gap or repeat.
        slow_seen = [(await asyncio.wait_for(slow_first, 5)).id]
        while len(slow_seen) < 12:
            slow_seen.append((await asyncio.wait_for(slow.__anext__(), 5)).id)
        assert slow_seen == fast_seen
        assert fast_seen == sorted(fast_seen) and len(set(fast_seen)) == 12
        await slow.aclose()
        await fast.aclose()
    finally:
        await bus.stop()


async def test_a_bus_without_subscribers_reads_nothing_and_joins_at_the_live_edge(
    settings, gql, client, make_user
):
    operator_user, _ = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    complaint = await submit_complaint(gql, client, resident)
    bus = EventBus(settings.database_url)
    await bus.start()
    try:
        start = bus.last_id
        # Nobody subscribed: the bus does not read the log (its position stays put) …
        await make_events(operator_user, int(complaint["id"]), 3)
        await bus._read_new()
        assert bus.last_id == start
        # … and a subscriber from the live edge gets what commits next, not the skipped three.
        stream = bus.stream(None, STAFF_KEYS)
        first = asyncio.ensure_future(stream.__anext__())
        await subscribed(bus, 1)
        await make_events(operator_user, int(complaint["id"]), 2)
        latest = [e.id for e in await DomainEvent.all().order_by("-id").limit(2)][::-1]
        seen = [(await asyncio.wait_for(first, 5)).id,
                (await asyncio.wait_for(stream.__anext__(), 5)).id]
        assert seen == latest
        await stream.aclose()
    finally:
        await bus.stop()


BATT = str(Path(sys.executable).with_name("batt"))
# How long a server process may take to start before the test calls it broken.
STARTUP_SECONDS = 120


def start_server(settings, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATT_")}
    env.update(BATT_DATABASE_URL=settings.database_url, BATT_SECRET_KEY=settings.secret_key,
               BATT_VAR_DIR=str(settings.var_dir), BATT_MEDIA_DIR=str(settings.media_dir),
               BATT_EVENT_POLL_SECONDS="0.5")
    return subprocess.Popen([BATT, "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_ready(port: int, process: subprocess.Popen | None = None) -> None:
    import httpx

    # A new process announces nothing: its readiness endpoint is polled, as long as the
    # process lives. The budget only bounds a broken start (a loaded machine takes its time).
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the server exited ({process.returncode}) while starting")
            await asyncio.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.mark.slow
async def test_killed_server_reconnect_with_cursor_gets_every_event_once(
    settings, gql, client, make_user
):
    operator_user, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    complaint = await submit_complaint(gql, client, resident)
    start = (await DomainEvent.all().order_by("-id").first()).id
    port = free_port()
    server = start_server(settings, port)
    try:
        await wait_ready(port, server)
        received: list[int] = []
        async with Collector(f"127.0.0.1:{port}", operator,
                             variables={"after": str(start)}) as stream:
            producer = asyncio.create_task(make_events(operator_user, int(complaint["id"]), 30))
            await stream.wait_for(5, timeout=20)
            server.send_signal(signal.SIGKILL)  # mid-stream, no goodbye
            server.wait(10)
            await producer  # the writes go on: they never depended on the server
            await stream.ended()  # the client saw the connection die: its events are final
            received += [int(e["cursor"]) for e in stream.events]
        server = start_server(settings, port)
        await wait_ready(port, server)
        async with Collector(f"127.0.0.1:{port}", operator,
                             variables={"after": str(received[-1])}) as resumed:
            expected = [e.id for e in await DomainEvent.filter(id__gt=start).order_by("id")]
            await resumed.wait_for(len(expected) - len(received), timeout=20)
            received += [int(e["cursor"]) for e in resumed.events]
        assert received == expected and len(expected) == 30
    finally:
        server.kill()
        server.wait(10)


async def test_shared_rendering_keeps_viewer_dependent_fields_per_viewer(
    live_server, gql, client, make_user
):
    """One rendering of an event serves every subscriber asking the same query — except
    fields shaped by who is looking (`complaint`), which are rendered per viewer."""
    _, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    query = """subscription($after: String) { commandCenterEvents(after: $after) { cursor
        complaint { isMine reporter { phone } } } }"""
    async with Collector(live_server, operator, query=query) as staff, \
            Collector(live_server, resident, query=query) as reporter:
        await submit_complaint(gql, client, resident)
        [seen_by_staff] = await staff.wait_for(1)
        [seen_by_reporter] = await reporter.wait_for(1)
    assert seen_by_staff["cursor"] == seen_by_reporter["cursor"]
    assert seen_by_staff["complaint"]["isMine"] is False
    assert seen_by_reporter["complaint"]["isMine"] is True
