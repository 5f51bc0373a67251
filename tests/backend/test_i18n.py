"""Bilingual text: Indonesian by default, English with Accept-Language: en — and Indonesian
again wherever an English text is missing, never a blank."""

from __future__ import annotations

import graphene
import pytest

from among_warga.categories import seed_categories
from among_warga.models import ComplaintCategory
from backend.i18n import Text, bilingual_field, localized, preferred_language
from tests.backend.schema_app import serve_schema


@pytest.mark.parametrize("header, language", [
    (None, "id"), ("", "id"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("id-ID", "id"),
    ("in", "id"), ("fr-FR, en;q=0.5", "en"), ("id, en", "id"), ("de", "id"), ("EN-gb", "en"),
])
def test_the_language_a_request_asks_for(header, language):
    assert preferred_language(header) == language


def test_text_falls_back_to_indonesian():
    assert Text("Apel", "Apple").for_language("en") == "Apple"
    assert Text("Apel", "Apple").for_language("id") == "Apel"
    assert Text("Apel").for_language("en") == "Apel"
    assert Text("Apel", "").for_language("en") == "Apel"
    row = {"name_id": "Sampah", "name_en": None}
    assert localized(row, "name", "en") == "Sampah"


CATEGORIES = "{ complaintCategories { code name description nameId nameEn } }"


async def test_category_names_follow_accept_language(gql):
    await seed_categories()
    await ComplaintCategory.filter(code="sampah").update(description_en="")
    await ComplaintCategory.filter(code="pju").update(name_en="")
    by_code = {}
    for language in ("id", "en"):
        body = await gql(CATEGORIES, headers={"Accept-Language": language})
        by_code[language] = {c["code"]: c for c in body["data"]["complaintCategories"]}
    road_id, road_en = by_code["id"]["jalan_rusak"], by_code["en"]["jalan_rusak"]
    assert road_id["name"] == "Jalan Rusak" and road_en["name"] == road_en["nameEn"] != "Jalan Rusak"
    assert road_en["description"] and road_en["description"] != road_id["description"]
    # No English text: the Indonesian one, not an empty string.
    assert by_code["en"]["sampah"]["description"] == by_code["id"]["sampah"]["description"] != ""
    assert by_code["en"]["pju"]["name"] == by_code["id"]["pju"]["name"] == \
        by_code["en"]["pju"]["nameId"]


class Commodity:
    def __init__(self) -> None:
        self.label = Text("Jeruk Batu 55", "Batu 55 orange")
        self.unit_id, self.unit_en = "kilogram", None


class CommodityType(graphene.ObjectType):
    label = bilingual_field(required=True)
    unit = bilingual_field(required=True)
    shelf = bilingual_field("label", description="The label again, for a shelf.")


class CommodityQuery(graphene.ObjectType):
    commodity = graphene.Field(CommodityType, required=True)

    @staticmethod
    def resolve_commodity(root, info):
        return Commodity()


async def test_a_bilingual_field_reads_a_text_or_a_column_pair(settings):
    async with serve_schema(settings, CommodityQuery) as gql:
        query = "{ commodity { label unit shelf } }"
        assert (await gql(query))["data"]["commodity"] == {
            "label": "Jeruk Batu 55", "unit": "kilogram", "shelf": "Jeruk Batu 55"}
        assert (await gql(query, headers={"Accept-Language": "en"}))["data"]["commodity"] == {
            "label": "Batu 55 orange", "unit": "kilogram", "shelf": "Batu 55 orange"}
