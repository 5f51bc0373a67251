"""The farm registry: parcels (polygon or point + area), plantings, harvests; the PPL entering
them for a farmer; who may see them; the public outlook as village aggregates."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from among_tani.farming.models import Parcel
from backend.accounts.models import Role
from tests.among_tani.farming.conftest import (
    ADD_PARCEL,
    OUTLOOK,
    RECORD_HARVEST,
    SIDOMULYO,
    TULUNGREJO,
    square,
)


def walk(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


def codes(payload) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_farmer_registers_a_polygon_parcel_and_bad_shapes_are_refused(tani, farm):
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    ok = await farm.parcel(token, name="Kebun krisan", geometry=json.dumps(square(*SIDOMULYO)))
    assert ok["errors"] == [], ok
    parcel = ok["parcel"]
    assert parcel["village"]["code"] == "batu-sidomulyo"
    assert 1.1 < float(parcel["areaHa"]) < 1.3  # ~110 m × 110 m at 7.86° S
    assert json.loads(parcel["geometry"])["type"] == "Polygon"
    assert parcel["enteredBy"]["id"] == parcel["farmer"]["id"]

    bowtie = {"type": "Polygon", "coordinates": [[
        [112.535, -7.858], [112.536, -7.859], [112.536, -7.858], [112.535, -7.859],
        [112.535, -7.858]]]}
    outside = square(-7.60, 112.70)
    cases = [
        ({"geometry": json.dumps(bowtie)}, "SELF_INTERSECTING"),
        ({"geometry": json.dumps(outside)}, "OUTSIDE_CITY"),
        ({"geometry": json.dumps({"type": "Point", "coordinates": [112.5, -7.8]})},
         "INVALID_GEOMETRY"),
        ({"geometry": json.dumps(square(*SIDOMULYO)), "areaHa": "2.0"}, "AREA_MISMATCH"),
        ({"lat": SIDOMULYO[0], "lon": SIDOMULYO[1]}, "INVALID_AREA"),
        ({"lat": -7.6, "lon": 112.7, "areaHa": "0.5"}, "OUTSIDE_CITY"),
        ({}, "LOCATION_REQUIRED"),
    ]
    before = await Parcel.all().count()
    for data, code in cases:
        refused = await farm.parcel(token, **data)
        assert refused["parcel"] is None and codes(refused) == [code], (data, refused)
    assert await Parcel.all().count() == before
    # Within 20 % is fine; a point with an area too.
    near = await farm.parcel(token, geometry=json.dumps(square(*SIDOMULYO)), areaHa="1.3")
    assert near["errors"] == []
    point = await farm.parcel(token, lat=SIDOMULYO[0], lon=SIDOMULYO[1], areaHa="0.25",
                              tenure="SHARE_CROP")
    assert point["errors"] == [] and point["parcel"]["geometry"] is None
    assert point["parcel"]["tenure"] == "SHARE_CROP"


async def test_ppl_keeps_records_for_a_farmer_and_only_the_right_people_see_them(
        tani, farm, gql, make_user):
    officer, officer_token = await tani.officer("batu-sidomulyo", name="PPL Sidomulyo")
    _, other_officer = await tani.officer("bumiaji-tulungrejo", name="PPL Tulungrejo")
    farmer, farmer_token = await tani.farmer(village="batu-sidomulyo", name="Pak Sarmin",
                                             commodities=("krisan",))
    added = await farm.parcel(officer_token, farmerId=str(farmer.id), name="Lahan Pak Sarmin",
                              geometry=json.dumps(square(*SIDOMULYO)))
    assert added["errors"] == [], added
    parcel = added["parcel"]
    assert parcel["farmer"]["id"] == str(farmer.id)
    assert parcel["enteredBy"] == {"id": str(officer.id), "name": "PPL Sidomulyo"}

    # An officer of another village may not enter records here.
    refused = await farm.parcel(other_officer, farmerId=str(farmer.id),
                                geometry=json.dumps(square(*SIDOMULYO)))
    assert codes(refused) == ["OUTSIDE_OFFICER_VILLAGES"]

    today = date.today()
    planting = await farm.planting(
        officer_token, parcelId=parcel["id"], commodityCode="krisan", variety="Puspita Nusantara",
        areaHa="1.0", plantedOn=str(today - timedelta(days=60)),
        expectedHarvestOn=str(today + timedelta(days=14)), expectedYield="40000",
        yieldUnit="tangkai")
    assert planting["errors"] == [], planting
    assert planting["planting"]["enteredBy"]["id"] == str(officer.id)

    bad = [
        ({"areaHa": "5"}, "PLANTING_LARGER_THAN_PARCEL"),
        ({"commodityCode": "durian"}, "UNKNOWN_COMMODITY"),
        ({"yieldUnit": "liter"}, "UNIT_NOT_ALLOWED"),
        ({"expectedHarvestOn": str(today - timedelta(days=90))}, "INVALID_DATES"),
    ]
    for change, code in bad:
        data = {"parcelId": parcel["id"], "commodityCode": "krisan", "areaHa": "0.5",
                "plantedOn": str(today - timedelta(days=60)),
                "expectedHarvestOn": str(today + timedelta(days=14)),
                "expectedYield": "100", "yieldUnit": "tangkai", **change}
        refused = await farm.planting(farmer_token, **data)
        assert code in codes(refused), (change, refused)

    early = await gql(RECORD_HARVEST, {"i": {
        "plantingId": planting["planting"]["id"], "quantity": "100", "unit": "tangkai",
        "harvestedOn": str(today - timedelta(days=61))}}, token=farmer_token)
    assert codes(early["data"]["recordHarvest"]) == ["HARVEST_BEFORE_PLANTING"]
    harvested = await gql(RECORD_HARVEST, {"i": {
        "plantingId": planting["planting"]["id"], "quantity": "1200", "unit": "tangkai",
        "grade": "A", "harvestedOn": str(today)}}, token=farmer_token)
    assert harvested["data"]["recordHarvest"]["errors"] == []

    # Who sees the parcel: the farmer, the village PPL, distan — not the other PPL, not a
    # neighbour, not an anonymous caller.
    query = "query($id: ID!) { parcel(id: $id) { id name geometry } }"
    _, distan = await tani.distan_admin()
    _, neighbour = await tani.farmer(village="batu-sidomulyo", name="Tetangga")
    for token, sees in ((farmer_token, True), (officer_token, True), (distan, True),
                        (other_officer, False), (neighbour, False)):
        body = await gql(query, {"id": parcel["id"]}, token=token)
        assert (body["data"]["parcel"] is not None) == sees, (token, body)
    listed = await gql("{ parcels { totalCount edges { node { id farmer { name } } } } }",
                       token=other_officer)
    assert listed["data"]["parcels"]["totalCount"] == 0
    listed = await gql("{ parcels { totalCount edges { node { id farmer { name } } } } }",
                       token=officer_token)
    assert listed["data"]["parcels"]["totalCount"] == 1
    mine = await gql("{ myParcels { edges { node { id plantings { harvests { quantity } } } } } }",
                     token=farmer_token)
    edges = mine["data"]["myParcels"]["edges"]
    assert edges[0]["node"]["plantings"][0]["harvests"] == [{"quantity": "1200"}]

    # Everyone else: the outlook as a village aggregate, with no geometry and no name.
    for viewer in (None, neighbour):
        body = await gql(OUTLOOK, {"c": "krisan", "w": 12}, token=viewer)
        assert "errors" not in body, body
        entries = body["data"]["harvestOutlook"]["entries"]
        assert [(e["villageCode"], e["expectedQuantity"], e["unit"]) for e in entries] == [
            ("batu-sidomulyo", "40000", "tangkai")]
        text = json.dumps(body)
        assert "Sarmin" not in text and "Polygon" not in text
        ring = square(*SIDOMULYO)["coordinates"][0]
        for value in walk(body):
            assert value not in (farmer.name, farmer.phone)
            assert not (isinstance(value, float) and any(value in p for p in ring))


async def test_parcel_lists_cost_the_same_statements_for_2_or_50(
        tani, farm, gql, count_queries):
    officer, officer_token = await tani.officer("bumiaji-tulungrejo")
    farmer, token = await tani.farmer()
    first = await farm.parcel(token, lat=TULUNGREJO[0], lon=TULUNGREJO[1], areaHa="1")
    parcel_id = int(first["parcel"]["id"])
    query = """{ parcels(first: 100) { edges { node { id name village { code } farmer { name }
        enteredBy { name } plantings { commodityCode harvests { quantity } } } } } }"""

    async def statements(n: int) -> int:
        have = await Parcel.all().count()
        base = await Parcel.get(id=parcel_id)
        for i in range(n - have):
            await Parcel.create(farmer_id=farmer.id, name=f"P{i}", lat=base.lat, lon=base.lon,
                                area_ha=base.area_ha, tenure=base.tenure,
                                village_id=base.village_id, entered_by_id=officer.id)
        with count_queries() as queries:
            body = await gql(query, token=officer_token)
        assert len(body["data"]["parcels"]["edges"]) == n
        return len(queries)

    assert await statements(2) == await statements(50)


async def test_roles_are_checked(gql, make_user, batu):
    _, citizen = await make_user(Role.CITIZEN)
    body = await gql(ADD_PARCEL, {"i": {"name": "x", "tenure": "OWN"}}, token=citizen)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_overlong_codes_are_bad_input_not_internal_errors(gql, tani):
    _, token = await tani.farmer()
    long = "x" * 200
    outlook = await gql("query($c: String) { harvestOutlook(commodityCode: $c) { weeks } }",
                        {"c": long})
    assert outlook["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    _, ppl = await tani.officer("batu-sidomulyo")
    parcels = await gql("query($v: String) { parcels(villageCode: $v) { totalCount } }",
                        {"v": long}, token=ppl)
    assert parcels["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    asked = await gql("""mutation($c: String!) { askCropQuestion(input: {clientRequestId:
        "abcdefgh1234", commodityCode: $c, problemType: PEST, lat: -7.85, lon: 112.53,
        description: "Daun menguning semua."}) { errors { code } } }""", {"c": long},
                      token=token)
    assert asked["data"]["askCropQuestion"]["errors"][0]["code"] == "UNKNOWN_COMMODITY"
