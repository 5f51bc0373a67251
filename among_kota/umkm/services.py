"""The UMKM directory's rules: an owner's application checked into the business's content,
and the UMKM office's decisions on it (verify, decline with a reason, withdraw). A business
is public only once verified; a verified owner's edits wait for the office, the public keeps
seeing the verified values meanwhile. Every public change records an event in the same unit
of work (the read cache follows them)."""

from __future__ import annotations

import re
from typing import Any

from among_kota.content.models import ContentStatus
from among_kota.content.rights import editor_skpd, edits_anything
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent, record_public_change
from among_kota.photos import owned_photos
from among_kota.places.models import Place
from among_kota.text import LINE, MARKDOWN, NAME, bilingual, check_point, slugify
from among_kota.umkm.models import UmkmBusiness, UmkmCategory, UmkmProduct, UmkmStatus
from backend.accounts.services import Principal
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.graphql.scalars import RUPIAH_MAX
from backend.markdown import plain_text
from backend.media.services import publish as publish_photos
from backend.search import search_document
from backend.text import TextRule

# Dinas Koperasi, Usaha Mikro dan Perdagangan: its content editors verify businesses (and,
# as for all content, admins and Diskominfo's editors).
UMKM_OFFICE_SKPD = "diskumdag"
MAX_PRODUCTS = 30
REASON = TextRule(max=500, too_long=C.TEXT_TOO_LONG, required=C.REASON_REQUIRED,
                  invalid=C.INVALID_TEXT)
_NIB = re.compile(r"^\d{13}$")
# An Indonesian mobile number as people write it: 08…, 628…, +62 8…; 9–13 digits after 62.
_WHATSAPP = re.compile(r"^628\d{7,11}$")
_SEPARATORS = re.compile(r"[\s().-]")


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


def clean_nib(value: Any, field: str = "nib") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    digits = _SEPARATORS.sub("", str(value))
    if not _NIB.match(digits):
        raise ServiceError(C.INVALID_NIB, field)
    return digits


