"""Reading events: occurrences between two moments, near a point, by category — a constant
number of SQL statements whatever the page size."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from among_kota.agenda.models import EventCategory, EventOccurrence
from among_kota.content.models import ContentStatus
from among_kota.errors import KotaErrorCode as C
from among_kota.times import plausible
from backend.errors import ServiceError
from backend.geo import spatial
from backend.geo.spatial import point_table
from backend.geo.sql import fetch_all
from backend.pagination import KeyKind, SortKey
from backend.read_cache import collecting, valid_until

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 90
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 50.0
BY_START = SortKey("starts_at", KeyKind.DATETIME)
EVENTS = point_table("kota_event", sa.Column("status", sa.String))


async def occurrences_query(start: datetime, end: datetime | None, *,
                            near: tuple[float, float] | None = None,
                            radius_km: float | None = None,
                            category_codes: list[str] | None = None) -> Any:
    """Published events' occurrences that overlap [start, end), as a Tortoise queryset."""
    if not plausible(start) or (end is not None and not plausible(end)):
        raise ServiceError(C.INVALID_RANGE, "from", days=MAX_RANGE_DAYS)
    end = end or start + timedelta(days=DEFAULT_RANGE_DAYS)
    if end <= start or end - start > timedelta(days=MAX_RANGE_DAYS):
        raise ServiceError(C.INVALID_RANGE, "to", days=MAX_RANGE_DAYS)
    queryset = EventOccurrence.filter(event__status=ContentStatus.PUBLISHED,
                                      starts_at__lt=end, ends_at__gt=start)
    if category_codes:
        wanted = list(dict.fromkeys(c[:40] for c in category_codes))
        known = set(await EventCategory.filter(code__in=wanted).values_list("code", flat=True))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise ServiceError(C.UNKNOWN_CATEGORY, "categoryCodes", codes=", ".join(unknown))
        queryset = queryset.filter(event__category__code__in=wanted)
    if near is not None:
        radius_km = DEFAULT_RADIUS_KM if radius_km is None else radius_km
        if not isinstance(radius_km, int | float) or not 0 < radius_km <= MAX_RADIUS_KM:
            raise ServiceError(C.INVALID_RADIUS, "radiusKm", max=MAX_RADIUS_KM)
        rows = await fetch_all(sa.select(EVENTS.id.label("id")).where(
            EVENTS.c.status == ContentStatus.PUBLISHED.value,
            spatial.within_radius_condition(EVENTS, near[0], near[1], radius_km * 1000)))
        queryset = queryset.filter(event_id__in=[int(r["id"]) for r in rows] or [0])
    return queryset


async def answers_hold_until(queryset: Any, start: datetime, end: datetime | None) -> None:
    """For a window that starts *now* (``from`` left out): tell the read cache when an answer
    stops being true by the clock alone — when the first occurrence shown ends (it leaves the
    window) or, when ``to`` moves with ``from``, when the next one beyond it starts to be
    inside. One or two statements, only for answers that may be cached."""
    if not collecting():
        return
    ending = await queryset.order_by("ends_at").limit(1).values_list("ends_at", flat=True)
    if ending:
        valid_until(ending[0])
    if end is None:  # the window's end moves with the clock: the next one comes into it
        horizon = start + timedelta(days=DEFAULT_RANGE_DAYS)
        coming = await EventOccurrence.filter(
            event__status=ContentStatus.PUBLISHED, starts_at__gte=horizon).order_by(
            "starts_at").limit(1).values_list("starts_at", flat=True)
        if coming:
            valid_until(coming[0] - timedelta(days=DEFAULT_RANGE_DAYS))
