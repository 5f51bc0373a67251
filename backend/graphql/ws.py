"""GraphQL over WebSocket, the graphql-transport-ws protocol (the one Apollo and the npm
``graphql-ws`` client speak): https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md

The caller authenticates in ``connection_init`` with ``{"Authorization": "Bearer …"}``; a bad
token closes the socket with 4403. Subscriptions stream ``next`` messages until the source
ends (``complete``) or the client sends ``complete``; queries and mutations are allowed too.

A signed-in socket lives as long as its access token and the rights it was opened with. It
is closed with 4403 Forbidden — which the ``graphql-ws`` client answers by reconnecting,
calling ``connectionParams`` again for a fresh token — when the token expires, and when the
caller's rights change: a role granted or revoked, the account deactivated, the session
logged out or revoked. Every operation started on the socket re-reads the caller first (one
query, as an HTTP request does); for the sockets that only listen, each process re-reads
the callers of all its open sockets together every ``ws_session_check_seconds`` — two
statements per process and interval, however many subscribers and events (see
:class:`SessionMonitor`).
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
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from backend import ratelimit
from backend.accounts.services import Principal, recheck_principals
from backend.clock import utcnow
from backend.db_faults import database_unavailable
from backend.graphql.context import RequestContext
from backend.graphql.documents import DocumentGate
from backend.graphql.execution import ExecutionContext
from backend.graphql.http import finish_operation, format_error, is_awaitable, result_body
from backend.graphql.limits import BadRequest, decode_json
from backend.graphql.subscriptions import rendering_is_shared
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
    # The standard "Try Again Later": graphql-ws retries it (with its back-off), unlike its
    # own 4429, which it treats as fatal.
    TRY_AGAIN_LATER = 1013
    MESSAGE_TOO_BIG = 1009  # RFC 6455, as uvicorn's ws_max_size closes


class _Closed(Exception):
    pass


# One rendering of an event per (event, query, variables, viewer) in this process, shared by
# every subscription asking the same thing: with a thousand subscribers, executing and
# encoding the same result once per subscriber dominated the fan-out. Small: events are
# consumed as they arrive. The viewer is None only where the subscription field declares its
# rendering shareable (backend/graphql/subscriptions.py); by default it is the subscriber's
# rights (user, roles, SKPD), so no one ever receives a rendering made for someone else.
_RENDERED: dict[tuple[Any, ...], str] = {}
_RENDERED_MAX = 256


class SessionMonitor:
    """Re-reads the callers of this process's signed-in sockets, all together (two
    statements: users with their grants, revoked sessions), every ``interval`` seconds, and
    closes those whose session ended or whose rights changed.

    Why a sweep and not a check per event: an event fanned out to a thousand subscribers
    must not cost a thousand queries, and a per-socket "older than N seconds" check would
    still cost one per socket and interval while events flow. Why not (only) an
    ``account.*`` event on the bus: the bus reads the log only in processes that have
    subscribers, a lost wake-up delays it until the next poll anyway, and account events
    would share the complaint stream's cursor and filters. The sweep bounds the delay on
    every worker by the interval, with or without events, on SQLite and PostgreSQL alike."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.connections: set[_Connection] = set()
        self._task: asyncio.Task[None] | None = None

    def add(self, connection: _Connection) -> None:
        self.connections.add(connection)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ws-session-monitor")

    def discard(self, connection: _Connection) -> None:
        self.connections.discard(connection)
        if not self.connections and self._task is not None:
            self._task.cancel()  # nothing to watch until the next signed-in socket
            self._task = None

    async def _run(self) -> None:
        while self.connections:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next sweep tries again
                if database_unavailable(exc):
                    log.warning("could not re-read the callers of open sockets: database "
                                "unavailable (%s)", type(exc).__name__)
                else:
                    log.exception("could not re-read the callers of open sockets")

    async def sweep(self) -> None:
        watched = [c for c in self.connections if c.principal is not None and not c.closed]
        if not watched:
            return
        current = await recheck_principals([c.principal for c in watched])
        for connection in watched:
            old = connection.principal
            assert old is not None
            connection.check(current.get((old.user.id, old.session)))


