"""GraphQL over WebSocket, the graphql-transport-ws protocol (the one Apollo and the npm
``graphql-ws`` client speak): https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

The caller authenticates in ``connection_init`` with ``{"Authorization": "Bearer …"}``; a bad
token closes the socket with 4403. Subscriptions stream ``next`` messages until the source
ends (``complete``) or the client sends ``complete``; queries and mutations are allowed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
)
from graphql.execution import create_source_event_stream
from graphql.language import FieldNode, visit
from graphql.language.visitor import Visitor
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from backend.graphql.context import RequestContext
from backend.graphql.documents import DocumentGate
from backend.graphql.http import format_error, is_awaitable, result_body
from backend.graphql.limits import BadRequest, decode_json
from backend.settings import Settings

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"


class CloseCode:
    BAD_REQUEST = 4400
    UNAUTHORIZED = 4401  # subscribe before connection_ack
    FORBIDDEN = 4403
    SUBPROTOCOL_NOT_ACCEPTABLE = 4406
    INIT_TIMEOUT = 4408
    SUBSCRIBER_EXISTS = 4409
    TOO_MANY_INIT = 4429
    INTERNAL_ERROR = 4500
    MESSAGE_TOO_BIG = 1009  # RFC 6455, as uvicorn's ws_max_size closes


class _Closed(Exception):
    pass


# One rendering of an event per (event, query, variables, audience) in this process, shared by
# every subscription asking the same thing: with a thousand subscribers, executing and
# encoding the same result once per subscriber dominated the fan-out. Small: events are
# consumed as they arrive.
_RENDERED: dict[tuple[Any, ...], str] = {}
_RENDERED_MAX = 256
# Fields whose value depends on who is looking (a complaint's view is shaped per viewer);
# documents selecting one are rendered per user, all others once for everyone the bus let
# the event through to.
_VIEWER_DEPENDENT_FIELDS = frozenset({"complaint"})


def _per_viewer(document: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nonlocal found
            found = found or node.name.value in _VIEWER_DEPENDENT_FIELDS

    visit(document, Finder())
    return found


def _subscribe_id(raw: str) -> str | None:
    """The id of a subscribe message that decode_json refused, if it can be read at all."""
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(message, dict) and message.get("type") == "subscribe":
        operation_id = message.get("id")
        if (isinstance(operation_id, str) and 0 < len(operation_id) <= 100
                and operation_id.isprintable()):
            return operation_id
    return None


class GraphQLWebSocketEndpoint:
    def __init__(
        self,
        gate: DocumentGate,
        settings: Settings,
        *,
        services: dict[str, Any] | None = None,
        init_timeout: float = 10.0,
    ) -> None:
        self.gate = gate
        self.schema = gate.schema
        self.settings = settings
        self.max_message_bytes = settings.graphql_max_request_bytes
        self.services = services if services is not None else {}
        self.init_timeout = init_timeout

    async def __call__(self, websocket: WebSocket) -> None:
        if PROTOCOL not in websocket.scope.get("subprotocols", []):
            await websocket.accept()
            await websocket.close(
                CloseCode.SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable"
            )
            return
        await websocket.accept(subprotocol=PROTOCOL)
        await _Connection(self, websocket).run()


class _Connection:
    def __init__(self, endpoint: GraphQLWebSocketEndpoint, websocket: WebSocket) -> None:
        self.endpoint = endpoint
        self.websocket = websocket
        self.context: RequestContext | None = None
        self.init_received = False
        self.acknowledged = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.send_lock = asyncio.Lock()
        self.closed = False

    async def run(self) -> None:
        timeout = asyncio.create_task(self._init_timeout())
        try:
            while True:
                try:
                    raw = await self.websocket.receive_text()
                except (WebSocketDisconnect, RuntimeError, KeyError):
                    return
                await self._handle(raw)
        except _Closed:
            return
        finally:
            timeout.cancel()
            for task in self.operations.values():
                task.cancel()
            for task in list(self.operations.values()):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.endpoint.init_timeout)
        if not self.acknowledged:
            await self.close(CloseCode.INIT_TIMEOUT, "Connection initialisation timeout")

    async def close(self, code: int, reason: str) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            if self.closed or self.websocket.application_state != WebSocketState.CONNECTED:
                raise _Closed
            await self.websocket.send_text(json.dumps(message, default=str))

    async def send_text(self, text: str) -> None:
        async with self.send_lock:
            if self.closed or self.websocket.application_state != WebSocketState.CONNECTED:
                raise _Closed
            await self.websocket.send_text(text)

    async def _handle(self, raw: str) -> None:
        limit = self.endpoint.max_message_bytes
        if len(raw) > limit or (not raw.isascii() and len(raw.encode("utf-8", "replace")) > limit):
            # `batt serve` has uvicorn refuse these before they are read whole; this is the
            # same limit for any other server.
            await self.close(CloseCode.MESSAGE_TOO_BIG, "Message too big")
            raise _Closed
        try:
            message = decode_json(raw)
        except BadRequest as exc:
            # Readable JSON with something unacceptable inside (variables nested too deep,
            # NUL or half a surrogate pair): refuse that operation, keep the connection.
            operation_id = _subscribe_id(raw)
            if operation_id is None or operation_id in self.operations:
                await self.close(CloseCode.BAD_REQUEST, "Invalid message received")
                raise _Closed from None
            await self.send({"id": operation_id, "type": "error", "payload": [
                {"message": str(exc), "extensions": {"code": "BAD_REQUEST"}}]})
            return
        try:
            kind = message["type"]
        except (TypeError, KeyError):
            await self.close(CloseCode.BAD_REQUEST, "Invalid message received")
            raise _Closed from None
        if kind == "connection_init":
            await self._connection_init(message.get("payload"))
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.operations.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            await self.close(CloseCode.BAD_REQUEST, f"Unexpected message type {kind!r}")
            raise _Closed

    async def _connection_init(self, payload: Any) -> None:
        if self.init_received:
            await self.close(CloseCode.TOO_MANY_INIT, "Too many initialisation requests")
            raise _Closed
        self.init_received = True
        if payload is not None and not isinstance(payload, dict):
            await self.close(CloseCode.BAD_REQUEST, "connection_init payload must be an object")
            raise _Closed
        payload = payload or {}
        authorization = payload.get("Authorization") or payload.get("authorization")
        self.context = RequestContext(
            self.endpoint.settings,
            self.websocket,
            authorization=authorization if isinstance(authorization, str) else "",
            language=payload.get("language") if payload.get("language") in ("id", "en") else None,
            services=self.endpoint.services,
        )
        if self.context.token is not None:
            if await self.context.principal() is None:
                await self.close(CloseCode.FORBIDDEN, "Forbidden: invalid or expired token")
                raise _Closed
        self.acknowledged = True
        await self.send({"type": "connection_ack"})

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            await self.close(CloseCode.UNAUTHORIZED, "Unauthorized")
            raise _Closed
        operation_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            await self.close(CloseCode.BAD_REQUEST, "Invalid subscribe message")
            raise _Closed
        if operation_id in self.operations:
            await self.close(
                CloseCode.SUBSCRIBER_EXISTS, f"Subscriber for {operation_id} already exists"
            )
            raise _Closed
        task = asyncio.create_task(self._operation(operation_id, payload))
        self.operations[operation_id] = task
        task.add_done_callback(lambda _: self.operations.pop(operation_id, None))

    async def _operation(self, operation_id: str, payload: dict[str, Any]) -> None:
        settings = self.endpoint.settings
        try:
            query = payload.get("query")
            variables = payload.get("variables")
            operation_name = payload.get("operationName")
            if (not isinstance(query, str)
                    or (variables is not None and not isinstance(variables, dict))
                    or (operation_name is not None and not isinstance(operation_name, str))):
                await self._error(operation_id, [GraphQLError(
                    "Invalid query, variables or operationName.")])
                return
            document, errors = await self.endpoint.gate.prepare(query, variables)
            if document is None:
                await self._error(operation_id, errors)
                return
            operation = get_operation_ast(document, operation_name)
            if operation is None:
                await self._error(operation_id, [GraphQLError("Unknown operation.")])
                return
            kwargs = dict(
                context_value=self.context,
                variable_values=variables,
                operation_name=operation_name,
                hide_suggestions=self.endpoint.gate.hide_suggestions,
            )
            if operation.operation == OperationType.SUBSCRIPTION:
                stream = await create_source_event_stream(self.endpoint.schema, document,
                                                          **kwargs)
                if isinstance(stream, ExecutionResult):
                    await self._error(operation_id, stream.errors or [])
                    return
                await self._pump(operation_id, stream, document, query, kwargs)
            else:
                result = execute(self.endpoint.schema, document, is_awaitable=is_awaitable,
                                 **kwargs)
                if asyncio.iscoroutine(result):
                    result = await result
                await self.send({"id": operation_id, "type": "next",
                                 "payload": result_body(result, settings)})
            await self.send({"id": operation_id, "type": "complete"})
        except (_Closed, asyncio.CancelledError):
            pass
        except Exception:  # one broken operation must not take the connection down
            log.exception("subscription %s failed", operation_id)
            with contextlib.suppress(_Closed):
                await self._error(operation_id, [GraphQLError(
                    "Internal server error.", extensions={"code": "INTERNAL_SERVER_ERROR"})])

    async def _pump(self, operation_id: str, stream: AsyncIterator[Any], document: Any,
                    query: str, kwargs: dict[str, Any]) -> None:
        # Each source event is executed here rather than through graphql-core's subscribe()
        # wrapper, which starts two tasks and an asyncio.wait per event and subscriber.
        audience = None
        if _per_viewer(document):
            principal = await self.context.principal() if self.context else None
            audience = principal.user.id if principal else None
        shared = (query, kwargs.get("operation_name"),
                  json.dumps(kwargs.get("variable_values"), sort_keys=True, default=str),
                  audience)
        head = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        try:
            async for event in stream:
                key = (getattr(event, "id", None), *shared)
                payload = _RENDERED.get(key) if key[0] is not None else None
                if payload is None:
                    result = execute(self.endpoint.schema, document, event,
                                     is_awaitable=is_awaitable, **kwargs)
                    if asyncio.iscoroutine(result):
                        result = await result
                    payload = json.dumps(result_body(result, self.endpoint.settings),
                                         default=str)
                    if not result.errors and key[0] is not None:
                        if len(_RENDERED) >= _RENDERED_MAX:
                            del _RENDERED[next(iter(_RENDERED))]
                        _RENDERED[key] = payload
                await self.send_text(head + payload + "}")
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _error(self, operation_id: str, errors: list[GraphQLError]) -> None:
        await self.send({
            "id": operation_id, "type": "error",
            "payload": [format_error(e, self.endpoint.settings) for e in errors],
        })
