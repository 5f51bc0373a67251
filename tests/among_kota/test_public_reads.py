"""Among Kota's public reads from the cache (backend/read_cache.py): anonymous answers come from
memory and follow every editorial change at once (publish, withdraw, rollback, a scheduled
publication, a holiday); answers that change with the clock alone ("open now", an article's
expiry) are never served past that moment; signed-in editors get their own answers. Plus
the leftovers of issue 13 that change public answers: place photos, holidays as data, and a
public service's complaint category checked against Among Warga's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from among_kota.content.services import publish_due
from backend.accounts.models import Role
from backend.app import create_app
from backend.clock import WIB, frozen_at
from tests.among_kota.conftest import museum_angkut, publish_place, save_place
from tests.among_warga.test_complaints import upload_photo
from tests.conftest import GraphQL

PLACES = """query($text: String, $openNow: Boolean) {
  places(text: $text, openNow: $openNow, sort: NAME) {
    edges { node { id name openNow photos { url } editorial { status } } } } }"""
NEWS = "query { news { edges { node { id title } } } }"
SAVE_ARTICLE = """mutation($input: ArticleInput!) { saveArticle(input: $input) {
  article { id } errors { field code } } }"""
PUBLISH_ARTICLE = """mutation($id: ID!, $at: DateTime) { publishArticle(id: $id, at: $at) {
  errors { code } } }"""
WITHDRAW_PLACE = """mutation($id: ID!) { withdrawPlace(id: $id) { errors { code } } }"""
ROLLBACK_PLACE = """mutation($id: ID!, $r: Int!) { rollbackPlace(id: $id, revision: $r) {
  errors { code } } }"""
SAVE_HOLIDAY = """mutation($input: HolidayInput!) { saveHoliday(input: $input) {
  holiday { date name } errors { field code } } }"""
SAVE_PLACE_PHOTOS = """mutation($input: PlaceInput!) { savePlace(input: $input) {
  place { id photos { url } } errors { field code } } }"""

# Museum Angkut (conftest): Saturday and Sunday 11:00–21:00 WIB.
SUNDAY_BEFORE_CLOSING = datetime(2026, 12, 6, 20, 59, 30, tzinfo=WIB)
SUNDAY_CLOSING = datetime(2026, 12, 6, 21, 0, tzinfo=WIB)
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=WIB)


@pytest.fixture
async def app(settings):
    """The app with its lifespan (event bus and read cache started), as a server runs it."""
    app = create_app(settings, manage_db=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def gql(client) -> GraphQL:
    return GraphQL(client)


def names(body: dict) -> list[str]:
    assert "errors" not in body, body
    return [e["node"]["name"] for e in body["data"]["places"]["edges"]]


def open_now(body: dict) -> list[bool | None]:
    assert "errors" not in body, body
    return [e["node"]["openNow"] for e in body["data"]["places"]["edges"]]


async def published_museum(gql, editor: str, **overrides) -> str:
    saved = await save_place(gql, editor, museum_angkut(**overrides))
    assert saved["errors"] == [], saved
    place_id = saved["place"]["id"]
    assert (await publish_place(gql, editor, place_id))["errors"] == []
    return place_id


async def test_place_changes_show_in_the_next_anonymous_read_and_editors_get_their_own(
        app, gql, make_user):
    cache = app.state.services["read_cache"]
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    with frozen_at(SATURDAY_NOON):
        assert names(await gql(PLACES, {"text": "museum"})) == []
        place_id = await published_museum(gql, editor)
        assert names(await gql(PLACES, {"text": "museum"})) == ["Museum Angkut"]
        hits = cache.hits
        assert names(await gql(PLACES, {"text": "museum"})) == ["Museum Angkut"]
        assert cache.hits == hits + 1  # from memory

        # The editor asking the same document gets the editorial block, never the cached
        # anonymous answer (which has null there).
        own = await gql(PLACES, {"text": "museum"}, token=editor)
        assert own["data"]["places"]["edges"][0]["node"]["editorial"] == {
            "status": "PUBLISHED"}

        # Renamed and published: the next anonymous read has the new name.
        renamed = await save_place(gql, editor, museum_angkut(
            id=place_id, name={"id": "Museum Angkut Batu"}))
        assert renamed["errors"] == []
        assert names(await gql(PLACES, {"text": "museum"})) == ["Museum Angkut"]  # pending
        assert (await publish_place(gql, editor, place_id))["errors"] == []
        assert names(await gql(PLACES, {"text": "museum"})) == ["Museum Angkut Batu"]

        # Rolled back to the first publication, then withdrawn.
        rolled = await gql(ROLLBACK_PLACE, {"id": place_id, "r": 2}, token=editor)
        assert rolled["data"]["rollbackPlace"]["errors"] == [], rolled
        assert names(await gql(PLACES, {"text": "museum"})) == ["Museum Angkut"]
        withdrawn = await gql(WITHDRAW_PLACE, {"id": place_id}, token=editor)
        assert withdrawn["data"]["withdrawPlace"]["errors"] == []
        assert names(await gql(PLACES, {"text": "museum"})) == []
        single = await gql("query($id: ID) { place(id: $id) { name } }", {"id": place_id})
        assert single["data"]["place"] is None


async def test_open_now_is_never_served_past_the_minute_it_changes(app, gql, make_user):
    cache = app.state.services["read_cache"]
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    with frozen_at(SATURDAY_NOON):
        await published_museum(gql, editor)
    with frozen_at(SUNDAY_BEFORE_CLOSING):
        assert open_now(await gql(PLACES, {"text": "museum"})) == [True]
        assert names(await gql(PLACES, {"text": "museum", "openNow": True})) == [
            "Museum Angkut"]
        hits = cache.hits
        assert open_now(await gql(PLACES, {"text": "museum"})) == [True]
        assert cache.hits == hits + 1
    # 21:00: closed, with no event recorded — the cached answers expired with the minute.
    with frozen_at(SUNDAY_CLOSING):
        assert open_now(await gql(PLACES, {"text": "museum"})) == [False]
        assert names(await gql(PLACES, {"text": "museum", "openNow": True})) == []


async def test_a_holiday_saved_by_diskominfo_closes_places_that_close_on_holidays(
        gql, make_user):
    _, dispar = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    _, diskominfo = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    hours = museum_angkut()["openingHours"]
    with frozen_at(SATURDAY_NOON):
        await published_museum(gql, dispar, openingHours={**hours, "closedOnHolidays": True})
        assert open_now(await gql(PLACES, {"text": "museum"})) == [True]
        holiday = {"date": "2026-12-05", "name": {"id": "Hari Jadi Kota Batu (uji)"}}
        refused = await gql(SAVE_HOLIDAY, {"input": holiday}, token=dispar)
        assert refused["data"]["saveHoliday"]["errors"] == [
            {"field": None, "code": "CITY_EDITORS_ONLY"}]
        assert open_now(await gql(PLACES, {"text": "museum"})) == [True]
        saved = await gql(SAVE_HOLIDAY, {"input": holiday}, token=diskominfo)
        assert saved["data"]["saveHoliday"]["errors"] == [], saved
        assert saved["data"]["saveHoliday"]["holiday"]["date"] == "2026-12-05"
        # The next anonymous read: closed for the holiday.
        assert open_now(await gql(PLACES, {"text": "museum"})) == [False]
        listed = await gql("query { holidays(year: 2026) { date name } }")
        assert {"date": "2026-12-05", "name": "Hari Jadi Kota Batu (uji)"} in \
            listed["data"]["holidays"]
        deleted = await gql("mutation { deleteHoliday(date: \"2026-12-05\") { errors { code } } }",
                            token=diskominfo)
        assert deleted["data"]["deleteHoliday"]["errors"] == []
        assert open_now(await gql(PLACES, {"text": "museum"})) == [True]


async def test_scheduled_and_expiring_news_appear_and_go_at_their_time(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")

    def titles(body: dict) -> list[str]:
        assert "errors" not in body, body
        return [e["node"]["title"] for e in body["data"]["news"]["edges"]]

    with frozen_at(datetime(2026, 12, 5, 8, 0, tzinfo=WIB)):
        saved = await gql(SAVE_ARTICLE, {"input": {
            "title": {"id": "Car free day Minggu"},
            "expiresAt": "2026-12-05T10:00:00+07:00"}}, token=editor)
        expiring = saved["data"]["saveArticle"]["article"]["id"]
        assert (await gql(PUBLISH_ARTICLE, {"id": expiring}, token=editor)
                )["data"]["publishArticle"]["errors"] == []
        saved = await gql(SAVE_ARTICLE, {"input": {"title": {"id": "Pasar malam dibuka"}}},
                          token=editor)
        scheduled = saved["data"]["saveArticle"]["article"]["id"]
        assert (await gql(PUBLISH_ARTICLE, {"id": scheduled,
                                            "at": "2026-12-05T09:00:00+07:00"}, token=editor)
                )["data"]["publishArticle"]["errors"] == []
        assert titles(await gql(NEWS)) == ["Car free day Minggu"]
        assert titles(await gql(NEWS)) == ["Car free day Minggu"]  # from memory
    with frozen_at(datetime(2026, 12, 5, 9, 0, 10, tzinfo=WIB)):
        assert await publish_due() == 1  # the job, when the time has come
        assert titles(await gql(NEWS)) == ["Pasar malam dibuka", "Car free day Minggu"]
    with frozen_at(datetime(2026, 12, 5, 9, 59, 59, tzinfo=WIB)):
        assert titles(await gql(NEWS)) == ["Pasar malam dibuka", "Car free day Minggu"]
    # Expired at 10:00 with no event: the cached answer ends with it, so does the feed.
    with frozen_at(datetime(2026, 12, 5, 10, 0, tzinfo=WIB)):
        assert titles(await gql(NEWS)) == ["Pasar malam dibuka"]


async def test_feeds_have_etags_and_follow_changes(client, gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    for path in ("/feeds/news.atom", "/feeds/events.ics"):
        first = await client.get(path)
        assert first.status_code == 200
        assert first.headers["cache-control"].startswith("public")
        assert first.headers["vary"] == "Accept-Language"
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    before = await client.get("/feeds/news.atom")
    saved = await gql(SAVE_ARTICLE, {"input": {"title": {"id": "Jalan Panglima Sudirman "
                                                         "ditutup"}}}, token=editor)
    article = saved["data"]["saveArticle"]["article"]["id"]
    await gql(PUBLISH_ARTICLE, {"id": article}, token=editor)
    after = await client.get("/feeds/news.atom",
                             headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and b"Panglima Sudirman" in after.content


async def test_place_photos_are_the_editors_own_at_most_ten_and_public_once_published(
        client, gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    _, colleague = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    _, resident = await make_user(Role.CITIZEN)
    mine = [await upload_photo(client, editor, seed=s) for s in (1, 2)]
    theirs = await upload_photo(client, resident, seed=3)

    refused = await gql(SAVE_PLACE_PHOTOS, {"input": museum_angkut(photoIds=[mine[0], theirs])},
                        token=editor)
    assert refused["data"]["savePlace"] is not None, refused
    assert refused["data"]["savePlace"]["errors"] == [
        {"field": "photoIds", "code": "PHOTO_NOT_FOUND"}]
    too_many = await gql(SAVE_PLACE_PHOTOS, {"input": museum_angkut(photoIds=[mine[0]] * 11)},
                         token=editor)
    assert too_many["data"]["savePlace"]["errors"] == [
        {"field": "photoIds", "code": "TOO_MANY_ITEMS"}]

    saved = await gql(SAVE_PLACE_PHOTOS, {"input": museum_angkut(photoIds=mine)}, token=editor)
    assert saved["data"]["savePlace"]["errors"] == [], saved
    place_id = saved["data"]["savePlace"]["place"]["id"]
    # A colleague of the same SKPD edits it keeping the photos (not theirs) in a new order.
    kept = await gql(SAVE_PLACE_PHOTOS, {"input": museum_angkut(id=place_id,
                                                                photoIds=mine[::-1])},
                     token=colleague)
    assert kept["data"]["savePlace"]["errors"] == [], kept
    assert (await publish_place(gql, colleague, place_id))["errors"] == []
    with frozen_at(SATURDAY_NOON):
        body = await gql(PLACES, {"text": "museum"})
    photos = body["data"]["places"]["edges"][0]["node"]["photos"]
    assert len(photos) == 2
    assert all("/media/" in p["url"] and "signature" not in p["url"] for p in photos)


async def test_a_service_names_a_known_complaint_category(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    save = """mutation($input: PublicServiceInput!) { savePublicService(input: $input) {
      service { id } errors { field code } } }"""
    service = {"name": {"id": "Izin keramaian"}, "complaintCategoryCode": "jalan_berlubang"}
    refused = await gql(save, {"input": service}, token=editor)
    assert refused["data"]["savePublicService"] == {"service": None, "errors": [
        {"field": "complaintCategoryCode", "code": "UNKNOWN_COMPLAINT_CATEGORY"}]}
    accepted = await gql(save, {"input": {**service, "complaintCategoryCode": "kemacetan"}},
                         token=editor)
    assert accepted["data"]["savePublicService"]["errors"] == []