def _coded_error(code: str, language: str | None, text_id: str, text_en: str,
                 **extensions: Any) -> GraphQLError:
    return GraphQLError(text_en if language == "en" else text_id,
                        extensions={"code": code, **extensions})
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
        self.monitor = SessionMonitor(settings.ws_session_check_seconds)

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
        # From connection_init: what every operation's context is built from.
        self.authorization = ""
        self.language: str | None = None
        self.principal: Principal | None = None
        self.token_problem: str | None = None
        self.init_received = False
        self.acknowledged = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.send_lock = asyncio.Lock()
        self.closed = False
        self._expiry: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[None] | None = None

    async def run(self) -> None:
        timeout = asyncio.create_task(self._init_timeout())
        try:
            while True:
                try:
                    raw = await self.websocket.receive_text()
                except (WebSocketDisconnect, RuntimeError, KeyError):
                    return
                try:
                    await self._handle(raw)
                except Exception as exc:
                    if not database_unavailable(exc):
                        raise
                    await self._unavailable(exc)
                    return
        except _Closed:
            return
        finally:
            timeout.cancel()
            self.endpoint.monitor.discard(self)
            if self._expiry is not None:
                self._expiry.cancel()
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
            await self._close_socket(code, reason)

    async def _close_socket(self, code: int, reason: str) -> None:
        async with self.send_lock:  # not in the middle of a message
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)

    def end_session(self, reason: str) -> None:
        """Stop at once — nothing more is sent from here on — and close with 4403 so that a
        graphql-ws client reconnects with a fresh token (or finds it may not)."""
        if self.closed:
            return
        self.closed = True
        self._closing = asyncio.get_running_loop().create_task(
            self._close_socket(CloseCode.FORBIDDEN, f"Forbidden: {reason}")
        )

    def expired(self) -> bool:
        return (
            self.principal is not None
            and self.principal.expires_at is not None
            and self.principal.expires_at <= utcnow()
        )

    def check(self, current: Principal | None, reason: str = "session ended") -> bool:
        """Compare the caller as just read with the one the socket holds; end the session
        if it ended (None) or its rights changed. True while the socket may go on."""
        if self.closed:
            return False
        if current is None:
            self.end_session(reason)
            return False
        if self.principal is not None and current.rights != self.principal.rights:
            self.end_session("rights changed; reconnect")
            return False
        if self.expired():
            self.end_session("access token expired")
            return False
        self.principal = current
        return True

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
        self.authorization = authorization if isinstance(authorization, str) else ""
        language = payload.get("language")
        self.language = language if language in ("id", "en") else None
        context = self._new_context()
        principal = None
        if context.token is not None:
            principal = await context.principal()
            if principal is None:
                await self.close(CloseCode.FORBIDDEN, "Forbidden: invalid or expired token")
                raise _Closed
        try:
            await ratelimit.hit(
                ratelimit.budget(self.endpoint.settings, "ws_connect"),
                user_id=principal.user.id if principal else None, address=context.address,
            )
        except ratelimit.RateLimited as exc:
            await self.close(CloseCode.TRY_AGAIN_LATER,
                             f"Too many connections; retry in {exc.retry_after_seconds} s")
            raise _Closed from None
        self.principal, self.token_problem = principal, context.token_problem
        if principal is not None:
            self.endpoint.monitor.add(self)
            if principal.expires_at is not None:
                delay = (principal.expires_at - utcnow()).total_seconds()
                self._expiry = asyncio.get_running_loop().call_later(
                    max(0.0, delay), self.end_session, "access token expired"
                )
        self.acknowledged = True
        await self.send({"type": "connection_ack"})

    def _new_context(self) -> RequestContext:
        return RequestContext(
            self.endpoint.settings, self.websocket, authorization=self.authorization,
            language=self.language, services=self.endpoint.services, scope=self,
        )

    async def _checked_context(self) -> RequestContext | None:
        """The context for one operation, with the caller read again (one query, as for an
        HTTP request); None when the session has ended (the socket is being closed)."""
        context = self._new_context()
        if self.principal is None:  # an anonymous socket: nothing to re-read
            context.adopt(None, self.token_problem)
            return context
        current = await context.principal()
        reason = (context.token_problem or "session ended").replace("_", " ")
        return context if self.check(current, reason) else None

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
        limit = self.endpoint.settings.ws_max_operations
        if len(self.operations) >= limit:
            await self._error(operation_id, [_coded_error(
                "TOO_MANY_OPERATIONS", self._new_context().language,
                f"Paling banyak {limit} operasi sekaligus pada satu koneksi; hentikan satu dulu.",
                f"At most {limit} operations at once on one connection; complete one first.",
            )])
            return
        task = asyncio.create_task(self._operation(operation_id, payload))
        self.operations[operation_id] = task
        task.add_done_callback(lambda _: self.operations.pop(operation_id, None))

    async def _operation(self, operation_id: str, payload: dict[str, Any]) -> None:
        settings = self.endpoint.settings
        try:
            context = await self._checked_context()
            if context is None:
                return
            principal = await context.principal()
            try:
                await ratelimit.hit(
                    ratelimit.budget(settings, "subscribe"),
                    user_id=principal.user.id if principal else None, address=context.address,
                )
            except ratelimit.RateLimited as exc:
                seconds = exc.retry_after_seconds
                await self._error(operation_id, [_coded_error(
                    "RATE_LIMITED", context.language,
                    f"Terlalu banyak langganan. Coba lagi dalam {seconds} detik.",
                    f"Too many subscriptions. Try again in {seconds} seconds.",
                    retryAfterSeconds=seconds,
                )])
                return
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
                context_value=context,
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
                await self._pump(operation_id, stream, document, operation, query, kwargs)
            else:
                result = execute(self.endpoint.schema, document, is_awaitable=is_awaitable,
                                 execution_context_class=ExecutionContext, **kwargs)
                if asyncio.iscoroutine(result):
                    result = await result
                result = await finish_operation(context, result)
                await self.send({"id": operation_id, "type": "next",
                                 "payload": result_body(result, settings)})
            await self.send({"id": operation_id, "type": "complete"})
        except (_Closed, asyncio.CancelledError):
            pass
        except Exception as exc:  # one broken operation must not take the connection down
            if database_unavailable(exc):
                # …but a database outage takes them all: close so the client reconnects and
                # resubscribes from its last cursor once the database is back.
                with contextlib.suppress(_Closed):
                    await self._unavailable(exc)
                return
            log.exception("subscription %s failed", operation_id)
            with contextlib.suppress(_Closed):
                await self._error(operation_id, [GraphQLError(
                    "Internal server error.", extensions={"code": "INTERNAL_SERVER_ERROR"})])

    async def _pump(self, operation_id: str, stream: AsyncIterator[Any], document: Any,
                    operation: Any, query: str, kwargs: dict[str, Any]) -> None:
        # Each source event is executed here rather than through graphql-core's subscribe()
        # wrapper, which starts two tasks and an asyncio.wait per event and subscriber.
        viewer: Any = None
        if not rendering_is_shared(self.endpoint.schema, document, operation):
            principal = await kwargs["context_value"].principal()
            viewer = ("viewer", principal.rights) if principal else ("signed-out",)
        shared = (query, kwargs.get("operation_name"),
                  json.dumps(kwargs.get("variable_values"), sort_keys=True, default=str),
                  viewer)
        head = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        try:
            async for event in stream:
                if self.expired():  # in case the timer is late: never past the token
                    self.end_session("access token expired")
                    raise _Closed
                key = (getattr(event, "id", None), *shared)
                payload = _RENDERED.get(key) if key[0] is not None else None
                if payload is None:
                    result = execute(self.endpoint.schema, document, event,
                                     is_awaitable=is_awaitable,
                                     execution_context_class=ExecutionContext, **kwargs)
                    if asyncio.iscoroutine(result):
                        result = await result
                    result = await finish_operation(kwargs["context_value"], result)
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

    async def _unavailable(self, exc: BaseException) -> None:
        log.warning("closing a WebSocket: database unavailable (%s)", type(exc).__name__)
        await self.close(CloseCode.TRY_AGAIN_LATER, "Database unavailable; reconnect shortly")

    async def _error(self, operation_id: str, errors: list[GraphQLError]) -> None:
        await self.send({
            "id": operation_id, "type": "error",
            "payload": [format_error(e, self.endpoint.settings) for e in errors],
        })
