"""A real server for WebSocket tests: uvicorn serving the ASGI app on a loopback port, in the
test's own event loop (so it shares the test database connection)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest
import uvicorn
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from graphql import DocumentNode, OperationDefinitionNode

from among_warga.categories import seed_categories
from backend.accounts.models import Skpd
from backend.app import create_app
from backend.geo.services import load_demo_areas
from backend.settings import Settings
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo

EVENTS = """subscription($after: String) { commandCenterEvents(after: $after) {
  cursor type occurredAt note case { id ticketNumber status categoryCode skpdCodes overdue } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def live_server(settings: Settings) -> AsyncIterator[str]:
    port = free_port()
    app = create_app(settings, manage_db=False, run_jobs=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio", lifespan="on"))
    task = asyncio.create_task(server.serve())
    # uvicorn announces nothing but its `started` flag: polled until it listens (the budget
    # only bounds a broken start; a loaded machine takes its time).
    async with asyncio.timeout(60):
        while not server.started:
            assert not task.done(), "the server stopped while starting"
            await asyncio.sleep(0.02)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture(autouse=True)
async def batu_agencies() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    for code, name in (("dpupr", "Dinas PUPR"), ("dlh", "Dinas Lingkungan Hidup"),
                       ("bpbd", "BPBD")):
        await Skpd.create(code=code, name=name)


def ws_client(address: str, token: str | None) -> Client:
    transport = WebsocketsTransport(
        url=f"ws://{address}/graphql",
        init_payload={"Authorization": f"Bearer {token}"} if token else {},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    return Client(transport=transport, fetch_schema_from_transport=False)


async def latest_event_cursor(address: str, token: str) -> str:
    """What a fresh client asks before its snapshot: the cursor to subscribe from."""
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=10) as http:
        response = await http.post("/graphql", json={"query": "{ latestEventCursor }"},
                                   headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]["latestEventCursor"]


def _declares_after(document: DocumentNode) -> bool:
    return any(
        variable.variable.name.value == "after"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for variable in definition.variable_definitions or ()
    )


class Collector:
    """Subscribes with the real `gql` client and collects events in the background.

    It subscribes from a cursor — ``variables["after"]`` if given, else the latest one, read
    as a fresh client does (``latestEventCursor``) — so every event committed once the
    collector is entered reaches it, however late the server handles the subscribe message:
    no pause is needed for "subscribed". The query must therefore declare ``$after``.
    """

    def __init__(self, address: str, token: str, query: str = EVENTS,
                 variables: dict[str, Any] | None = None) -> None:
        self.address = address
        self.token = token
        self.client = ws_client(address, token)
        self.request = gql(query)
        if not _declares_after(self.request.document):
            raise TypeError("Collector queries take `$after: String` and pass it to the "
                            "subscription, so that nothing is missed before it starts")
        self.request.variable_values = dict(variables or {})
        self.events: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self._arrived = asyncio.Event()
        self._connected = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Collector:
        if "after" not in self.request.variable_values:
            self.request.variable_values["after"] = await latest_event_cursor(
                self.address, self.token)
        self.task = asyncio.create_task(self._run())
        # Until the server acknowledged the connection (or refused it): gql does not survive
        # being cancelled halfway through its handshake.
        await asyncio.wait_for(self._connected.wait(), 10)
        return self

    async def _run(self) -> None:
        try:
            async with self.client as session:
                self._connected.set()
                async for result in session.subscribe(self.request):
                    self.events.append(next(iter(result.values())))
                    self._arrived.set()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # surfaced by the test through .error
            self.error = exc
        finally:
            self._connected.set()
            self._arrived.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until ``count`` events have arrived (each arrival wakes this up)."""
        async with asyncio.timeout(timeout):
            while len(self.events) < count and self.error is None:
                await self._arrived.wait()
                self._arrived.clear()
        if len(self.events) < count and self.error is not None:
            raise self.error
        return self.events

    async def next_is(self, cause: Awaitable[str], *, key: str = "note") -> dict[str, Any]:
        """Prove that nothing else arrives before a later event: ``cause`` commits a marker
        event (and returns its ``key`` value), which must be the very next one received after
        those seen before it was caused."""
        seen = len(self.events)  # before the marker exists: it may arrive while being made
        marker = await cause
        await self.wait_for(seen + 1)
        event = self.events[seen]
        assert event.get(key) == marker, (
            f"expected the marker {marker!r} next, got {event}; all: {self.events}")
        return event

    async def ended(self, timeout: float = 10.0) -> BaseException | None:
        """Wait until the subscription has ended (e.g. its server died); ``events`` is then
        final. Returns the error the client saw, if any."""
        assert self.task is not None
        await asyncio.wait_for(asyncio.shield(self.task), timeout)
        return self.error

    async def __aexit__(self, *exc_info: Any) -> None:
        assert self.task is not None
        self.task.cancel()
        # Bounded: a client that does not close fails the test instead of hanging the suite.
        done, _ = await asyncio.wait([self.task], timeout=20)
        assert done, "the gql client did not close within 20 s of being cancelled"


async def submit_complaint(gql_http, client, token: str, **overrides: Any) -> dict[str, Any]:
    photo = await upload_photo(client, token)
    body = await gql_http(SUBMIT, {"input": complaint_input([photo], **overrides)}, token=token)
    payload = body["data"]["submitComplaint"]
    assert payload["errors"] == [], payload
    return payload["complaint"]


def new_id() -> str:
    return uuid.uuid4().hex
