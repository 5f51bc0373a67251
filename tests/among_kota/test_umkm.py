"""The UMKM directory (issue 13, item 6): an owner applies, the UMKM office (Diskumdag)
verifies or declines with a reason, and everyone finds verified businesses like places —
typo-tolerant text, near a point, by category — from the public-read cache."""

from __future__ import annotations

from typing import Any

import pytest

from among_kota.umkm import services as umkm
from among_kota.umkm.models import UmkmBusiness, UmkmProduct
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd
from tests.among_warga import test_public_reads
from tests.among_warga.test_complaints import upload_photo

# The app with its lifespan (event bus and read cache started), as a server runs it.
app, client, gql = test_public_reads.app, test_public_reads.client, test_public_reads.gql

APPLY = """mutation($input: UmkmInput!) { applyUmkm(input: $input) {
  business { id slug name application { status declineReason pendingChanges } }
  errors { field code message } } }"""
VERIFY = """mutation($id: ID!) { verifyUmkm(id: $id) {
  business { id application { status } } errors { field code } } }"""
DECLINE = """mutation($id: ID!, $reason: String!) { declineUmkm(id: $id, reason: $reason) {
  business { id application { status declineReason } } errors { field code } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawUmkm(id: $id) { business { id }
  errors { field code } } }"""
SEARCH = """query($text: String, $near: PointInput, $radiusKm: Float, $codes: [String!],
                 $first: Int) {
  umkm(text: $text, near: $near, radiusKm: $radiusKm, categoryCodes: $codes, first: $first) {
    totalCount edges { node { id slug name description ownerPublicName category { code name }
      address lat lon placeId distanceKm nib whatsappUrl demo verifiedAt
      products { name priceMin priceMax photo { url thumbnailUrl } }
      application { status } } } } }"""
ONE = """query($id: ID) { umkmBusiness(id: $id) { id name application { status
  declineReason } } }"""
PANDANREJO = {"lat": -7.8560, "lon": 112.5600}


@pytest.fixture(autouse=True)
async def umkm_office() -> None:
    await Skpd.get_or_create(code="diskumdag",
                             defaults={"name": "Dinas Koperasi, Usaha Mikro dan Perdagangan"})


def apple_chips(**overrides: Any) -> dict[str, Any]:
    business = {
        "name": {"id": "Keripik Apel Manalagi Bu Sri", "en": "Bu Sri's Manalagi Apple Chips"},
        "description": {"id": "Keripik apel **tanpa pengawet**.",
                        "en": "Apple chips **without preservatives**."},
        "ownerPublicName": "Bu Sri",
        "categoryCode": "agro_processing",
        "lat": -7.8571, "lon": 112.5612, "address": "Pandanrejo, Bumiaji",
        "nib": "9120 3012 3456 7",
        "whatsapp": "0812-3456-7890",
        "products": [{"name": {"id": "Keripik apel 100 g", "en": "Apple chips 100 g"},
                      "priceMin": 15000, "priceMax": 25000}],
    }
    business.update(overrides)
    return business


def names(body: dict) -> list[str]:
    assert "errors" not in body, body
    return [e["node"]["name"] for e in body["data"]["umkm"]["edges"]]


async def test_owner_applies_office_verifies_everyone_finds_it(app, gql, client, make_user):
    cache = app.state.services["read_cache"]
    owner, token = await make_user(Role.CITIZEN, name="Sri Wahyuni Rahasia")
    _, office = await make_user(Role.CONTENT_EDITOR, skpd="diskumdag")
    _, tourism = await make_user(Role.CONTENT_EDITOR, skpd="dispar")
    photo = await upload_photo(client, token)
    products = [{"name": {"id": "Keripik apel 100 g", "en": "Apple chips 100 g"},
                 "priceMin": 15000, "priceMax": 25000, "photoId": photo}]
    applied = (await gql(APPLY, {"input": apple_chips(products=products)}, token=token)
               )["data"]["applyUmkm"]
    assert applied["errors"] == []
    business_id = applied["business"]["id"]
    assert applied["business"]["application"]["status"] == "PENDING"

    # Not public before the office verifies it.
    assert names(await gql(SEARCH, {"text": "keripik apel"})) == []
    assert (await gql(ONE, {"id": business_id}))["data"]["umkmBusiness"] is None
    hits = cache.hits
    assert names(await gql(SEARCH, {"text": "keripik apel"})) == []
    assert cache.hits == hits + 1
    # Only the UMKM office decides.
    refused = (await gql(VERIFY, {"id": business_id}, token=tourism))["data"]["verifyUmkm"]
    assert refused["errors"] == [{"field": "id", "code": "NOT_YOUR_SKPD"}]
    refused = (await gql(VERIFY, {"id": business_id}, token=token))
    assert refused["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    verified = (await gql(VERIFY, {"id": business_id}, token=office))["data"]["verifyUmkm"]
    assert verified["errors"] == []

    # In the next anonymous read: a typo, English, near Pandanrejo, by category.
    found = await gql(SEARCH, {"text": "kripik manalgi", "near": PANDANREJO, "radiusKm": 2},
                      headers={"Accept-Language": "en"})
    assert names(found) == ["Bu Sri's Manalagi Apple Chips"]
    node = found["data"]["umkm"]["edges"][0]["node"]
    assert node["ownerPublicName"] == "Bu Sri" and node["category"]["code"] == "agro_processing"
    assert node["nib"] == "9120301234567"
    assert node["whatsappUrl"] == "https://wa.me/6281234567890"
    assert node["products"][0]["priceMin"] == 15000 and node["products"][0]["photo"]["url"]
    assert 0 < node["distanceKm"] < 0.3 and node["application"] is None and not node["demo"]
    assert names(await gql(SEARCH, {"codes": ["crafts"]})) == []
    assert names(await gql(SEARCH, {"codes": ["agro_processing"]})) == [
        "Keripik Apel Manalagi Bu Sri"]
    assert names(await gql(SEARCH, {"near": {"lat": -7.95, "lon": 112.59}, "radiusKm": 1})
                 ) == []

    # A verified owner's edits wait for the office; the public keeps the verified values.
    edited = (await gql(APPLY, {"input": apple_chips(
        id=business_id, name={"id": "Keripik Apel Bu Sri Baru"})}, token=token)
              )["data"]["applyUmkm"]
    assert edited["errors"] == []
    assert edited["business"]["application"]["pendingChanges"]
    assert names(await gql(SEARCH, {"text": "keripik"})) == ["Keripik Apel Manalagi Bu Sri"]
    declined = (await gql(DECLINE, {"id": business_id, "reason": "Nama tidak sesuai NIB."},
                          token=office))["data"]["declineUmkm"]
    assert declined["business"]["application"] == {"status": "VERIFIED",
                                                   "declineReason": "Nama tidak sesuai NIB."}
    assert names(await gql(SEARCH, {"text": "keripik"})) == ["Keripik Apel Manalagi Bu Sri"]

    # Withdrawn by its owner: gone from the directory.
    withdrawn = (await gql(WITHDRAW, {"id": business_id}, token=token))["data"]["withdrawUmkm"]
    assert withdrawn["errors"] == []
    assert names(await gql(SEARCH, {"text": "keripik"})) == []
    body = await gql(SEARCH, {"text": "keripik"}, headers={"Accept-Language": "en"})
    assert owner.name not in str(body) and owner.phone not in str(body)


async def test_a_declined_application_tells_the_owner_why_and_may_come_back(gql, make_user):
    _, token = await make_user(Role.CITIZEN)
    _, office = await make_user(Role.CONTENT_EDITOR, skpd="diskumdag")
    business_id = (await gql(APPLY, {"input": apple_chips()}, token=token)
                   )["data"]["applyUmkm"]["business"]["id"]
    empty = (await gql(DECLINE, {"id": business_id, "reason": "  "}, token=office)
             )["data"]["declineUmkm"]
    assert empty["errors"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    declined = (await gql(DECLINE, {"id": business_id, "reason": "Foto produk belum ada."},
                          token=office))["data"]["declineUmkm"]
    assert declined["errors"] == []
    again = (await gql(DECLINE, {"id": business_id, "reason": "Lagi."}, token=office)
             )["data"]["declineUmkm"]
    assert again["errors"] == [{"field": "id", "code": "ALREADY_DECIDED"}]
    own = (await gql(ONE, {"id": business_id}, token=token))["data"]["umkmBusiness"]
    assert own["application"] == {"status": "DECLINED", "declineReason": "Foto produk belum ada."}
    reapplied = (await gql(APPLY, {"input": apple_chips(id=business_id)}, token=token)
                 )["data"]["applyUmkm"]
    assert reapplied["business"]["application"]["status"] == "PENDING"
    _, stranger = await make_user(Role.CITIZEN)
    taken = (await gql(APPLY, {"input": apple_chips(id=business_id)}, token=stranger)
             )["data"]["applyUmkm"]
    assert taken["errors"] == [{"field": "id", "code": "NOT_YOUR_BUSINESS", "message": taken[
        "errors"][0]["message"]}]


async def test_bad_input_gets_codes_and_writes_nothing(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN)
    _, other = await make_user(Role.CITIZEN)
    someone_elses = await upload_photo(client, other)
    product = {"name": {"id": "Keripik"}, "priceMin": 25000, "priceMax": 15000}
    cases = [
        (dict(nib="12345"), "nib", "INVALID_NIB"),
        (dict(nib="91203012345678"), "nib", "INVALID_NIB"),
        (dict(whatsapp="12345"), "whatsapp", "INVALID_WHATSAPP"),
        (dict(whatsapp="+1 415 555 0100"), "whatsapp", "INVALID_WHATSAPP"),
        (dict(categoryCode="electronics"), "categoryCode", "UNKNOWN_CATEGORY"),
        (dict(lat=-7.98, lon=112.63), "lat", "OUTSIDE_MAP"),
        (dict(lat=None, lon=None), "placeId", "LOCATION_REQUIRED"),
        (dict(ownerPublicName=""), "ownerPublicName", "NAME_REQUIRED"),
        (dict(products=[product]), "products.0.priceMax", "INVALID_PRICE"),
        (dict(products=[{"name": {"id": "Keripik"}, "photoId": someone_elses}]),
         "products.photoId", "PHOTO_NOT_FOUND"),
    ]
    for overrides, field, code in cases:
        result = (await gql(APPLY, {"input": apple_chips(**overrides)}, token=token)
                  )["data"]["applyUmkm"]
        assert result["business"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)], overrides
    assert await UmkmBusiness.all().count() == 0 and await UmkmProduct.all().count() == 0
    for variables, reason in (({"codes": ["electronics"]}, "unknown_category"),
                              ({"near": PANDANREJO, "radiusKm": 500}, "invalid_radius")):
        body = await gql(SEARCH, variables)
        assert body["errors"][0]["extensions"]["reason"] == reason


STATEMENTS: dict[tuple[int, bool], int] = {}


@pytest.mark.parametrize("rows", [2, 50])
async def test_statements_per_page_do_not_grow_with_the_businesses(rows, gql, make_user,
                                                                   count_queries):
    owner = await accounts.principal_for(await accounts.create_user(
        name="Pemilik", phone=f"+628129911{rows:04d}", password="kata-sandi-uji",
        roles=[Role.CITIZEN]))
    office = await accounts.principal_for(await accounts.create_user(
        name="Diskumdag", phone=f"+628129922{rows:04d}", password="kata-sandi-uji",
        roles=[Role.CONTENT_EDITOR], skpd_code="diskumdag"))
    for i in range(rows):
        content = await umkm.clean_business({
            "name": {"id": f"Keripik Apel {i:03d}"}, "owner_public_name": f"Bu {i}",
            "category_code": "souvenirs", "lat": -7.8571 + (i % 10) * 0.001,
            "lon": 112.5612 + (i // 10) * 0.001,
            "products": [{"name": {"id": "Keripik"}, "price_min": 10000},
                         {"name": {"id": "Dodol"}, "price_min": 20000}]}, owner_id=owner.user.id)
        business = await umkm.apply(owner, None, content)
        await umkm.verify(office, business.id)
    _, token = await make_user(Role.CITIZEN)  # signed in: never from the cache
    for near in (False, True):
        variables = {"first": 100, "text": "keripik", **({"near": PANDANREJO} if near else {})}
        await gql(SEARCH, variables, token=token)
        with count_queries() as queries:
            body = await gql(SEARCH, variables, token=token)
        assert len(names(body)) == rows
        STATEMENTS[(rows, near)] = len(queries)
        print(f"umkm(text{', near' if near else ''}), {rows} rows: {len(queries)} statements")
    if len(STATEMENTS) == 4:
        assert STATEMENTS[(2, False)] == STATEMENTS[(50, False)], STATEMENTS
        assert STATEMENTS[(2, True)] == STATEMENTS[(50, True)], STATEMENTS


async def test_an_erased_owner_s_business_leaves_the_directory(app, gql, make_user):
    owner, token = await make_user(Role.CITIZEN)
    _, office = await make_user(Role.CONTENT_EDITOR, skpd="diskumdag")
    business_id = (await gql(APPLY, {"input": apple_chips()}, token=token)
                   )["data"]["applyUmkm"]["business"]["id"]
    assert (await gql(VERIFY, {"id": business_id}, token=office))["data"]["verifyUmkm"][
        "errors"] == []
    mine = await gql("query { myData }", token=token)
    assert "6281234567890" in str(mine)  # their WhatsApp number is theirs: in myData
    assert names(await gql(SEARCH, {"text": "keripik"})) == ["Keripik Apel Manalagi Bu Sri"]
    deleted = await gql("mutation($p: String) { deleteMyAccount(password: $p) { ok } }",
                        {"p": "kata-sandi-uji"}, token=token)
    assert deleted["data"]["deleteMyAccount"]["ok"] is True, deleted
    assert names(await gql(SEARCH, {"text": "keripik"})) == []
    row = await UmkmBusiness.get(id=int(business_id))
    assert (row.owner_id, row.whatsapp, row.owner_public_name) == (None, None, "")