def clean_whatsapp(value: Any, field: str = "whatsapp") -> str | None:
    """The number as wa.me wants it (62…, digits only), or None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _SEPARATORS.sub("", str(value))
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("0"):
        number = "62" + number[1:]
    if not _WHATSAPP.match(number):
        raise ServiceError(C.INVALID_WHATSAPP, field)
    return number


def whatsapp_url(number: str | None) -> str | None:
    return f"https://wa.me/{number}" if number else None


def _price(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RUPIAH_MAX:
        raise ServiceError(C.INVALID_PRICE, field, max=RUPIAH_MAX)
    return value


async def clean_business(data: Any, *, owner_id: int) -> dict[str, Any]:
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    name = check(bilingual, _get(data, "name"), NAME, "name", required=True)
    description = check(bilingual, _get(data, "description"), MARKDOWN, "description")
    owner_name = check(NAME.clean, _get(data, "owner_public_name"), field="ownerPublicName",
                       required=True)
    address = check(LINE.clean, _get(data, "address"), field="address")
    nib = check(clean_nib, _get(data, "nib"))
    whatsapp = check(clean_whatsapp, _get(data, "whatsapp"))
    code = str(_get(data, "category_code") or "")[:32]
    category = await UmkmCategory.get_or_none(code=code) if code else None
    if category is None:
        problems.append(FieldError(C.UNKNOWN_CATEGORY, "categoryCode", codes=code or "-"))
    place_id, lat, lon = _get(data, "place_id"), _get(data, "lat"), _get(data, "lon")
    place = None
    if place_id is not None:
        place = await Place.get_or_none(id=place_id, status=ContentStatus.PUBLISHED)
        if place is None:
            problems.append(FieldError(C.NOT_FOUND, "placeId"))
    elif lat is None or lon is None:
        problems.append(FieldError(C.LOCATION_REQUIRED, "placeId"))
    else:
        check(check_point, lat, lon, "lat")
    products: list[dict[str, Any]] = []
    raw_products = list(_get(data, "products") or [])
    if len(raw_products) > MAX_PRODUCTS:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "products", max=MAX_PRODUCTS))
        raw_products = []
    photo_ids = [_get(p, "photo_id") for p in raw_products if _get(p, "photo_id") is not None]
    owned: set[int] = set()
    if photo_ids:
        try:
            owned = {p.id for p in await owned_photos(owner_id, photo_ids,
                                                      "products.photoId")}
        except ServiceError as exc:
            problems.extend(exc.errors)
    for i, product in enumerate(raw_products):
        field = f"products.{i}"
        product_name = check(bilingual, _get(product, "name"), NAME, f"{field}.name",
                             required=True)
        low = check(_price, _get(product, "price_min"), f"{field}.priceMin")
        high = check(_price, _get(product, "price_max"), f"{field}.priceMax")
        if low is not None and high is not None and high < low:
            problems.append(FieldError(C.INVALID_PRICE, f"{field}.priceMax", max=RUPIAH_MAX))
        photo = _get(product, "photo_id")
        products.append({"name": product_name, "priceMin": low,
                         "priceMax": high if high is not None else low,
                         "photoId": int(photo) if photo is not None and owned else None})
    if problems:
        raise ServiceError(problems)
    return {
        "name": name, "description": description, "ownerPublicName": owner_name,
        "categoryCode": category.code, "address": address or (place.address if place else ""),
        "placeId": place.id if place else None,
        "lat": place.lat if place else float(lat), "lon": place.lon if place else float(lon),
        "nib": nib, "whatsapp": whatsapp, "products": products,
    }


async def _free_slug(name: str, business_id: int | None) -> str:
    base = slugify(name)[:70]
    taken = set(await UmkmBusiness.filter(slug__startswith=base).exclude(
        id=business_id or 0).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def _write(business: UmkmBusiness, content: dict[str, Any]) -> None:
    """The content to the row (columns derived from it) and its products."""
    category = await UmkmCategory.get(code=content["categoryCode"])
    business.content = content
    if not business.slug:
        business.slug = await _free_slug(content["name"]["id"], business.id)
    business.owner_public_name = content["ownerPublicName"]
    business.name_id, business.name_en = content["name"]["id"], content["name"]["en"]
    business.sort_name = content["name"]["id"].lower()[:200]
    business.description_id = content["description"]["id"]
    business.description_en = content["description"]["en"]
    business.category_id = category.id
    business.place_id = content["placeId"]
    business.address = content["address"]
    business.lat, business.lon = content["lat"], content["lon"]
    business.nib, business.whatsapp = content["nib"], content["whatsapp"]
    products = content["products"]
    business.search_text = search_document(
        content["name"]["id"], content["name"]["en"],
        plain_text(content["description"]["id"], 2000),
        plain_text(content["description"]["en"], 2000), content["ownerPublicName"],
        category.name_id, category.name_en,
        *(p["name"]["id"] for p in products), *(p["name"]["en"] for p in products))
    await business.save()
    await UmkmProduct.filter(business_id=business.id).delete()
    await UmkmProduct.bulk_create([
        UmkmProduct(business_id=business.id, position=i, name_id=p["name"]["id"],
                    name_en=p["name"]["en"], price_min=p["priceMin"], price_max=p["priceMax"],
                    photo_id=p["photoId"])
        for i, p in enumerate(products)])


# -- the owner ------------------------------------------------------------------------------


async def apply(principal: Principal, business_id: int | None, content: dict[str, Any], *,
                demo: bool = False) -> UmkmBusiness:
    """A new application, or the owner's changes to theirs: in place while not verified
    (and back to the office after a decline); waiting in ``pending`` once verified."""
    async with unit_of_work():
        if business_id is None:
            business = UmkmBusiness(owner_id=principal.user.id, status=UmkmStatus.PENDING,
                                    slug="", demo=demo)
            await _write(business, content)
            return business
        business = await _owned(principal, business_id)
        if business.status == UmkmStatus.VERIFIED:
            business.pending = None if content == business.content else content
            business.decline_reason = None
            await business.save(update_fields=["pending", "decline_reason", "updated_at"])
            return business
        business.status = UmkmStatus.PENDING
        business.decline_reason = None
        await _write(business, content)
        return business


async def _owned(principal: Principal, business_id: int) -> UmkmBusiness:
    business = await UmkmBusiness.filter(id=business_id).select_for_update().first()
    if business is None:
        raise ServiceError(C.NOT_FOUND, "id")
    if business.owner_id != principal.user.id:
        raise ServiceError(C.NOT_YOUR_BUSINESS, "id")
    return business


# -- the UMKM office --------------------------------------------------------------------------


def is_umkm_office(principal: Principal | None) -> bool:
    if edits_anything(principal):
        return True
    skpd = editor_skpd(principal)
    return skpd is not None and skpd.code == UMKM_OFFICE_SKPD


def may_see_application(principal: Principal | None, business: UmkmBusiness) -> bool:
    return principal is not None and (business.owner_id == principal.user.id
                                      or is_umkm_office(principal))


async def _for_decision(principal: Principal, business_id: int) -> UmkmBusiness:
    if not is_umkm_office(principal):
        skpd = editor_skpd(principal)
        raise ServiceError(C.NOT_YOUR_SKPD, "id", skpd=skpd.code if skpd else "-")
    business = await UmkmBusiness.filter(id=business_id).select_for_update().first()
    if business is None:
        raise ServiceError(C.NOT_FOUND, "id")
    return business


async def verify(principal: Principal, business_id: int) -> UmkmBusiness:
    """Make an application public, or a verified business's pending changes."""
    async with unit_of_work():
        business = await _for_decision(principal, business_id)
        first = business.status == UmkmStatus.PENDING
        if not first and not (business.status == UmkmStatus.VERIFIED and business.pending):
            raise ServiceError(C.ALREADY_DECIDED, "id", status=business.status.value)
        if business.pending:
            await _write(business, business.pending)
        now = utcnow()
        business.status, business.pending, business.decline_reason = (
            UmkmStatus.VERIFIED, None, None)
        business.decided_by_id, business.decided_at = principal.user.id, now
        business.verified_at = business.verified_at or now
        await business.save(update_fields=["status", "pending", "decline_reason",
                                           "decided_by_id", "decided_at", "verified_at",
                                           "updated_at"])
        photos = [p["photoId"] for p in business.content["products"] if p["photoId"]]
        if photos:
            await publish_photos(photos)
        await record_public_change(KotaEvent.UMKM_VERIFIED, subject_type="umkm",
                                   subject_id=business.id, actor_id=principal.user.id)
        return business


