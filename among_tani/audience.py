"""Among Tani's one contact with the event log: events recorded with their audience keys
(``backend.events.audience``) by the registry, the market and the farming help desk alike."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from backend.events import record_event
from backend.events.audience import role as role_key
from backend.events.audience import skpd as skpd_key
from backend.events.audience import user as user_key

__all__ = ["record", "role_key", "skpd_key", "user_key"]


async def record(type: Enum, *, subject_type: str, subject_id: int, audience: Iterable[str],
                 actor_id: int | None = None, payload: dict[str, Any] | None = None) -> Any:
    """Record a domain event for ``audience`` — inside the caller's ``unit_of_work()``,
    last in the transaction."""
    return await record_event(type, subject_type=subject_type, subject_id=subject_id,
                              audience=audience, actor_id=actor_id, payload=payload)
