"""A raw graphql-transport-ws client for tests that send what no well-behaved client would
(oversized, malformed or hostile messages) and read exactly what the server answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

PROTOCOL = "graphql-transport-ws"


async def open_session(address: str, token: str | None = None) -> Any:
    ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL],
                                  max_size=None)
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    return ws


async def run(ws: Any, query: str, variables: dict[str, Any] | None = None,
              operation_id: str = "1") -> dict[str, Any]:
    """One operation; the first `next` or `error` message for it."""
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe",
                              "payload": {"query": query, "variables": variables or {}}}))
    return await answer(ws, operation_id)


async def answer(ws: Any, operation_id: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 20))
        if message.get("id") == operation_id and message["type"] in ("next", "error"):
            return message


async def still_open(ws: Any) -> bool:
    """The connection answers a ping after whatever came before."""
    await ws.send(json.dumps({"type": "ping"}))
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == "pong":
            return True


def error_codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [e.get("extensions", {}).get("code") for e in errors]
