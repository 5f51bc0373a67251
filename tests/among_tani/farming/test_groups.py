"""Kelompok tani and gapoktan: the village PPL records them with chair and members; the
public sees names and sizes, not who."""

from __future__ import annotations

from among_tani.registry.models import FarmerProfile

SAVE = """mutation($id: ID, $i: FarmerGroupInput!) { saveFarmerGroup(id: $id, input: $i) {
  group { id name kind parentId memberCount chair { id } members { id } }
  errors { field code } } }"""
GROUPS = """query($v: String!) { farmerGroups(villageCode: $v) { name kind memberCount
  chair { name } members { name } } }"""


async def test_ppl_records_groups_with_chair_and_members(tani, gql):
    _, ppl = await tani.officer("batu-sidomulyo")
    _, far_ppl = await tani.officer("bumiaji-tulungrejo")
    a, _ = await tani.farmer(village="batu-sidomulyo", name="Pak Ketua", commodities=("krisan",))
    b, _ = await tani.farmer(village="batu-sidomulyo", name="Bu Anggota",
                             commodities=("mawar",))
    outsider, _ = await tani.farmer(village="bumiaji-tulungrejo", name="Orang Jauh")
    gapoktan = await gql(SAVE, {"i": {"name": "Gapoktan Sidomulyo Makmur", "kind": "GAPOKTAN",
                                      "villageCode": "batu-sidomulyo"}}, token=ppl)
    parent = gapoktan["data"]["saveFarmerGroup"]["group"]
    data = {"name": "Poktan Bunga Mekar", "kind": "POKTAN", "villageCode": "batu-sidomulyo",
            "parentId": parent["id"], "chairId": str(a.id), "memberIds": [str(a.id), str(b.id)]}
    saved = (await gql(SAVE, {"i": data}, token=ppl))["data"]["saveFarmerGroup"]
    assert saved["errors"] == [], saved
    group = saved["group"]
    assert (group["memberCount"], group["chair"], group["parentId"]) == (
        2, {"id": str(a.id)}, parent["id"])
    assert (await FarmerProfile.get(user_id=b.id)).farmer_group_name == "Poktan Bunga Mekar"

    refused = (await gql(SAVE, {"i": data}, token=far_ppl))["data"]["saveFarmerGroup"]
    assert [e["code"] for e in refused["errors"]] == ["OUTSIDE_OFFICER_VILLAGES"]
    wrong = (await gql(SAVE, {"id": group["id"], "i": {**data, "memberIds": [
        str(outsider.id)]}}, token=ppl))["data"]["saveFarmerGroup"]
    assert [e["code"] for e in wrong["errors"]] == ["FARMER_NOT_FOUND"]

    public = (await gql(GROUPS, {"v": "batu-sidomulyo"}))["data"]["farmerGroups"]
    assert [(g["name"], g["memberCount"], g["members"], g["chair"]) for g in public] == [
        ("Gapoktan Sidomulyo Makmur", 0, None, None), ("Poktan Bunga Mekar", 2, None, None)]
    staff = (await gql(GROUPS, {"v": "batu-sidomulyo"}, token=ppl))["data"]["farmerGroups"]
    assert staff[1]["chair"] == {"name": "Pak Ketua"}
    assert {m["name"] for m in staff[1]["members"]} == {"Pak Ketua", "Bu Anggota"}
