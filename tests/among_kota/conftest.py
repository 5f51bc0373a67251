from __future__ import annotations

from typing import Any

import pytest

from among_kota.categories import ensure_categories
from among_warga.categories import seed_categories as seed_complaint_categories
from backend.accounts.models import Skpd

SKPDS = (("dispar", "Dinas Pariwisata"), ("diskominfo", "Diskominfo"), ("dlh", "DLH"))

ALUN_ALUN = {"lat": -7.8714, "lon": 112.5269}
MUSEUM_ANGKUT = (-7.8789, 112.5196)

SAVE_PLACE = """
mutation($input: PlaceInput!) { savePlace(input: $input) {
  place { id slug name status: editorial { status revision pendingChanges } }
  errors { field code message } } }"""
PUBLISH_PLACE = """
mutation($id: ID!, $at: DateTime) { publishPlace(id: $id, at: $at) {
  place { id editorial { status publishAt revision } } errors { field code } } }"""


@pytest.fixture(autouse=True)
async def kota_reference_data() -> None:
    await ensure_categories()
    await seed_complaint_categories()  # a public service's complaint channel names one
    for code, name in SKPDS:
        await Skpd.get_or_create(code=code, defaults={"name": name})


def museum_angkut(**overrides: Any) -> dict[str, Any]:
    place = {
        "name": {"id": "Museum Angkut", "en": "Museum Angkut (transport museum)"},
        "description": {"id": "Museum **transportasi** terbesar di Asia Tenggara.",
                        "en": "South-East Asia's largest **transport** museum."},
        "address": "Jl. Terusan Sultan Agung No. 2, Ngaglik, Batu",
        "lat": MUSEUM_ANGKUT[0], "lon": MUSEUM_ANGKUT[1],
        "phone": "0341 595 0000",
        "website": "https://museumangkut.com",
        "categoryCodes": ["tourism"],
        "facilities": ["parkir", "toilet", "mushola"],
        "ticketPrices": [{"label": {"id": "Dewasa", "en": "Adult"}, "price": 120000}],
        "openingHours": {
            "periods": [{"openDay": day, "openTime": "12:00", "closeTime": "20:00"}
                        for day in ("TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")]
            + [{"openDay": day, "openTime": "11:00", "closeTime": "21:00"}
               for day in ("SATURDAY", "SUNDAY")],
        },
    }
    place.update(overrides)
    return place


async def save_place(gql, token: str, place: dict[str, Any]) -> dict[str, Any]:
    body = await gql(SAVE_PLACE, {"input": place}, token=token)
    assert "errors" not in body, body
    return body["data"]["savePlace"]


async def publish_place(gql, token: str, place_id: str, at: str | None = None
                        ) -> dict[str, Any]:
    body = await gql(PUBLISH_PLACE, {"id": place_id, "at": at}, token=token)
    assert "errors" not in body, body
    return body["data"]["publishPlace"]


async def publish_places(count: int, *, editor_skpd: str = "dispar",
                         hours: dict[str, Any] | None = None) -> list[int]:
    """``count`` published places around the Alun-alun, through the services."""
    from among_kota.content import services as editorial
    from among_kota.places.services import PLACES, clean_place
    from backend.accounts import services as accounts
    from backend.accounts.models import Role

    user = await accounts.create_user(
        name="Editor Massal", phone=f"+6281299{count:03d}{len(editor_skpd):03d}",
        password="kata-sandi-uji", roles=[Role.CONTENT_EDITOR], skpd_code=editor_skpd)
    principal = await accounts.principal_for(user)
    ids = []
    for i in range(count):
        content = await clean_place({
            "name": {"id": f"Warung Bakso {i:03d}", "en": f"Meatball Stall {i:03d}"},
            "lat": -7.8714 + (i % 10) * 0.001, "lon": 112.5269 + (i // 10) * 0.001,
            "category_codes": ["culinary"], "phone": "0341 590 000",
            "opening_hours": hours or {"periods": [
                {"openDay": d, "openTime": "08:00", "closeTime": "22:00"}
                for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                          "SATURDAY", "SUNDAY")]},
        }, item_id=None)
        place = await editorial.save_draft(PLACES, principal, None, content)
        await editorial.publish(PLACES, principal, place.id)
        ids.append(place.id)
    return ids
