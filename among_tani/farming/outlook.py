"""Supply outlook: from registered plantings, the expected harvest per commodity per week for
the next weeks, by village — public aggregates (no parcel, no farmer), also what the
marketplace shows buyers ("about 40 t of potato expected from Sumber Brantas in the next 4
weeks")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tortoise.functions import Count, Sum

from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.models import Planting
from backend.clock import WIB, utcnow
from backend.errors import ServiceError
from backend.geo.models import Area

MAX_WEEKS = 26


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
    query = Planting.filter(expected_harvest_on__gte=start, expected_harvest_on__lt=end)
    if commodity_code:
        if await registry.commodity(commodity_code) is None:
            raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                               commodity=commodity_code[:48])
        query = query.filter(commodity_code=commodity_code)
    villages = {a.id: a for a in await Area.filter(level="village")}
    if village_code:
        wanted = [a.id for a in villages.values() if a.code == village_code]
        if not wanted:
            raise ServiceError(Code.UNKNOWN_VILLAGE, "villageCode", codes=village_code)
        query = query.filter(village_id=wanted[0])
    rows = await query.annotate(
        quantity=Sum("expected_yield_base"), area=Sum("area_ha"), n=Count("id"),
    ).group_by("commodity_code", "village_id", "expected_harvest_on", "base_unit").values(
        "commodity_code", "village_id", "expected_harvest_on", "base_unit", "quantity", "area",
        "n")
    buckets: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, None])
    totals: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, None])
    for row in rows:
        day = row["expected_harvest_on"]
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
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
