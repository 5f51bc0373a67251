"""Reading the UMKM directory: verified businesses near a point, by category, by text
(typo-tolerant, both languages: backend.search), sorted by distance or name, keyset pages
(backend.geo.spatial) — and the page's details in a constant number of statements."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from among_kota.errors import KotaErrorCode as C
from among_kota.umkm.models import UmkmBusiness, UmkmCategory, UmkmProduct, UmkmStatus
from backend.errors import ServiceError
from backend.geo import spatial
from backend.geo.geodesy import geodesic_distance_m
from backend.geo.spatial import point_table
from backend.geo.sql import fetch_all
from backend.pagination import Cursor, KeyKind, SortKey, sqlalchemy_after
from backend.search import matches, parse_search

DEFAULT_RADIUS_KM = 20.0
MAX_RADIUS_KM = 50.0

BUSINESSES = point_table(
    "kota_umkm",
    sa.Column("status", sa.String),
    sa.Column("sort_name", sa.String),
    sa.Column("search_text", sa.Text),
    sa.Column("category_id", sa.Integer),
)
BY_NAME = SortKey(BUSINESSES.c.sort_name, KeyKind.STR, id=BUSINESSES.id, name="sort_name")


@dataclass(frozen=True)
class UmkmQuery:
    conditions: list[sa.ColumnElement[bool]]
    near: tuple[float, float] | None
    radius_m: float


@dataclass
class UmkmView:
    business: UmkmBusiness
    category: UmkmCategory
    products: list[UmkmProduct]
    distance_km: float | None = None


async def category_ids(codes: list[str] | None) -> list[int] | None:
    if not codes:
        return None
    wanted = list(dict.fromkeys(c[:32] for c in codes))
    found = dict(await UmkmCategory.filter(code__in=wanted).values_list("code", "id"))
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ServiceError(C.UNKNOWN_CATEGORY, "categoryCodes", codes=", ".join(unknown))
    return [found[c] for c in wanted]


async def build_query(*, text: str | None, near: tuple[float, float] | None,
                      radius_km: float | None, category_codes: list[str] | None) -> UmkmQuery:
    radius_km = DEFAULT_RADIUS_KM if radius_km is None else radius_km
    if not isinstance(radius_km, int | float) or not 0 < radius_km <= MAX_RADIUS_KM:
        raise ServiceError(C.INVALID_RADIUS, "radiusKm", max=MAX_RADIUS_KM)
    search = parse_search(text)
    conditions: list[sa.ColumnElement[bool]] = [
        BUSINESSES.c.status == UmkmStatus.VERIFIED.value]
    ids = await category_ids(category_codes)
    if ids is not None:
        conditions.append(BUSINESSES.c.category_id.in_(ids))
    if search is not None:
        conditions.append(matches(BUSINESSES.table, search))
    return UmkmQuery(conditions, near, radius_km * 1000)


def sort_key(query: UmkmQuery) -> SortKey:
    return spatial.BY_DISTANCE if query.near is not None else BY_NAME


async def fetch_page(query: UmkmQuery, after: Cursor | None, limit: int) -> list:
    if query.near is not None:
        return await spatial.nearest_after(
            BUSINESSES, query.near[0], query.near[1], query.radius_m,
            where=query.conditions, after=after, limit=limit)
    select = sa.select(BUSINESSES.id.label("id"),
                       BUSINESSES.c.sort_name.label("sort_name")).where(*query.conditions)
    return await fetch_all(sqlalchemy_after(select, BY_NAME, after).limit(limit))


async def count(query: UmkmQuery) -> int:
    if query.near is not None:
        return await spatial.count_within_radius(
            BUSINESSES, query.near[0], query.near[1], query.radius_m, where=query.conditions)
    rows = await fetch_all(sa.select(sa.func.count().label("n")).select_from(
        BUSINESSES.table).where(*query.conditions))
    return int(rows[0]["n"])


async def views(ids: list[int], *, near: tuple[float, float] | None = None,
                distances: dict[int, float] | None = None) -> list[UmkmView | None]:
    """The businesses with these ids in this order (None for a missing one), with their
    category and products: two statements for any number of them."""
    if not ids:
        return []
    businesses = {b.id: b for b in await UmkmBusiness.filter(id__in=ids).select_related(
        "category")}
    products: dict[int, list[UmkmProduct]] = {}
    for product in await UmkmProduct.filter(business_id__in=ids).order_by("position"):
        products.setdefault(product.business_id, []).append(product)
    found: list[UmkmView | None] = []
    for business_id in ids:
        business = businesses.get(business_id)
        if business is None:
            found.append(None)
            continue
        distance_m = (distances or {}).get(business_id)
        if distance_m is None and near is not None:
            distance_m = geodesic_distance_m(near[0], near[1], business.lat, business.lon)
        found.append(UmkmView(
            business=business, category=business.category,
            products=products.get(business_id, []),
            distance_km=None if distance_m is None else round(distance_m / 1000, 3)))
    return found
