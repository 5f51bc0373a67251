"""Places: an editor's input checked into the place's content, and that content written to
the row, its categories and its opening-hours rows (the :class:`ContentKind` the editorial
workflow publishes)."""

from __future__ import annotations

from typing import Any

import orjson

from among_kota.content.models import Publishable
from among_kota.content.services import ContentKind, register_kind
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent
from among_kota.places import hours as opening
from among_kota.places.models import (
    OpeningPeriod,
    Place,
    PlaceCategory,
    PlaceCategoryLink,
    SpecialHours,
)
from among_kota.text import (
    LINE,
    MARKDOWN,
    NAME,
    TAG,
    bilingual,
    check_point,
    check_slug,
    check_url,
    slugify,
)
from backend.accounts.identity import normalize_phone
from backend.errors import FieldError, ServiceError
from backend.graphql.scalars import RUPIAH_MAX
from backend.ids import parse_id
from backend.markdown import plain_text
from backend.media.services import get_owned_photos
from backend.media.services import publish as publish_photos
from backend.search import search_document

MAX_CATEGORIES = 5
MAX_FACILITIES = 30
MAX_TICKET_PRICES = 20
MAX_PHOTOS = 10
EXTERNAL_ID = LINE.with_max(120)


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


async def categories_by_code(codes: list[str], field: str = "categoryCodes"
                             ) -> list[PlaceCategory]:
    """The categories named, in the order given; every unknown code named in one error."""
    wanted = list(dict.fromkeys(c for c in codes if isinstance(c, str)))
    found = {c.code: c for c in await PlaceCategory.filter(code__in=[w[:32] for w in wanted])}
    unknown = [c for c in wanted if c not in found]
    if unknown or len(wanted) != len(codes):
        raise ServiceError(C.UNKNOWN_CATEGORY, field, codes=", ".join(unknown) or "?")
    return [found[c] for c in wanted]


async def place_photos(raw: list[Any] | None, *, item_id: int | None,
                       owner_id: int | None) -> list[int]:
    """The photo ids for a place, in order: at most :data:`MAX_PHOTOS`, each uploaded by the
    editor saving it (``uploadPhoto``) or already on the place (another editor of the SKPD
    may keep a colleague's photos); any other id is PHOTO_NOT_FOUND, whoever's it is.
    ``None`` (not given: an import, an edit that leaves them) keeps the place's photos."""
    current: list[int] = []
    kept: set[int] = set()
    if item_id is not None:
        for content, draft in await Place.filter(id=item_id).values_list("content", "draft"):
            versions = [orjson.loads(v) if isinstance(v, str | bytes) else v
                        for v in (draft, content)]
            for version in versions:
                if isinstance(version, dict):
                    ids = [int(i) for i in version.get("photoIds") or []]
                    current = current or ids
                    kept.update(ids)
    if raw is None:
        return current
    if len(raw) > MAX_PHOTOS:
        raise ServiceError(C.TOO_MANY_ITEMS, "photoIds", max=MAX_PHOTOS)
    wanted = [str(i) for i in raw]
    new = [i for i in wanted if parse_id(i) not in kept]
    if new:
        try:
            await get_owned_photos(owner_id or 0, new, field="photoIds")
        except ServiceError as exc:  # the same answer for unknown and someone else's
            raise ServiceError(C.PHOTO_NOT_FOUND, "photoIds") from exc
    return list(dict.fromkeys(pid for i in wanted if (pid := parse_id(i)) is not None))


async def clean_place(data: Any, *, item_id: int | None, owner_id: int | None = None
                      ) -> dict[str, Any]:
    """The place's content from an editor's (or an import's) input, every problem at once
    where they are independent; raises :class:`ServiceError`. ``owner_id``: the editor
    saving it, whose uploaded photos may be attached."""
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    name = check(bilingual, _get(data, "name"), NAME, "name", required=True)
    description = check(bilingual, _get(data, "description"), MARKDOWN, "description")
    address = check(LINE.clean, _get(data, "address"), field="address")
    point = check(check_point, _get(data, "lat"), _get(data, "lon"), "lat")
    website = check(check_url, _get(data, "website"), "website")
    phone = None
    raw_phone = _get(data, "phone")
    if raw_phone:
        phone = normalize_phone(raw_phone) if isinstance(raw_phone, str) else None
        if phone is None:
            problems.append(FieldError(C.INVALID_PHONE, "phone"))
    hours = check(opening.clean_hours, _as_dict(_get(data, "opening_hours")))
    facilities = []
    raw_facilities = list(_get(data, "facilities") or [])
    if len(raw_facilities) > MAX_FACILITIES:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "facilities", max=MAX_FACILITIES))
    else:
        for i, tag in enumerate(raw_facilities):
            cleaned = check(TAG.clean, tag, field=f"facilities[{i}]")
            if cleaned:
                facilities.append(cleaned)
    prices = []
    raw_prices = list(_get(data, "ticket_prices") or [])
    if len(raw_prices) > MAX_TICKET_PRICES:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "ticketPrices", max=MAX_TICKET_PRICES))
    else:
        for i, item in enumerate(raw_prices):
            label = check(bilingual, _get(item, "label"), NAME.with_max(100),
                          f"ticketPrices[{i}].label", required=True)
            price = _get(item, "price")
            if isinstance(price, bool) or not isinstance(price, int) \
                    or not 0 <= price <= RUPIAH_MAX:
                problems.append(FieldError(C.INVALID_PRICE, f"ticketPrices[{i}].price",
                                           max=RUPIAH_MAX))
            elif label:
                prices.append({"label": label, "price": price})
    codes = list(_get(data, "category_codes") or [])
    categories: list[PlaceCategory] = []
    if not codes:
        problems.append(FieldError(C.CATEGORY_REQUIRED, "categoryCodes"))
    elif len(codes) > MAX_CATEGORIES:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "categoryCodes", max=MAX_CATEGORIES))
    else:
        try:
            categories = await categories_by_code(codes)
        except ServiceError as exc:
            problems.extend(exc.errors)
    photo_ids: list[int] = []
    raw_photos = _get(data, "photo_ids")
    try:
        photo_ids = await place_photos(None if raw_photos is None else list(raw_photos),
                                       item_id=item_id, owner_id=owner_id)
    except ServiceError as exc:
        problems.extend(exc.errors)
    external_id = check(EXTERNAL_ID.clean, _get(data, "external_id"), field="externalId")
    slug = _get(data, "slug")
    if slug:
        check(check_slug, slug)
    if problems:
        raise ServiceError(problems)
    slug = await _free_slug(slug, name["id"], item_id)
    return {
        "slug": slug,
        "externalId": external_id or None,
        "name": name,
        "description": description,
        "address": address,
        "lat": point[0],
        "lon": point[1],
        "locationApproximate": bool(_get(data, "location_approximate")),
        "phone": phone,
        "website": website,
        "categoryCodes": [c.code for c in categories],
        "facilities": facilities,
        "ticketPrices": prices,
        "openingHours": hours,
        "photoIds": photo_ids,
    }


