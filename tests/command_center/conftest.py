"""A real server for WebSocket tests: uvicorn serving the ASGI app on a loopback port, in the
test's own event loop (so it shares the test database connection)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

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
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started
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


class Collector:
    """Subscribes with the real `gql` client and collects events in the background."""

    def __init__(self, address: str, token: str, query: str = EVENTS,
                 variables: dict[str, Any] | None = None) -> None:
        self.client = ws_client(address, token)
        self.request = gql(query)
        self.request.variable_values = variables or {}
        self.events: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self._ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Collector:
        self.task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), 10)
        await asyncio.sleep(0.1)  # the subscribe message is on its way
        return self

    async def _run(self) -> None:
        try:
            async with self.client as session:
                self._ready.set()
                async for result in session.subscribe(self.request):
                    self.events.append(next(iter(result.values())))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # surfaced by the test through .error
            self.error = exc
            self._ready.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        async def enough() -> None:
            while len(self.events) < count and self.error is None:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(enough(), timeout)
        if self.error is not None:
            raise self.error
        return self.events

    async def __aexit__(self, *exc_info: Any) -> None:
        assert self.task is not None
        self.task.cancel()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):
            pass


async def submit_complaint(gql_http, client, token: str, **overrides: Any) -> dict[str, Any]:
    photo = await upload_photo(client, token)
    body = await gql_http(SUBMIT, {"input": complaint_input([photo], **overrides)}, token=token)
    payload = body["data"]["submitComplaint"]
    assert payload["errors"] == [], payload
    return payload["complaint"]


def new_id() -> str:
    return uuid.uuid4().hex
