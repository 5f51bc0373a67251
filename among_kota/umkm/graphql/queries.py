from __future__ import annotations

import graphene

from among_kota.events import KotaEvent
from among_kota.places.graphql.queries import PointInput
from among_kota.umkm import listing
from among_kota.umkm.graphql.types import (
    UmkmBusinessType,
    UmkmCategoryType,
    UmkmConnection,
    UmkmStatusEnum,
)
from among_kota.umkm.models import UmkmBusiness, UmkmCategory, UmkmStatus
from among_kota.umkm.services import is_umkm_office, may_see_application
from backend import ids
from backend.accounts.events import AccountEvent
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.pagination import KeyKind, SortKey, tortoise_page
from backend.permissions import PUBLIC, SIGNED_IN
from backend.read_cache import public_read

# What changes what the public sees of the directory: a business verified (or its changes),
# or withdrawn — also by its owner's account erasure. Applications and declines are not
# public.
UMKM_CHANGES = (KotaEvent.UMKM_VERIFIED, KotaEvent.UMKM_WITHDRAWN, AccountEvent.ERASED)
_RECENT = SortKey("updated_at", KeyKind.DATETIME, descending=True)


def _status(value) -> UmkmStatus | None:
    return UmkmStatus(getattr(value, "value", value)) if value is not None else None


class UmkmQueries(graphene.ObjectType):
    umkm_categories = graphene.List(graphene.NonNull(UmkmCategoryType), required=True)
    umkm = graphene.Field(
        UmkmConnection, required=True, text=graphene.String(
            description="Typo-tolerant: names, products, owner's public name, category, "
            "Indonesian and English."),
        near=graphene.Argument(PointInput), radius_km=graphene.Float(
            description="Around `near`; 20 when omitted, at most 50."),
        category_codes=graphene.List(graphene.NonNull(graphene.String)),
        first=graphene.Int(), after=graphene.String(),
        description="Verified small businesses: nearest first with `near`, else by name.")
    umkm_business = graphene.Field(
        UmkmBusinessType, id=graphene.ID(), slug=graphene.String(),
        near=graphene.Argument(PointInput),
        description="One business by id or slug: verified ones for everyone; an application "
        "for its owner and the UMKM office.")
    my_umkm = graphene.Field(UmkmConnection, required=True, first=graphene.Int(),
                             after=graphene.String(),
                             description="The businesses you applied for, any status.")
    umkm_applications = graphene.Field(
        UmkmConnection, required=True, status=graphene.Argument(UmkmStatusEnum),
        first=graphene.Int(), after=graphene.String(),
        description="The UMKM office: applications (default: PENDING), most recent first.")

    @staticmethod
    @public_read(invalidated_by=())
    @guarded(PUBLIC)
    async def resolve_umkm_categories(root, info):
        return await UmkmCategory.all().order_by("sort_order", "code")

    @staticmethod
    @public_read(invalidated_by=UMKM_CHANGES)
    @guarded(PUBLIC)
    async def resolve_umkm(root, info, text=None, near=None, radius_km=None,
                           category_codes=None, first=None, after=None):
        point = (near.lat, near.lon) if near is not None else None
        query = await listing.build_query(text=text, near=point, radius_km=radius_km,
                                          category_codes=category_codes)
        key = listing.sort_key(query)

        async def nodes(rows):
            row_ids = [int(key.id_of(r)) for r in rows]
            distances = {int(r.id): r.distance_m for r in rows
                         if getattr(r, "distance_m", None) is not None}
            return await listing.views(row_ids, near=point, distances=distances)

        return await paginate(
            UmkmConnection, first=first, after=after, sort=key,
            fetch=lambda position, limit: listing.fetch_page(query, position, limit),
            count=lambda: listing.count(query), nodes=nodes)

    @staticmethod
    @public_read(invalidated_by=UMKM_CHANGES)
    @guarded(PUBLIC)
    async def resolve_umkm_business(root, info, id=None, slug=None, near=None):
        if id is not None:
            business_id = ids.parse_id(id)
            business = await UmkmBusiness.get_or_none(id=business_id) if business_id else None
        elif slug:
            business = await UmkmBusiness.get_or_none(slug=slug[:80])
        else:
            return None
        if business is None:
            return None
        if business.status != UmkmStatus.VERIFIED and not may_see_application(
                await info.context.principal(), business):
            return None
        point = (near.lat, near.lon) if near is not None else None
        return (await listing.views([business.id], near=point))[0]

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_umkm(root, info, first=None, after=None):
        principal = await info.context.principal()
        return await _recent(UmkmBusiness.filter(owner_id=principal.user.id), first, after)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_umkm_applications(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        queryset = UmkmBusiness.filter(status=_status(status) or UmkmStatus.PENDING)
        if not is_umkm_office(principal):
            queryset = queryset.filter(id=0)  # nothing for anyone else
        return await _recent(queryset, first, after)


async def _recent(queryset, first, after):
    async def fetch(position, limit):
        return await tortoise_page(queryset, _RECENT, position).limit(limit)

    return await paginate(UmkmConnection, first=first, after=after, sort=_RECENT, fetch=fetch,
                          count=queryset.count,
                          nodes=lambda rows: listing.views([r.id for r in rows]))
