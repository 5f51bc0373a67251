"""Reference market prices (the Agriculture Office's daily observations) and the public price
board: this week's listing median beside the reference, per commodity and base unit."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from among_tani.audience import record, role_key
from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.events import MarketEvent
from among_tani.market.listings import today
from among_tani.market.models import (
    Listing,
    ListingStatus,
    MarketPrice,
    PriceLevel,
    PriceMarket,
)
from among_tani.registry import roles
from among_tani.registry import services as registry
from among_tani.registry.commodities import allows, price_per_base_unit
from among_tani.registry.models import Commodity, Unit
from backend.accounts.models import Role
from backend.accounts.services import Principal
from backend.errors import ServiceError
from backend.events import unit_of_work

MARKETS: tuple[tuple[str, str], ...] = (
    ("pasar_induk_among_tani", "Pasar Induk Among Tani"),
    ("pasar_besar_batu", "Pasar Besar Batu"),
    ("tingkat_petani_batu", "Tingkat petani Kota Batu (survei Distan)"),
)
# Which reference a listing is shown beside: the farm-gate price if observed, else the next.
REFERENCE_ORDER = (PriceLevel.PRODUCER, PriceLevel.WHOLESALE, PriceLevel.RETAIL)
REFERENCE_MAX_AGE_DAYS = 30
MAX_PRICE = 500_000_000


async def seed_markets() -> None:
    for code, name in MARKETS:
        await PriceMarket.get_or_create(code=code, defaults={"name": name})


def may_enter_prices(principal: Principal | None) -> bool:
    """Price officers: distan staff (responders of SKPD distan) and admins."""
    return roles.is_distan_staff(principal)


@dataclass(frozen=True)
class PriceInput:
    date: dt.date
    market_code: str
    commodity_code: str
    level: PriceLevel
    unit: Unit
    price: int
    source: str = ""


async def record_price(principal: Principal | None, data: PriceInput, *, demo: bool = False,
                       markets: dict[str, PriceMarket] | None = None,
                       commodities: dict[str, Commodity] | None = None) -> MarketPrice:
    """Record (or correct) the price of a commodity at a market and level on a day —
    idempotent by (date, market, commodity, level)."""
    if principal is not None and not may_enter_prices(principal):
        raise ServiceError(Code.NOT_PRICE_OFFICER)
    market = (markets or {}).get(data.market_code) or await PriceMarket.get_or_none(
        code=data.market_code)
    if market is None:
        raise ServiceError(Code.UNKNOWN_MARKET, "marketCode", market=data.market_code)
    commodity = (commodities or {}).get(data.commodity_code)
    if commodity is None:
        try:
            commodity = await registry.commodity_by_code(data.commodity_code)
        except ServiceError as exc:
            raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                               codes=data.commodity_code) from exc
    if not allows(commodity, data.unit):
        raise ServiceError(Code.UNIT_NOT_ALLOWED, "unit", unit=data.unit.value,
                           commodity=commodity.name_id, allowed="")
    if not 1 <= data.price <= MAX_PRICE:
        raise ServiceError(Code.INVALID_PRICE, "price", max=f"{MAX_PRICE:,}")
    if data.date > today() or data.date < today() - dt.timedelta(days=3650):
        raise ServiceError(Code.INVALID_DATES, "date", reason="date")
    base = price_per_base_unit(commodity, data.price, data.unit)
    values = {"unit": data.unit, "price": data.price, "source": data.source[:200],
              "price_per_base_unit": None if base is None else int(base.to_integral_value()),
              "demo": demo, "entered_by_id": principal.user.id if principal else None}
    async with unit_of_work():
        row, created = await MarketPrice.get_or_create(
            date=data.date, market_id=market.id, commodity_id=commodity.id, level=data.level,
            defaults=values)
        if not created:
            for key, value in values.items():
                setattr(row, key, value)
            await row.save()
        await record(MarketEvent.PRICE_RECORDED, subject_type="market_price",
                     subject_id=row.id, audience=["public", role_key(Role.ADMIN)],
                     actor_id=values["entered_by_id"],
                     payload={"commodityId": commodity.id, "level": data.level.value})
    return row


# -- import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


CSV_COLUMNS = ("date", "market", "commodity", "level", "unit", "price", "source")


async def import_prices(path: Path, *, progress: Callable[[int, int], None] | None = None
                        ) -> ImportReport:
    """``batt prices import FILE.csv``: columns date (YYYY-MM-DD), market (code), commodity
    (code), level (producer|wholesale|retail), unit, price (whole Rupiah), source. Idempotent
    by (date, market, commodity, level); bad rows are reported with the reason and skipped."""
    await seed_markets()
    markets = {m.code: m for m in await PriceMarket.all()}
    commodities = {c.code: c for c in await Commodity.all()}
    report = ImportReport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        try:
            data = PriceInput(
                date=dt.date.fromisoformat((row.get("date") or "").strip()),
                market_code=(row.get("market") or "").strip(),
                commodity_code=(row.get("commodity") or "").strip(),
                level=PriceLevel((row.get("level") or "").strip().lower()),
                unit=Unit((row.get("unit") or "").strip().lower()),
                price=_whole((row.get("price") or "").strip()),
                source=(row.get("source") or "").strip())
            await record_price(None, data, markets=markets, commodities=commodities)
            report.imported += 1
        except ServiceError as exc:
            report.rejected.append((number, exc.code.message("en", **exc.errors[0].params)))
        except (ValueError, InvalidOperation) as exc:
            report.rejected.append((number, f"unreadable value: {exc}"))
        if progress is not None:
            progress(number - 1, len(rows))
    return report


def _whole(text: str) -> int:
    value = Decimal(text.replace("_", ""))
    if value != value.to_integral_value():
        raise ValueError("price must be whole Rupiah")
    return int(value)


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    commodity_id: int
    level: PriceLevel
    date: dt.date
    price_per_base_unit: int  # mean over the markets observed that day


async def references(commodity_ids: Iterable[int], *, on: dt.date | None = None
                     ) -> dict[int, Reference]:
    """commodity id → the latest reference price per base unit (producer level first) within
    30 days — one query for any number of commodities."""
    ids = sorted(set(commodity_ids))
    if not ids:
        return {}
    day = on or today()
    rows = await MarketPrice.filter(
        commodity_id__in=ids, date__lte=day,
        date__gte=day - dt.timedelta(days=REFERENCE_MAX_AGE_DAYS),
        price_per_base_unit__isnull=False,
    ).order_by("-date").values("commodity_id", "level", "date", "price_per_base_unit")
    # Latest day per (commodity, level), averaged over that day's markets.
    latest: dict[tuple[int, str], tuple[Any, list[int]]] = {}
    for row in rows:
        key = (row["commodity_id"], str(row["level"].value if hasattr(row["level"], "value")
                                        else row["level"]))
        found = latest.get(key)
        if found is None:
            latest[key] = (row["date"], [row["price_per_base_unit"]])
        elif found[0] == row["date"]:
            found[1].append(row["price_per_base_unit"])
    result: dict[int, Reference] = {}
    for commodity_id in ids:
        for level in REFERENCE_ORDER:
            found = latest.get((commodity_id, level.value))
            if found is not None:
                result[commodity_id] = Reference(commodity_id, level, found[0],
                                                 round(statistics.fmean(found[1])))
                break
    return result


async def series(commodity_code: str, level: PriceLevel | None, start: dt.date | None,
                 end: dt.date | None) -> list[MarketPrice]:
    commodity = await registry.commodity_by_code(commodity_code)
    end = end or today()
    start = start or end - dt.timedelta(days=30)
    if start > end or (end - start).days > 366:
        raise ServiceError(Code.INVALID_DATES, "from", reason="from ≤ to, at most a year")
    query = MarketPrice.filter(commodity_id=commodity.id, date__gte=start, date__lte=end)
    if level is not None:
        query = query.filter(level=level)
    return await query.order_by("date", "market_id", "level").select_related("market")


@dataclass(frozen=True)
class BoardRow:
    commodity: Commodity
    listings: int
    median_price_per_base_unit: int | None
    reference: Reference | None

    @property
    def ratio(self) -> float | None:
        if self.median_price_per_base_unit is None or self.reference is None:
            return None
        return round(self.median_price_per_base_unit / self.reference.price_per_base_unit, 2)


async def price_board() -> list[BoardRow]:
    """Per commodity: how many active listings published this week, their median price per
    base unit, and the reference beside it. Three queries whatever the catalogue's size."""
    since = today() - dt.timedelta(days=7)
    commodities = await Commodity.filter(active=True).order_by("sort_order", "code")
    rows = await Listing.filter(
        status__in=(ListingStatus.ACTIVE, ListingStatus.SOLD_OUT),
        available_until__gte=since, price_per_base_unit__isnull=False,
    ).values_list("commodity_id", "price_per_base_unit")
    prices: dict[int, list[int]] = {}
    for commodity_id, price in rows:
        prices.setdefault(commodity_id, []).append(price)
    refs = await references([c.id for c in commodities])
    board = []
    for commodity in commodities:
        found = prices.get(commodity.id, [])
        if not found and commodity.id not in refs:
            continue
        board.append(BoardRow(commodity, len(found),
                              round(statistics.median(found)) if found else None,
                              refs.get(commodity.id)))
    return board
