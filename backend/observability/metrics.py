"""Prometheus metrics: ``GET /metrics``.

Per process, aggregated across uvicorn workers by prometheus-client's multi-process mode
(``batt serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory under var/ before the
workers start): GraphQL operations by root field and outcome, HTTP requests and latency, open
WebSockets, event delivery lag, pushes sent and failed, job runs, the database pool, requests
answered SERVICE_UNAVAILABLE. Read from the database at scrape time (cluster-wide, so the
worker that answers does not matter): the push outbox's depth and its failed messages.

Labels are bounded: an operation is named by its root fields (from the schema), never by the
client's ``operationName``; a route by its pattern, never by its path.

Access: with ``BATT_METRICS_TOKEN`` set, only ``Authorization: Bearer <token>``; without it,
only clients on a loopback or private address that came through no proxy (an internal
scraper on the same network), never the public.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

GRAPHQL_OPERATIONS = Counter(
    "batt_graphql_operations_total", "GraphQL operations by root fields, type and outcome "
    "(ok, payload_error, rate_limited, unauthenticated, forbidden, bad_request, "
    "service_unavailable, internal_error).", ["operation", "type", "outcome"])
GRAPHQL_SECONDS = Histogram(
    "batt_graphql_operation_duration_seconds", "GraphQL operation latency (HTTP).",
    ["operation", "type"], buckets=LATENCY_BUCKETS)
HTTP_REQUESTS = Counter(
    "batt_http_requests_total", "HTTP requests by route pattern, method and status.",
    ["route", "method", "status"])
HTTP_SECONDS = Histogram(
    "batt_http_request_duration_seconds", "HTTP request latency by route pattern.",
    ["route"], buckets=LATENCY_BUCKETS)
WEBSOCKETS_OPEN = Gauge(
    "batt_websockets_open", "WebSocket connections open now.", multiprocess_mode="livesum")
EVENT_LAG = Histogram(
    "batt_event_delivery_lag_seconds",
    "From an event's commit to its delivery to a live subscriber.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
PUSH_MESSAGES = Counter(
    "batt_push_messages_total", "Pushes the sender finished, by outcome "
    "(sent, no_devices, logged, failed) — and retries (retry).", ["outcome"])
JOB_RUNS = Counter("batt_job_runs_total", "Periodic job runs by outcome (ok, error).",
                   ["job", "outcome"])
JOB_SECONDS = Histogram("batt_job_duration_seconds", "Periodic job run time.", ["job"],
                        buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0))
DB_POOL = Gauge("batt_db_pool_connections", "Database pool connections (PostgreSQL) by state.",
                ["state"], multiprocess_mode="livesum")
DB_UNAVAILABLE = Counter(
    "batt_db_unavailable_total", "Requests answered SERVICE_UNAVAILABLE (database down).")


def multiprocess() -> bool:
    # not a setting: prometheus-client's own hand-over from `batt serve` to its workers
    return bool(os.environ.get(MULTIPROCESS_ENV))  # not a setting: see above


def update_pool_gauges() -> None:
    """This process's pool (asyncpg); called as requests finish, cheap attribute reads."""
    try:
        from tortoise import connections

        pool = getattr(connections.get("default"), "_pool", None)
    except Exception:  # not initialised (SQLite has no pool)
        return
    if pool is None:
        return
    size, idle = pool.get_size(), pool.get_idle_size()
    DB_POOL.labels("in_use").set(size - idle)
    DB_POOL.labels("idle").set(idle)
    DB_POOL.labels("max").set(pool.get_max_size())


class _Snapshot:
    """Metrics read from the database at scrape time, rendered like any collector."""

    def __init__(self, families: list[Any]) -> None:
        self.families = families

    def collect(self):
        return self.families


async def _database_families() -> list[Any]:
    from backend import db

    up = GaugeMetricFamily("batt_database_up", "1 when the database answered this scrape.")
    families: list[Any] = [up]
    try:
        rows = await db.connection().execute_query_dict(
            "SELECT status, count(*) AS n FROM push_outbox "
            "WHERE status IN ('pending', 'failed') GROUP BY status")
    except Exception as exc:  # down or unreachable: say so, keep the process metrics
        log.warning("metrics: database unavailable: %s", type(exc).__name__)
        up.add_metric([], 0)
        return families
    up.add_metric([], 1)
    counts = {r["status"]: int(r["n"]) for r in rows}
    outbox = GaugeMetricFamily("batt_push_outbox_messages",
                               "Push outbox messages waiting (pending) or given up (failed).",
                               labels=["status"])
    for status in ("pending", "failed"):
        outbox.add_metric([status], counts.get(status, 0))
    families.append(outbox)
    return families


# Loopback aside: RFC 1918 and IPv6 unique-local networks — a scraper in the city's own
# network (not the documentation ranges Python also calls "private").
INTERNAL_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _internal(request: Request) -> bool:
    client = request.client.host if request.client else ""
    if request.headers.get("x-forwarded-for") or request.headers.get("forwarded"):
        return False  # came through a proxy: somebody outside
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return address.is_loopback or any(address in network for network in INTERNAL_NETWORKS)


async def metrics_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    token = getattr(settings, "metrics_token", None)
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            return JSONResponse({"error": "metrics token required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
    elif not _internal(request):
        return JSONResponse({"error": "metrics are served to internal addresses only; set "
                                      "BATT_METRICS_TOKEN to scrape from elsewhere"},
                            status_code=403)
    update_pool_gauges()
    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY)
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(await _database_families()))
    return Response(body + generate_latest(snapshot), media_type=CONTENT_TYPE_LATEST)


def mark_process_dead(pid: int) -> None:
    """A worker left: its live gauges (open sockets, pool) must stop counting."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(pid)
