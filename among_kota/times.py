"""Times from clients: a date-time without an offset is a wall-clock time in Batu (WIB)."""

from __future__ import annotations

from datetime import datetime

from backend.clock import WIB


def aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=WIB)


# Dates people plan with: anything outside is a typo (and keeps date arithmetic in range).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def plausible(value: datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR
