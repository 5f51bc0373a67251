"""Supply outlook: from registered plantings, the expected harvest per commodity per week for
the next weeks, by village — public aggregates (no parcel, no farmer), also what the
marketplace shows buyers ("about 40 t of potato expected from Sumber Brantas in the next 4
weeks")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from backend import db
from backend.clock import WIB, utcnow
from backend.errors import ServiceError
from backend.geo.models import Area
from backend.geo.sql import fetch_all

MAX_WEEKS = 26
_PLANTINGS = sa.table(
    "farming_planting", sa.column("commodity_code"), sa.column("village_id"),
    sa.column("expected_harvest_on", sa.Date), sa.column("base_unit"),
    sa.column("expected_yield_base"), sa.column("area_ha"))


def _week_of(day: sa.ColumnElement) -> sa.ColumnElement:
    """Monday of the day's week, on either database."""
    if db.dialect() == "postgres":
        return sa.cast(sa.func.date_trunc("week", day), sa.Date)
    return sa.func.date(day, "weekday 0", "-6 days")


@dataclass(frozen=True)
class OutlookEntry:
    commodity_code: str
    village_code: str
    village_name: str
    week_start: date
    expected_quantity: Decimal
    unit: str | None
    planted_area_ha: Decimal
    plantings: int


@dataclass(frozen=True)
class Outlook:
    from_date: date
    weeks: int
    entries: list[OutlookEntry]
    totals: list[OutlookEntry]  # city-wide per commodity and week (village fields empty)


def _dec(value: float) -> Decimal:
    return Decimal(f"{float(value):.3f}")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def harvest_outlook(*, commodity_code: str | None = None, weeks: int = 12,
                          village_code: str | None = None, today: date | None = None
                          ) -> Outlook:
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        raise ServiceError(Code.INVALID_WEEKS, "weeks", max=MAX_WEEKS)
    today = today or utcnow().astimezone(WIB).date()
    start = week_start(today)
    end = start + timedelta(days=7 * weeks)
    p = _PLANTINGS
    week = _week_of(p.c.expected_harvest_on)
    select = (sa.select(p.c.commodity_code, p.c.village_id, week.label("week"),
                        # null for plantings without an expected yield
                        sa.func.max(p.c.base_unit).label("base_unit"),
                        # Floats: decoding numerics into Decimals costs more than the query.
                        sa.cast(sa.func.sum(p.c.expected_yield_base), sa.Float)
                        .label("quantity"),
                        sa.cast(sa.func.sum(p.c.area_ha), sa.Float).label("area"),
                        sa.func.count().label("n"))
              .where(p.c.expected_harvest_on >= start, p.c.expected_harvest_on < end)
              .group_by(p.c.commodity_code, p.c.village_id, week))
    if commodity_code:
        if await registry.commodity(commodity_code) is None:
            raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                               commodity=commodity_code[:48])
        select = select.where(p.c.commodity_code == commodity_code)
    villages = {a.id: a for a in await Area.filter(level="village").only("id", "code", "name")}
    if village_code:
        wanted = [a.id for a in villages.values() if a.code == village_code]
        if not wanted:
            raise ServiceError(Code.UNKNOWN_VILLAGE, "villageCode", codes=village_code[:64])
        select = select.where(p.c.village_id == wanted[0])
    # One statement, grouped by week in SQL: at most commodities × villages × weeks rows.
    rows = await fetch_all(select)
    # Rows are already one per (commodity, village, week, unit); sums per commodity and week
    # for the city. Floats while adding, Decimals (3 places) once per row shown.
    totals: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0, None])
    entries = []
    weeks_seen: dict[object, date] = {}
    for row in rows:
        day = row["week"]
        week = weeks_seen.get(day)
        if week is None:
            parsed = date.fromisoformat(day[:10]) if isinstance(day, str) else (
                day.date() if isinstance(day, datetime) else day)
            week = weeks_seen[day] = week_start(parsed)
        quantity, area, n = row["quantity"] or 0.0, row["area"] or 0.0, int(row["n"] or 0)
        village = villages.get(row["village_id"])
        entries.append(OutlookEntry(row["commodity_code"], village.code if village else "",
                                    village.name if village else "", week, _dec(quantity),
                                    row["base_unit"], _dec(area), n))
        total = totals[(row["commodity_code"], week)]
        total[0] += quantity
        total[1] += area
        total[2] += n
        total[3] = total[3] or row["base_unit"]
    entries.sort(key=lambda e: (e.commodity_code, e.week_start, e.village_code))
    city = [OutlookEntry(commodity, "", "", week, _dec(qty), unit, _dec(area), n)
            for (commodity, week), (qty, area, n, unit) in sorted(totals.items())]
    return Outlook(start, weeks, entries, city)
