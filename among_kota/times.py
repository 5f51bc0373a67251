"""Times from clients: a date-time without an offset is a wall-clock time in Batu (WIB)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from among_kota.errors import KotaErrorCode as C
from backend.clock import WIB
from backend.errors import ServiceError


def aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=WIB)


# Dates people plan with: anything outside is a typo (and keeps date arithmetic in range).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def plausible(value: datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def client_time(value: Any, field: str) -> datetime:
    """A date-time from an editor (ISO text or a datetime; no offset: WIB) in WIB, or
    INVALID_DATE about ``field``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ServiceError(C.INVALID_DATE, field) from exc
    if not isinstance(value, datetime):
        raise ServiceError(C.INVALID_DATE, field)
    if value.tzinfo is None:  # a wall-clock time in Batu
        value = value.replace(tzinfo=WIB)
    if not plausible(value):
        raise ServiceError(C.INVALID_DATE, field)
    return value.astimezone(WIB)
