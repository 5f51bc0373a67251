"""GraphQL types of what every Among Tani sub-domain shows — commodities, villages, farmers
— and their dataloaders. One copy for the schema: the registry, the market and the farming
help desk import these (never each other's ``graphql`` packages)."""

from __future__ import annotations

import graphene

from among_tani.registry.commodities import unit_factor
from among_tani.registry.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    BuyerProfile,
    BuyerType,
    Commodity,
    CommodityGroup,
    FarmerCommodity,
    FarmerProfile,
    Unit,
)
from among_tani.registry.visibility import FarmerView
from backend.accounts.models import User
from backend.geo.models import Area
from backend.graphql.core import BaseLoader
from backend.graphql.prefetch import then
from backend.graphql.scalars import Quantity
from backend.i18n import bilingual_field

CommodityGroupEnum = graphene.Enum.from_enum(CommodityGroup, name="CommodityGroup")
UnitEnum = graphene.Enum.from_enum(
    Unit, name="TaniUnit", description="kg, kuintal (100 kg), ton, ikat (bunch), buah (piece), "
    "tangkai (stem), liter.")
BuyerTypeEnum = graphene.Enum.from_enum(BuyerType, name="BuyerType")
ApplicationKindEnum = graphene.Enum.from_enum(ApplicationKind, name="TaniApplicationKind")
ApplicationStatusEnum = graphene.Enum.from_enum(ApplicationStatus,
                                                name="TaniApplicationStatus")


# -- loaders ---------------------------------------------------------------------------------


class CommodityByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {c.id: c for c in await Commodity.filter(id__in=keys)}


class CommoditiesByFarmerIdLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[Commodity]] = {}
        links = await FarmerCommodity.filter(farmer_id__in=keys).select_related("commodity")
        for link in sorted(links, key=lambda x: (x.commodity.sort_order, x.commodity.code)):
            found.setdefault(link.farmer_id, []).append(link.commodity)
        return found


class VillageByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {a.id: a for a in await Area.filter(id__in=keys)}


class UserByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {u.id: u for u in await User.filter(id__in=keys)}


class FarmerProfileByUserIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {p.user_id: p for p in await FarmerProfile.filter(user_id__in=keys)}


class BuyerProfileByUserIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {p.user_id: p for p in await BuyerProfile.filter(user_id__in=keys)}


# -- types -----------------------------------------------------------------------------------


class CommodityUnitType(graphene.ObjectType):
    class Meta:
        name = "CommodityUnit"

    unit = graphene.Field(UnitEnum, required=True)
    factor_to_base = graphene.Field(
        Quantity, description="How many base units one of this unit is (kuintal → 100 kg); "
        "null when the unit has no fixed size (an ikat).")


class CommodityType(graphene.ObjectType):
    class Meta:
        name = "Commodity"
        description = "A product of Batu's farms (catalogue kept as data by distan)."

    code = graphene.String(required=True)
    name = bilingual_field(required=True)
    group = graphene.Field(CommodityGroupEnum, required=True)
    base_unit = graphene.Field(UnitEnum, required=True,
                               description="Prices compare per this unit (kg, liter, stem).")
    units = graphene.List(graphene.NonNull(CommodityUnitType), required=True)

    @staticmethod
    def resolve_units(commodity: Commodity, info):
        return [{"unit": Unit(u["unit"]), "factor_to_base": unit_factor(commodity, Unit(u["unit"]))}
                for u in commodity.units or []]


class VillageRefType(graphene.ObjectType):
    class Meta:
        name = "TaniVillage"
        description = "A desa/kelurahan of Kota Batu (the finest place public views show)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)


async def _village(info, village_id):
    return await info.context.loader(VillageByIdLoader).load(village_id)


class FarmerType(graphene.ObjectType):
    """A farmer as the caller may see them (:class:`FarmerView`). Public fields first; the
    others are null for the public."""

    class Meta:
        name = "Farmer"

    id = graphene.ID(required=True)
    display_name = graphene.String(required=True)
    village = graphene.Field(VillageRefType, required=True)
    farmer_group = graphene.String(description="The kelompok tani the farmer belongs to.")
    commodities = graphene.List(graphene.NonNull(CommodityType), required=True)
    rating = graphene.Float(description="Average of buyers' ratings (1–5); null before any.")
    rating_count = graphene.Int(required=True)
    completed_orders = graphene.Int(required=True)
    member_since = graphene.DateTime(description="When verified.")
    verified = graphene.Boolean(required=True)
    phone = graphene.String(description="Only for the farmer and their reviewers.")
    nik = graphene.String(description="Only for the farmer.")
    nik_last_digits = graphene.String(description="Reviewers: the last 4 digits of the NIK.")
    application = graphene.Field("among_tani.registry.graphql.types.ApplicationType",
                                 description="The farmer and reviewers only.")

    @staticmethod
    def resolve_id(view: FarmerView, info):
        return view.profile.id

    @staticmethod
    def resolve_display_name(view: FarmerView, info):
        # Now when a list fetched the names ahead (the market's listings), later otherwise.
        return then(info.context.loader(UserByIdLoader).now_or_later(view.profile.user_id),
                    lambda user: user.name if user is not None and user.name else "Petani")

    @staticmethod
    async def resolve_village(view: FarmerView, info):
        return await _village(info, view.profile.village_id)

    @staticmethod
    def resolve_farmer_group(view: FarmerView, info):
        return view.profile.farmer_group_name or None

    @staticmethod
    async def resolve_commodities(view: FarmerView, info):
        return await info.context.loader(CommoditiesByFarmerIdLoader).load(view.profile.id)

    @staticmethod
    def resolve_rating(view: FarmerView, info):
        p = view.profile
        return round(p.rating_total / p.rating_count, 2) if p.rating_count else None

    @staticmethod
    def resolve_rating_count(view: FarmerView, info):
        return view.profile.rating_count

    @staticmethod
    def resolve_completed_orders(view: FarmerView, info):
        return view.profile.completed_orders

    @staticmethod
    def resolve_member_since(view: FarmerView, info):
        return view.profile.verified_at

    @staticmethod
    def resolve_verified(view: FarmerView, info):
        return view.profile.verified

    @staticmethod
    async def resolve_phone(view: FarmerView, info):
        if not view.sees_contact:
            return None
        user = await info.context.loader(UserByIdLoader).load(view.profile.user_id)
        return user.phone if user else None

    @staticmethod
    def resolve_nik(view: FarmerView, info):
        return view.profile.nik if view.sees_nik else None

    @staticmethod
    def resolve_nik_last_digits(view: FarmerView, info):
        nik = view.profile.nik
        return nik[-4:] if nik and view.sees_nik_hint else None

    @staticmethod
    async def resolve_application(view: FarmerView, info):
        if not view.sees_application:
            return None
        return await Application.get_or_none(id=view.profile.application_id)


