from __future__ import annotations

import graphene

from among_tani.registry import services
from among_tani.registry.errors import RegistryErrorCode as Code
from among_tani.registry.graphql.types import (
    ApplicationType,
    BuyerTypeEnum,
    OfficerType,
    RegistryError,
)
from among_tani.registry.models import BuyerType
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.enums import as_enum
from backend.permissions import SIGNED_IN


class ApplyAsFarmerInput(graphene.InputObjectType):
    village_code = graphene.String(required=True, description="e.g. bumiaji-tulungrejo")
    farmer_group = graphene.String(description="The kelompok tani's name.")
    commodity_codes = graphene.List(graphene.NonNull(graphene.String), required=True,
                                    description="Main commodities, 1–10 catalogue codes.")
    nik = graphene.String(description="Optional 16-digit NIK (kept encrypted).")


class ApplicationPayload:
    application = graphene.Field(ApplicationType)


class ApplyAsFarmer(ApplicationPayload, BaseMutation):
    class Arguments:
        input = ApplyAsFarmerInput(required=True)

    class Meta:
        description = "Ask to sell as a farmer; an extension officer of the village or distan " \
            "reviews it. Re-applying replaces a pending or declined application."
        need = SIGNED_IN
        error_type = RegistryError

    @classmethod
    async def perform(cls, root, info, principal, input):
        application = await services.apply_as_farmer(principal, services.FarmerApplicationInput(
            village_code=input.village_code, farmer_group=input.farmer_group,
            commodity_codes=list(input.commodity_codes or []), nik=input.nik))
        return {"application": application}


class ApplyAsBuyerInput(graphene.InputObjectType):
    buyer_type = BuyerTypeEnum(required=True)
    business_name = graphene.String(description="Required except for households.")


class ApplyAsBuyer(ApplicationPayload, BaseMutation):
    class Arguments:
        input = ApplyAsBuyerInput(required=True)

    class Meta:
        description = "Ask to buy on the marketplace; distan reviews it."
        need = SIGNED_IN
        error_type = RegistryError

    @classmethod
    async def perform(cls, root, info, principal, input):
        application = await services.apply_as_buyer(
            principal, buyer_type=as_enum(BuyerType, input.buyer_type),
            business_name=input.business_name)
        return {"application": application}


class ReviewApplication(ApplicationPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        reason = graphene.String(description="Required when declining.")

    class Meta:
        description = "Approve or decline a pending application: farmers by an extension " \
            "officer of their village or a distan admin, buyers by a distan admin."
        need = SIGNED_IN
        error_type = RegistryError

    @classmethod
    async def perform(cls, root, info, principal, id, approve, reason=None):
        application = await services.review_application(
            principal, parse_int_id(id, Code.NOT_FOUND, "id"), approve=approve, reason=reason)
        return {"application": application}


class AssignExtensionOfficer(BaseMutation):
    class Arguments:
        user_id = graphene.ID(required=True)
        village_codes = graphene.List(graphene.NonNull(graphene.String), required=True,
                                      description="The full set; [] ends the assignment.")

    class Meta:
        description = "Set the villages an extension officer (PPL) serves (distan admins)."
        need = SIGNED_IN
        error_type = RegistryError

    officer = graphene.Field(OfficerType)

    @classmethod
    async def perform(cls, root, info, principal, user_id, village_codes):
        uid = parse_int_id(user_id, Code.UNKNOWN_USER, "userId")
        villages = await services.assign_extension_officer(principal, uid, village_codes)
        from backend.accounts.models import User

        user = await User.get(id=uid)
        return {"officer": {"id": uid, "name": user.name or "",
                            "villages": sorted(villages, key=lambda v: v.code)}}


class RegistryMutations(graphene.ObjectType):
    apply_as_farmer = ApplyAsFarmer.Field()
    apply_as_buyer = ApplyAsBuyer.Field()
    review_application = ReviewApplication.Field()
    assign_extension_officer = AssignExtensionOfficer.Field()
