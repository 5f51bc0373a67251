"""Among Tani's one contact with the event log: who an event is for, as audience keys
(``user:<id>``, ``role:<role>``, ``skpd:<id>``, ``area:<id>``, ``public``; docs/PLATFORM
section 2), recorded with :func:`backend.events.record_event`.

The registry, the market and the farming help desk all record through :func:`record`, so the
move from the log's older owner/SKPD columns to audiences is this one file."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from enum import Enum
from typing import Any

from backend.events import record_event


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def role_key(role: Any) -> str:
    return f"role:{getattr(role, 'value', role)}"


def skpd_key(skpd_id: int) -> str:
    return f"skpd:{skpd_id}"


_TAKES_AUDIENCE = "audience" in inspect.signature(record_event).parameters


async def record(type: Enum, *, subject_type: str, subject_id: int, audience: Iterable[str],
                 actor_id: int | None = None, payload: dict[str, Any] | None = None) -> Any:
    """Record a domain event for ``audience`` — inside the caller's ``unit_of_work()``,
    last in the transaction."""
    keys = sorted(set(audience))
    if _TAKES_AUDIENCE:
        return await record_event(type, subject_type=subject_type, subject_id=subject_id,
                                  audience=keys, actor_id=actor_id, payload=payload)
    # Before audiences: the log knows one owner. The first user key owns it; the full
    # audience rides in the payload for the stream filter to read.
    owner = next((int(k.split(":", 1)[1]) for k in keys if k.startswith("user:")), None)
    return await record_event(type, subject_type=subject_type, subject_id=subject_id,  # type: ignore[arg-type]
                              owner_id=owner, actor_id=actor_id,
                              payload={**(payload or {}), "audience": keys, "public": False})