async def decline(principal: Principal, business_id: int, reason: Any) -> UmkmBusiness:
    """Refuse an application (or a verified business's pending changes), telling the owner
    why; nothing public changes."""
    text = REASON.clean(reason, field="reason", required=True)
    async with unit_of_work():
        business = await _for_decision(principal, business_id)
        if business.status == UmkmStatus.VERIFIED and business.pending:
            business.pending = None
        elif business.status == UmkmStatus.PENDING:
            business.status = UmkmStatus.DECLINED
        else:
            raise ServiceError(C.ALREADY_DECIDED, "id", status=business.status.value)
        business.decline_reason = text
        business.decided_by_id, business.decided_at = principal.user.id, utcnow()
        await business.save(update_fields=["status", "pending", "decline_reason",
                                           "decided_by_id", "decided_at", "updated_at"])
        return business


async def withdraw(principal: Principal, business_id: int) -> UmkmBusiness:
    """Take a verified business off the directory: its owner or the office."""
    async with unit_of_work():
        business = await UmkmBusiness.filter(id=business_id).select_for_update().first()
        if business is None:
            raise ServiceError(C.NOT_FOUND, "id")
        if business.owner_id != principal.user.id and not is_umkm_office(principal):
            raise ServiceError(C.NOT_YOUR_BUSINESS, "id")
        if business.status != UmkmStatus.VERIFIED:
            raise ServiceError(C.ALREADY_DECIDED, "id", status=business.status.value)
        business.status = UmkmStatus.WITHDRAWN
        await business.save(update_fields=["status", "updated_at"])
        await record_public_change(KotaEvent.UMKM_WITHDRAWN, subject_type="umkm",
                                   subject_id=business.id, actor_id=principal.user.id)
        return business
