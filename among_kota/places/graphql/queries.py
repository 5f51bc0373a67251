from __future__ import annotations

import graphene

from among_kota.content.graphql.types import ContentStatusEnum
from among_kota.content.models import ContentStatus
from among_kota.content.rights import EDITOR, editor_skpd, edits_anything, may_edit
from among_kota.events import KotaEvent
from among_kota.places import listing
from among_kota.places.graphql.types import (
    PlaceCategoryType,
    PlaceConnection,
    PlaceSortEnum,
    PlaceType,
)
from among_kota.places.models import Place, PlaceCategory
from backend import ids
from backend.clock import utcnow
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.graphql.enums import as_enum
from backend.pagination import KeyKind, SortKey, tortoise_page
from backend.permissions import PUBLIC
from backend.read_cache import public_read, valid_until

# What changes a public answer about places (their "open now" also changes with the clock:
# listing.views says until when an answer holds).
PLACE_CHANGES = (KotaEvent.PLACE_PUBLISHED, KotaEvent.PLACE_UPDATED, KotaEvent.PLACE_WITHDRAWN,
                 KotaEvent.PLACE_CATEGORIES_CHANGED, KotaEvent.HOLIDAYS_CHANGED)


class PointInput(graphene.InputObjectType):
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class PlaceQueries(graphene.ObjectType):
    place_categories = graphene.List(
        graphene.NonNull(PlaceCategoryType), required=True,
        description="Categories of places, in display order (groups such as `health` "
        "included: asking for a group finds its members).")
    places = graphene.Field(
        PlaceConnection, required=True,
        near=graphene.Argument(PointInput), radius_km=graphene.Float(
            description="Around `near`; 20 when omitted, at most 50."),
        category_codes=graphene.List(graphene.NonNull(graphene.String)),
        open_now=graphene.Boolean(description="true: open at this moment (WIB); false: "
                                  "closed or hours not known."),
        text=graphene.String(description="Typo-tolerant, Indonesian and English names."),
        sort=graphene.Argument(PlaceSortEnum, description="DISTANCE (needs `near`; the "
                               "default with it) or NAME (the default without)."),
        first=graphene.Int(), after=graphene.String(),
        description="Published places.")
    place = graphene.Field(
        PlaceType, id=graphene.ID(), slug=graphene.String(),
        near=graphene.Argument(PointInput),
        description="One place by id or slug (null when there is none, or when it is not "
        "published and the caller is not its editor).")
    editor_places = graphene.Field(
        PlaceConnection, required=True,
        status=graphene.Argument(ContentStatusEnum),
        first=graphene.Int(), after=graphene.String(),
        description="Editors: the places they may edit (their SKPD's; every place for admins "
        "and Diskominfo), drafts included, most recently changed first.")

    @staticmethod
    @public_read(invalidated_by=(KotaEvent.PLACE_CATEGORIES_CHANGED,))
    @guarded(PUBLIC)
    async def resolve_place_categories(root, info):
        return await PlaceCategory.all().order_by("sort_order", "code")

    @staticmethod
    @public_read(invalidated_by=PLACE_CHANGES)
    @guarded(PUBLIC)
    async def resolve_places(root, info, near=None, radius_km=None, category_codes=None,
                             open_now=None, text=None, sort=None, first=None, after=None):
        moment = utcnow()
        # "Open now" decides what is listed, even when nothing is: the answer holds until
        # the minute changes.
        valid_until(listing.next_minute(moment))
        point = (near.lat, near.lon) if near is not None else None
        query = await listing.build_query(listing.PlaceFilter(
            near=point, radius_km=radius_km, category_codes=category_codes,
            open_now=open_now, text=text,
            sort=as_enum(listing.PlaceSort, sort) if sort is not None else None), moment)
        key = listing.sort_key(query)

        async def nodes(rows):
            # Sorted by distance the rows are PointHits (with the distance the cursor
            # holds); by name, mappings.
            row_ids = [int(key.id_of(r)) for r in rows]
            distances = {int(r.id): r.distance_m for r in rows
                         if getattr(r, "distance_m", None) is not None}
            return await listing.views(row_ids, moment=moment, near=point,
                                       distances=distances)

        return await paginate(
            PlaceConnection, first=first, after=after, sort=key,
            fetch=lambda position, limit: listing.fetch_page(query, position, limit),
            count=lambda: listing.count(query), nodes=nodes)

    @staticmethod
    @public_read(invalidated_by=PLACE_CHANGES)
    @guarded(PUBLIC)
    async def resolve_place(root, info, id=None, slug=None, near=None):
        if id is not None:
            place_id = ids.parse_id(id)
            place = await Place.get_or_none(id=place_id) if place_id else None
        elif slug:
            place = await Place.get_or_none(slug=slug[:80])
        else:
            return None
        if place is None:
            return None
        if place.status != ContentStatus.PUBLISHED and not may_edit(
                await info.context.principal(), place.skpd_id):
            return None
        point = (near.lat, near.lon) if near is not None else None
        return (await listing.views([place.id], near=point))[0]

    @staticmethod
    @guarded(EDITOR)
    async def resolve_editor_places(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        queryset = Place.all()
        if not edits_anything(principal):
            skpd = editor_skpd(principal)
            queryset = queryset.filter(skpd_id=skpd.id if skpd else 0)
        if status is not None:
            queryset = queryset.filter(status=as_enum(ContentStatus, status))

        async def fetch(position, limit):
            return await tortoise_page(queryset, _RECENT, position).limit(limit)

        return await paginate(PlaceConnection, first=first, after=after, sort=_RECENT,
                              fetch=fetch, count=queryset.count,
                              nodes=lambda rows: listing.views([r.id for r in rows]))


_RECENT = SortKey("updated_at", KeyKind.DATETIME, descending=True)
