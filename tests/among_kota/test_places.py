from __future__ import annotations

import json
from datetime import datetime

from among_kota.content.services import publish_due
from among_kota.places.models import Place
from backend.accounts.models import Role
from backend.clock import WIB, frozen_at
from backend.events.models import DomainEvent
from tests.among_kota.conftest import ALUN_ALUN, museum_angkut, publish_place, save_place

PLACES = """
query($near: PointInput, $text: String, $openNow: Boolean, $codes: [String!], $sort: PlaceSort,
      $first: Int, $after: String, $radiusKm: Float) {
  places(near: $near, text: $text, openNow: $openNow, categoryCodes: $codes, sort: $sort,
         first: $first, after: $after, radiusKm: $radiusKm) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id slug name description descriptionHtml categories { code name }
                   lat lon distanceKm openNow locationApproximate phone
                   ticketPrices { label price }
                   openingHours { periods { openDay openTime closeDay closeTime }
                                  specialDays { date closed } closedOnHolidays }
                   editorial { status } } } } }"""

# Sunday 2026-12-06, 20:00 WIB.
SUNDAY_8PM = datetime(2026, 12, 6, 20, 0, tzinfo=WIB)
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=WIB)


async def test_an_editor_publishes_a_place_a_visitor_finds_it_in_english(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar", name="Editor Dispar")
    saved = await save_place(gql, editor, museum_angkut())
    assert saved["errors"] == [], saved
    place_id = saved["place"]["id"]
    assert saved["place"]["slug"] == "museum-angkut"
    assert saved["place"]["status"]["status"] == "DRAFT"

    # A draft is not public.
    body = await gql(PLACES, {"text": "museum angkut"})
    assert body["data"]["places"]["totalCount"] == 0

    # Scheduled for later; the job publishes it when the time comes.
    with frozen_at(datetime(2026, 12, 6, 8, 0, tzinfo=WIB)):
        scheduled = await publish_place(gql, editor, place_id, "2026-12-06T09:00:00+07:00")
        assert scheduled["errors"] == [], scheduled
        assert await publish_due() == 0
    with frozen_at(datetime(2026, 12, 6, 9, 0, 30, tzinfo=WIB)):
        assert await publish_due() == 1
        assert await publish_due() == 0
    assert [e.type for e in await DomainEvent.filter(subject_type="place")] == [
        "place.published"]

    # A visitor, in English, with a typo, near the Alun-alun, on Sunday at 20:00 WIB.
    with frozen_at(SUNDAY_8PM):
        body = await gql(PLACES, {"near": ALUN_ALUN, "text": "musem angkut", "openNow": True},
                         headers={"Accept-Language": "en"})
    assert "errors" not in body, body
    page = body["data"]["places"]
    assert page["totalCount"] == 1
    node = page["edges"][0]["node"]
    assert node["name"] == "Museum Angkut (transport museum)"
    assert node["openNow"] is True
    assert 0.9 < node["distanceKm"] < 1.3
    assert node["categories"] == [{"code": "tourism", "name": "Tourism"}]
    assert "<strong>transport</strong>" in node["descriptionHtml"]
    assert node["ticketPrices"] == [{"label": "Adult", "price": 120000}]
    assert node["editorial"] is None
    assert node["phone"] == "+623415950000"

    # Closed on Monday at noon; in Indonesian by default.
    with frozen_at(MONDAY_NOON):
        body = await gql(PLACES, {"text": "museum", "openNow": True})
        assert body["data"]["places"]["totalCount"] == 0
        body = await gql(PLACES, {"text": "museum", "openNow": False})
        node = body["data"]["places"]["edges"][0]["node"]
        assert node["name"] == "Museum Angkut" and node["openNow"] is False


async def test_edits_wait_for_publishing_and_revisions_roll_back(gql, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    place_id = (await save_place(gql, editor, museum_angkut()))["place"]["id"]
    assert (await publish_place(gql, editor, place_id))["errors"] == []
    edited = await save_place(gql, editor, museum_angkut(
        id=place_id, name={"id": "Museum Angkut Batu", "en": None}))
    assert edited["errors"] == []
    assert edited["place"]["name"] == "Museum Angkut"  # still the published name
    pending = json.loads(edited["place"]["status"]["pendingChanges"])
    assert pending["name"]["id"] == "Museum Angkut Batu"

    query = "query($id: ID) { place(id: $id) { name } }"
    assert (await gql(query, {"id": place_id}))["data"]["place"]["name"] == "Museum Angkut"
    assert (await publish_place(gql, editor, place_id))["errors"] == []
    assert (await gql(query, {"id": place_id}))["data"]["place"]["name"] == "Museum Angkut Batu"

    revisions = await gql("""query($id: ID) { place(id: $id) { editorial { revisions {
        number action author { name } changes { field before after } } } } }""",
                          {"id": place_id}, token=editor)
    history = revisions["data"]["place"]["editorial"]["revisions"]
    assert [r["action"] for r in history] == ["PUBLISHED", "SAVED", "PUBLISHED", "SAVED"]
    # (Values as JSON: PostgreSQL's jsonb keeps its own key order.)
    assert [{**c, "before": json.loads(c["before"]), "after": json.loads(c["after"])}
            for c in history[0]["changes"]] == [{
        "field": "name",
        "before": {"id": "Museum Angkut", "en": "Museum Angkut (transport museum)"},
        "after": {"id": "Museum Angkut Batu", "en": None}}]
    assert history[0]["author"]["name"] == "Pengguna Uji"

    rolled = await gql("""mutation($id: ID!) { rollbackPlace(id: $id, revision: 2) {
        place { name editorial { revision } } errors { code } } }""", {"id": place_id},
                       token=editor)
    assert rolled["data"]["rollbackPlace"]["errors"] == []
    assert rolled["data"]["rollbackPlace"]["place"]["name"] == "Museum Angkut"
    assert [e.type for e in await DomainEvent.filter(subject_type="place").order_by("id")] == [
        "place.published", "place.updated", "place.updated"]


async def test_editors_edit_only_their_skpd_but_diskominfo_and_admins_edit_anything(
        gql, make_user):
    _, dispar = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    _, dlh = await make_user(Role.CONTENT_EDITOR, skpd="dlh")
    _, kominfo = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    _, admin = await make_user(Role.ADMIN)
    _, citizen = await make_user(Role.CITIZEN)
    place_id = (await save_place(gql, dispar, museum_angkut()))["place"]["id"]

    refused = await save_place(gql, dlh, museum_angkut(id=place_id, address="Elsewhere"))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_YOUR_SKPD", "id")]
    refused = await publish_place(gql, dlh, place_id)
    assert [e["code"] for e in refused["errors"]] == ["NOT_YOUR_SKPD"]
    other = await save_place(gql, dlh, museum_angkut(skpdCode="dispar", slug="lain"))
    assert [(e["code"], e["field"]) for e in other["errors"]] == [
        ("NOT_YOUR_SKPD", "skpdCode")]
    no_skpd = await save_place(gql, admin, museum_angkut(slug="admin-place"))
    assert [e["code"] for e in no_skpd["errors"]] == ["SKPD_REQUIRED"]
    # A draft is invisible to other editors and to the public.
    assert (await gql("query($id: ID) { place(id: $id) { id } }", {"id": place_id},
                      token=dlh))["data"]["place"] is None

    for token in (kominfo, admin):
        ok = await save_place(gql, token, museum_angkut(id=place_id, address="Jl. Sultan Agung"))
        assert ok["errors"] == [], ok
    forbidden = await gql("""mutation($i: PlaceInput!) { savePlace(input: $i) { errors {
        code } } }""", {"i": museum_angkut()}, token=citizen)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Place.all().count() == 1
