"""The weekly outlook sums (farming_outlook_week) equal a full recomputation from the
plantings after every kind of write: planting added (with and without a yield), harvested,
edited, its parcel moved to another village, deleted, and the farmer's data erased."""

from __future__ import annotations

import json
from datetime import timedelta

from among_tani.farming import outlook_weeks
from among_tani.farming.models import OutlookWeek, Planting
from backend.clock import WIB, utcnow
from tests.among_tani.farming.conftest import OUTLOOK, RECORD_HARVEST, SIDOMULYO, TULUNGREJO, square

UPDATE_PARCEL = """mutation($id: ID!, $i: ParcelInput!) { updateParcel(id: $id, input: $i) {
  parcel { id village { code } } errors { field code message } } }"""


async def consistent() -> int:
    assert await outlook_weeks.differences() == []
    return await OutlookWeek.all().count()


async def test_the_weekly_sums_follow_every_write_to_the_plantings(tani, farm, gql):
    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("krisan",))
    parcel = (await farm.parcel(token, geometry=json.dumps(square(*SIDOMULYO))))["parcel"]
    other = (await farm.parcel(token, geometry=json.dumps(square(*SIDOMULYO, 0.0008))))["parcel"]
    today = utcnow().astimezone(WIB).date()  # the outlook's today
    monday = today - timedelta(days=today.weekday())
    assert await consistent() == 0

    # Added: two in the same week (one without a yield), one two weeks later.
    ids = []
    for parcel_id, days, expected in (
        (parcel["id"], 8, "1000"),
        (other["id"], 9, None),
        (parcel["id"], 22, "250.5"),
    ):
        data = {
            "parcelId": parcel_id,
            "commodityCode": "krisan",
            "areaHa": "0.3",
            "plantedOn": str(today - timedelta(days=60)),
            "expectedHarvestOn": str(monday + timedelta(days=days)),
        }
        if expected:
            data |= {"expectedYield": expected, "yieldUnit": "tangkai"}
        added = await farm.planting(token, **data)
        assert added["errors"] == [], added
        ids.append(int(added["planting"]["id"]))
    assert await consistent() == 2
    week = await OutlookWeek.get(week_start=monday + timedelta(days=7))
    assert (
        week.plantings,
        week.yield_plantings,
        float(week.expected_quantity),
        float(week.area_ha),
    ) == (2, 1, 1000.0, 0.6)

    body = await gql(OUTLOOK, {"c": "krisan", "w": 4})
    entries = body["data"]["harvestOutlook"]["entries"]
    assert [
        (e["weekStart"], float(e["expectedQuantity"]), e["plantings"], e["unit"]) for e in entries
    ] == [
        (str(monday + timedelta(days=7)), 1000.0, 2, "tangkai"),
        (str(monday + timedelta(days=21)), 250.5, 1, "tangkai"),
    ]

    # Harvested: the outlook does not change, nor do the sums.
    harvested = await gql(
        RECORD_HARVEST,
        {
            "i": {
                "plantingId": str(ids[0]),
                "harvestedOn": str(today),
                "quantity": "10",
                "unit": "tangkai",
            }
        },
        token=token,
    )
    assert harvested["data"]["recordHarvest"]["errors"] == [], harvested
    assert await consistent() == 2

    # Edited (dates, yield and area): moved between weeks, the emptied week disappears.
    await Planting.filter(id=ids[2]).update(
        expected_harvest_on=monday + timedelta(days=8), expected_yield_base=None, area_ha="0.2"
    )
    assert await consistent() == 1
    await Planting.filter(id=ids[1]).update(expected_yield_base="5", base_unit="tangkai")
    assert await consistent() == 1

    # The parcel moved to another village: its plantings (and their sums) go with it.
    moved = await gql(
        UPDATE_PARCEL,
        {
            "id": parcel["id"],
            "i": {"name": "Kebun", "tenure": "OWN", "geometry": json.dumps(square(*TULUNGREJO))},
        },
        token=token,
    )
    assert moved["data"]["updateParcel"]["errors"] == [], moved
    assert moved["data"]["updateParcel"]["parcel"]["village"]["code"] == "bumiaji-tulungrejo"
    assert await consistent() == 2
    villages = {
        e["villageCode"]
        for e in (await gql(OUTLOOK, {"c": "krisan", "w": 4}))["data"]["harvestOutlook"]["entries"]
    }
    assert villages == {"batu-sidomulyo", "bumiaji-tulungrejo"}

    # Removed.
    await Planting.filter(id=ids[1]).delete()
    assert await consistent() == 1

    # A drifted aggregate is found, and the rebuild puts it right.
    await OutlookWeek.all().update(plantings=7)
    assert len(await outlook_weeks.differences()) == 1
    assert await outlook_weeks.rebuild() == 1
    assert await consistent() == 1

    # The farmer's data erased with the account: nothing is expected any more.
    deleted = await gql("mutation { deleteMyAccount { ok errors { code } } }", token=token)
    assert deleted["data"]["deleteMyAccount"]["ok"] is True, deleted
    assert await consistent() == 0
    assert (await gql(OUTLOOK, {"c": "krisan", "w": 4}))["data"]["harvestOutlook"]["entries"] == []


async def test_supply_outlook_from_the_weekly_sums_counts_the_same_days(tani, farm):
    """The buyers' outlook starts on any weekday: whole weeks from the sums, the days at
    either end from the plantings — the same as summing every planting in the range."""
    from among_tani.farming.outlook import supply_outlook

    _, token = await tani.farmer(village="batu-sidomulyo", commodities=("kentang",))
    parcel = (await farm.parcel(token, geometry=json.dumps(square(*SIDOMULYO))))["parcel"]
    today = utcnow().astimezone(WIB).date()
    for days in range(0, 30, 2):
        added = await farm.planting(
            token,
            parcelId=parcel["id"],
            commodityCode="kentang",
            areaHa="0.1",
            plantedOn=str(today - timedelta(days=90)),
            expectedHarvestOn=str(today + timedelta(days=days)),
            expectedYield=str(100 + days),
            yieldUnit="kg",
        )
        assert added["errors"] == [], added
    plantings = await Planting.all()
    for start in range(7):
        day = today + timedelta(days=start)
        for weeks in (1, 2, 3):
            until = day + timedelta(days=7 * weeks)
            expected = sum(
                float(p.expected_yield_base)
                for p in plantings
                if day <= p.expected_harvest_on < until
            )
            supply = await supply_outlook("kentang", weeks=weeks, today=day)
            assert float(supply.total.expected_quantity) == expected, (day, weeks)
