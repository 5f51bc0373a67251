"""One policy for bad input to a query: a malformed or unknown argument is a top-level
BAD_USER_INPUT error with the domain's code as ``reason`` and the argument as ``field``, its
message in the client's language, and ``null`` for the field; an HTTP feed answers 400 with
the same body."""

from __future__ import annotations

import graphene
import pytest

from among_warga.categories import seed_categories
from backend.errors import ErrorCode, ServiceError, messages
from backend.geo.services import load_demo_areas
from backend.graphql.core import guarded
from backend.permissions import PUBLIC
from tests.backend.schema_app import serve_schema
from tests.conftest import error_extensions


class ProbeCode(ErrorCode):
    UNKNOWN_VILLAGE = "unknown_village"


messages({ProbeCode.UNKNOWN_VILLAGE: ("Desa {name} tidak dikenal.", "Unknown village {name}.")})


class ProbeQuery(graphene.ObjectType):
    village = graphene.String(name=graphene.String(required=True))
    unguarded = graphene.String(name=graphene.String(required=True))
    other = graphene.String()

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_village(root, info, name):
        if name != "Punten":
            raise ServiceError(ProbeCode.UNKNOWN_VILLAGE, "name", name=name)
        return name

    @staticmethod
    async def resolve_unguarded(root, info, name):
        raise ServiceError(ProbeCode.UNKNOWN_VILLAGE, "name", name=name)

    @staticmethod
    def resolve_other(root, info):
        return "still answered"


async def test_a_refused_argument_is_coded_and_null(settings):
    async with serve_schema(settings, ProbeQuery) as gql:
        body = await gql('{ village(name: "Atlantis") other }')
        assert body["data"] == {"village": None, "other": "still answered"}
        [error] = body["errors"]
        assert error["message"] == "Desa Atlantis tidak dikenal."
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "unknown_village",
                                       "field": "name"}
        assert error["path"] == ["village"]
        english = await gql('{ village(name: "Atlantis") }',
                            headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert english["errors"][0]["message"] == "Unknown village Atlantis."
        assert (await gql('{ village(name: "Punten") }')) == {"data": {"village": "Punten"}}
        # A resolver that forgot guarded() still gives coded bad input, not an internal error.
        forgot = await gql('{ unguarded(name: "Atlantis") }')
        assert forgot["data"] == {"unguarded": None}
        assert forgot["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT", "reason": "unknown_village", "field": "name"}
        assert forgot["errors"][0]["message"] == "Desa Atlantis tidak dikenal."


@pytest.fixture
async def city() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


PUBLIC_LIST = """query($codes: [String!]) { publicComplaints(
    bbox: {south: -7.95, west: 112.45, north: -7.75, east: 112.60}, categoryCodes: $codes)
    { totalCount } }"""


@pytest.mark.parametrize("language", ["id", "en"])
async def test_the_feed_and_the_query_refuse_alike(city, gql, client, language):
    headers = {"Accept-Language": language}
    body = await gql(PUBLIC_LIST, {"codes": ["sampah", "hantu"]}, headers=headers)
    response = await client.get("/feeds/complaints.geojson", headers=headers, params={
        "bbox": "-7.95,112.45,-7.75,112.60", "categoryCodes": "sampah,hantu"})
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
    [feed_error] = response.json()["errors"]
    [query_error] = body["errors"]
    assert feed_error["message"] == query_error["message"]
    assert error_extensions(feed_error) == error_extensions(query_error)
    assert error_extensions(query_error) == {"code": "BAD_USER_INPUT",
                                         "reason": "unknown_category", "field": "categoryCodes"}
    assert "hantu" in query_error["message"]
    assert body["data"] is None  # publicComplaints is non-null: null propagates to data


async def test_similar_complaints_refuses_in_the_clients_language(city, gql):
    query = """{ similarComplaints(categoryCode: "hantu", lat: -7.87, lon: 112.52)
        { distanceMeters } }"""
    indonesian, english = await gql(query), await gql(query, headers={"Accept-Language": "en"})
    for body in (indonesian, english):
        assert body["errors"][0]["extensions"]["reason"] == "unknown_category"
        assert body["errors"][0]["extensions"]["field"] == "categoryCode"
    assert indonesian["errors"][0]["message"] != english["errors"][0]["message"]
