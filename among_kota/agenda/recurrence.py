"""Occurrences of an event: the first one, then every week or every month (the same day of
the month; a month without that day is skipped, as RFC 5545 does for BYMONTHDAY) until a
date, in WIB."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from backend.clock import WIB

MAX_OCCURRENCES = 400
MAX_SPAN_DAYS = 2 * 366
DEFAULT_SPAN_DAYS = 366


def occurrences(starts_at: datetime, ends_at: datetime, frequency: str | None,
                until: date | None) -> list[tuple[datetime, datetime]]:
    length = ends_at - starts_at
    if frequency is None:
        return [(starts_at, ends_at)]
    local = starts_at.astimezone(WIB)
    last = until or (local.date() + timedelta(days=DEFAULT_SPAN_DAYS))
    found: list[tuple[datetime, datetime]] = []
    n = 0
    while len(found) < MAX_OCCURRENCES:
        if frequency == "WEEKLY":
            moment = local + timedelta(weeks=n)
        else:
            months = local.month - 1 + n
            year, month = local.year + months // 12, months % 12 + 1
            try:
                moment = local.replace(year=year, month=month)
            except ValueError:  # no such day in that month
                n += 1
                if year > last.year + 1:
                    break
                continue
        if moment.date() > last:
            break
        start = moment.astimezone(starts_at.tzinfo)
        found.append((start, start + length))
        n += 1
    return found
