from __future__ import annotations

import graphene

from among_kota.agenda import listing
from among_kota.agenda.graphql.types import (
    EventCategoryType,
    EventOccurrenceConnection,
    EventType,
)
from among_kota.agenda.models import Event, EventCategory
from among_kota.content.models import ContentStatus
from among_kota.content.rights import may_edit
from among_kota.events import KotaEvent
from among_kota.places.graphql.queries import PointInput
from among_kota.times import aware
from backend import ids
from backend.clock import utcnow
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.pagination import tortoise_page
from backend.permissions import PUBLIC
from backend.read_cache import public_read

# A venue is a place: its name and point show with the event.
EVENT_CHANGES = (KotaEvent.EVENT_PUBLISHED, KotaEvent.EVENT_UPDATED, KotaEvent.EVENT_WITHDRAWN,
                 KotaEvent.PLACE_PUBLISHED, KotaEvent.PLACE_UPDATED, KotaEvent.PLACE_WITHDRAWN)


class EventQueries(graphene.ObjectType):
    event_categories = graphene.List(graphene.NonNull(EventCategoryType), required=True)
    events = graphene.Field(
        EventOccurrenceConnection, required=True,
        from_=graphene.DateTime(name="from", description="Default: now."),
        to=graphene.DateTime(description="Default: 90 days after `from`; at most 366 days."),
        near=graphene.Argument(PointInput),
        radius_km=graphene.Float(description="Around `near`; 10 when omitted, at most 50."),
        category_codes=graphene.List(graphene.NonNull(graphene.String)),
        first=graphene.Int(), after=graphene.String(),
        description="Occurrences of published events overlapping [from, to), soonest first.")
    event = graphene.Field(EventType, id=graphene.ID(), slug=graphene.String())

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_event_categories(root, info):
        return await EventCategory.all().order_by("sort_order", "code")

    @staticmethod
    @public_read(invalidated_by=EVENT_CHANGES)
    @guarded(PUBLIC)
    async def resolve_events(root, info, from_=None, to=None, near=None, radius_km=None,
                             category_codes=None, first=None, after=None):
        start = aware(from_) or utcnow()
        queryset = await listing.occurrences_query(
            start, aware(to), near=(near.lat, near.lon) if near else None,
            radius_km=radius_km, category_codes=category_codes)
        if from_ is None:  # "from now": the answer changes as events end
            await listing.answers_hold_until(queryset, start, aware(to))

        async def fetch(position, limit):
            return await tortoise_page(queryset, listing.BY_START, position).select_related(
                "event", "event__category").limit(limit)

        return await paginate(EventOccurrenceConnection, first=first, after=after,
                              sort=listing.BY_START, fetch=fetch, count=queryset.count)

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_event(root, info, id=None, slug=None):
        if id is not None:
            event_id = ids.parse_id(id)
            event = await Event.get_or_none(id=event_id).select_related("category") \
                if event_id else None
        elif slug:
            event = await Event.get_or_none(slug=slug[:80]).select_related("category")
        else:
            return None
        if event is None:
            return None
        if event.status != ContentStatus.PUBLISHED and not may_edit(
                await info.context.principal(), event.skpd_id):
            return None
        return event
