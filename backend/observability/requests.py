"""The request middleware: a request id for every HTTP request and WebSocket (the caller's
``X-Request-Id`` when sane, otherwise a fresh one; returned in the ``X-Request-Id`` response
header), one log line per request (method, route, status, duration, GraphQL operation and
outcome — never the query string), and the HTTP metrics.

Plain ASGI (no ``BaseHTTPMiddleware``): it adds nothing to a streaming or WebSocket response
but a header and a log line. The GraphQL layers fill :class:`RequestInfo` (via
:func:`current`) with what they know: the operation and its outcome.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backend.db_faults import RETRY_AFTER_SECONDS, database_unavailable, unavailable_error
from backend.observability import metrics
from backend.observability.logs import accept_request_id, request_id_var

log = logging.getLogger("batt.request")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass
class RequestInfo:
    request_id: str
    operation: str | None = None  # root fields, e.g. "submitComplaint"
    operation_type: str | None = None  # query, mutation, subscription
    outcome: str | None = None  # ok, payload_error, unauthenticated, …
    error_codes: list[str] = field(default_factory=list)
    # Codes of mutation payload errors, noted where they are raised (whether or not the
    # client selected `errors`).
    payload_codes: list[str] = field(default_factory=list)


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "batt_request_info", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def note_payload_errors(codes: list[str]) -> None:
    info = _current.get()
    if info is not None:
        info.payload_codes.extend(codes)


def current_request_id() -> str | None:
    return request_id_var.get()


async def _send_unavailable(scope: dict, send: Any) -> None:
    language = "id"
    for name, value in scope.get("headers", ()):
        if name == b"accept-language" and value.lower().startswith(b"en"):
            language = "en"
    body = json.dumps({"errors": [with_request_id(unavailable_error(language))]}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
    await send({"type": "http.response.body", "body": body})


def with_request_id(error: dict) -> dict:
    info = current()
    if info is not None:
        error.setdefault("extensions", {})["requestId"] = info.request_id
    return error


def _route_labels(routes: Iterable[Any]) -> dict[Any, str]:
    labels: dict[Any, str] = {}
    for route in routes:
        endpoint = getattr(route, "endpoint", None) or getattr(route, "app", None)
        path = getattr(route, "path", None)
        if endpoint is not None and path is not None:
            labels.setdefault(endpoint, path or "/")
    return labels


class RequestMiddleware:
    def __init__(self, app: Any, routes: Iterable[Any] = ()) -> None:
        self.app = app
        self.labels = _route_labels(routes)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        info = RequestInfo(accept_request_id(incoming))
        id_token = request_id_var.set(info.request_id)
        info_token = _current.set(info)
        scope.setdefault("state", {})["request_id"] = info.request_id
        header = (b"x-request-id", info.request_id.encode())
        status = 500 if kind == "http" else 1000
        started = time.perf_counter()

        started_response = False

        async def send_with_id(message: dict) -> None:
            nonlocal status, started_response
            if message["type"] in ("http.response.start", "websocket.accept"):
                started_response = True
                message["headers"] = [*message.get("headers", ()), header]
                if message["type"] == "http.response.start":
                    status = message["status"]
                else:
                    metrics.WEBSOCKETS_OPEN.inc()
                    info.outcome = "open"
            elif message["type"] == "websocket.close":
                status = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Outside GraphQL (feeds, photos, pages) a database outage is a 503 too.
            if kind != "http" or started_response or not database_unavailable(exc):
                raise
            log.warning("database unavailable: %s %s: %s", scope.get("method"),
                        scope.get("path"), type(exc).__name__)
            info.outcome = "service_unavailable"
            metrics.DB_UNAVAILABLE.inc()
            await _send_unavailable(scope, send_with_id)
        finally:
            if info.outcome == "open":
                metrics.WEBSOCKETS_OPEN.dec()
            duration = time.perf_counter() - started
            route = self.labels.get(scope.get("endpoint"), "unmatched")
            if kind == "http":
                metrics.HTTP_REQUESTS.labels(route, scope["method"], str(status)).inc()
                metrics.HTTP_SECONDS.labels(route).observe(duration)
                metrics.update_pool_gauges()
            path = scope.get("path", "")
            log.log(
                logging.DEBUG if path in QUIET_PATHS else logging.INFO,
                "%s %s %s", scope.get("method", "WS"), path, status,
                extra={
                    "request_id": info.request_id, "method": scope.get("method", "WEBSOCKET"),
                    "path": path, "status": status,
                    "duration_ms": round(duration * 1000, 1),
                    "operation": info.operation, "operation_type": info.operation_type,
                    "outcome": info.outcome if info.outcome != "open" else "closed",
                    "error_codes": ",".join(info.error_codes) or None,
                    "client": scope["client"][0] if scope.get("client") else None,
                },
            )
            _current.reset(info_token)
            request_id_var.reset(id_token)