def _as_dict(value: Any) -> dict[str, Any] | None:
    """A GraphQL input object (or a dict, or None) as a plain nested dict."""
    if value is None or isinstance(value, dict):
        return value
    result = {}
    for key in ("periods", "special_days", "closed_on_holidays"):
        item = getattr(value, key, None)
        if isinstance(item, list):
            item = [_as_dict(v) if not isinstance(v, str | int | float) else v for v in item]
        result[key] = item
    for key in ("open_day", "open_time", "close_day", "close_time", "date"):
        if hasattr(value, key):
            result[key] = getattr(value, key)
    return result


async def _free_slug(wanted: str | None, name: str, item_id: int | None) -> str:
    """The slug asked for (refused when another place has it), the place's own (links keep
    working when it is renamed), or one made from the name (numbered when taken)."""
    if not wanted and item_id is not None:
        current = await Place.filter(id=item_id).values_list("slug", flat=True)
        if current:
            return current[0]
    others = Place.all() if item_id is None else Place.exclude(id=item_id)
    if wanted:
        if await others.filter(slug=wanted).exists():
            raise ServiceError(C.SLUG_TAKEN, "slug")
        return wanted
    base = slugify(name)[:72]
    taken = set(await others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def apply_place(item: Publishable, content: dict[str, Any]) -> None:
    """Write checked content to the place row and its child rows."""
    place: Place = item  # type: ignore[assignment]
    categories = await categories_by_code(content["categoryCodes"])
    if await Place.filter(slug=content["slug"]).exclude(
            id=place.id if place.id else 0).exists():
        raise ServiceError(C.SLUG_TAKEN, "slug")
    name, description = content["name"], content["description"]
    hours = content["openingHours"]
    place.content = content
    place.slug = content["slug"]
    place.external_id = content["externalId"]
    place.name_id, place.name_en = name["id"], name["en"]
    place.sort_name = name["id"].lower()[:200]
    place.description_id, place.description_en = description["id"], description["en"]
    place.address = content["address"]
    place.lat, place.lon = content["lat"], content["lon"]
    place.location_approximate = content["locationApproximate"]
    place.phone, place.website = content["phone"], content["website"]
    place.has_hours = hours is not None
    place.closed_on_holidays = bool(hours and hours["closedOnHolidays"])
    place.search_text = search_document(
        name["id"], name["en"], plain_text(description["id"], 2000),
        plain_text(description["en"], 2000), content["address"],
        *(c.name_id for c in categories), *(c.name_en for c in categories),
        *content["facilities"])
    await place.save()
    await PlaceCategoryLink.filter(place_id=place.id).delete()
    await PlaceCategoryLink.bulk_create(
        [PlaceCategoryLink(place_id=place.id, category_id=c.id) for c in categories])
    rows = opening.rows_of(hours)
    await OpeningPeriod.filter(place_id=place.id).delete()
    await SpecialHours.filter(place_id=place.id).delete()
    if rows.weekly:
        await OpeningPeriod.bulk_create([
            OpeningPeriod(place_id=place.id, start_minute=s, end_minute=e)
            for s, e in rows.weekly])
    if rows.special:
        await SpecialHours.bulk_create([
            SpecialHours(place_id=place.id, day=d, start_minute=s, end_minute=e)
            for d, s, e in rows.special])


async def on_publish(item: Publishable, first: bool) -> None:
    # A published place's photos are everyone's to see from now on.
    await publish_photos(int(i) for i in item.content.get("photoIds") or [])


PLACES = register_kind(ContentKind(
    name="place", model=Place, apply=apply_place, on_publish=on_publish,
    published=KotaEvent.PLACE_PUBLISHED, updated=KotaEvent.PLACE_UPDATED,
    withdrawn=KotaEvent.PLACE_WITHDRAWN,
))
