from __future__ import annotations

import graphene

from among_tani.registry.api import (  # noqa: F401 (re-exported for the registry's graphql)
    ApplicationKindEnum,
    ApplicationStatusEnum,
    BuyerProfileByUserIdLoader,
    BuyerTypeEnum,
    CommodityGroupEnum,
    CommodityType,
    FarmerProfileByUserIdLoader,
    FarmerType,
    UserByIdLoader,
    VillageRefType,
    _village,
)
from among_tani.registry.errors import RegistryErrorCode
from among_tani.registry.models import Application, ApplicationKind
from backend.graphql.core import connection_for, error_type

RegistryError = error_type("TaniRegistryError", RegistryErrorCode)


class BuyerType_(graphene.ObjectType):
    class Meta:
        name = "Buyer"

    id = graphene.ID(required=True)
    buyer_type = graphene.Field(BuyerTypeEnum, required=True)
    business_name = graphene.String(required=True)
    verified = graphene.Boolean(required=True)


class ApplicationType(graphene.ObjectType):
    class Meta:
        name = "TaniApplication"
        description = "A request to take part in Among Tani as a farmer or a buyer, and its " \
            "review. Seen by the applicant and by who may review it."

    id = graphene.ID(required=True)
    kind = graphene.Field(ApplicationKindEnum, required=True)
    status = graphene.Field(ApplicationStatusEnum, required=True)
    submitted_at = graphene.DateTime(required=True)
    reviewed_at = graphene.DateTime()
    decline_reason = graphene.String(description="Why it was declined, for the applicant.")
    applicant_name = graphene.String(required=True)
    applicant_phone = graphene.String(required=True)
    village = graphene.Field(VillageRefType)
    farmer = graphene.Field(FarmerType)
    buyer = graphene.Field(BuyerType_)

    @staticmethod
    def resolve_decline_reason(app: Application, info):
        return app.decline_reason or None

    @staticmethod
    async def resolve_applicant_name(app: Application, info):
        user = await info.context.loader(UserByIdLoader).load(app.user_id)
        return (user.name or "") if user else ""

    @staticmethod
    async def resolve_applicant_phone(app: Application, info):
        user = await info.context.loader(UserByIdLoader).load(app.user_id)
        return (user.phone or "") if user else ""

    @staticmethod
    async def resolve_village(app: Application, info):
        return await _village(info, app.village_id) if app.village_id else None

    @staticmethod
    async def resolve_farmer(app: Application, info):
        from among_tani.registry.visibility import FarmerPolicy

        if app.kind != ApplicationKind.FARMER:
            return None
        profile = await info.context.loader(FarmerProfileByUserIdLoader).load(app.user_id)
        if profile is None:
            return None
        return await FarmerPolicy(await info.context.principal()).view(profile)

    @staticmethod
    async def resolve_buyer(app: Application, info):
        if app.kind != ApplicationKind.BUYER:
            return None
        return await info.context.loader(BuyerProfileByUserIdLoader).load(app.user_id)


ApplicationConnection = connection_for(ApplicationType)


class OfficerType(graphene.ObjectType):
    class Meta:
        name = "ExtensionOfficer"
        description = "An extension officer (PPL) and the villages they serve."

    id = graphene.ID(required=True, description="The officer's user id.")
    name = graphene.String(required=True)
    villages = graphene.List(graphene.NonNull(VillageRefType), required=True)
