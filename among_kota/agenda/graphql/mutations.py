from __future__ import annotations

import graphene

from among_kota.agenda.graphql.types import EventType, FrequencyEnum
from among_kota.agenda.models import Event
from among_kota.agenda.services import EVENTS, clean_event
from among_kota.content import services as editorial
from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.content.rights import EDITOR
from among_kota.errors import KotaErrorCode as C
from backend.graphql.core import BaseMutation, parse_int_id
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


class EventPayload:
    event = graphene.Field(EventType)


async def _payload(event_id: int) -> dict:
    return {"event": await Event.get(id=event_id).select_related("category")}


class SaveEvent(EventPayload, BaseMutation):
    class Arguments:
        input = EventInput(required=True)

    class Meta:
        description = "Create an event (a draft) or save edits to one."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, input):
        item_id = parse_int_id(input.id, C.NOT_FOUND, "id") if input.id else None
        if input.place_id is not None:
            input.place_id = parse_int_id(input.place_id, C.NOT_FOUND, "placeId")
        content = await clean_event(input, item_id=item_id)
        event = await editorial.save_draft(EVENTS, principal, item_id, content,
                                           skpd_code=input.skpd_code)
        return await _payload(event.id)


class PublishEvent(EventPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        at = graphene.DateTime()

    class Meta:
        description = "Publish an event's pending values now or at a set time."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, at=None):
        event = await editorial.publish(EVENTS, principal, parse_int_id(id, C.NOT_FOUND, "id"),
                                        at)
        return await _payload(event.id)


class RollbackEvent(EventPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        revision = graphene.Int(required=True)

    class Meta:
        description = "Publish an earlier revision of an event again."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, revision):
        event = await editorial.rollback(EVENTS, principal,
                                         parse_int_id(id, C.NOT_FOUND, "id"), revision)
        return await _payload(event.id)


class WithdrawEvent(EventPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Take an event off the public pages."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id):
        event = await editorial.withdraw(EVENTS, principal, parse_int_id(id, C.NOT_FOUND, "id"))
        return await _payload(event.id)


class EventMutations(graphene.ObjectType):
    save_event = SaveEvent.Field()
    publish_event = PublishEvent.Field()
    rollback_event = RollbackEvent.Field()
    withdraw_event = WithdrawEvent.Field()
