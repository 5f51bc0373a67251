"""A database outage closes live-stream sockets with 1013 (Try Again Later) — which
graphql-ws retries — instead of an internal error; once the database is back the client
reconnects and resubscribes from its cursor, missing nothing."""

from __future__ import annotations

import contextlib
import json

import pytest
from tortoise import connections
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from backend.accounts.models import Role
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo
from tests.e2e.test_serve import free_port

EVENTS = ("subscription($after: String) { commandCenterEvents(after: $after) "
          "{ cursor type case { ticketNumber } } }")


@contextlib.asynccontextmanager
async def database_gone():
    # Swapped in place: the server's tasks share this storage with the test.
    from tortoise.backends.asyncpg import AsyncpgDBClient

    storage = connections._get_storage()
    original = storage["default"]
    broken = AsyncpgDBClient(connection_name="default", host="127.0.0.1", port=free_port(),
                             user="postgres", password="", database="nowhere",
                             minsize=1, maxsize=1)
    storage["default"] = broken
    try:
        yield
    finally:
        storage["default"] = original
        with contextlib.suppress(Exception):
            await broken.close()


async def open_stream(address, token, after):
    ws = await connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"Authorization": f"Bearer {token}"}}))
    return ws


@pytest.mark.postgres_only
async def test_sockets_are_told_to_come_back_and_resume_from_their_cursor(
        live_server, gql, client, make_user):
    _, operator = await make_user(Role.OPERATOR)
    _, resident = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, resident)
    first = (await gql(SUBMIT, {"input": complaint_input([photo])}, token=resident))[
        "data"]["submitComplaint"]["complaint"]["ticketNumber"]
    cursor = (await gql("{ latestEventCursor }", token=operator))["data"]["latestEventCursor"]

    async with database_gone():
        ws = await open_stream(live_server, operator, cursor)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 1013
        assert "Database unavailable" in closed.value.rcvd.reason
        await ws.close()

    # Back: a complaint filed meanwhile (after the cursor) is replayed, then the stream is live.
    second = (await gql(SUBMIT, {"input": complaint_input([photo])}, token=resident))[
        "data"]["submitComplaint"]["complaint"]["ticketNumber"]
    ws = await open_stream(live_server, operator, cursor)
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": EVENTS, "variables": {"after": cursor}}}))
    event = json.loads(await ws.recv())["payload"]["data"]["commandCenterEvents"]
    assert (event["type"], event["case"]["ticketNumber"]) == ("COMPLAINT_SUBMITTED", second)
    assert second != first
    await ws.close()
