"""Supply outlook: from registered plantings, the expected harvest per commodity per week for
the next weeks, by village — public aggregates (no parcel, no farmer), also what the
marketplace shows buyers ("about 40 t of potato expected from Sumber Brantas in the next 4
weeks")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

import sqlalchemy as sa

from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from backend.clock import WIB, utcnow
from backend.errors import ServiceError
from backend.geo.models import Area
from backend.geo.sql import fetch_all
from backend.i18n import Text

MAX_WEEKS = 26
_PLANTINGS = sa.table(
    "farming_planting", sa.column("commodity_code"), sa.column("village_id"),
    sa.column("expected_harvest_on", sa.Date), sa.column("expected_yield_base"))
# Sums per commodity, village and ISO week, kept in step with the plantings (outlook_weeks).
_WEEKS = sa.table(
    "farming_outlook_week", sa.column("commodity_code"), sa.column("village_id"),
    sa.column("week_start", sa.Date), sa.column("expected_quantity"), sa.column("area_ha"),
    sa.column("plantings"), sa.column("yield_plantings"), sa.column("base_unit"))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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


_ENTRY_ORDER = attrgetter("commodity_code", "week_start", "village_code")


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
    w = _WEEKS
    # Floats: decoding numerics into Decimals costs more than the query.
    select = (sa.select(w.c.commodity_code, w.c.village_id, w.c.week_start,
                        # null where no planting of the week has an expected yield
                        sa.case((w.c.yield_plantings > 0, w.c.base_unit)).label("base_unit"),
                        sa.cast(w.c.expected_quantity, sa.Float).label("quantity"),
                        sa.cast(w.c.area_ha, sa.Float).label("area"),
                        w.c.plantings.label("n"))
              .where(w.c.week_start >= start, w.c.week_start < end))
    if commodity_code:
        if await registry.commodity(commodity_code) is None:
            raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                               commodity=commodity_code[:48])
        select = select.where(w.c.commodity_code == commodity_code)
    villages = {a.id: a for a in await Area.filter(level="village").only("id", "code", "name")}
    if village_code:
        wanted = [a.id for a in villages.values() if a.code == village_code]
        if not wanted:
            raise ServiceError(Code.UNKNOWN_VILLAGE, "villageCode", codes=village_code[:64])
        select = select.where(w.c.village_id == wanted[0])
    # One statement over the maintained weekly sums: commodities × villages × weeks rows.
    rows = await fetch_all(select)
    mondays = [start + timedelta(days=7 * i) for i in range(weeks)]
    # Rows are already one per (commodity, village, week); sums per commodity and week for
    # the city. Floats while adding, Decimals (3 places) once per row shown.
    totals: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0, None])
    entries = []
    for row in rows:
        week_index = (_day(row["week_start"]) - start).days // 7
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
    entries.sort(key=_ENTRY_ORDER)
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
    # Whole ISO weeks from the maintained sums; the days before the first Monday and from
    # the last one come from the plantings of those (at most 7) days.
    first_full = week_start(today) if today.weekday() == 0 else week_start(today) + \
        timedelta(days=7)
    last_full = week_start(until)
    w, p = _WEEKS, _PLANTINGS
    quantities: dict[int, float] = defaultdict(float)
    statements = [
        sa.select(w.c.village_id,
                  sa.cast(sa.func.sum(w.c.expected_quantity), sa.Float).label("quantity"))
        .where(w.c.commodity_code == commodity.code, w.c.week_start >= first_full,
               w.c.week_start < last_full, w.c.yield_plantings > 0)
        .group_by(w.c.village_id)]
    edges = [(today, min(first_full, until)), (max(last_full, first_full), until)]
    edges = [(a, b) for a, b in edges if a < b]
    if edges:
        statements.append(
            sa.select(p.c.village_id,
                      sa.cast(sa.func.sum(p.c.expected_yield_base), sa.Float)
                      .label("quantity"))
            .where(p.c.commodity_code == commodity.code,
                   sa.or_(*(sa.and_(p.c.expected_harvest_on >= a, p.c.expected_harvest_on < b)
                            for a, b in edges)),
                   p.c.expected_yield_base.is_not(None))
            .group_by(p.c.village_id))
    for statement in statements:
        for row in await fetch_all(statement):
            quantities[row["village_id"]] += float(row["quantity"] or 0.0)
    rows = [{"village_id": v, "quantity": q} for v, q in quantities.items()]
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
