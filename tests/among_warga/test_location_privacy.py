"""Hidden locations stay hidden: the attacks that recovered the exact spot of a sensitive
(Narkoba) report — trilaterating `similarComplaints` distances, shrinking the bbox of
`publicComplaints` or of the GeoJSON feed — learn nothing finer than the 0.001° grid.

The strongest form of the check: move the report's exact spot to another place in the same
grid cell, replay the attack, and every answer is byte for byte the same — the public
answers depend on the grid point only. Runs on SQLite and on PostGIS (spatial-contract
style: real spatial indexes, real queries over HTTP)."""

from __future__ import annotations

import math

import pytest

from among_warga.categories import seed_categories
from among_warga.models import Complaint, ComplaintCategory
from among_warga.spatial import follow_category_flag
from backend.accounts.models import Role
from backend.geo.geodesy import geodesic_distance_m
from backend.geo.services import load_demo_areas
from tests.among_warga.test_complaints import submit, upload_photo

GRID = (-7.871, 112.527)  # the cell's public point
SPOT = (-7.87144, 112.52744)  # ~69 m from the grid point
SAME_CELL = (-7.87061, 112.52662)  # elsewhere in the same cell, ~60 m the other way

SIMILAR = """query($lat: Float!, $lon: Float!) {
  similarComplaints(categoryCode: "narkoba", lat: $lat, lon: $lon, radiusMeters: 500) {
    distanceMeters complaint { id ticketNumber lat lon } } }"""
COUNT = """query($bbox: BboxInput!, $codes: [String!]) {
  publicComplaints(bbox: $bbox, categoryCodes: $codes) { totalCount edges { node { lat lon } } } }"""
M_PER_DEG_LAT = 110_590.0
M_PER_DEG_LON = 110_320.0 * math.cos(math.radians(7.871))


@pytest.fixture(autouse=True)
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


async def report(gql, client, make_user, at, category="narkoba", visibility="ANONYMOUS"):
    _, token = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, token)
    result = await submit(gql, token, photo_ids=[photo], at=at, categoryCode=category,
                          visibility=visibility)
    assert result["errors"] == [], result
    return result["complaint"]


async def move_within_cell(complaint_id: str, to: tuple[float, float]) -> None:
    # The reporter's exact spot changes; the public point (the cell's) stays.
    await Complaint.filter(id=int(complaint_id)).update(lat=to[0], lon=to[1])


def trilaterate(answers: list[tuple[tuple[float, float], float]]) -> tuple[float, float]:
    """Least squares on a local plane: the attacker's best estimate from the distances."""
    (lat0, lon0), _ = answers[0]

    def xy(point):
        return ((point[1] - lon0) * M_PER_DEG_LON, (point[0] - lat0) * M_PER_DEG_LAT)

    (x1, y1), d1 = xy(answers[0][0]), answers[0][1]
    rows = []
    for point, d in answers[1:]:
        x, y = xy(point)
        rows.append((2 * (x - x1), 2 * (y - y1), d1**2 - d**2 + x**2 - x1**2 + y**2 - y1**2))
    (a, b, e), (c, d_, f) = rows
    det = a * d_ - b * c
    x, y = (e * d_ - b * f) / det, (a * f - e * c) / det
    return (lat0 + y / M_PER_DEG_LAT, lon0 + x / M_PER_DEG_LON)


async def similar_attack(gql) -> tuple[list[dict], tuple[float, float]]:
    probes = [(GRID[0] + 0.002, GRID[1]), (GRID[0] - 0.001, GRID[1] + 0.002),
              (GRID[0] - 0.0015, GRID[1] - 0.0015)]
    bodies, answers = [], []
    for lat, lon in probes:  # anonymous, as the attacker
        body = await gql(SIMILAR, {"lat": lat, "lon": lon})
        assert "errors" not in body, body
        [hit] = body["data"]["similarComplaints"]
        bodies.append(body)
        answers.append(((lat, lon), hit["distanceMeters"]))
    return bodies, trilaterate(answers)


async def test_trilaterating_similar_complaints_finds_the_grid_point_only(
    gql, client, make_user
):
    drugs = await report(gql, client, make_user, SPOT)
    bodies, estimate = await similar_attack(gql)
    # The estimate lands on the public grid point, not on the reporter's spot …
    assert geodesic_distance_m(*estimate, *GRID) < 25
    assert geodesic_distance_m(*estimate, *SPOT) > 40
    # … and the answers do not depend on where in the cell the spot is.
    await move_within_cell(drugs["id"], SAME_CELL)
    again, _ = await similar_attack(gql)
    assert again == bodies
    # Distances are rounded to tens of metres for a sensitive category.
    assert all(b["data"]["similarComplaints"][0]["distanceMeters"] % 10 == 0 for b in bodies)


async def shrink(found) -> tuple[float, float, float, float]:
    """Binary search for the smallest box the report is still found in (22 halvings)."""
    south, west, north, east = -7.95, 112.45, -7.75, 112.60
    for step in range(22):
        if step % 2 == 0:
            middle = (south + north) / 2
            if await found((south, west, middle, east)):
                north = middle
            else:
                south = middle
        else:
            middle = (west + east) / 2
            if await found((south, west, north, middle)):
                east = middle
            else:
                west = middle
    return (south, west, north, east)


def bbox(box) -> dict[str, float]:
    return dict(zip(("south", "west", "north", "east"), box, strict=True))


