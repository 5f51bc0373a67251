"""Public reads from the cache (backend/read_cache.py) as the complaints domain declares them:
anonymous answers come from memory, are never stale, and are never what a signed-in caller
gets; public GET answers carry an ETag and answer If-None-Match with 304."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.accounts.models import Role
from backend.app import create_app
from tests.among_warga.test_complaints import (
    BATU_BBOX,
    batu,  # noqa: F401 (fixture: areas and categories)
    submit,
    upload_photo,
)
from tests.conftest import GraphQL

MAP = """query($bbox: BboxInput!, $statuses: [ComplaintStatus!]) {
  publicComplaints(bbox: $bbox, statuses: $statuses, first: 50) {
    edges { node { ticketNumber status lat lon reporterName supportCount
                   category { code name } } } } }"""
FEED = "/feeds/complaints.geojson"
BBOX_PARAM = "-7.95,112.45,-7.75,112.60"


@pytest.fixture
async def app(settings):
    """The app with its lifespan (event bus and read cache started), as a server runs it."""
    app = create_app(settings, manage_db=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def gql(client) -> GraphQL:
    return GraphQL(client)


def tickets(body: dict) -> list[str]:
    assert "errors" not in body, body
    return [e["node"]["ticketNumber"] for e in body["data"]["publicComplaints"]["edges"]]


async def test_anonymous_reads_come_from_memory_and_follow_every_change(
        app, gql, client, make_user, count_queries):
    cache = app.state.services["read_cache"]
    _, token = await make_user(Role.CITIZEN, name="Pelapor Peta")
    _, operator = await make_user(Role.OPERATOR)
    photo = await upload_photo(client, token)
    first = (await submit(gql, token, photo_ids=[photo]))["complaint"]["ticketNumber"]
    open_only = {"bbox": BATU_BBOX, "statuses": ["SUBMITTED"]}

    assert tickets(await gql(MAP, open_only)) == [first]
    hits = cache.hits
    with count_queries() as queries:
        assert tickets(await gql(MAP, open_only)) == [first]
    assert cache.hits == hits + 1
    assert len(queries) == 1, queries.statements  # the event log's head, nothing else

    # A new complaint: in the very next anonymous read (no waiting for a wake-up).
    second = (await submit(gql, token, photo_ids=[photo]))["complaint"]["ticketNumber"]
    assert tickets(await gql(MAP, open_only)) == [second, first]

    # Rejected: gone from the open list at once.
    complaint_id = (await gql("query($t: String) { complaint(ticketNumber: $t) { id } }",
                              {"t": second}, token=token))["data"]["complaint"]["id"]
    rejected = await gql('mutation($id: ID!) { rejectComplaint(id: $id, reason: "Bukan '
                         'wewenang kota.") { errors { code } } }', {"id": complaint_id},
                         token=operator)
    assert rejected["data"]["rejectComplaint"]["errors"] == []
    assert tickets(await gql(MAP, open_only)) == [first]

    # A CONFIDENTIAL report never appears; the list stays as it was.
    await submit(gql, token, photo_ids=[photo], visibility="CONFIDENTIAL")
    assert tickets(await gql(MAP, open_only)) == [first]

    # "Me too" changes a number shown on the card.
    _, neighbour = await make_user(Role.CITIZEN)
    first_id = (await gql("query($t: String) { complaint(ticketNumber: $t) { id } }",
                          {"t": first}, token=token))["data"]["complaint"]["id"]
    supported = await gql("mutation($id: ID!) { supportComplaint(id: $id) { errors { code } } }",
                          {"id": first_id}, token=neighbour)
    assert supported["data"]["supportComplaint"]["errors"] == []
    node = (await gql(MAP, open_only))["data"]["publicComplaints"]["edges"][0]["node"]
    assert node["supportCount"] == 1


async def test_a_signed_in_caller_never_gets_the_anonymous_answer(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN, name="Pelapor Sensitif")
    photo = await upload_photo(client, token)
    exact = (-7.87137, 112.52693)
    await submit(gql, token, photo_ids=[photo], visibility="ANONYMOUS",
                 categoryCode="narkoba", at=exact)
    for _ in range(2):  # the second one from memory
        anonymous = (await gql(MAP, {"bbox": BATU_BBOX}))["data"]["publicComplaints"]
        card = anonymous["edges"][0]["node"]
        assert (card["lat"], card["lon"]) == (-7.871, 112.527)
        assert card["reporterName"] is None
    # The reporter sees their own report exactly, with their name: their own answer.
    own = (await gql(MAP, {"bbox": BATU_BBOX}, token=token))["data"]["publicComplaints"]
    card = own["edges"][0]["node"]
    assert (card["lat"], card["lon"]) == exact
    assert card["reporterName"] == "Pelapor Sensitif"
    # A bad token is not anonymous either: never an answer from memory.
    response = await client.post("/graphql", json={"query": MAP, "variables": {
        "bbox": BATU_BBOX}}, headers={"Authorization": "Bearer not-a-token"})
    assert "etag" not in response.headers


async def test_same_query_differently_spelled_shares_an_entry_per_language(app, gql):
    cache = app.state.services["read_cache"]
    spaced = "query  {\n  complaintCategories { code name }  # categories\n}"
    compact = "{ complaintCategories { code name } }"
    indonesian = await gql(spaced)
    before = cache.hits
    assert await gql(compact) == indonesian
    assert cache.hits == before + 1
    english = await gql(compact, headers={"Accept-Language": "en"})
    assert cache.hits == before + 1  # another language, another answer
    assert english != indonesian


async def test_a_category_saved_by_an_admin_shows_at_once(gql, make_user):
    _, admin = await make_user(Role.ADMIN)
    query = "{ complaintCategories { code name } }"
    names = {c["code"]: c["name"] for c in (await gql(query))["data"]["complaintCategories"]}
    assert "Sampah Menumpuk" != names["sampah"]
    saved = await gql("""mutation($i: ComplaintCategoryInput!) {
        saveComplaintCategory(input: $i) { errors { code } } }""",
                      {"i": {"code": "sampah", "nameId": "Sampah Menumpuk"}}, token=admin)
    assert saved["data"]["saveComplaintCategory"]["errors"] == []
    names = {c["code"]: c["name"] for c in (await gql(query))["data"]["complaintCategories"]}
    assert names["sampah"] == "Sampah Menumpuk"


async def test_public_get_answers_carry_an_etag_and_answer_304(gql, client, make_user):
    query = "{ complaintCategories { code } }"
    first = await client.get("/graphql", params={"query": query})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = await client.get("/graphql", params={"query": query},
                             headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    # Signed in: their own answer, not for a shared cache.
    _, token = await make_user(Role.CITIZEN)
    mine = await client.get("/graphql", params={"query": query},
                            headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200 and "etag" not in mine.headers
    assert mine.headers["cache-control"] == "private, no-store"


async def test_the_feed_is_cached_revalidated_and_follows_new_complaints(
        gql, client, make_user):
    _, token = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, token)
    await submit(gql, token, photo_ids=[photo])
    first = await client.get(FEED, params={"bbox": BBOX_PARAM})
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/geo+json")
    assert len(first.json()["features"]) == 1
    etag = first.headers["etag"]
    unchanged = await client.get(FEED, params={"bbox": BBOX_PARAM},
                                 headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    await submit(gql, token, photo_ids=[photo])
    changed = await client.get(FEED, params={"bbox": BBOX_PARAM},
                               headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(json.loads(changed.content)["features"]) == 2
    # Refusals are not cached and say so.
    refused = await client.get(FEED, params={"bbox": "x"})
    assert refused.status_code == 400 and "etag" not in refused.headers


async def test_a_reporter_who_erases_their_account_leaves_the_cached_map_at_once(
        gql, client, make_user):
    _, token = await make_user(Role.CITIZEN, name="Pelapor Yang Pergi")
    photo = await upload_photo(client, token)
    await submit(gql, token, photo_ids=[photo], visibility="PUBLIC")
    for _ in range(2):  # the second answer from memory
        card = (await gql(MAP, {"bbox": BATU_BBOX}))["data"]["publicComplaints"]["edges"][0]
        assert card["node"]["reporterName"] == "Pelapor Yang Pergi"
    deleted = await gql('mutation { deleteMyAccount(password: "kata-sandi-uji") { ok '
                        "errors { code } } }", token=token)
    assert deleted["data"]["deleteMyAccount"]["errors"] == []
    card = (await gql(MAP, {"bbox": BATU_BBOX}))["data"]["publicComplaints"]["edges"][0]
    assert card["node"]["reporterName"] is None


async def test_a_reporter_who_renames_themselves_shows_the_new_name_on_the_cached_map(
        gql, client, make_user):
    # A rename records account.renamed, which the map declares among what changes it: the
    # cached answer (second read) is dropped, not kept until it ages out.
    _, token = await make_user(Role.CITIZEN, name="Nama Lama")
    photo = await upload_photo(client, token)
    await submit(gql, token, photo_ids=[photo], visibility="PUBLIC")
    for _ in range(2):
        card = (await gql(MAP, {"bbox": BATU_BBOX}))["data"]["publicComplaints"]["edges"][0]
        assert card["node"]["reporterName"] == "Nama Lama"
    renamed = await gql('mutation { updateMyProfile(input: {name: "Nama Baru"}) '
                        "{ errors { code } } }", token=token)
    assert renamed["data"]["updateMyProfile"]["errors"] == []
    card = (await gql(MAP, {"bbox": BATU_BBOX}))["data"]["publicComplaints"]["edges"][0]
    assert card["node"]["reporterName"] == "Nama Baru"
