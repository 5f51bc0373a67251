"""Supply outlook: from registered plantings, the expected harvest per commodity per week for
the next weeks, by village — public aggregates (no parcel, no farmer), also what the
marketplace shows buyers ("about 40 t of potato expected from Sumber Brantas in the next 4
weeks")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from backend import db
from backend.clock import WIB, utcnow
from backend.errors import ServiceError
from backend.geo.models import Area
from backend.geo.sql import fetch_all
from backend.i18n import Text

MAX_WEEKS = 26
_PLANTINGS = sa.table(
    "farming_planting", sa.column("commodity_code"), sa.column("village_id"),
    sa.column("expected_harvest_on", sa.Date), sa.column("base_unit"),
    sa.column("expected_yield_base"), sa.column("area_ha"))


def _week_index(day: sa.ColumnElement, start: date) -> sa.ColumnElement:
    """Whole weeks from ``start`` (a Monday) to the day, by integer division on either
    database — no time-zone conversion per row, as ``date_trunc`` on a date would do."""
    if db.dialect() == "postgres":
        return (day - sa.literal(start, sa.Date)) // 7  # date - date: days, an integer
    days = sa.cast(sa.func.julianday(day) - sa.func.julianday(start.isoformat()), sa.Integer)
    return days // 7


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


@dataclass
class OutlookSeries:
    """One commodity in one village (or the city: village fields empty), week by week from
    the outlook's first Monday: the compact form of the same sums, for a whole-city read."""

    commodity_code: str
    village_code: str
    village_name: str
    unit: str | None
    expected_quantities: list[Decimal]
    planted_area_ha: list[Decimal]
    plantings: list[int]


async def harvest_outlook(*, commodity_code: str | None = None, weeks: int = 12,
                          village_code: str | None = None, today: date | None = None
                          ) -> Outlook:
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        raise ServiceError(Code.INVALID_WEEKS, "weeks", max=MAX_WEEKS)
    today = today or utcnow().astimezone(WIB).date()
    start = week_start(today)
    end = start + timedelta(days=7 * weeks)
    p = _PLANTINGS
    week = _week_index(p.c.expected_harvest_on, start)
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
    mondays = [start + timedelta(days=7 * i) for i in range(weeks)]
    # Rows are already one per (commodity, village, week); sums per commodity and week for
    # the city. Floats while adding, Decimals (3 places) once per row shown.
    totals: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0, None])
    entries = []
    for row in rows:
        week_index = int(row["week"])
        if not 0 <= week_index < weeks:
            continue
        monday = mondays[week_index]
        quantity, area, n = row["quantity"] or 0.0, row["area"] or 0.0, int(row["n"] or 0)
        village = villages.get(row["village_id"])
        entries.append(OutlookEntry(row["commodity_code"], village.code if village else "",
                                    village.name if village else "", monday, _dec(quantity),
                                    row["base_unit"], _dec(area), n))
        total = totals[(row["commodity_code"], monday)]
        total[0] += quantity
        total[1] += area
        total[2] += n
        total[3] = total[3] or row["base_unit"]
    entries.sort(key=lambda e: (e.commodity_code, e.week_start, e.village_code))
    city = [OutlookEntry(commodity, "", "", monday, _dec(qty), unit, _dec(area), n)
            for (commodity, monday), (qty, area, n, unit) in sorted(totals.items())]
    return Outlook(start, weeks, entries, city)


_ZERO = Decimal("0.000")


def series(outlook: Outlook, entries: list[OutlookEntry]) -> list[OutlookSeries]:
    """``entries`` (the outlook's, or its totals) as one series per commodity and village,
    each a list over the outlook's weeks (zero where nothing is expected)."""
    index = {outlook.from_date + timedelta(days=7 * i): i for i in range(outlook.weeks)}
    grouped: dict[tuple[str, str], OutlookSeries] = {}
    for entry in entries:
        key = (entry.commodity_code, entry.village_code)
        one = grouped.get(key)
        if one is None:
            one = grouped[key] = OutlookSeries(
                entry.commodity_code, entry.village_code, entry.village_name, entry.unit,
                [_ZERO] * outlook.weeks, [_ZERO] * outlook.weeks, [0] * outlook.weeks)
        one.unit = one.unit or entry.unit
        i = index[entry.week_start]
        one.expected_quantities[i] = entry.expected_quantity
        one.planted_area_ha[i] = entry.planted_area_ha
        one.plantings[i] = entry.plantings
    return [grouped[key] for key in sorted(grouped)]


