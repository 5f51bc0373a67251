from __future__ import annotations

from decimal import Decimal

import graphene

from backend.graphql.scalars import Quantity

_THOUSANDTH = Decimal("0.001")


class OutlookEntryType(graphene.ObjectType):
    class Meta:
        name = "HarvestOutlookEntry"
        description = "Expected harvest of one commodity in one week (and village): a sum "\
            "over registered plantings, in the commodity's base unit."

    commodity_code = graphene.String(required=True)
    village_code = graphene.String(description="Null in the city-wide totals.")
    village_name = graphene.String()
    week_start = graphene.Date(required=True, description="Monday of the week (WIB).")
    expected_quantity = Quantity(required=True)
    unit = graphene.String(description="The base unit (kg, liter, tangkai).")
    planted_area_ha = Quantity(required=True)
    plantings = graphene.Int(required=True)

    @staticmethod
    def resolve_village_code(entry, info):
        return entry.village_code or None

    @staticmethod
    def resolve_village_name(entry, info):
        return entry.village_name or None

    @staticmethod
    def resolve_expected_quantity(entry, info):
        return entry.expected_quantity.quantize(_THOUSANDTH)

    @staticmethod
    def resolve_planted_area_ha(entry, info):
        return entry.planted_area_ha.quantize(_THOUSANDTH)


class HarvestOutlookType(graphene.ObjectType):
    class Meta:
        name = "HarvestOutlook"

    from_date = graphene.Date(required=True)
    weeks = graphene.Int(required=True)
    entries = graphene.List(graphene.NonNull(OutlookEntryType), required=True,
                            description="Per commodity, week and village.")
    totals = graphene.List(graphene.NonNull(OutlookEntryType), required=True,
                           description="Per commodity and week, whole city.")