async def test_a_shrinking_bbox_cannot_locate_finer_than_the_grid(gql, client, make_user):
    drugs = await report(gql, client, make_user, SPOT)

    async def in_public_complaints(box) -> bool:
        body = await gql(COUNT, {"bbox": bbox(box), "codes": ["narkoba"]})
        return body["data"]["publicComplaints"]["totalCount"] == 1

    async def in_feed(box) -> bool:
        response = await client.get("/feeds/complaints.geojson", params={
            "bbox": ",".join(map(str, box)), "categoryCodes": "narkoba"})
        assert response.status_code == 200, response.text
        return len(response.json()["features"]) == 1

    for found in (in_public_complaints, in_feed):
        await move_within_cell(drugs["id"], SPOT)
        first = await shrink(found)
        south, west, north, east = first
        assert south <= GRID[0] <= north and west <= GRID[1] <= east
        assert not (south <= SPOT[0] <= north and west <= SPOT[1] <= east)
        await move_within_cell(drugs["id"], SAME_CELL)
        assert await shrink(found) == first


async def test_the_same_search_does_find_ordinary_reports_exactly(gql, client, make_user):
    # The attack machinery works: on a non-sensitive category the exact spot is public and
    # the search converges on it.
    await report(gql, client, make_user, SPOT, category="sampah")

    async def found(box) -> bool:
        body = await gql(COUNT, {"bbox": bbox(box), "codes": ["sampah"]})
        return body["data"]["publicComplaints"]["totalCount"] == 1

    south, west, north, east = await shrink(found)
    assert south <= SPOT[0] <= north and west <= SPOT[1] <= east
    assert north - south < 0.0001 and east - west < 0.0001


SAVE_CATEGORY = """mutation($i: ComplaintCategoryInput!) {
  saveComplaintCategory(input: $i) { category { sensitiveLocation } errors { code } } }"""
CHANGE_CATEGORY = """mutation($id: ID!, $code: String!) {
  changeCategory(id: $id, categoryCode: $code) { errors { code } } }"""


async def public_points(gql, code: str) -> list[tuple[float, float]]:
    body = await gql(COUNT, {"bbox": bbox((-7.95, 112.45, -7.75, 112.60)), "codes": [code]})
    return [(e["node"]["lat"], e["node"]["lon"]) for e in body["data"]["publicComplaints"]["edges"]]


async def test_the_public_point_follows_the_category_flag_and_recategorisation(
    gql, client, make_user
):
    _, admin = await make_user(Role.ADMIN)
    lamp = await report(gql, client, make_user, SPOT, category="pju", visibility="PUBLIC")
    assert await public_points(gql, "pju") == [SPOT]

    flagged = await gql(SAVE_CATEGORY, {"i": {"code": "pju", "sensitiveLocation": True}},
                        token=admin)
    assert flagged["data"]["saveComplaintCategory"]["errors"] == []
    assert await public_points(gql, "pju") == [GRID]
    # Filters use the new point at once: a box around the exact spot alone finds nothing.
    tight = (SPOT[0] - 0.0001, SPOT[1] - 0.0001, SPOT[0] + 0.0001, SPOT[1] + 0.0001)
    body = await gql(COUNT, {"bbox": bbox(tight), "codes": ["pju"]})
    assert body["data"]["publicComplaints"]["totalCount"] == 0
    feed = (await client.get("/feeds/complaints.geojson",
                             params={"bbox": "-7.95,112.45,-7.75,112.60"})).json()
    assert feed["features"][0]["geometry"]["coordinates"] == [GRID[1], GRID[0]]

    await gql(SAVE_CATEGORY, {"i": {"code": "pju", "sensitiveLocation": False}}, token=admin)
    assert await public_points(gql, "pju") == [SPOT]

    # The command center moves a report into a sensitive category: coarse from then on.
    _, operator = await make_user(Role.OPERATOR)
    moved = await gql(CHANGE_CATEGORY, {"id": lamp["id"], "code": "narkoba"}, token=operator)
    assert moved["data"]["changeCategory"]["errors"] == []
    assert await public_points(gql, "narkoba") == [GRID]
    assert await public_points(gql, "pju") == []
    # Staff still see the exact spot.
    mine = await gql("query($id: ID) { complaint(id: $id) { lat lon } }", {"id": lamp["id"]},
                     token=operator)
    assert mine["data"]["complaint"] == {"lat": SPOT[0], "lon": SPOT[1]}


async def test_a_flag_changed_while_a_report_was_being_written_is_followed(
    gql, client, make_user
):
    # A submission computed its public point from the flag it read; an admin flipped the
    # flag before the row was written. The re-read after the write puts it right.
    lamp = await report(gql, client, make_user, SPOT, category="pju", visibility="PUBLIC")
    complaint = await Complaint.get(id=int(lamp["id"]))
    await ComplaintCategory.filter(code="pju").update(sensitive_location=True)
    await follow_category_flag(complaint, complaint.category_id, used=False)
    assert await public_points(gql, "pju") == [GRID]
    assert (complaint.public_lat, complaint.public_lon) == GRID
    await follow_category_flag(complaint, complaint.category_id, used=True)  # no change
    assert await public_points(gql, "pju") == [GRID]


async def test_a_complaint_written_another_way_still_gets_its_public_point(make_user):
    reporter, _ = await make_user(Role.CITIZEN)
    for code, expected in (("narkoba", GRID), ("sampah", SPOT)):
        category = await ComplaintCategory.get(code=code)
        complaint = await Complaint.create(
            ticket_number=f"IMPORT-{code}", reporter=reporter, category=category,
            description="Diimpor dari sistem lama.", lat=SPOT[0], lon=SPOT[1],
            client_request_id=f"import-{code}", request_fingerprint="-")
        stored = await Complaint.get(id=complaint.id)
        assert (stored.public_lat, stored.public_lon) == expected
