"""``listings(near, radiusKm, commodityCodes, groups, maxPricePerBaseUnit, minQuantity,
availableOn, text, sort)``: one SQL statement per page (two on PostGIS when sorted by
distance: the k-nearest bound first), whatever the page size; distances are measured from
the public point only (see :mod:`among_tani.market.visibility`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.models import ListingStatus
from among_tani.market.quantities import to_milli
from among_tani.registry.models import Commodity, CommodityGroup
from among_tani.registry.services import commodities_by_codes
from backend import db
from backend.errors import ServiceError
from backend.geo import spatial
from backend.geo.sql import fetch_all
from backend.pagination import Cursor, KeyKind, SortKey, sqlalchemy_after
from backend.search import SearchQuery, matches, parse_search

MAX_RADIUS_KM = 50.0

LISTINGS = spatial.point_table(
    "tani_listing",
    sa.Column("status", sa.String),
    sa.Column("commodity_id", sa.Integer),
    sa.Column("price_sort", sa.BigInteger),
    sa.Column("price_per_base_unit", sa.BigInteger),
    sa.Column("available_milli", sa.BigInteger),
    sa.Column("harvest_date", sa.Date),
    sa.Column("harvest_day", sa.Integer),
    sa.Column("available_until", sa.Date),
    sa.Column("search_text", sa.Text),
    lat_column="public_lat", lon_column="public_lon", index="public",
)
L = LISTINGS.c


class ListingSort(Enum):
    DISTANCE = "distance"
    PRICE = "price"  # cheapest per base unit first
    NEWEST = "newest"
    HARVEST_DATE = "harvest_date"  # freshest harvest first


SORTS: dict[ListingSort, SortKey] = {
    ListingSort.DISTANCE: spatial.BY_DISTANCE,
    ListingSort.PRICE: SortKey(L.price_sort, KeyKind.INT, id=LISTINGS.id, name="price_sort"),
    ListingSort.NEWEST: SortKey(None, descending=True, id=LISTINGS.id),
    ListingSort.HARVEST_DATE: SortKey(L.harvest_day, KeyKind.INT, descending=True,
                                      id=LISTINGS.id, name="harvest_day"),
}


@dataclass(frozen=True)
class ListingSearch:
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    commodity_codes: list[str] | None = None
    groups: list[CommodityGroup] | None = None
    max_price_per_base_unit: int | None = None
    min_quantity: Decimal | None = None
    available_on: dt.date | None = None
    text: str | None = None
    sort: ListingSort = ListingSort.NEWEST


@dataclass(frozen=True)
class Prepared:
    search: ListingSearch
    where: list[Any]
    query: SearchQuery | None
    radius_m: float | None

    @property
    def near(self) -> bool:
        return self.radius_m is not None


async def prepare(search: ListingSearch) -> Prepared:
    """Check the arguments (coded errors) and turn them into SQL conditions."""
    where: list[Any] = [L.status == ListingStatus.ACTIVE.value]
    commodity_ids: set[int] | None = None
    if search.commodity_codes:
        commodity_ids = {c.id for c in await commodities_by_codes(search.commodity_codes)}
    if search.groups:
        ids = set(await Commodity.filter(group__in=search.groups).values_list("id", flat=True))
        commodity_ids = ids if commodity_ids is None else commodity_ids & ids
    if commodity_ids is not None:
        where.append(L.commodity_id.in_(sorted(commodity_ids) or [0]))
    if search.max_price_per_base_unit is not None:
        where.append(L.price_per_base_unit <= search.max_price_per_base_unit)
    if search.min_quantity is not None:
        where.append(L.available_milli >= to_milli(search.min_quantity))
    if search.available_on is not None:
        day = search.available_on
        where += [L.available_until >= day,
                  sa.or_(L.harvest_date.is_(None), L.harvest_date <= day)]
    query = parse_search(search.text)
    if query is not None:
        match = matches(LISTINGS.table, query)
        if db.dialect() == "postgres":
            # The typo-tolerant match (pg_trgm's word similarity over the whole text) costs
            # far more than the other conditions, but PostgreSQL rates them alike and tested
            # it first on every row the spatial index walks. Behind a CASE it runs only on
            # the rows of the wanted commodities, price and dates: 74 → 13 ms for the k
            # nearest strawberries among 100,000 listings (bench/listings).
            match = sa.case((sa.and_(*where), match), else_=sa.false())
        where.append(match)
    radius_m = None
    if search.lat is not None or search.lon is not None:
        if search.lat is None or search.lon is None:
            raise ServiceError(Code.INVALID_COORDINATES, "near")
        radius = search.radius_km if search.radius_km is not None else 10.0
        if not (math.isfinite(radius) and 0.1 <= radius <= MAX_RADIUS_KM):
            raise ServiceError(Code.INVALID_RADIUS, "radiusKm", max=int(MAX_RADIUS_KM))
        radius_m = radius * 1000
    elif search.sort == ListingSort.DISTANCE:
        raise ServiceError(Code.INVALID_COORDINATES, "near")
    return Prepared(search, where, query, radius_m)


async def page(prepared: Prepared, after: Cursor | None, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` rows after the cursor: ``id``, ``distance_m`` (or None) and the sort
    key."""
    s = prepared.search
    if s.sort == ListingSort.DISTANCE:
        try:
            hits = await spatial.nearest_after(LISTINGS, s.lat, s.lon, prepared.radius_m,
                                               where=prepared.where, after=after, limit=limit)
        except ServiceError as exc:
            raise ServiceError(Code.INVALID_COORDINATES, "near") from exc
        return [{"id": h.id, "distance_m": h.distance_m} for h in hits]
    sort = SORTS[s.sort]
    if prepared.near:
        try:
            near = spatial.radius_select(LISTINGS, s.lat, s.lon, prepared.radius_m,
                                         prepared.where).subquery("near")
        except ServiceError as exc:
            raise ServiceError(Code.INVALID_COORDINATES, "near") from exc
        select = (sa.select(LISTINGS.id.label("id"), near.c.distance_m, L.price_sort,
                            L.harvest_day)
                  .select_from(LISTINGS.table.join(near, near.c.id == LISTINGS.id)))
    else:
        select = (sa.select(LISTINGS.id.label("id"), sa.literal(None).label("distance_m"),
                            L.price_sort, L.harvest_day)
                  .where(*prepared.where))
    return await fetch_all(sqlalchemy_after(select, sort, after).limit(limit))


async def count(prepared: Prepared) -> int:
    s = prepared.search
    if prepared.near:
        return await spatial.count_within_radius(LISTINGS, s.lat, s.lon, prepared.radius_m,
                                                 where=prepared.where)
    rows = await fetch_all(sa.select(sa.func.count().label("n"))
                           .select_from(LISTINGS.table).where(*prepared.where))
    return int(rows[0]["n"])
