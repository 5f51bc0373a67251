"""``GET /feeds/events.ics``: the published events as an iCalendar feed (RFC 5545) that phone
calendars subscribe to — one VEVENT per event, a recurring one with its RRULE, times in UTC
(all-day events as dates). Bilingual by ``Accept-Language`` (or ``?lang=en``). Served from
the public-read cache, with an ETag for cheap re-checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, vRecur
from icalendar import Event as VEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from among_kota.agenda.models import Event, Frequency
from among_kota.content.models import ContentStatus
from among_kota.events import KotaEvent
from backend.clock import WIB, utcnow
from backend.i18n import localized, preferred_language
from backend.markdown import plain_text
from backend.read_cache import cached_public_route, valid_until

FEED_DAYS_BACK = 30
UID_DOMAIN = "kota.batt.batukota.go.id"


async def calendar_bytes(language: str, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    since = now - timedelta(days=FEED_DAYS_BACK)
    events = await Event.filter(status=ContentStatus.PUBLISHED).select_related(
        "category").order_by("starts_at", "id")
    calendar = Calendar()
    calendar.add("prodid", "-//BATT Kota Batu//Among Kota//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Agenda Kota Batu" if language != "en" else
                 "Kota Batu events")
    calendar.add("x-wr-timezone", "Asia/Jakarta")
    for event in events:
        last_end = event.ends_at
        if event.frequency is not None:
            last_end = datetime.combine(event.repeat_until, datetime.max.time(), WIB) \
                if event.repeat_until else now + timedelta(days=366)
        if last_end < since:
            continue
        # Shown until it ended FEED_DAYS_BACK ago (recurring without an end: always).
        valid_until(last_end + timedelta(days=FEED_DAYS_BACK, microseconds=1)
                    if event.frequency is None or event.repeat_until else None)
        item = VEvent()
        item.add("uid", f"event-{event.id}@{UID_DOMAIN}")
        item.add("dtstamp", (event.updated_at or now).astimezone(UTC))
        item.add("sequence", event.revision)
        if event.all_day:
            item.add("dtstart", event.starts_at.astimezone(WIB).date())
            item.add("dtend", event.ends_at.astimezone(WIB).date())
        else:
            item.add("dtstart", event.starts_at.astimezone(UTC))
            item.add("dtend", event.ends_at.astimezone(UTC))
        item.add("summary", localized(event, "title", language))
        description = plain_text(localized(event, "description", language), 2000)
        if description:
            item.add("description", description)
        if event.venue_name:
            item.add("location", event.venue_name)
        item.add("geo", (event.lat, event.lon))
        item.add("categories", [localized(event.category, "name", language)])
        if event.organiser:
            item.add("x-batt-organiser", event.organiser)
        if event.frequency is not None:
            rule = {"freq": event.frequency.value}
            if event.frequency == Frequency.MONTHLY:
                rule["bymonthday"] = event.starts_at.astimezone(WIB).day
            if event.repeat_until:
                rule["until"] = datetime.combine(event.repeat_until, datetime.max.time(),
                                                 WIB).astimezone(UTC).replace(microsecond=0)
            item.add("rrule", vRecur(rule))
        calendar.add_component(item)
    return calendar.to_ical()


@cached_public_route(invalidated_by=(KotaEvent.EVENT_PUBLISHED, KotaEvent.EVENT_UPDATED,
                                     KotaEvent.EVENT_WITHDRAWN))
async def events_ics(request: Request) -> Response:
    """Served from the read cache with an ETag (``If-None-Match`` → 304) and the platform's
    public Cache-Control; dropped when events change or the first one shown ages out."""
    language = request.query_params.get("lang") or preferred_language(
        request.headers.get("accept-language"))
    language = "en" if language == "en" else "id"
    body = await calendar_bytes(language)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Vary": "Accept-Language"})


routes = [Route("/feeds/events.ics", events_ics)]
