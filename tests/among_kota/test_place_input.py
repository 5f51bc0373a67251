"""Bad input to places is refused with codes and changes nothing."""

from __future__ import annotations

from among_kota.content.models import Revision
from among_kota.places.models import OpeningPeriod, Place
from backend.accounts.models import Role
from backend.events.models import DomainEvent
from tests.among_kota.conftest import museum_angkut, publish_place, save_place
from tests.conftest import error_extensions


def hours(*periods, special=None):
    return {"periods": list(periods), "specialDays": special or []}


def period(open_day, open_time, close_time, close_day=None):
    found = {"openDay": open_day, "openTime": open_time, "closeTime": close_time}
    if close_day:
        found["closeDay"] = close_day
    return found


async def test_bad_places_are_refused_with_codes_and_change_nothing(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    cases = {
        "CLOSES_BEFORE_OPENING": dict(openingHours=hours(period("MONDAY", "17:00", "08:00"))),
        "HOURS_OVERLAP": dict(openingHours=hours(period("MONDAY", "08:00", "12:00"),
                                                 period("MONDAY", "11:00", "15:00"))),
        "INVALID_TIME": dict(openingHours=hours(period("MONDAY", "8 pagi", "12:00"))),
        "OUTSIDE_MAP": dict(lat=-7.98, lon=112.63),  # Malang
        "INVALID_COORDINATES": dict(lat=-95.0),
        "UNKNOWN_CATEGORY": dict(categoryCodes=["tourism", "casino"]),
        "CATEGORY_REQUIRED": dict(categoryCodes=[]),
        "NAME_REQUIRED": dict(name={"id": "   "}),
        "INVALID_URL": dict(website="javascript:alert(1)"),
        "INVALID_PHONE": dict(phone="12"),
        "INVALID_SLUG": dict(slug="Bad Slug!"),
        "INVALID_TEXT": dict(address="Jl. \x1b Escape"),
    }
    for code, overrides in cases.items():
        result = await save_place(gql, editor, museum_angkut(**overrides))
        assert result["place"] is None, (code, result)
        assert code in [e["code"] for e in result["errors"]], (code, result)
    # Overnight across the week's end is fine; overlapping it is not.
    result = await save_place(gql, editor, museum_angkut(openingHours=hours(
        period("SUNDAY", "20:00", "02:00", "MONDAY"), period("MONDAY", "01:00", "05:00"))))
    assert [e["code"] for e in result["errors"]] == ["HOURS_OVERLAP"]
    assert "SUNDAY" not in result["errors"][0]["message"] or "MONDAY" in \
        result["errors"][0]["message"]
    special = await save_place(gql, editor, museum_angkut(openingHours=hours(special=[
        {"date": "2026-12-25", "periods": []}, {"date": "2026-12-25", "periods": []}])))
    assert [e["code"] for e in special["errors"]] == ["DUPLICATE_DATE"]
    assert await Place.all().count() == 0
    assert await OpeningPeriod.all().count() == 0
    assert await Revision.all().count() == 0
    assert await DomainEvent.all().count() == 0


async def test_several_problems_are_told_at_once_in_english(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    body = await gql("""mutation($input: PlaceInput!) { savePlace(input: $input) {
        place { id } errors { field code message } } }""",
                     {"input": museum_angkut(lat=-7.5, website="ftp://x", categoryCodes=[])},
                     token=editor, headers={"Accept-Language": "en"})
    errors = body["data"]["savePlace"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("lat", "OUTSIDE_MAP"), ("website", "INVALID_URL"), ("categoryCodes", "CATEGORY_REQUIRED")}
    assert "outside the map of Kota Batu" in next(
        e["message"] for e in errors if e["code"] == "OUTSIDE_MAP")


async def test_markdown_is_rendered_and_script_sanitised_away(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    evil = ("# Selamat datang\n\n<script>alert('x')</script>\n\n"
            "[klik](javascript:alert(1)) <img src=x onerror=alert(1)> "
            "[situs](https://museumangkut.com)")
    place_id = (await save_place(gql, editor, museum_angkut(
        description={"id": evil})))["place"]["id"]
    await publish_place(gql, editor, place_id)
    body = await gql("query($id: ID) { place(id: $id) { description descriptionHtml } }",
                     {"id": place_id})
    html = body["data"]["place"]["descriptionHtml"]
    assert body["data"]["place"]["description"] == evil  # stored as written
    assert "<h1>Selamat datang</h1>" in html
    # Raw HTML comes out as text, never as a tag; the javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://museumangkut.com" rel="noopener noreferrer nofollow">situs</a>' \
        in html


async def test_list_arguments_are_checked(gql):
    cases = [
        ({"sort": "DISTANCE"}, "near_required", "sort"),
        ({"codes": ["nope"]}, "unknown_category", "categoryCodes"),
        ({"near": {"lat": -7.87, "lon": 112.52}, "radiusKm": 500}, "invalid_radius", "radiusKm"),
        ({"text": "a"}, "search_text_empty", "text"),
        ({"after": "garbage"}, "invalid_cursor", "after"),
        ({"first": 101}, "first_out_of_range", "first"),
    ]
    query = """query($near: PointInput, $text: String, $codes: [String!], $sort: PlaceSort,
        $first: Int, $after: String, $radiusKm: Float) {
      places(near: $near, text: $text, categoryCodes: $codes, sort: $sort, first: $first,
             after: $after, radiusKm: $radiusKm) { totalCount } }"""
    for variables, reason, field in cases:
        body = await gql(query, variables)
        assert body["data"] is None, (variables, body)
        extensions = error_extensions(body["errors"][0])
        assert (extensions["code"], extensions["reason"], extensions["field"]) == (
            "BAD_USER_INPUT", reason, field), (variables, body)
