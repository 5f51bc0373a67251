"""A WebSocket session holds no more power than its token and its rights: it ends when the
token expires, when the session is logged out, when the account is deactivated or its
roles change — at the next operation on the socket, and within seconds for a socket that
only listens — and a socket can run only so many operations."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.routing import WebSocketRoute

from among_warga.models import Complaint
from backend.accounts import services as accounts
from backend.accounts.models import Role
from backend.app import create_app
from backend.settings import Settings
from tests.backend.test_sessions import SET_ACTIVE
from tests.command_center.conftest import free_port, submit_complaint
from tests.conftest import error_extensions, replace_settings

PROTOCOL = "graphql-transport-ws"
EVENTS = "subscription($after: String) { commandCenterEvents(after: $after) { cursor case { id } } }"
REVOKE = """mutation($id: ID!, $role: Role!) { revokeRole(userId: $id, role: $role) {
  errors { code } } }"""
PASSWORD = "kata-sandi-uji"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """uvicorn on a loopback port with these settings; yields its address and the
    WebSocket endpoint (to reach its session monitor)."""
    port = free_port()
    app = create_app(settings, manage_db=False, run_jobs=False)
    endpoint = next(r.endpoint.__self__ for r in app.routes if isinstance(r, WebSocketRoute))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done()
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}", endpoint
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class Socket:
    """A raw graphql-transport-ws connection."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, address: str, token: str | None, language: str = "en") -> Socket:
        ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL])
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {**payload, "language": language}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "connection_ack"}
        return cls(ws)

    async def start(self, operation_id: str, query: str, **variables: Any) -> None:
        await self.ws.send(json.dumps({"id": operation_id, "type": "subscribe",
                                       "payload": {"query": query, "variables": variables}}))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def closed(self, timeout: float = 5) -> tuple[int, str, list[dict[str, Any]]]:
        """Wait for the server to close; the close code, reason, and what came before."""
        before = []
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                before.append(await self.receive(timeout))
        return self.ws.close_code, self.ws.close_reason, before


