"""Reading places: the public list (near a point, by category, open now, by text, sorted by
distance or name, keyset pages) and the page's details — a constant number of SQL statements
whatever the page size: the page's ids and sort keys in one (two on PostgreSQL when sorted
by distance: the k-nearest bound first), then the page's places, their categories and their
"open now" in three."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import orjson
import sqlalchemy as sa
from tortoise.expressions import Q

from among_kota.content.models import ContentStatus
from among_kota.errors import KotaErrorCode as C
from among_kota.places.hours import open_now
from among_kota.places.models import PlaceCategory
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.geo import spatial
from backend.geo.geodesy import geodesic_distance_m
from backend.geo.spatial import point_table
from backend.geo.sql import fetch_all
from backend.pagination import Cursor, KeyKind, SortKey, sqlalchemy_after
from backend.read_cache import valid_until
from backend.search import matches, parse_search

DEFAULT_RADIUS_KM = 20.0
MAX_RADIUS_KM = 50.0

PLACES = point_table(
    "kota_place",
    sa.Column("status", sa.String),
    sa.Column("sort_name", sa.String),
    sa.Column("search_text", sa.Text),
    sa.Column("has_hours", sa.Boolean),
    sa.Column("closed_on_holidays", sa.Boolean),
)
LINKS = sa.table("kota_place_category_link", sa.column("place_id"), sa.column("category_id"))
BY_NAME = SortKey(PLACES.c.sort_name, KeyKind.STR, id=PLACES.id, name="sort_name")


class PlaceSort(str, Enum):
    DISTANCE = "DISTANCE"
    NAME = "NAME"


@dataclass(frozen=True)
class PlaceFilter:
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    category_codes: list[str] | None = None
    open_now: bool | None = None
    text: str | None = None
    sort: PlaceSort | None = None


@dataclass
class PlaceView:
    """A place as shown: the row, its categories, whether it is open at the moment asked and
    how far it is from the point asked (km)."""

    place: PlaceRow
    categories: list[CategoryRow]
    open_now: bool | None
    distance_km: float | None = None


async def category_ids(codes: list[str] | None) -> list[int] | None:
    """Ids of the categories named and of their members (a group code: ``health``); every
    unknown code refused at once."""
    if not codes:
        return None
    wanted = list(dict.fromkeys(c[:40] for c in codes))
    rows = await PlaceCategory.filter(
        Q(code__in=wanted) | Q(group_code__in=wanted)).values("id", "code", "group_code")
    known = {r["code"] for r in rows} | {r["group_code"] for r in rows if r["group_code"]}
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ServiceError(C.UNKNOWN_CATEGORY, "categoryCodes", codes=", ".join(unknown))
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class PlaceQuery:
    conditions: list[sa.ColumnElement[bool]]
    sort: PlaceSort
    near: tuple[float, float] | None
    radius_m: float
    # The same conditions for a small circle: the text tested row by row, not through the
    # trigram index (whose posting lists for a common word cost more than the circle's rows).
    in_circle: list[sa.ColumnElement[bool]] | None = None


async def build_query(f: PlaceFilter, moment: datetime) -> PlaceQuery:
    sort = f.sort or (PlaceSort.DISTANCE if f.near else PlaceSort.NAME)
    if sort == PlaceSort.DISTANCE and f.near is None:
        raise ServiceError(C.NEAR_REQUIRED, "sort")
    radius_km = DEFAULT_RADIUS_KM if f.radius_km is None else f.radius_km
    if not isinstance(radius_km, int | float) or not 0 < radius_km <= MAX_RADIUS_KM:
        raise ServiceError(C.INVALID_RADIUS, "radiusKm", max=MAX_RADIUS_KM)
    search = parse_search(f.text)
    conditions: list[sa.ColumnElement[bool]] = [
        PLACES.c.status == ContentStatus.PUBLISHED.value]
    ids = await category_ids(f.category_codes)
    if ids is not None:
        conditions.append(sa.exists().where(LINKS.c.place_id == PLACES.id,
                                            LINKS.c.category_id.in_(ids)))
    if f.open_now is not None:
        is_open = open_now(PLACES.id, PLACES.c.has_hours, PLACES.c.closed_on_holidays, moment)
        conditions.append(is_open if f.open_now else sa.not_(is_open))
    in_circle = list(conditions)
    if search is not None:
        conditions.append(matches(PLACES.table, search))
        in_circle.append(matches(PLACES.table, search, indexed=False))
    if f.near is not None and sort == PlaceSort.NAME:
        conditions.append(spatial.within_radius_condition(
            PLACES, f.near[0], f.near[1], radius_km * 1000))
    return PlaceQuery(conditions, sort, f.near, radius_km * 1000, in_circle)


def sort_key(query: PlaceQuery) -> SortKey:
    return spatial.BY_DISTANCE if query.sort == PlaceSort.DISTANCE else BY_NAME


async def fetch_page(query: PlaceQuery, after: Cursor | None, limit: int) -> list[Any]:
    if query.sort == PlaceSort.DISTANCE:
        assert query.near is not None
        return await spatial.nearest_after(
            PLACES, query.near[0], query.near[1], query.radius_m, where=query.conditions,
            after=after, limit=limit, where_in_circle=query.in_circle)
    select = sa.select(PLACES.id.label("id"), PLACES.c.sort_name.label("sort_name")).where(
        *query.conditions)
    return await fetch_all(sqlalchemy_after(select, BY_NAME, after).limit(limit))


async def count(query: PlaceQuery) -> int:
    if query.sort == PlaceSort.DISTANCE:
        assert query.near is not None
        return await spatial.count_within_radius(
            PLACES, query.near[0], query.near[1], query.radius_m, where=query.conditions)
    rows = await fetch_all(sa.select(sa.func.count().label("n")).select_from(
        PLACES.table).where(*query.conditions))
    return int(rows[0]["n"])


DETAILS = sa.table(
    "kota_place", *(sa.column(c) for c in (
        "id", "slug", "skpd_id", "status", "name_id", "name_en", "description_id", "description_en",
        "address", "lat", "lon", "location_approximate", "phone", "website", "has_hours",
        "closed_on_holidays", "content")))
CATEGORIES = sa.table("kota_place_category", *(sa.column(c) for c in (
    "id", "code", "name_id", "name_en", "group_code", "icon")))


@dataclass(slots=True)
class PlaceRow:
    """What the public list shows of a place, as plain values (no model: a page of them is
    read in one statement and resolved on graphql-core's synchronous path)."""

    id: int
    slug: str
    skpd_id: int
    status: str  # ContentStatus's value
    name_id: str
    name_en: str | None
    description_id: str
    description_en: str | None
    address: str
    lat: float
    lon: float
    location_approximate: bool
    phone: str | None
    website: str | None
    has_hours: bool
    content: dict[str, Any]


@dataclass(slots=True)
class CategoryRow:
    code: str
    name_id: str
    name_en: str | None
    group_code: str | None
    icon: str


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def next_minute(moment: datetime) -> datetime:
    """When "open now" may next change: hours are whole minutes (WIB has no seconds offset),
    so an answer about ``moment`` holds until the next minute starts."""
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def views(ids: list[int], *, moment: datetime | None = None,
                near: tuple[float, float] | None = None,
                distances: dict[int, float] | None = None) -> list[PlaceView | None]:
    """The places with these ids, in this order (None for a missing one): two statements
    for any number of them (the places with "open now" at ``moment``; their categories)."""
    if not ids:
        return []
    moment = moment or utcnow()
    # "open now" is part of the answer: a cached copy must not outlive the minute.
    valid_until(next_minute(moment))
    is_open = open_now(DETAILS.c.id, DETAILS.c.has_hours, DETAILS.c.closed_on_holidays, moment)
    rows = await fetch_all(sa.select(*(c for c in DETAILS.c if c.name != "closed_on_holidays"),
                                     is_open.label("open_now")).where(DETAILS.c.id.in_(ids)))
    category_rows = await fetch_all(
        sa.select(LINKS.c.place_id, *(c for c in CATEGORIES.c if c.name != "id"))
        .select_from(LINKS.join(CATEGORIES, CATEGORIES.c.id == LINKS.c.category_id))
        .where(LINKS.c.place_id.in_(ids)))
    categories: dict[int, list[CategoryRow]] = {}
    for r in category_rows:
        categories.setdefault(int(r["place_id"]), []).append(CategoryRow(
            r["code"], r["name_id"], r["name_en"], r["group_code"], r["icon"]))
    places: dict[int, tuple[PlaceRow, bool]] = {}
    for r in rows:
        place = PlaceRow(
            id=int(r["id"]), slug=r["slug"], skpd_id=r["skpd_id"], status=r["status"],
            name_id=r["name_id"],
            name_en=r["name_en"], description_id=r["description_id"],
            description_en=r["description_en"], address=r["address"], lat=float(r["lat"]),
            lon=float(r["lon"]), location_approximate=bool(r["location_approximate"]),
            phone=r["phone"], website=r["website"], has_hours=bool(r["has_hours"]),
            content=_json(r["content"]) or {})
        places[place.id] = (place, bool(r["open_now"]))
    found: list[PlaceView | None] = []
    for place_id in ids:
        if place_id not in places:
            found.append(None)
            continue
        place, opened = places[place_id]
        distance_m = (distances or {}).get(place_id)
        if distance_m is None and near is not None:
            distance_m = geodesic_distance_m(near[0], near[1], place.lat, place.lon)
        order = place.content.get("categoryCodes") or []
        found.append(PlaceView(
            place=place,
            categories=sorted(categories.get(place_id, []),
                              key=lambda c, order=order: (c.code not in order,
                                                          order.index(c.code) if c.code in order
                                                          else 0)),
            open_now=opened if place.has_hours else None,
            distance_km=None if distance_m is None else round(distance_m / 1000, 3),
        ))
    return found
