"""Listings: a verified farmer offers produce; every change goes through here.

Stock (``available_milli``) changes only by conditional updates — orders take it with
``WHERE available_milli >= wanted`` (see :mod:`among_tani.market.orders`), never by reading
and writing back a number."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.expressions import F

from among_tani.audience import record, user_key
from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.events import MarketEvent
from among_tani.market.models import Fulfilment, Listing, ListingPhoto, ListingStatus
from among_tani.market.quantities import to_milli
from among_tani.registry import services as registry
from among_tani.registry.commodities import price_per_base_unit
from among_tani.registry.errors import RegistryErrorCode
from among_tani.registry.models import Commodity, Unit
from backend.accounts.services import Principal
from backend.clock import WIB, utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo import services as geo
from backend.geo.errors import GeoErrorCode
from backend.media import services as media
from backend.search import search_document
from backend.text import TextRule

MAX_PRICE = 500_000_000  # Rp per unit: a ton of arabica is well below
MAX_QUANTITY = Decimal(1_000_000)  # units in one listing
MAX_PHOTOS = 5
MAX_DELIVERY_KM = 50
MAX_LISTING_DAYS = 180
# Public points snap to a grid of 0.01° (~1.1 km): the village and a rounded distance, never
# the farm.
PUBLIC_GRID_DECIMALS = 2
VARIETY = TextRule(max=80, too_long=Code.TEXT_TOO_LONG, invalid=Code.INVALID_TEXT,
                   single_line=True)
GRADE = TextRule(max=40, too_long=Code.TEXT_TOO_LONG, invalid=Code.INVALID_TEXT,
                 single_line=True)
DESCRIPTION = TextRule(max=2000, too_long=Code.TEXT_TOO_LONG, invalid=Code.INVALID_TEXT)


def today() -> dt.date:
    return utcnow().astimezone(WIB).date()


def public_point(lat: float, lon: float) -> tuple[float, float]:
    return (round(lat, PUBLIC_GRID_DECIMALS), round(lon, PUBLIC_GRID_DECIMALS))


@dataclass
class ListingInput:
    """What a farmer sends; ``None`` leaves a field as it is on update."""

    commodity_code: Any = None
    variety: Any = None
    grade: Any = None
    description: Any = None
    unit: Unit | None = None
    price_per_unit: int | None = None
    quantity: Decimal | None = None
    min_order_quantity: Decimal | None = None
    harvest_date: dt.date | None = None
    available_until: dt.date | None = None
    lat: float | None = None
    lon: float | None = None
    fulfilment: Sequence[Fulfilment] | None = None
    delivery_radius_km: int | None = None
    delivery_fee: int | None = None
    photo_ids: Sequence[Any] | None = None
    draft: bool = False
    provided: set[str] = field(default_factory=set)


def _registry_error(exc: ServiceError) -> ServiceError:
    mapping = {RegistryErrorCode.UNKNOWN_COMMODITY: Code.UNKNOWN_COMMODITY,
               RegistryErrorCode.UNIT_NOT_ALLOWED: Code.UNIT_NOT_ALLOWED,
               RegistryErrorCode.FARMER_NOT_VERIFIED: Code.FARMER_NOT_VERIFIED,
               RegistryErrorCode.BUYER_NOT_VERIFIED: Code.BUYER_NOT_VERIFIED}
    return ServiceError([FieldError(mapping.get(e.code, e.code), e.field, **e.params)
                         for e in exc.errors])


async def _check(data: ListingInput, owner_id: int, current: Listing | None
                 ) -> tuple[dict[str, Any], list[int] | None]:
    """Every problem with the input at once; the column values to write and the photos."""
    problems: list[FieldError] = []
    values: dict[str, Any] = {}

    def text(rule: TextRule, value: Any, name: str, column: str) -> None:
        if value is None:
            return
        try:
            values[column] = rule.clean(value, field=name)
        except ServiceError as exc:
            problems.extend(exc.errors)

    commodity: Commodity | None = current.commodity if current else None
    if data.commodity_code is not None:
        try:
            commodity = await registry.commodity_by_code(data.commodity_code)
            values["commodity_id"] = commodity.id
        except ServiceError as exc:
            problems += _registry_error(exc).errors
    unit = data.unit or (current.unit if current else None)
    if commodity is not None and unit is not None and (data.unit or data.commodity_code):
        try:
            registry.require_unit(commodity, unit)
            values["unit"] = unit
        except ServiceError as exc:
            problems += _registry_error(exc).errors
    text(VARIETY, data.variety, "variety", "variety")
    text(GRADE, data.grade, "grade", "grade")
    text(DESCRIPTION, data.description, "description", "description")

    if data.price_per_unit is not None:
        if not 1 <= data.price_per_unit <= MAX_PRICE:
            problems.append(FieldError(Code.INVALID_PRICE, "pricePerUnit", max=f"{MAX_PRICE:,}"))
        else:
            values["price_per_unit"] = data.price_per_unit
    quantity = data.quantity
    if quantity is not None:
        if not 0 < quantity <= MAX_QUANTITY:
            problems.append(FieldError(Code.INVALID_QUANTITY, "quantity", max=MAX_QUANTITY))
            quantity = None
    minimum = data.min_order_quantity
    if minimum is not None or quantity is not None:
        total = quantity if quantity is not None else (
            Decimal(current.quantity_milli) / 1000 if current else None)
        if minimum is None:
            minimum = Decimal(current.min_order_milli) / 1000 if current else min(
                Decimal(1), total or Decimal(1))
        if minimum <= 0 or (total is not None and minimum > total):
            problems.append(FieldError(Code.INVALID_MIN_ORDER, "minOrderQuantity"))
        else:
            values["min_order_milli"] = to_milli(minimum)

    harvest = data.harvest_date if "harvest_date" in data.provided else (
        current.harvest_date if current else None)
    until = data.available_until or (current.available_until if current else None)
    now = today()
    if until is None:
        problems.append(FieldError(Code.INVALID_DATES, "availableUntil",
                                   reason="availableUntil"))
    elif until < now or until > now + dt.timedelta(days=MAX_LISTING_DAYS):
        problems.append(FieldError(Code.INVALID_DATES, "availableUntil",
                                   reason=f"today … +{MAX_LISTING_DAYS} days"))
    elif harvest is not None and (harvest > until
                                  or harvest < now - dt.timedelta(days=MAX_LISTING_DAYS)):
        problems.append(FieldError(Code.INVALID_DATES, "harvestDate",
                                   reason="harvestDate ≤ availableUntil"))
    else:
        values["available_until"] = until
        values["harvest_date"] = harvest
        values["harvest_day"] = harvest.toordinal() if harvest else 0

    if data.lat is not None or data.lon is not None:
        try:
            location = await geo.require_in_city(
                data.lat if data.lat is not None else math.nan,
                data.lon if data.lon is not None else math.nan, "lat")
            if location.village is None:
                raise ServiceError(GeoErrorCode.OUTSIDE_CITY, "lat")
            lat, lon = float(data.lat), float(data.lon)  # type: ignore[arg-type]
            values.update(lat=lat, lon=lon, village_id=location.village.id)
            values["public_lat"], values["public_lon"] = public_point(lat, lon)
        except ServiceError as exc:
            code = Code.OUTSIDE_CITY if exc.code == GeoErrorCode.OUTSIDE_CITY \
                else Code.INVALID_COORDINATES
            problems.append(FieldError(code, "lat"))

    fulfilment = list(data.fulfilment) if data.fulfilment is not None else (
        [Fulfilment(f) for f in current.fulfilment] if current else [])
    radius = data.delivery_radius_km if "delivery_radius_km" in data.provided else (
        current.delivery_radius_km if current else None)
    fee = data.delivery_fee if "delivery_fee" in data.provided else (
        current.delivery_fee if current else None)
    if not fulfilment:
        problems.append(FieldError(Code.FULFILMENT_REQUIRED, "fulfilment"))
    elif Fulfilment.DELIVERY in fulfilment and (
            radius is None or not 1 <= radius <= MAX_DELIVERY_KM or fee is None):
        problems.append(FieldError(Code.INVALID_DELIVERY, "deliveryRadiusKm",
                                   max=MAX_DELIVERY_KM))
    else:
        values["fulfilment"] = [f.value for f in dict.fromkeys(fulfilment)]
        delivers = Fulfilment.DELIVERY in fulfilment
        values["delivery_radius_km"] = radius if delivers else None
        values["delivery_fee"] = fee if delivers else None

    photo_ids: list[int] | None = None
    if data.photo_ids is not None or current is None:
        wanted = list(data.photo_ids or [])
        if not wanted:
            problems.append(FieldError(Code.PHOTO_REQUIRED, "photoIds"))
        elif len(wanted) > MAX_PHOTOS:
            problems.append(FieldError(Code.TOO_MANY_PHOTOS, "photoIds", max=MAX_PHOTOS))
        else:
            try:
                photo_ids = [p.id for p in await media.get_owned_photos(owner_id, wanted)]
            except ServiceError:
                problems.append(FieldError(Code.PHOTO_NOT_FOUND, "photoIds"))
    if problems:
        raise ServiceError(problems)

    price = values.get("price_per_unit", current.price_per_unit if current else None)
    if commodity is not None and unit is not None and price is not None:
        base = price_per_base_unit(commodity, price, unit)
        values["price_per_base_unit"] = None if base is None else int(base.to_integral_value())
        values["price_sort"] = values["price_per_base_unit"] or price
    if quantity is not None:
        values["_quantity_milli"] = to_milli(quantity)
    if commodity is not None:
        values["_commodity"] = commodity
    return values, photo_ids


def _document(listing: Listing, commodity: Commodity) -> str:
    return search_document(commodity.name_id, commodity.name_en, commodity.synonyms,
                           listing.variety, listing.grade, listing.description)


async def create_listing(principal: Principal, data: ListingInput) -> Listing:
    try:
        profile = await registry.verified_farmer(principal.user.id)
    except ServiceError as exc:
        raise _registry_error(exc) from exc
    # The GraphQL input makes these non-null; a service caller must give them too.
    required = ("commodity_code", "unit", "price_per_unit", "quantity", "available_until",
                "lat", "lon")
    if any(getattr(data, name) is None for name in required):
        raise TypeError(f"create_listing needs {', '.join(required)}")
    values, photo_ids = await _check(data, principal.user.id, None)
    commodity: Commodity = values.pop("_commodity")
    quantity = values.pop("_quantity_milli")
    now = utcnow()
    status = ListingStatus.DRAFT if data.draft else ListingStatus.ACTIVE
    async with unit_of_work():
        listing = Listing(farmer_id=principal.user.id, farmer_profile_id=profile.id,
                          quantity_milli=quantity, available_milli=quantity, status=status,
                          listed_at=now, published_at=None if data.draft else now, **values)
        listing.search_text = _document(listing, commodity)
        await listing.save()
        await _attach_photos(listing, photo_ids or [], publish=not data.draft)
        if not data.draft:
            await _record(listing, MarketEvent.LISTING_PUBLISHED, principal.user.id)
    listing.commodity = commodity
    return listing


async def _attach_photos(listing: Listing, photo_ids: list[int], *, publish: bool) -> None:
    await ListingPhoto.filter(listing_id=listing.id).delete()
    await ListingPhoto.bulk_create([ListingPhoto(listing_id=listing.id, photo_id=p, position=i)
                                    for i, p in enumerate(photo_ids)])
    if publish:
        await media.publish(photo_ids)


async def _record(listing: Listing, event: MarketEvent, actor_id: int | None) -> None:
    # Public data changed: everyone's lists (and the anonymous cache of issue 14) hear it.
    await record(event, subject_type="listing", subject_id=listing.id,
                 audience=["public", user_key(listing.farmer_id)], actor_id=actor_id,
                 payload={"status": listing.status.value, "commodityId": listing.commodity_id,
                          "villageId": listing.village_id})


async def owned_listing(principal: Principal, listing_id: int) -> Listing:
    listing = await Listing.get_or_none(id=listing_id).select_related("commodity")
    if listing is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    if listing.farmer_id != principal.user.id:
        raise ServiceError(Code.NOT_YOUR_LISTING, "id")
    return listing


async def update_listing(principal: Principal, listing_id: int, data: ListingInput) -> Listing:
    """Change a listing. ``quantity`` sets the quantity still for sale: written only if no
    order took stock since the farmer read it — otherwise INSUFFICIENT_STOCK names what is
    left now, and the farmer decides again."""
    listing = await owned_listing(principal, listing_id)
    if listing.status == ListingStatus.EXPIRED and data.available_until is None:
        raise ServiceError(Code.INVALID_TRANSITION, "id", current="EXPIRED",
                           expected="ACTIVE / PAUSED / DRAFT / SOLD_OUT")
    values, photo_ids = await _check(data, principal.user.id, listing)
    commodity: Commodity = values.pop("_commodity", listing.commodity)
    quantity = values.pop("_quantity_milli", None)
    async with unit_of_work():
        if quantity is not None:
            seen = listing.available_milli
            sold = listing.quantity_milli - seen
            won = await Listing.filter(id=listing.id, available_milli=seen).update(
                available_milli=quantity, quantity_milli=quantity + sold)
            if not won:
                raise ServiceError(Code.INSUFFICIENT_STOCK, "quantity",
                                   available="?", unit=listing.unit.value)
        for column, value in values.items():
            setattr(listing, column, value)
        listing.search_text = _document(listing, commodity)
        await listing.save(update_fields=[*values, "search_text", "updated_at"])
        await listing.refresh_from_db()
        # Restocked or extended: back on sale.
        if listing.status in (ListingStatus.SOLD_OUT, ListingStatus.EXPIRED) \
                and listing.available_milli > 0 and listing.available_until >= today():
            await Listing.filter(id=listing.id, status=listing.status).update(
                status=ListingStatus.ACTIVE)
            listing.status = ListingStatus.ACTIVE
        if photo_ids is not None:
            await _attach_photos(listing, photo_ids,
                                 publish=listing.status != ListingStatus.DRAFT)
        if listing.status != ListingStatus.DRAFT:
            await _record(listing, MarketEvent.LISTING_UPDATED, principal.user.id)
    listing.commodity = commodity
    return listing


async def set_listing_status(principal: Principal, listing_id: int, to: ListingStatus
                             ) -> Listing:
    """Pause (ACTIVE → PAUSED) or publish (DRAFT/PAUSED → ACTIVE) a listing."""
    listing = await owned_listing(principal, listing_id)
    allowed = {ListingStatus.PAUSED: (ListingStatus.ACTIVE,),
               ListingStatus.ACTIVE: (ListingStatus.DRAFT, ListingStatus.PAUSED)}[to]
    if to == ListingStatus.ACTIVE and listing.available_until < today():
        raise ServiceError(Code.INVALID_DATES, "availableUntil", reason="availableUntil")
    async with unit_of_work():
        updates: dict[str, Any] = {"status": to}
        if to == ListingStatus.ACTIVE and listing.published_at is None:
            updates["published_at"] = utcnow()
        won = await Listing.filter(id=listing.id, status__in=allowed).update(**updates)
        if not won:
            current = await Listing.filter(id=listing.id).values_list("status", flat=True)
            raise ServiceError(Code.INVALID_TRANSITION, "id",
                               current=str(current[0]).upper() if current else "?",
                               expected=" / ".join(s.name for s in allowed))
        await listing.refresh_from_db()
        if to == ListingStatus.ACTIVE:
            photo_ids = await ListingPhoto.filter(listing_id=listing.id).values_list(
                "photo_id", flat=True)
            await media.publish(photo_ids)
        await _record(listing, MarketEvent.LISTING_PUBLISHED if to == ListingStatus.ACTIVE
                      else MarketEvent.LISTING_WITHDRAWN, principal.user.id)
    return listing


async def count_view(listing: Listing, viewer_id: int | None) -> None:
    """One more view of the listing's page (not the farmer's own)."""
    if viewer_id != listing.farmer_id:
        await Listing.filter(id=listing.id).update(views=F("views") + 1)


async def expire_listings(now: dt.date | None = None) -> int:
    """The job: listings past their available-until date leave the market. A conditional
    update, so overlapping runs (or a restart mid-run) expire each once."""
    day = now or today()
    due = await Listing.filter(status__in=(ListingStatus.ACTIVE, ListingStatus.PAUSED),
                               available_until__lt=day).values_list("id", flat=True)
    expired = 0
    for listing_id in due:
        async with unit_of_work():
            won = await Listing.filter(
                id=listing_id, status__in=(ListingStatus.ACTIVE, ListingStatus.PAUSED),
                available_until__lt=day).update(status=ListingStatus.EXPIRED)
            if won:
                listing = await Listing.get(id=listing_id)
                await _record(listing, MarketEvent.LISTING_WITHDRAWN, None)
                expired += 1
    return expired
