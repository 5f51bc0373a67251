from __future__ import annotations

import json
from datetime import datetime

from backend.accounts.models import Role
from backend.clock import WIB, frozen_at
from tests.among_kota.conftest import ALUN_ALUN, publish_places

PAGE = """query($near: PointInput, $sort: PlaceSort, $first: Int, $after: String,
                $openNow: Boolean, $text: String, $codes: [String!]) {
  places(near: $near, sort: $sort, first: $first, after: $after, openNow: $openNow,
         text: $text, categoryCodes: $codes) {
    pageInfo { hasNextPage endCursor }
    edges { node { id name distanceKm openNow categories { code name } phone
                   openingHours { periods { openDay } } editorial { status } } } } }"""


async def test_pages_follow_each_other_by_distance_and_by_name(gql):
    ids = await publish_places(25)
    for variables in ({"near": ALUN_ALUN}, {"sort": "NAME"}, {"near": ALUN_ALUN, "sort": "NAME"}):
        seen, after = [], None
        while True:
            body = await gql(PAGE, {**variables, "first": 7, "after": after})
            assert "errors" not in body, body
            page = body["data"]["places"]
            seen += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert sorted(int(n["id"]) for n in seen) == sorted(ids), variables
        if variables.get("sort") == "NAME":
            assert [n["name"] for n in seen] == sorted(n["name"] for n in seen)
        else:
            distances = [n["distanceKm"] for n in seen]
            assert distances == sorted(distances) and distances[0] == 0.0


async def test_a_list_costs_the_same_statements_for_2_or_50_places(gql, count_queries):
    await publish_places(50)
    # At noon in Batu every stall is open (08:00–22:00): full pages either way.
    with frozen_at(datetime(2026, 12, 5, 12, 0, tzinfo=WIB)):
        for variables in ({"near": ALUN_ALUN, "openNow": True, "text": "bakso",
                           "codes": ["culinary"]},
                          {"sort": "NAME", "openNow": True}):
            counts = []
            for first in (2, 50):
                with count_queries() as queries:
                    body = await gql(PAGE, {**variables, "first": first})
                assert "errors" not in body, body
                assert len(body["data"]["places"]["edges"]) == first
                counts.append(len(queries))
            assert counts[0] == counts[1], (variables, counts)
            # The page (two on PostgreSQL by distance), category codes, places, their
            # categories, "open now".
            assert counts[0] <= 6, counts


async def test_public_place_responses_carry_no_personal_data(gql, make_user):
    editor, token = await make_user(Role.CONTENT_EDITOR, skpd="dispar", name="Editor Rahasia")
    await publish_places(3)
    for query, variables in (
        (PAGE, {"near": ALUN_ALUN}),
        (PAGE, {"sort": "NAME", "text": "meatbal"}),
        ("query { placeCategories { code name groupCode } }", {}),
    ):
        for headers in ({}, {"Accept-Language": "en"}):
            body = await gql(query, variables, headers=headers)
            assert "errors" not in body, body
            text = json.dumps(body)
            # Editors' phones and names never appear; the editorial block is null.
            assert editor.phone not in text and editor.phone[3:] not in text
            assert "Editor" not in text
            assert '"editorial": {' not in text