# -- for buyers on the marketplace ---------------------------------------------------------

MAX_SUPPLY_WEEKS = 12
# Units shown to buyers: the base unit, and a larger one above 1,000 of it.
_UNIT_WORDS = {"kg": (("kg", "kg"), ("t", "t")), "liter": (("liter", "litre"), ("kL", "kL")),
               "tangkai": (("tangkai", "stems"), ("ribu tangkai", "thousand stems"))}


@dataclass(frozen=True)
class SupplyLine:
    """Expected harvest of one commodity from one village (empty: the whole city) over the
    next weeks, with the sentence a buyer reads in both languages."""

    village_code: str
    village_name: str
    expected_quantity: Decimal
    unit: str | None
    text: Text


@dataclass(frozen=True)
class SupplyOutlook:
    commodity_code: str
    commodity_name: Text
    weeks: int
    from_date: date
    until_date: date  # exclusive
    total: SupplyLine
    villages: list[SupplyLine]  # largest first


def about(quantity: float, unit: str | None) -> tuple[str, str]:
    """"about 40 t" in Indonesian and English: two significant digits, the larger unit from
    1,000 of the base one."""
    words = _UNIT_WORDS.get(unit or "", ((unit or "", unit or ""), None))
    small, large = words
    if large is not None and quantity >= 1000:
        quantity, (word_id, word_en) = quantity / 1000, large
    else:
        word_id, word_en = small
    if quantity <= 0:
        rounded = 0.0
    else:
        rounded = float(f"{quantity:.2g}") if quantity >= 10 else round(quantity, 1)
    number_en = f"{rounded:,.1f}".rstrip("0").rstrip(".")
    number_id = number_en.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"sekitar {number_id} {word_id}", f"about {number_en} {word_en}"


def _sentence(quantity: float, unit: str | None, name: Text, place: Text, weeks: int) -> Text:
    amount_id, amount_en = about(quantity, unit)
    span_id = f"dalam {weeks} minggu ke depan"
    span_en = f"in the next {weeks} weeks" if weeks != 1 else "in the next week"
    return Text(f"{amount_id} {name.id.lower()} diperkirakan dari {place.id} {span_id}",
                f"{amount_en} of {(name.en or name.id).lower()} expected from "
                f"{place.en or place.id} {span_en}")


async def supply_outlook(commodity_code: str, *, weeks: int = 4, today: date | None = None
                         ) -> SupplyOutlook:
    """What buyers see on the market screen: the harvest expected from registered plantings
    of one commodity from today over the next ``weeks``, per village and for the city —
    public village aggregates (one grouped statement), never a farmer or a parcel."""
    if weeks is None or not 1 <= weeks <= MAX_SUPPLY_WEEKS:
        raise ServiceError(Code.INVALID_WEEKS, "weeks", max=MAX_SUPPLY_WEEKS)
    commodity = await registry.commodity((commodity_code or "").strip())
    if commodity is None:
        raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                           commodity=(commodity_code or "")[:48])
    today = today or utcnow().astimezone(WIB).date()
    until = today + timedelta(days=7 * weeks)
    p = _PLANTINGS
    rows = await fetch_all(
        sa.select(p.c.village_id,
                  sa.cast(sa.func.sum(p.c.expected_yield_base), sa.Float).label("quantity"))
        .where(p.c.commodity_code == commodity.code, p.c.expected_harvest_on >= today,
               p.c.expected_harvest_on < until, p.c.expected_yield_base.is_not(None))
        .group_by(p.c.village_id))
    names = {a.id: a for a in await Area.filter(id__in=[r["village_id"] for r in rows])
             .only("id", "code", "name")}
    name = Text(commodity.name_id, commodity.name_en)
    unit = commodity.base_unit
    lines = []
    for row in rows:
        village = names.get(row["village_id"])
        quantity = float(row["quantity"] or 0.0)
        if village is None or quantity <= 0:
            continue
        lines.append(SupplyLine(village.code, village.name, _dec(quantity), unit,
                                _sentence(quantity, unit, name, Text(village.name), weeks)))
    lines.sort(key=lambda line: (-line.expected_quantity, line.village_code))
    total = float(sum(line.expected_quantity for line in lines))
    city = SupplyLine("", "", _dec(total), unit,
                      _sentence(total, unit, name, Text("Kota Batu", "Batu"), weeks))
    return SupplyOutlook(commodity.code, name, weeks, today, until, city, lines)
