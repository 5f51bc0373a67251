"""Among Kota's domain events: every change to public data is recorded (issue 14's cache of
public queries is invalidated by them). Namespaced values, at most 64 characters."""

from __future__ import annotations

from enum import Enum
from typing import Any

from backend.events import audience, record_event


class KotaEvent(str, Enum):
    PLACE_PUBLISHED = "place.published"
    PLACE_UPDATED = "place.updated"
    PLACE_WITHDRAWN = "place.withdrawn"
    PLACE_CATEGORIES_CHANGED = "place.categories_changed"
    HOLIDAYS_CHANGED = "place.holidays_changed"  # "open now" on holidays
    EVENT_PUBLISHED = "event.published"
    EVENT_UPDATED = "event.updated"
    EVENT_WITHDRAWN = "event.withdrawn"
    NEWS_PUBLISHED = "news.published"
    NEWS_UPDATED = "news.updated"
    NEWS_WITHDRAWN = "news.withdrawn"
    SERVICE_PUBLISHED = "service.published"
    SERVICE_UPDATED = "service.updated"
    SERVICE_WITHDRAWN = "service.withdrawn"
    SURVEY_ANSWERED = "service.survey_answered"
    CONDITION_PUBLISHED = "condition.published"
    CONDITION_UPDATED = "condition.updated"
    CONDITION_WITHDRAWN = "condition.withdrawn"
    # The conditions job: a notice's validity began or ended (nothing else changed then).
    CONDITION_STARTED = "condition.started"
    CONDITION_EXPIRED = "condition.expired"
    # UMKM: public once verified; the owner's edits are verified again.
    UMKM_VERIFIED = "umkm.verified"
    UMKM_WITHDRAWN = "umkm.withdrawn"


async def record_public_change(
    event: KotaEvent, *, subject_type: str, subject_id: int, actor_id: int | None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Record a change everyone can see (audience ``public``), last in the change's unit of
    work."""
    await record_event(event, subject_type=subject_type, subject_id=subject_id,
                       audience=(audience.PUBLIC,), actor_id=actor_id, payload=payload or {})