async def sign_in(settings: Settings, user) -> str:
    session = await accounts.login(settings, identifier=user.phone, password=PASSWORD,
                                   address="127.0.0.1")
    return session.access_token


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Sockets that only listen are re-checked every 0.2 s."""
    return replace_settings(settings, ws_session_check_seconds=0.2)


@pytest.fixture
def slow(settings: Settings) -> Settings:
    """No periodic re-check within a test: only the per-operation check can act."""
    return replace_settings(settings, ws_session_check_seconds=3600)


async def test_a_revoked_role_ends_an_open_stream_within_seconds(
    fast, gql, client, make_user
):
    _, admin = await make_user(Role.ADMIN)
    operator, operator_token = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    async with serve(fast) as (address, _):
        socket = await Socket.open(address, operator_token)
        await socket.start("events", EVENTS)
        await asyncio.sleep(0.2)  # the subscription is registered
        first = await submit_complaint(gql, client, resident)
        event = await socket.receive()
        assert event["payload"]["data"]["commandCenterEvents"]["case"]["id"] == first["id"]

        body = await gql(REVOKE, {"id": str(operator.id), "role": "OPERATOR"}, token=admin)
        assert body["data"]["revokeRole"]["errors"] == []
        code, reason, _ = await socket.closed()
        assert code == 4403 and "rights changed" in reason
        hidden = await submit_complaint(gql, client, resident)

        # Reconnecting (what graphql-ws does on 4403) gives the rights the user has now.
        socket = await Socket.open(address, operator_token)
        await socket.start("queue", "{ caseQueue { totalCount } }")
        answer = await socket.receive()
        assert answer["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert answer["payload"]["data"] is None
        await socket.receive()  # complete
        # Resumed from the last cursor, the stream now carries only what a resident may see:
        # not the other resident's complaint, but their own.
        await socket.start("events", EVENTS,
                           after=event["payload"]["data"]["commandCenterEvents"]["cursor"])
        await asyncio.sleep(0.2)
        own = await submit_complaint(gql, client, operator_token)
        message = await socket.receive()
        assert message["payload"]["data"]["commandCenterEvents"]["case"]["id"] == own["id"]
        assert own["id"] != hidden["id"]
        await socket.ws.close()


async def test_a_revoked_role_stops_the_next_operation_on_the_socket(slow, gql, make_user):
    _, admin = await make_user(Role.ADMIN)
    operator, operator_token = await make_user(Role.OPERATOR)
    async with serve(slow) as (address, _):
        socket = await Socket.open(address, operator_token)
        await socket.start("q1", "{ caseQueue { totalCount } }")
        assert (await socket.receive())["payload"]["data"]["caseQueue"] == {"totalCount": 0}
        await socket.receive()  # complete
        await gql(REVOKE, {"id": str(operator.id), "role": "OPERATOR"}, token=admin)
        await socket.start("q2", "{ caseQueue { totalCount } }")
        code, _, before = await socket.closed()
        assert code == 4403 and before == []  # nothing answered


async def test_a_deactivated_operator_cannot_verify_on_an_open_socket(
    slow, gql, client, make_user
):
    _, admin = await make_user(Role.ADMIN)
    operator, operator_token = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    complaint = await submit_complaint(gql, client, resident)
    async with serve(slow) as (address, _):
        socket = await Socket.open(address, operator_token)
        body = await gql(SET_ACTIVE, {"id": str(operator.id), "active": False}, token=admin)
        assert body["data"]["setUserActive"]["errors"] == []
        await socket.start("verify", 'mutation($id: ID!) { verifyComplaint(id: $id) { '
                           'complaint { status } errors { code } } }', id=complaint["id"])
        code, reason, before = await socket.closed()
        assert code == 4403 and before == [] and "inactive" in reason
    assert (await Complaint.get(id=int(complaint["id"]))).status.value == "submitted"


@pytest.mark.parametrize("ending", ["logout", "deactivate"])
async def test_a_listening_socket_ends_with_its_session(fast, gql, make_user, ending):
    _, admin = await make_user(Role.ADMIN)
    operator, _ = await make_user(Role.OPERATOR)
    session = await accounts.login(fast, identifier=operator.phone, password=PASSWORD,
                                   address="127.0.0.1")
    async with serve(fast) as (address, _):
        socket = await Socket.open(address, session.access_token)
        await socket.start("events", EVENTS)
        if ending == "logout":
            body = await gql("mutation($t: String!) { logout(refreshToken: $t) { ok } }",
                             {"t": session.refresh_token})
            assert body["data"]["logout"]["ok"] is True
        else:
            await gql(SET_ACTIVE, {"id": str(operator.id), "active": False}, token=admin)
        code, reason, before = await socket.closed()
        assert code == 4403 and reason == "Forbidden: session ended" and before == []


async def test_a_socket_ends_when_its_access_token_expires(slow, make_user):
    operator, _ = await make_user(Role.OPERATOR)
    short = replace_settings(slow, access_token_ttl_seconds=2)
    token = await sign_in(short, operator)
    async with serve(short) as (address, _):
        socket = await Socket.open(address, token)
        await socket.start("events", EVENTS)
        loop = asyncio.get_running_loop()
        opened = loop.time()
        code, reason, _ = await socket.closed(timeout=10)
        assert code == 4403 and reason == "Forbidden: access token expired"
        assert loop.time() - opened <= 3
        # The expired token no longer opens a socket; a fresh one does.
        ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL])
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 4403
        socket = await Socket.open(address, await sign_in(short, operator))
        await socket.ws.close()


async def test_one_sweep_rechecks_every_socket_of_a_process_in_two_statements(
    slow, make_user, count_queries
):
    users = [await make_user(Role.OPERATOR, name=f"Operator {n}") for n in range(3)]
    async with serve(slow) as (address, endpoint):
        sockets = [await Socket.open(address, token) for _ in range(10) for _, token in users]
        for n, socket in enumerate(sockets):
            await socket.start(f"s{n}", EVENTS)
        await asyncio.sleep(0.3)
        assert len(endpoint.monitor.connections) == 30
        with count_queries(this_task_only=True) as statements:
            await endpoint.monitor.sweep()
        assert len(statements) == 2, statements.statements
        assert not any(c.closed for c in endpoint.monitor.connections)
        for socket in sockets:
            await socket.ws.close()


async def test_operations_per_socket_and_per_user_are_limited(settings, make_user):
    _, token = await make_user(Role.OPERATOR)
    limited = replace_settings(settings, ws_max_operations=3,
                               rate_limits={"subscribe": (4, None, 600),
                                            "ws_connect": (2, None, 600)})
    async with serve(limited) as (address, _):
        socket = await Socket.open(address, token)
        for n in range(3):
            await socket.start(f"s{n}", EVENTS)
        await asyncio.sleep(0.2)
        await socket.start("s3", EVENTS)
        refused = await socket.receive()
        assert refused["id"] == "s3" and refused["type"] == "error"
        assert error_extensions(refused["payload"][0]) == {"code": "TOO_MANY_OPERATIONS"}
        # Completing one frees a place; the budget (4 in 10 minutes per user) still counts.
        await socket.ws.send(json.dumps({"id": "s0", "type": "complete"}))
        await asyncio.sleep(0.2)
        await socket.start("s4", EVENTS)
        await socket.ws.send(json.dumps({"id": "s1", "type": "complete"}))
        await asyncio.sleep(0.2)
        await socket.start("s5", EVENTS)
        limited_message = await socket.receive()
        assert limited_message["id"] == "s5"
        extensions = limited_message["payload"][0]["extensions"]
        assert extensions["code"] == "RATE_LIMITED" and 0 < extensions["retryAfterSeconds"] <= 600
        assert limited_message["payload"][0]["message"].startswith("Too many subscriptions")

        # Sockets opened per user: the third within the window is told to come back later.
        await Socket.open(address, token)
        ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL])
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1013
