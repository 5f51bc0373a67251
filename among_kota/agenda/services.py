"""Events: an editor's input checked into the event's content, and that content written to
the row and its occurrences (the :class:`ContentKind` the editorial workflow publishes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from among_kota.agenda.models import Event, EventCategory, EventOccurrence, Frequency
from among_kota.agenda.recurrence import MAX_SPAN_DAYS, occurrences
from among_kota.content.models import ContentStatus, Publishable
from among_kota.content.services import ContentKind, register_kind
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent
from among_kota.places.models import Place
from among_kota.text import LINE, MARKDOWN, NAME, bilingual, check_point, slugify
from among_kota.times import client_time
from backend.clock import WIB
from backend.errors import FieldError, ServiceError
from backend.graphql.scalars import RUPIAH_MAX
from backend.markdown import plain_text
from backend.search import search_document

MAX_EVENT_DAYS = 31


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


async def clean_event(data: Any, *, item_id: int | None) -> dict[str, Any]:
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    title = check(bilingual, _get(data, "title"), NAME, "title", required=True)
    description = check(bilingual, _get(data, "description"), MARKDOWN, "description")
    organiser = check(LINE.clean, _get(data, "organiser"), field="organiser")
    venue_name = check(LINE.clean, _get(data, "venue_name"), field="venueName")
    starts = check(client_time, _get(data, "starts_at"), "startsAt")
    ends = check(client_time, _get(data, "ends_at"), "endsAt")
    all_day = bool(_get(data, "all_day"))
    if starts and ends:
        if all_day:  # whole days in Batu: from the start date's midnight to the end date's end
            starts = datetime.combine(starts.date(), time(), WIB)
            ends = datetime.combine(ends.date() + timedelta(days=1), time(), WIB)
        if ends <= starts:
            problems.append(FieldError(C.ENDS_BEFORE_START, "endsAt"))
        elif ends - starts > timedelta(days=MAX_EVENT_DAYS):
            problems.append(FieldError(C.INVALID_RANGE, "endsAt", days=MAX_EVENT_DAYS))
    frequency = _get(data, "frequency")
    frequency = getattr(frequency, "value", frequency)
    until = _get(data, "repeat_until")
    if frequency is not None:
        if frequency not in (f.value for f in Frequency):
            problems.append(FieldError(C.INVALID_RECURRENCE, "frequency", detail=frequency))
            frequency = None
        elif until is not None and starts is not None and not (
                isinstance(until, date)
                and starts.date() <= until <= starts.date() + timedelta(days=MAX_SPAN_DAYS)):
            problems.append(FieldError(C.INVALID_RECURRENCE, "repeatUntil",
                                       detail=f"until within {MAX_SPAN_DAYS} days of the start"))
    elif until is not None:
        problems.append(FieldError(C.INVALID_RECURRENCE, "repeatUntil",
                                   detail="repeatUntil needs a frequency"))
    place_id = _get(data, "place_id")
    place = None
    lat, lon = _get(data, "lat"), _get(data, "lon")
    if place_id is not None:
        place = await Place.get_or_none(id=place_id, status=ContentStatus.PUBLISHED)
        if place is None:
            problems.append(FieldError(C.NOT_FOUND, "placeId"))
    elif lat is None or lon is None:
        problems.append(FieldError(C.VENUE_REQUIRED, "placeId"))
    else:
        check(check_point, lat, lon, "lat")
    category_code = _get(data, "category_code")
    category = await EventCategory.get_or_none(code=str(category_code)[:32]) \
        if category_code else None
    if category is None:
        problems.append(FieldError(C.UNKNOWN_CATEGORY, "categoryCode",
                                   codes=str(category_code)[:32]))
    price_min, price_max = _get(data, "price_min"), _get(data, "price_max")
    for name, value in (("priceMin", price_min), ("priceMax", price_max)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= RUPIAH_MAX):
            problems.append(FieldError(C.INVALID_PRICE, name, max=RUPIAH_MAX))
    if price_min is not None and price_max is not None and price_max < price_min:
        problems.append(FieldError(C.INVALID_PRICE, "priceMax", max=RUPIAH_MAX))
    if problems:
        raise ServiceError(problems)
    slug = await _free_slug(title["id"], starts, item_id)
    return {
        "slug": slug, "title": title, "description": description,
        "startsAt": starts.isoformat(), "endsAt": ends.isoformat(), "allDay": all_day,
        "frequency": frequency, "repeatUntil": until.isoformat() if until else None,
        "placeId": place.id if place else None,
        "venueName": venue_name or (place.name_id if place else ""),
        "lat": place.lat if place else float(lat), "lon": place.lon if place else float(lon),
        "categoryCode": category.code,
        "priceMin": price_min if price_min else None,
        "priceMax": price_max if price_max else (price_min or None),
        "organiser": organiser,
    }


async def _free_slug(title: str, starts: datetime, item_id: int | None) -> str:
    if item_id is not None:
        current = await Event.get_or_none(id=item_id).values_list("slug", flat=True)
        if current:
            return current
    base = f"{slugify(title)[:60]}-{starts.date().isoformat()}"
    taken = set(await Event.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def apply_event(item: Publishable, content: dict[str, Any]) -> None:
    event: Event = item  # type: ignore[assignment]
    category = await EventCategory.get(code=content["categoryCode"])
    starts = datetime.fromisoformat(content["startsAt"]).astimezone(UTC)
    ends = datetime.fromisoformat(content["endsAt"]).astimezone(UTC)
    until = date.fromisoformat(content["repeatUntil"]) if content["repeatUntil"] else None
    event.content = content
    event.slug = content["slug"]
    event.title_id, event.title_en = content["title"]["id"], content["title"]["en"]
    event.description_id = content["description"]["id"]
    event.description_en = content["description"]["en"]
    event.starts_at, event.ends_at, event.all_day = starts, ends, content["allDay"]
    event.frequency = Frequency(content["frequency"]) if content["frequency"] else None
    event.repeat_until = until
    event.place_id = content["placeId"]
    event.venue_name = content["venueName"]
    event.lat, event.lon = content["lat"], content["lon"]
    event.category_id = category.id
    event.price_min, event.price_max = content["priceMin"], content["priceMax"]
    event.organiser = content["organiser"]
    event.search_text = search_document(
        content["title"]["id"], content["title"]["en"], plain_text(content["description"]["id"],
                                                                   2000),
        plain_text(content["description"]["en"], 2000), content["venueName"],
        content["organiser"], category.name_id, category.name_en)
    await event.save()
    await EventOccurrence.filter(event_id=event.id).delete()
    await EventOccurrence.bulk_create([
        EventOccurrence(event_id=event.id, starts_at=s, ends_at=e)
        for s, e in occurrences(starts, ends, content["frequency"], until)])


EVENTS = register_kind(ContentKind(
    name="event", model=Event, apply=apply_event,
    published=KotaEvent.EVENT_PUBLISHED, updated=KotaEvent.EVENT_UPDATED,
    withdrawn=KotaEvent.EVENT_WITHDRAWN,
))
