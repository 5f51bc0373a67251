"""Opening hours, modelled on Google Places' ``OpeningHours``: weekly periods (an opening
day and time, a closing day and time — a period may run past midnight, Saturday 18:00 to
Sunday 02:00), plus special days (a date with its own periods, or none: closed) and whether
the place closes on public holidays (the city's holiday list is data: ``kota_holiday``).

Editors' input is checked here (a time that is not HH:MM, a period that closes before it
opens, periods that overlap) and kept as they wrote it (``content["openingHours"]``); rows
derived from it (week minutes, Monday 00:00 = 0) let SQL answer "open now?" for a whole
list in the same statement that selects it (:func:`open_now`). Times are WIB
(Asia/Jakarta, no daylight saving).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from among_kota.errors import KotaErrorCode as C
from backend.clock import WIB
from backend.errors import FieldError, ServiceError

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
MAX_PERIODS = 50
MAX_SPECIAL_DAYS = 200
_TIME = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$")
HARI = {"MONDAY": "Senin", "TUESDAY": "Selasa", "WEDNESDAY": "Rabu", "THURSDAY": "Kamis",
        "FRIDAY": "Jumat", "SATURDAY": "Sabtu", "SUNDAY": "Minggu"}


@dataclass(frozen=True)
class HoursRows:
    """The rows derived from a place's hours: weekly intervals in week minutes (split at the
    week's end), special days' intervals in day minutes (``None``: closed that day)."""

    weekly: list[tuple[int, int]]
    special: list[tuple[date, int | None, int | None]]


def _minutes(value: Any, field: str) -> int:
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ServiceError(C.INVALID_TIME, field)
    if value == "24:00":
        return DAY_MINUTES
    return int(match.group(1)) * 60 + int(match.group(2))


def _day(value: Any, field: str) -> int:
    value = getattr(value, "value", value)
    if value not in WEEKDAYS:
        raise ServiceError(C.INVALID_TIME, field)
    return WEEKDAYS.index(value)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _overlaps(intervals: list[tuple[int, int]]) -> tuple[int, int] | None:
    ordered = sorted(intervals)
    for (_s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            return s2, min(e1, e2)
    return None


def _week_label(minute: int) -> str:
    day, rest = divmod(minute % WEEK_MINUTES, DAY_MINUTES)
    return f"{WEEKDAYS[day]} {_clock(rest)}"


def clean_hours(value: dict[str, Any] | None, field: str = "openingHours"
                ) -> dict[str, Any] | None:
    """The editor's opening hours, checked and in canonical form (``None``: not known)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ServiceError(C.INVALID_TIME, field)
    periods_in = value.get("periods") or []
    special_in = value.get("special_days") or value.get("specialDays") or []
    if not isinstance(periods_in, list) or not all(isinstance(p, dict) for p in periods_in):
        raise ServiceError(C.INVALID_TIME, f"{field}.periods")
    if not isinstance(special_in, list) or not all(isinstance(s, dict) for s in special_in):
        raise ServiceError(C.INVALID_TIME, f"{field}.specialDays")
    if len(periods_in) > MAX_PERIODS:
        raise ServiceError(C.TOO_MANY_ITEMS, f"{field}.periods", max=MAX_PERIODS)
    if len(special_in) > MAX_SPECIAL_DAYS:
        raise ServiceError(C.TOO_MANY_ITEMS, f"{field}.specialDays", max=MAX_SPECIAL_DAYS)
    periods = []
    for i, p in enumerate(periods_in):
        where = f"{field}.periods[{i}]"
        open_day = _day(p.get("open_day") or p.get("openDay"), where)
        close_raw = p.get("close_day") or p.get("closeDay")
        close_day = open_day if close_raw is None else _day(close_raw, where)
        opens = _minutes(p.get("open_time") or p.get("openTime"), where)
        closes = _minutes(p.get("close_time") or p.get("closeTime"), where)
        if opens == DAY_MINUTES:
            raise ServiceError(C.INVALID_TIME, where)
        if close_day == open_day and closes <= opens:
            raise ServiceError(C.CLOSES_BEFORE_OPENING, where,
                               detail=f"{WEEKDAYS[open_day]} {_clock(opens)}–{_clock(closes)}")
        periods.append({"openDay": WEEKDAYS[open_day], "openTime": _clock(opens),
                        "closeDay": WEEKDAYS[close_day], "closeTime": _clock(closes)})
    special = []
    seen: set[str] = set()
    for i, s in enumerate(special_in):
        where = f"{field}.specialDays[{i}]"
        day = s.get("date")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError as exc:
                raise ServiceError(C.INVALID_DATE, where) from exc
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ServiceError(C.INVALID_DATE, where)
        if day.isoformat() in seen:
            raise ServiceError(C.DUPLICATE_DATE, where, date=day.isoformat())
        seen.add(day.isoformat())
        day_periods = []
        for j, p in enumerate(s.get("periods") or []):
            at = f"{where}.periods[{j}]"
            opens = _minutes(p.get("open_time") or p.get("openTime"), at)
            closes = _minutes(p.get("close_time") or p.get("closeTime"), at)
            if closes <= opens:
                raise ServiceError(C.CLOSES_BEFORE_OPENING, at,
                                   detail=f"{day.isoformat()} {_clock(opens)}–{_clock(closes)}")
            day_periods.append((opens, closes))
        clash = _overlaps(day_periods)
        if clash is not None:
            raise ServiceError(C.HOURS_OVERLAP, where,
                               detail=f"{day.isoformat()} {_clock(clash[0])}–{_clock(clash[1])}")
        special.append({"date": day.isoformat(),
                        "periods": [{"openTime": _clock(o), "closeTime": _clock(c)}
                                    for o, c in sorted(day_periods)]})
    hours = {"periods": periods, "specialDays": sorted(special, key=lambda s: s["date"]),
             "closedOnHolidays": bool(value.get("closed_on_holidays")
                                      or value.get("closedOnHolidays"))}
    clash = _overlaps(rows_of(hours).weekly)
    if clash is not None:
        raise ServiceError(C.HOURS_OVERLAP, f"{field}.periods",
                           detail=f"{_week_label(clash[0])}–{_week_label(clash[1])}")
    return hours


