from __future__ import annotations

import graphene

from among_tani.registry import roles, services
from among_tani.registry.errors import RegistryErrorCode as Code
from among_tani.registry.events import RegistryEvent
from among_tani.registry.graphql.types import (
    ApplicationConnection,
    BuyerType_,
    CommodityGroupEnum,
    CommodityType,
    FarmerType,
    OfficerType,
)
from among_tani.registry.models import (
    BuyerProfile,
    Commodity,
    CommodityGroup,
    FarmerProfile,
    OfficerVillage,
)
from among_tani.registry.visibility import FarmerPolicy
from backend import ids
from backend.accounts.events import AccountEvent
from backend.accounts.models import Role
from backend.errors import ServiceError
from backend.graphql.core import guarded, paginate
from backend.graphql.enums import as_enums
from backend.permissions import PUBLIC, SIGNED_IN
from backend.read_cache import public_read

# What changes a public farmer profile: an application (verified, declined, applied again
# with other commodities), completed orders and ratings, an erased account. A display name
# changed by updateMyProfile records no event (README: the read cache's known gap).
FARMER_CHANGES = (*RegistryEvent, AccountEvent.ERASED)


class RegistryQueries(graphene.ObjectType):
    commodities = graphene.List(
        graphene.NonNull(CommodityType), required=True,
        groups=graphene.List(graphene.NonNull(CommodityGroupEnum)),
        description="The commodity catalogue (active ones), in catalogue order.")
    farmer = graphene.Field(FarmerType, id=graphene.ID(required=True),
                            description="A verified farmer's public profile (more for the "
                            "farmer and their reviewers); null when unknown or not visible.")
    my_farmer_profile = graphene.Field(FarmerType)
    my_buyer_profile = graphene.Field(BuyerType_)
    pending_applications = graphene.Field(
        ApplicationConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="Applications waiting for the caller's decision: the farmers of an "
        "officer's villages; everything for distan admins. Oldest first.")
    extension_officers = graphene.List(
        graphene.NonNull(OfficerType), required=True, village_code=graphene.String(),
        description="Extension officers and their villages (distan staff and officers).")

    @staticmethod
    @public_read(invalidated_by=(RegistryEvent.COMMODITIES_SEEDED,))
    @guarded(PUBLIC)
    async def resolve_commodities(root, info, groups=None):
        query = Commodity.filter(active=True)
        wanted = as_enums(CommodityGroup, groups)
        if wanted:
            query = query.filter(group__in=wanted)
        return await query.order_by("sort_order", "code")

    @staticmethod
    @public_read(invalidated_by=FARMER_CHANGES)
    @guarded(PUBLIC)
    async def resolve_farmer(root, info, id):
        row_id = ids.parse_id(id)
        profile = await FarmerProfile.get_or_none(id=row_id) if row_id else None
        if profile is None:
            return None
        return await FarmerPolicy(await info.context.principal()).view(profile)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_farmer_profile(root, info):
        principal = await info.context.principal()
        profile = await FarmerProfile.get_or_none(user_id=principal.user.id)
        return await FarmerPolicy(principal).view(profile) if profile else None

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_buyer_profile(root, info):
        principal = await info.context.principal()
        return await BuyerProfile.get_or_none(user_id=principal.user.id)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_pending_applications(root, info, first=None, after=None):
        from backend.pagination import SortKey

        query = await services.pending_applications(await info.context.principal())
        return await paginate(query, ApplicationConnection, first=first, after=after,
                              sort=SortKey())

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_extension_officers(root, info, village_code=None):
        principal = await info.context.principal()
        if not (roles.is_distan_staff(principal) or principal.has(Role.EXTENSION_OFFICER)):
            raise ServiceError(Code.NOT_DISTAN_ADMIN)
        links = OfficerVillage.filter(officer__roles__role=Role.EXTENSION_OFFICER)
        if village_code is not None:
            village = await services.village_by_code(village_code)
            officer_ids = await roles.officers_of_village(village.id)
            links = links.filter(officer_id__in=officer_ids)
        found: dict[int, dict] = {}
        for link in await links.select_related("officer", "village").order_by("officer_id"):
            entry = found.setdefault(link.officer_id, {
                "id": link.officer_id, "name": link.officer.name or "", "villages": []})
            entry["villages"].append(link.village)
        for entry in found.values():
            entry["villages"].sort(key=lambda v: v.code)
        return list(found.values())
