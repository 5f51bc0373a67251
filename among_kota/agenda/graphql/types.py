from __future__ import annotations

import graphene

from among_kota.agenda.models import EventOccurrence, Frequency
from among_kota.content.graphql.types import EditorialType, editorial_of
from backend.graphql.connections import connection_for
from backend.graphql.scalars import Rupiah
from backend.i18n import bilingual_field, localized
from backend.markdown import render_markdown

FrequencyEnum = graphene.Enum.from_enum(Frequency, name="EventFrequency")


class EventCategoryType(graphene.ObjectType):
    class Meta:
        name = "EventCategory"

    code = graphene.String(required=True)
    name = bilingual_field(required=True)


class EventType(graphene.ObjectType):
    class Meta:
        name = "Event"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True, description="Markdown as written.")
    description_html = graphene.String(required=True)
    starts_at = graphene.DateTime(required=True, description="The first occurrence.")
    ends_at = graphene.DateTime(required=True)
    all_day = graphene.Boolean(required=True)
    frequency = graphene.Field(FrequencyEnum, description="Null for a one-off event.")
    repeat_until = graphene.Date()
    place_id = graphene.ID(description="The venue, when it is a place in Among Kota.")
    venue_name = graphene.String(required=True)
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    category = graphene.Field(EventCategoryType, required=True)
    free = graphene.Boolean(required=True)
    price_min = graphene.Field(Rupiah)
    price_max = graphene.Field(Rupiah)
    organiser = graphene.String(required=True)
    editorial = graphene.Field(EditorialType)

    @staticmethod
    def resolve_id(event, info):
        return str(event.id)

    @staticmethod
    def resolve_title(event, info):
        return localized(event, "title", info.context.language)

    @staticmethod
    def resolve_description(event, info):
        return localized(event, "description", info.context.language) or ""

    @staticmethod
    def resolve_description_html(event, info):
        return render_markdown(localized(event, "description", info.context.language))

    @staticmethod
    def resolve_place_id(event, info):
        return str(event.place_id) if event.place_id else None

    @staticmethod
    def resolve_free(event, info):
        return not event.price_min and not event.price_max

    @staticmethod
    async def resolve_editorial(event, info):
        return await editorial_of("event", event, info)


class EventOccurrenceType(graphene.ObjectType):
    class Meta:
        name = "EventOccurrence"
        description = "One occurrence of an event (a recurring event has several)."

    id = graphene.ID(required=True)
    starts_at = graphene.DateTime(required=True)
    ends_at = graphene.DateTime(required=True)
    event = graphene.Field(EventType, required=True)

    @staticmethod
    def resolve_id(occurrence: EventOccurrence, info):
        return str(occurrence.id)


EventOccurrenceConnection = connection_for(EventOccurrenceType)