def rows_of(hours: dict[str, Any] | None) -> HoursRows:
    """The rows to store for checked hours."""
    if hours is None:
        return HoursRows([], [])
    weekly: list[tuple[int, int]] = []
    for p in hours["periods"]:
        start = WEEKDAYS.index(p["openDay"]) * DAY_MINUTES + _minutes(p["openTime"], "")
        end = WEEKDAYS.index(p["closeDay"]) * DAY_MINUTES + _minutes(p["closeTime"], "")
        if end <= start:  # runs into the next week (Sunday night to Monday)
            end += WEEK_MINUTES
        if end > WEEK_MINUTES:
            weekly += [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]
        else:
            weekly.append((start, end))
    special: list[tuple[date, int | None, int | None]] = []
    for s in hours["specialDays"]:
        day = date.fromisoformat(s["date"])
        if not s["periods"]:
            special.append((day, None, None))
        for p in s["periods"]:
            special.append((day, _minutes(p["openTime"], ""), _minutes(p["closeTime"], "")))
    return HoursRows(weekly, special)


def hours_problems(value: dict[str, Any] | None, field: str) -> list[FieldError]:
    try:
        clean_hours(value, field)
    except ServiceError as exc:
        return exc.errors
    return []


# -- "open now?" in SQL ------------------------------------------------------------------------

PERIODS = sa.table("kota_place_period", sa.column("place_id"), sa.column("start_minute"),
                   sa.column("end_minute"))
SPECIAL = sa.table("kota_place_special", sa.column("place_id"), sa.column("day", sa.Date),
                   sa.column("start_minute"), sa.column("end_minute"))
HOLIDAYS = sa.table("kota_holiday", sa.column("day", sa.Date))


@dataclass(frozen=True)
class Moment:
    """A moment as opening hours see it: the WIB date, week minute and day minute."""

    day: date
    week_minute: int
    day_minute: int

    @classmethod
    def of(cls, moment: datetime) -> Moment:
        local = moment.astimezone(WIB)
        minute = local.hour * 60 + local.minute
        return cls(local.date(), local.weekday() * DAY_MINUTES + minute, minute)


def _any(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """"A row of this place matches", probed per place through its (place_id, …) index.
    Written as ``(SELECT 1 … LIMIT 1) IS NOT NULL``, not ``EXISTS``: inside an OR PostgreSQL
    may turn an EXISTS into a hashed subplan that reads the whole periods table (300,000
    rows at 50,000 places) to answer 20 places."""
    table = conditions[0].left.table  # type: ignore[attr-defined]
    return sa.select(sa.literal(1)).select_from(table).where(*conditions).limit(
        1).scalar_subquery().isnot(None)


def open_now(place_id: sa.ColumnElement[Any], has_hours: sa.ColumnElement[Any],
             closed_on_holidays: sa.ColumnElement[Any], moment: datetime
             ) -> sa.ColumnElement[bool]:
    """Whether the place is open at ``moment``: a special day decides alone; else a public
    holiday closes places that close on holidays; else the weekly periods. False for places
    whose hours are not known (``has_hours``; the API shows those as null)."""
    at = Moment.of(moment)
    special_today = _any(SPECIAL.c.place_id == place_id, SPECIAL.c.day == at.day)
    special_open = _any(
        SPECIAL.c.place_id == place_id, SPECIAL.c.day == at.day,
        SPECIAL.c.start_minute <= at.day_minute, SPECIAL.c.end_minute > at.day_minute)
    holiday = sa.exists().where(HOLIDAYS.c.day == at.day)
    weekly_open = _any(
        PERIODS.c.place_id == place_id, PERIODS.c.start_minute <= at.week_minute,
        PERIODS.c.end_minute > at.week_minute)
    # The same rule as plain AND/OR (an open special period implies a special day), not
    # ``CASE … END = true``: PostgreSQL estimates that comparison at 0.5 % of rows, then
    # prefers scanning every text match over walking the spatial index nearest first.
    return sa.and_(
        has_hours == sa.true(),
        sa.or_(
            special_open,
            sa.and_(sa.not_(special_today),
                    sa.not_(sa.and_(closed_on_holidays == sa.true(), holiday)),
                    weekly_open),
        ),
    )
