"""The ASGI application: GraphQL at /graphql, health checks, static files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from backend import db, domains, http_security
from backend.events.bus import EventBus
from backend.graphql.documents import DocumentGate
from backend.graphql.http import GraphQLHTTPEndpoint
from backend.graphql.ws import GraphQLWebSocketEndpoint
from backend.jobs import run_forever
from backend.observability.metrics import metrics_endpoint
from backend.observability.requests import RequestMiddleware
from backend.read_cache import ReadCache
from backend.schema import current_schema
from backend.settings import Settings, load_settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        await db.ping()
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("readiness check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": db.dialect()})


def create_app(
    settings: Settings | None = None, *, manage_db: bool = True, run_jobs: bool | None = None
) -> Starlette:
    """Build the app. ``manage_db=False`` when the caller (a test) already initialised the ORM;
    periodic jobs run in the server (default) and not in tests unless asked."""
    settings = settings or load_settings()
    services: dict[str, Any] = {
        # Anonymous answers of public reads; serves from memory once started (lifespan).
        "read_cache": ReadCache(settings.read_cache_bytes, settings.read_cache_max_age_seconds),
    }
    schema = current_schema()
    # One gate and document cache for both transports: same limits, same validation.
    gate = DocumentGate(schema.graphql_schema, settings)
    graphql_http = GraphQLHTTPEndpoint(gate, settings, services=services)
    graphql_ws = GraphQLWebSocketEndpoint(gate, settings, services=services)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.init_db(settings)
        # One event bus per process: one LISTEN connection on PostgreSQL, fanned out here.
        bus = services["event_bus"] = EventBus(settings.database_url,
                                               poll_seconds=settings.event_poll_seconds)
        await bus.start()
        read_cache = services["read_cache"]
        await read_cache.start(bus)
        start_jobs = manage_db if run_jobs is None else run_jobs
        jobs_task = asyncio.create_task(run_forever(settings)) if start_jobs else None
        try:
            yield
        finally:
            await read_cache.stop()
            await bus.stop()
            services.pop("event_bus", None)
            if jobs_task is not None:
                jobs_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs_task
            if manage_db:
                await db.close_db()

    routes = [
        Route("/graphql", graphql_http.__call__, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_ws.__call__),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        # Each domain's own routes, as its manifest declares them.
        *(route for routes in domains.collect("routes") for route in routes),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        routes=routes,
        # Security headers and CORS outermost (they also dress the 503 the request
        # middleware answers when the database is down); then a request id, the request log
        # line and the HTTP metrics for everything.
        middleware=[*http_security.middleware(settings),
                    Middleware(RequestMiddleware, routes=routes)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    return app
