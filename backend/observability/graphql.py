"""What the request log and the metrics say about a GraphQL operation: its name (the root
fields it selects — bounded by the schema, unlike a client's ``operationName``), its type and
its outcome, read from the result the client gets."""

from __future__ import annotations

import time
from typing import Any

from graphql import DocumentNode, FieldNode, OperationDefinitionNode

from backend.observability import metrics
from backend.observability.requests import RequestInfo, with_request_id

__all__ = ["describe", "outcome_of", "record", "with_request_id"]

MAX_LABEL = 120


def describe(document: DocumentNode | None, operation_name: str | None
             ) -> tuple[str, str]:
    """(root fields joined by '+', operation type) of the operation that will run."""
    if document is None:
        return "invalid", "unknown"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = None
    if operation_name:
        chosen = next((o for o in operations if o.name and o.name.value == operation_name), None)
    elif len(operations) == 1:
        chosen = operations[0]
    if chosen is None:
        return "invalid", "unknown"
    fields = sorted({s.name.value for s in chosen.selection_set.selections
                     if isinstance(s, FieldNode)})
    label = "+".join(fields) or "fragment"
    return label[:MAX_LABEL], chosen.operation.value


_OUTCOMES = {
    "UNAUTHENTICATED": "unauthenticated", "FORBIDDEN": "forbidden",
    "BAD_USER_INPUT": "bad_request", "GRAPHQL_VALIDATION_FAILED": "bad_request",
    "BAD_REQUEST": "bad_request", "SERVICE_UNAVAILABLE": "service_unavailable",
    "INTERNAL_SERVER_ERROR": "internal_error", "RATE_LIMITED": "rate_limited",
}


def _payload_codes(data: Any) -> list[str]:
    """Codes of mutation payload errors (``{… errors: [{code}]}`` one level below the root)."""
    codes: list[str] = []
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, dict) and isinstance(value.get("errors"), list):
                codes += [str(e.get("code")) for e in value["errors"] if isinstance(e, dict)]
    return codes


def outcome_of(body: dict[str, Any], payload_codes: list[str] = ()) -> tuple[str, list[str]]:
    errors = body.get("errors") or []
    codes = [str((e.get("extensions") or {}).get("code", "ERROR")) for e in errors]
    if codes:
        for code in codes:
            if code in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"):
                return _OUTCOMES[code], codes
        return _OUTCOMES.get(codes[0], "error"), codes
    payload = list(payload_codes) or _payload_codes(body.get("data"))
    if payload:
        if all(c in ("RATE_LIMITED", "rate_limited") for c in payload):
            return "rate_limited", payload
        return "payload_error", payload
    return "ok", []


def record(info: RequestInfo | None, label: str, kind: str, body: dict[str, Any],
           started: float) -> None:
    """Count the operation and fill the request log's fields; adds nothing to the body."""
    outcome, codes = outcome_of(body, info.payload_codes if info is not None else [])
    metrics.GRAPHQL_OPERATIONS.labels(label, kind, outcome).inc()
    metrics.GRAPHQL_SECONDS.labels(label, kind).observe(time.perf_counter() - started)
    if outcome == "service_unavailable":
        metrics.DB_UNAVAILABLE.inc()
    if info is not None:
        info.operation, info.operation_type, info.outcome = label, kind, outcome
        info.error_codes = [c.lower() for c in codes][:10]


