from __future__ import annotations

from decimal import Decimal

import graphene

from among_tani.farming import outlook
from backend.graphql.scalars import Quantity
from backend.i18n import bilingual_field

_THOUSANDTH = Decimal("0.001")


class _VillageOrCity:
    """The village a sum is for; both null for the whole city (the sums' empty code)."""

    village_code = graphene.String(description="Null for the whole city.")
    village_name = graphene.String()

    @staticmethod
    def resolve_village_code(row, info):
        return row.village_code or None

    @staticmethod
    def resolve_village_name(row, info):
        return row.village_name or None


class OutlookEntryType(_VillageOrCity, graphene.ObjectType):
    class Meta:
        name = "HarvestOutlookEntry"
        description = "Expected harvest of one commodity in one week (and village): a sum "\
            "over registered plantings, in the commodity's base unit."

    commodity_code = graphene.String(required=True)
    week_start = graphene.Date(required=True, description="Monday of the week (WIB).")
    expected_quantity = Quantity(required=True)
    unit = graphene.String(description="The base unit (kg, liter, tangkai).")
    planted_area_ha = Quantity(required=True)
    plantings = graphene.Int(required=True)


    @staticmethod
    def resolve_expected_quantity(entry, info):
        return entry.expected_quantity.quantize(_THOUSANDTH)

    @staticmethod
    def resolve_planted_area_ha(entry, info):
        return entry.planted_area_ha.quantize(_THOUSANDTH)


class OutlookSeriesType(_VillageOrCity, graphene.ObjectType):
    class Meta:
        name = "HarvestOutlookSeries"
        description = "One commodity in one village (or the whole city), week by week from "\
            "`fromDate`: the same sums as the entries, one list item per week (zero where "\
            "nothing is expected) — the compact form for a whole-city read."

    commodity_code = graphene.String(required=True)
    unit = graphene.String(description="The base unit (kg, liter, tangkai).")
    expected_quantities = graphene.List(graphene.NonNull(Quantity), required=True)
    planted_area_ha = graphene.List(graphene.NonNull(Quantity), required=True)
    plantings = graphene.List(graphene.NonNull(graphene.Int), required=True)


class HarvestOutlookType(graphene.ObjectType):
    class Meta:
        name = "HarvestOutlook"

    from_date = graphene.Date(required=True)
    weeks = graphene.Int(required=True)
    entries = graphene.List(graphene.NonNull(OutlookEntryType), required=True,
                            description="Per commodity, week and village.")
    totals = graphene.List(graphene.NonNull(OutlookEntryType), required=True,
                           description="Per commodity and week, whole city.")
    series = graphene.List(
        graphene.NonNull(OutlookSeriesType), required=True,
        description="The entries as one series per commodity and village (a list over the "
        "weeks): a fraction of the fields for the whole city, so the read to choose there.")
    total_series = graphene.List(graphene.NonNull(OutlookSeriesType), required=True,
                                 description="The totals as one series per commodity.")

    @staticmethod
    def resolve_series(result, info):
        return outlook.series(result, result.entries)

    @staticmethod
    def resolve_total_series(result, info):
        return outlook.series(result, result.totals)


class SupplyLineType(_VillageOrCity, graphene.ObjectType):
    class Meta:
        name = "SupplyOutlookLine"
        description = "Harvest expected from one village (or the whole city) — a public sum "\
            "over registered plantings, never a farmer or a parcel."

    expected_quantity = Quantity(required=True, description="In `unit`, the commodity's base "
                                 "unit.")
    unit = graphene.String()
    text = bilingual_field(required=True, description="What a buyer reads, e.g. \"about 40 t "
                           "of potato expected from Sumber Brantas in the next 4 weeks\" (in "
                           "the language asked for).")


class SupplyOutlookType(graphene.ObjectType):
    class Meta:
        name = "SupplyOutlook"
        description = "For buyers on the marketplace: the harvest of one commodity expected "\
            "from registered plantings from today over the next weeks."

    commodity_code = graphene.String(required=True)
    commodity_name = bilingual_field(required=True)
    weeks = graphene.Int(required=True)
    from_date = graphene.Date(required=True)
    until_date = graphene.Date(required=True, description="Exclusive.")
    total = graphene.Field(SupplyLineType, required=True, description="The whole city.")
    villages = graphene.List(graphene.NonNull(SupplyLineType), required=True,
                             description="Largest first; villages expecting nothing left out.")
