from __future__ import annotations

from typing import Any

import pytest

from among_kota.categories import ensure_categories
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
