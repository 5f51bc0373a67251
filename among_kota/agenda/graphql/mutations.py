from __future__ import annotations

import graphene

from among_kota.agenda.graphql.types import EventType, FrequencyEnum
from among_kota.agenda.models import Event
from among_kota.agenda.services import EVENTS, clean_event
from among_kota.content.graphql.mutations import EditorialMutations
from among_kota.content.graphql.types import TextInput
from among_kota.errors import KotaErrorCode as C
from backend.accounts.services import Principal
from backend.graphql.core import parse_int_id
from backend.graphql.scalars import Rupiah


class EventInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new event (a draft of your SKPD).")
    skpd_code = graphene.String()
    title = TextInput(required=True)
    description = TextInput(description="Markdown.")
    starts_at = graphene.DateTime(required=True, description="Without an offset: WIB.")
    ends_at = graphene.DateTime(required=True)
    all_day = graphene.Boolean(description="Whole days (WIB) from the start date to the end "
                               "date.")
    frequency = FrequencyEnum()
    repeat_until = graphene.Date(description="Last date of a recurring event (default: a "
                                 "year after the start).")
    place_id = graphene.ID(description="The venue, a published place …")
    lat = graphene.Float(description="… or a point (with venueName).")
    lon = graphene.Float()
    venue_name = graphene.String()
    category_code = graphene.String(required=True)
    price_min = Rupiah(description="Omitted or 0: free.")
    price_max = Rupiah()
    organiser = graphene.String()


async def _load(event_id: int) -> Event:
    return await Event.get(id=event_id).select_related("category")


async def _clean(input: EventInput, item_id: int | None, principal: Principal) -> dict:
    if input.place_id is not None:
        input.place_id = parse_int_id(input.place_id, C.NOT_FOUND, "placeId")
    return await clean_event(input, item_id=item_id)


EVENT_EDITING = EditorialMutations(
    EVENTS, "Event", EventInput, "event", EventType, _load, _clean, descriptions={
        "save": "Create an event (a draft) or save edits to one.",
        "withdraw": "Take an event off the public pages.",
    })


class EventMutations(graphene.ObjectType):
    save_event, publish_event, rollback_event, withdraw_event = EVENT_EDITING.fields()
