"""Structured logs: one JSON object per line, a request id on every line written while a
request is handled, and no personal identifier or secret in any line.

What keeps secrets out, in order of importance:
1. nothing logs them: phone numbers and NIKs never reach SQL parameters in plain text (they
   are encrypted and looked up by keyed hash first), GraphQL variables are not logged, the
   request line is logged without its query string;
2. :class:`RedactingFilter`, on every handler, scrubs what slipped through anyway: Indonesian
   phone numbers in any spelling, 16-digit NIKs, JWTs, ``Bearer`` credentials, values of
   ``password``/``token``/``secret``-like keys, and the query strings of URLs.
A test runs the main flows with DEBUG logging everywhere (Tortoise's SQL log prints every
parameter) and greps every line for the phones, NIKs, passwords and tokens it used.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

# The request being handled by this task (set by the request middleware).
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "batt_request_id", default=None)

INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id() -> str:
    return secrets.token_hex(12)


def accept_request_id(incoming: str | None) -> str:
    """A caller's (or the proxy's) id when it is sane, otherwise a fresh one."""
    if incoming and INCOMING_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


# -- redaction ------------------------------------------------------------------------------

REDACTED = "[redacted]"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # JWTs (access tokens, Firebase ID tokens) and Authorization credentials.
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # "password": "…", refresh_token=…, secret: … — the value, whatever it looks like.
    (re.compile(r"(?i)([\"']?\b[\w-]*(?:password|passwd|token|secret|authorization|nik|phone)"
                r"[\w-]*[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"), r"\1" + REDACTED),
    # The query string of a URL (signed photo links, GET GraphQL variables).
    (re.compile(r"(/[\w./%-]*)\?[^\s\"']+"), r"\1?" + REDACTED),
    # 16-digit NIKs, and Indonesian phone numbers however written (+62 812-3456-7890,
    # 6281234567890, 081234567890, 8123456789 …).
    (re.compile(r"(?<!\d)\d{16}(?!\d)"), REDACTED),
    (re.compile(r"(?<![\w+])(?:\+?62|0)?[\s-]?8\d{1,3}[\s-]?\d{3,4}[\s-]?\d{3,5}(?!\d)"),
     REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Formats the record's message once, scrubbed; scrubs exception text and extras too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key in _EXTRA_KEYS:
            value = record.__dict__.get(key)
            if isinstance(value, str):
                record.__dict__[key] = redact(value)
        return True


# Fields the request log adds (``log.info(..., extra={...})``); the JSON formatter emits them.
_EXTRA_KEYS = ("request_id", "method", "path", "status", "duration_ms", "operation",
               "operation_type", "outcome", "client", "error_codes", "job", "event")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = record.__dict__.get("request_id") or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key in _EXTRA_KEYS:
            if key != "request_id" and key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    return handler


def configure_logging(level: str = "info", *, json_lines: bool = True,
                      stream: Any = None) -> None:
    """The process's logging: JSON lines on stderr (plain text for a developer's terminal when
    ``json_lines`` is False), redacted either way. uvicorn's loggers go through the same
    handler; its access log is off (the request log replaces it, without query strings)."""
    handler = json_handler(stream) if json_lines else logging.StreamHandler(stream or sys.stderr)
    if not json_lines:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """For ``uvicorn.run(log_config=…)``: every worker process logs JSON lines, redacted."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactingFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json",
                                 "filters": ["redact"], "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Replaced by the request log (no query strings, with the request id).
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }
