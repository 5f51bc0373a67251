"""Who takes part in Among Tani: farmers apply and are verified by the extension officer of
their village (or distan), buyers by distan; officers' villages are data distan edits."""

from __future__ import annotations

import json

import pytest

from among_tani.registry.models import (
    Application,
    Commodity,
    FarmerProfile,
    OfficerVillage,
)
from backend.accounts.models import Role, UserRole
from tests.among_tani.conftest import APPLY_BUYER, ASSIGN

NIK = "3579011507800003"  # Kota Batu (35 79), born 15 July 1980
PUBLIC_FARMER = """query($id: ID!) { farmer(id: $id) { id displayName village { code name }
  farmerGroup commodities { code name } rating completedOrders memberSince verified
  phone nik nikLastDigits application { status } } }"""


async def test_commodities_are_data_with_units(gql, batu):
    body = await gql("{ commodities { code name group baseUnit units { unit factorToBase } } }")
    codes = {c["code"]: c for c in body["data"]["commodities"]}
    assert len(codes) >= 19
    apple = codes["apel_manalagi"]
    assert apple["group"] == "FRUIT" and apple["baseUnit"] == "KG"
    assert {"unit": "KUINTAL", "factorToBase": "100"} in apple["units"]
    assert {"unit": "BUAH", "factorToBase": None} in apple["units"]
    assert codes["susu_segar"]["baseUnit"] == "LITER"
    english = await gql("{ commodities(groups: [VEGETABLE]) { code name } }",
                        headers={"Accept-Language": "en"})
    names = {c["code"]: c["name"] for c in english["data"]["commodities"]}
    assert names["kentang"] == "Potato" and "apel_manalagi" not in names


async def test_farmer_verified_by_the_ppl_of_the_village(gql, tani, make_user):
    _, other_ppl = await tani.officer("batu-sidomulyo", name="PPL Sidomulyo")
    ppl_user, ppl = await tani.officer("bumiaji-tulungrejo", "bumiaji-punten",
                                       name="PPL Tulungrejo")
    farmer, token = await make_user(Role.CITIZEN, name="Pak Slamet")
    applied = await tani.apply_farmer(token, nik=NIK,
                                      commodityCodes=["apel_manalagi", "kentang"])
    assert applied["errors"] == []
    application = applied["application"]
    assert application["status"] == "PENDING"
    assert application["village"]["name"]

    # Not listed yet: the public does not see unverified farmers.
    profile = await FarmerProfile.get(user_id=farmer.id)
    assert (await gql(PUBLIC_FARMER, {"id": str(profile.id)}))["data"]["farmer"] is None

    # The officer of another village may not decide; the farmer may not decide alone.
    refused = await tani.review(other_ppl, application["id"])
    assert [e["code"] for e in refused["errors"]] == ["NOT_REVIEWER"]
    own = await tani.review(token, application["id"])
    assert [e["code"] for e in own["errors"]] == ["OWN_APPLICATION"]

    # The officer of Tulungrejo sees it waiting, with the NIK's last digits only.
    pending = await gql("""{ pendingApplications { totalCount edges { node { id applicantName
        farmer { nik nikLastDigits phone commodities { code } } } } } }""", token=ppl)
    node = pending["data"]["pendingApplications"]["edges"][0]["node"]
    assert pending["data"]["pendingApplications"]["totalCount"] == 1
    assert node["farmer"]["nik"] is None and node["farmer"]["nikLastDigits"] == "0003"
    assert node["farmer"]["phone"].startswith("+62")
    other = await gql("{ pendingApplications { totalCount } }", token=other_ppl)
    assert other["data"]["pendingApplications"]["totalCount"] == 0

    approved = await tani.review(ppl, application["id"])
    assert approved["errors"] == [] and approved["application"]["status"] == "APPROVED"
    assert await UserRole.exists(user_id=farmer.id, role=Role.FARMER)
    again = await tani.review(ppl, application["id"], ok=False, reason="late")
    assert [e["code"] for e in again["errors"]] == ["NOT_PENDING"]

    public = (await gql(PUBLIC_FARMER, {"id": str(profile.id)}))["data"]["farmer"]
    assert public["displayName"] == "Pak Slamet"
    assert public["village"]["code"] == "bumiaji-tulungrejo"
    assert public["farmerGroup"] == "Poktan Makmur"
    assert [c["code"] for c in public["commodities"]] == ["apel_manalagi", "kentang"]
    assert public["memberSince"] and public["verified"] and public["completedOrders"] == 0
    assert public["phone"] is None and public["nik"] is None
    assert public["nikLastDigits"] is None and public["application"] is None
    text = json.dumps(public)
    assert NIK not in text and farmer.phone not in text

    mine = await gql("{ myFarmerProfile { nik phone application { status } } }", token=token)
    assert mine["data"]["myFarmerProfile"]["nik"] == NIK

    # The NIK is encrypted at rest.
    stored = await FarmerProfile.filter(id=profile.id).values_list("nik", flat=True)
    assert NIK not in stored[0]
    assert ppl_user.id != farmer.id


async def test_decline_needs_a_reason_and_the_farmer_may_apply_again(gql, tani, make_user):
    _, ppl = await tani.officer("batu-sidomulyo")
    _, token = await make_user(Role.CITIZEN)
    applied = await tani.apply_farmer(token, villageCode="batu-sidomulyo",
                                      commodityCodes=["krisan"])
    app_id = applied["application"]["id"]
    no_reason = await tani.review(ppl, app_id, ok=False)
    assert [e["code"] for e in no_reason["errors"]] == ["REASON_REQUIRED"]
    declined = await tani.review(ppl, app_id, ok=False, reason="Kelompok tani tidak ditemukan")
    assert declined["application"]["status"] == "DECLINED"
    assert declined["application"]["declineReason"] == "Kelompok tani tidak ditemukan"
    again = await tani.apply_farmer(token, villageCode="batu-sidomulyo",
                                    commodityCodes=["krisan", "mawar"],
                                    farmerGroup="Poktan Bunga Sidomulyo")
    assert again["errors"] == [] and again["application"]["status"] == "PENDING"
    assert again["application"]["id"] == app_id
    assert (await tani.review(ppl, app_id))["application"]["status"] == "APPROVED"


@pytest.mark.parametrize(("overrides", "codes"), [
    ({"villageCode": "kota-malang"}, ["UNKNOWN_VILLAGE"]),
    ({"villageCode": "kec-bumiaji"}, ["UNKNOWN_VILLAGE"]),
    ({"commodityCodes": ["durian", "apel_manalagi"]}, ["UNKNOWN_COMMODITY"]),
    ({"commodityCodes": []}, ["COMMODITY_REQUIRED"]),
    ({"nik": "1234"}, ["INVALID_NIK"]),
    ({"farmerGroup": "x" * 121}, ["GROUP_NAME_TOO_LONG"]),
    ({"villageCode": "nowhere", "nik": "99"}, ["UNKNOWN_VILLAGE", "INVALID_NIK"]),
])
async def test_bad_farmer_applications_change_nothing(tani, make_user, overrides, codes):
    _, token = await make_user(Role.CITIZEN)
    result = await tani.apply_farmer(token, **overrides)
    assert [e["code"] for e in result["errors"]] == codes
    assert result["application"] is None
    assert await Application.all().count() == 0
    assert await FarmerProfile.all().count() == 0


async def test_a_nik_belongs_to_one_farmer(tani, make_user):
    _, first = await make_user(Role.CITIZEN)
    _, second = await make_user(Role.CITIZEN)
    assert (await tani.apply_farmer(first, nik=NIK))["errors"] == []
    clash = await tani.apply_farmer(second, nik=NIK)
    assert [e["code"] for e in clash["errors"]] == ["NIK_TAKEN"]


async def test_buyers_are_verified_by_distan_only(gql, tani, make_user):
    _, ppl = await tani.officer("bumiaji-tulungrejo")
    buyer, token = await make_user(Role.CITIZEN, name="Hotel Purnama")
    missing = await gql(APPLY_BUYER, {"i": {"buyerType": "RESTAURANT_HOTEL"}}, token=token)
    assert [e["code"] for e in missing["data"]["applyAsBuyer"]["errors"]] == \
        ["BUSINESS_NAME_REQUIRED"]
    body = await gql(APPLY_BUYER, {"i": {"buyerType": "RESTAURANT_HOTEL",
                                         "businessName": "Hotel Purnama Batu"}}, token=token)
    app_id = body["data"]["applyAsBuyer"]["application"]["id"]
    refused = await tani.review(ppl, app_id)
    assert [e["code"] for e in refused["errors"]] == ["NOT_REVIEWER"]
    _, admin = await tani.distan_admin()
    assert (await tani.review(admin, app_id))["application"]["status"] == "APPROVED"
    assert await UserRole.exists(user_id=buyer.id, role=Role.BUYER)
    mine = await gql("{ myBuyerProfile { buyerType businessName verified } }", token=token)
    assert mine["data"]["myBuyerProfile"] == {
        "buyerType": "RESTAURANT_HOTEL", "businessName": "Hotel Purnama Batu", "verified": True}


async def test_officer_villages_are_data_distan_admins_edit(gql, tani, make_user):
    officer, _ = await tani.officer("batu-sidomulyo", "batu-sisir")
    assert await UserRole.exists(user_id=officer.id, role=Role.EXTENSION_OFFICER)
    _, admin = await tani.distan_admin()
    moved = await gql(ASSIGN, {"u": str(officer.id), "v": ["batu-sisir", "batu-temas"]},
                      token=admin)
    villages = moved["data"]["assignExtensionOfficer"]["officer"]["villages"]
    assert [v["code"] for v in villages] == ["batu-sisir", "batu-temas"]
    assert await OfficerVillage.filter(officer_id=officer.id).count() == 2
    listed = await gql('{ extensionOfficers(villageCode: "batu-temas") { id villages { code } } }',
                       token=admin)
    assert [o["id"] for o in listed["data"]["extensionOfficers"]] == [str(officer.id)]

    _, plain = await make_user(Role.CITIZEN)
    refused = await gql(ASSIGN, {"u": str(officer.id), "v": []}, token=plain)
    assert [e["code"] for e in refused["data"]["assignExtensionOfficer"]["errors"]] == \
        ["NOT_DISTAN_ADMIN"]
    unknown = await gql(ASSIGN, {"u": str(officer.id), "v": ["atlantis"]}, token=admin)
    assert [e["code"] for e in unknown["data"]["assignExtensionOfficer"]["errors"]] == \
        ["UNKNOWN_VILLAGE"]
    assert await Commodity.all().count() >= 19
