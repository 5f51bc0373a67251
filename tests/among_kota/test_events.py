from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar

from among_kota.agenda.models import EventOccurrence
from among_kota.content.services import publish_due
from backend.accounts.models import Role
from backend.clock import WIB, frozen_at
from backend.events.models import DomainEvent
from tests.among_kota.conftest import ALUN_ALUN, museum_angkut, publish_place, save_place

SAVE_EVENT = """
mutation($input: EventInput!) { saveEvent(input: $input) {
  event { id slug title startsAt endsAt venueName lat lon free editorial { status } }
  errors { field code message } } }"""
EVENTS = """
query($from: DateTime, $to: DateTime, $near: PointInput, $codes: [String!], $first: Int,
      $after: String) {
  events(from: $from, to: $to, near: $near, categoryCodes: $codes, first: $first,
         after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { startsAt endsAt event { id title venueName placeId category { code name }
                                            free priceMin frequency } } } } }"""


def night_at_the_museum(place_id: str, **overrides):
    event = {
        "title": {"id": "Malam Museum", "en": "Night at the Museum"},
        "description": {"id": "Tur malam **gratis**."},
        "startsAt": "2026-12-12T19:00:00+07:00", "endsAt": "2026-12-12T21:30:00+07:00",
        "placeId": place_id, "categoryCode": "culture", "organiser": "Dinas Pariwisata",
    }
    event.update(overrides)
    return event


async def save_event(gql, token, event):
    body = await gql(SAVE_EVENT, {"input": event}, token=token)
    assert "errors" not in body, body
    return body["data"]["saveEvent"]


async def test_an_event_at_a_place_is_scheduled_published_and_in_the_calendar_feed(
        gql, client, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    place_id = (await save_place(gql, editor, museum_angkut()))["place"]["id"]
    await publish_place(gql, editor, place_id)
    saved = await save_event(gql, editor, night_at_the_museum(
        place_id, frequency="WEEKLY", repeatUntil="2027-01-02"))
    assert saved["errors"] == [], saved
    event = saved["event"]
    assert event["venueName"] == "Museum Angkut" and event["free"] is True
    with frozen_at(datetime(2026, 12, 1, 9, 0, tzinfo=WIB)):
        body = await gql("""mutation($id: ID!) { publishEvent(id: $id, at:
            "2026-12-01T10:00:00+07:00") { errors { code } } }""", {"id": event["id"]},
                         token=editor)
        assert body["data"]["publishEvent"]["errors"] == []
    window = {"from": "2026-12-01T00:00:00+07:00", "to": "2027-01-31T00:00:00+07:00"}
    assert (await gql(EVENTS, window))["data"]["events"]["totalCount"] == 0
    with frozen_at(datetime(2026, 12, 1, 10, 0, 5, tzinfo=WIB)):
        assert await publish_due() == 1
    assert [e.type for e in await DomainEvent.filter(subject_type="event")] == [
        "event.published"]

    body = await gql(EVENTS, {**window, "near": ALUN_ALUN, "codes": ["culture"]},
                     headers={"Accept-Language": "en"})
    page = body["data"]["events"]
    # Weekly on Saturdays from 12 December to 2 January: four evenings.
    assert page["totalCount"] == 4
    starts = [e["node"]["startsAt"] for e in page["edges"]]
    assert starts == ["2026-12-12T12:00:00+00:00", "2026-12-19T12:00:00+00:00",
                      "2026-12-26T12:00:00+00:00", "2027-01-02T12:00:00+00:00"]
    assert page["edges"][0]["node"]["event"]["title"] == "Night at the Museum"
    assert page["edges"][0]["node"]["event"]["category"] == {"code": "culture",
                                                              "name": "Arts and culture"}
    far = await gql(EVENTS, {**window, "near": {"lat": -7.76, "lon": 112.53}})
    assert far["data"]["events"]["totalCount"] == 0
    other = await gql(EVENTS, {**window, "codes": ["sports"]})
    assert other["data"]["events"]["totalCount"] == 0

    response = await client.get("/feeds/events.ics", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 1
    vevent = vevents[0]
    assert str(vevent["SUMMARY"]) == "Night at the Museum"
    assert vevent.decoded("DTSTART") == datetime(2026, 12, 12, 19, 0, tzinfo=WIB)
    assert vevent["RRULE"]["FREQ"] == ["WEEKLY"]
    assert str(vevent["LOCATION"]) == "Museum Angkut"
    assert str(vevent["UID"]).startswith(f"event-{event['id']}@")
    again = await client.get("/feeds/events.ics", headers={
        "Accept-Language": "en", "If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_monthly_all_day_events_and_bad_input(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    monthly = await save_event(gql, editor, {
        "title": {"id": "Pasar Tani Bulanan"}, "startsAt": "2027-01-31T00:00:00",
        "endsAt": "2027-01-31T00:00:00", "allDay": True, "frequency": "MONTHLY",
        "repeatUntil": "2027-06-30", "lat": -7.8714, "lon": 112.5269,
        "venueName": "Alun-alun Kota Batu", "categoryCode": "market", "priceMin": 0})
    assert monthly["errors"] == [], monthly
    occurrences = await EventOccurrence.filter(event_id=int(monthly["event"]["id"])).order_by(
        "starts_at")
    # The 31st: January, March, May (February, April and June have none).
    assert [o.starts_at.astimezone(WIB).date() for o in occurrences] == [
        date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]
    assert all(o.ends_at - o.starts_at == timedelta(days=1) for o in occurrences)

    base = {"title": {"id": "Acara"}, "startsAt": "2026-12-12T19:00:00+07:00",
            "endsAt": "2026-12-12T21:00:00+07:00", "lat": -7.8714, "lon": 112.5269,
            "categoryCode": "music"}
    cases = {
        "ENDS_BEFORE_START": dict(endsAt="2026-12-12T18:00:00+07:00"),
        "OUTSIDE_MAP": dict(lat=-7.98, lon=112.63),
        "VENUE_REQUIRED": dict(lat=None, lon=None),
        "UNKNOWN_CATEGORY": dict(categoryCode="rave"),
        "INVALID_RECURRENCE": dict(repeatUntil="2027-01-01"),
    }
    for code, overrides in cases.items():
        result = await save_event(gql, editor, {**base, **overrides})
        assert result["event"] is None, (code, result)
        assert [e["code"] for e in result["errors"]] == [code], (code, result)
    body = await gql(EVENTS, {"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"})
    assert body["errors"][0]["extensions"]["reason"] == "invalid_range"


async def test_events_list_costs_the_same_for_2_or_50(gql, make_user, count_queries):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    saved = await save_event(gql, editor, {
        "title": {"id": "Senam Pagi"}, "startsAt": "2026-12-07T06:00:00+07:00",
        "endsAt": "2026-12-07T07:00:00+07:00", "frequency": "WEEKLY",
        "repeatUntil": "2028-01-01", "lat": -7.8714, "lon": 112.5269,
        "categoryCode": "sports"})
    await gql("mutation($id: ID!) { publishEvent(id: $id) { errors { code } } }",
              {"id": saved["event"]["id"]}, token=editor)
    window = {"from": "2026-12-01T00:00:00+07:00", "to": "2027-12-01T00:00:00+07:00",
              "near": ALUN_ALUN, "codes": ["sports"]}
    counts = []
    for first in (2, 50):
        with count_queries() as queries:
            body = await gql(EVENTS, {**window, "first": first})
        assert len(body["data"]["events"]["edges"]) == first
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4, counts
