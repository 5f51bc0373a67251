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
    select = (sa.select(p.c.commodity_code, p.c.village_id, week.label("week"), p.c.base_unit,
                        sa.func.sum(p.c.expected_yield_base).label("quantity"),
                        sa.func.sum(p.c.area_ha).label("area"),
                        sa.func.count().label("n"))
              .where(p.c.expected_harvest_on >= start, p.c.expected_harvest_on < end)
              .group_by(p.c.commodity_code, p.c.village_id, week, p.c.base_unit))
    if commodity_code:
        if await registry.commodity(commodity_code) is None:
            raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                               commodity=commodity_code[:48])
        select = select.where(p.c.commodity_code == commodity_code)
    villages = {a.id: a for a in await Area.filter(level="village")}
    if village_code:
        wanted = [a.id for a in villages.values() if a.code == village_code]
        if not wanted:
            raise ServiceError(Code.UNKNOWN_VILLAGE, "villageCode", codes=village_code[:64])
        select = select.where(p.c.village_id == wanted[0])
    # One statement, grouped by week in SQL: at most commodities × villages × weeks rows.
    rows = await fetch_all(select)
    buckets: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, None])
    totals: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, None])
    for row in rows:
        day = row["week"]
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        elif isinstance(day, datetime):
            day = day.date()
        week = week_start(day)
        for key, target in (((row["commodity_code"], row["village_id"], week), buckets),
                            ((row["commodity_code"], week), totals)):
            bucket = target[key]
            bucket[0] += Decimal(str(row["quantity"] or 0))
            bucket[1] += Decimal(str(row["area"] or 0))
            bucket[2] += int(row["n"] or 0)
            bucket[3] = bucket[3] or row["base_unit"]
    entries = []
    for (commodity, village_id, week), (qty, area, n, unit) in sorted(
            buckets.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        village = villages.get(village_id)
        entries.append(OutlookEntry(commodity, village.code if village else "",
                                    village.name if village else "", week, qty, unit, area, n))
    city = [OutlookEntry(commodity, "", "", week, qty, unit, area, n)
            for (commodity, week), (qty, area, n, unit) in sorted(totals.items())]
    return Outlook(start, weeks, entries, city)
