from __future__ import annotations

import graphene

from among_kota.content import services as editorial
from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.content.rights import EDITOR
from among_kota.errors import KotaErrorCode as C
from among_kota.places import listing
from among_kota.places.graphql.types import PlaceType, WeekdayEnum
from among_kota.places.services import PLACES, clean_place
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.scalars import Rupiah


class OpeningPeriodInput(graphene.InputObjectType):
    open_day = WeekdayEnum(required=True)
    open_time = graphene.String(required=True, description="HH:MM (WIB).")
    close_day = WeekdayEnum(description="When it closes on a later day; default: open_day.")
    close_time = graphene.String(required=True, description="HH:MM; 24:00 for midnight.")


class DayPeriodInput(graphene.InputObjectType):
    open_time = graphene.String(required=True)
    close_time = graphene.String(required=True)


class SpecialDayInput(graphene.InputObjectType):
    date = graphene.Date(required=True)
    periods = graphene.List(graphene.NonNull(DayPeriodInput),
                            description="None or empty: closed that day.")


class OpeningHoursInput(graphene.InputObjectType):
    periods = graphene.List(graphene.NonNull(OpeningPeriodInput))
    special_days = graphene.List(graphene.NonNull(SpecialDayInput))
    closed_on_holidays = graphene.Boolean()


class TicketPriceInput(graphene.InputObjectType):
    label = TextInput(required=True)
    price = Rupiah(required=True)


class PlaceInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new place (a draft of your SKPD).")
    skpd_code = graphene.String(description="New places: the owning SKPD (admins and "
                                "Diskominfo editors only; others own what they create).")
    slug = graphene.String(description="Omitted: made from the name.")
    external_id = graphene.String()
    name = TextInput(required=True)
    description = TextInput(description="Markdown.")
    address = graphene.String()
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    location_approximate = graphene.Boolean()
    phone = graphene.String()
    website = graphene.String()
    category_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    facilities = graphene.List(graphene.NonNull(graphene.String))
    ticket_prices = graphene.List(graphene.NonNull(TicketPriceInput))
    opening_hours = OpeningHoursInput()
    photo_ids = graphene.List(
        graphene.NonNull(graphene.ID),
        description="Up to 10 photos you uploaded (uploadPhoto), first is the cover; "
        "omitted: the place keeps its photos; []: none.")


class PlacePayload:
    place = graphene.Field(PlaceType)


async def _payload(place_id: int) -> dict:
    return {"place": (await listing.views([place_id]))[0]}


class SavePlace(PlacePayload, BaseMutation):
    class Arguments:
        input = PlaceInput(required=True)

    class Meta:
        description = ("Create a place (a draft) or save edits to one; a published place "
                       "keeps showing its published values until the edits are published.")
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, input):
        item_id = parse_int_id(input.id, C.NOT_FOUND, "id") if input.id else None
        content = await clean_place(input, item_id=item_id, owner_id=principal.user.id)
        place = await editorial.save_draft(PLACES, principal, item_id, content,
                                           skpd_code=input.skpd_code)
        return await _payload(place.id)


class PublishPlace(PlacePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        at = graphene.DateTime(description="Publish at this time; omitted: now.")

    class Meta:
        description = "Publish a place's pending values now or at a set time."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, at=None):
        place = await editorial.publish(PLACES, principal, parse_int_id(id, C.NOT_FOUND, "id"),
                                        at)
        return await _payload(place.id)


class RollbackPlace(PlacePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        revision = graphene.Int(required=True)

    class Meta:
        description = "Publish an earlier revision of a place again."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, revision):
        place = await editorial.rollback(PLACES, principal,
                                         parse_int_id(id, C.NOT_FOUND, "id"), revision)
        return await _payload(place.id)


class WithdrawPlace(PlacePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Take a place off the public pages (publishing brings it back)."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id):
        place = await editorial.withdraw(PLACES, principal, parse_int_id(id, C.NOT_FOUND, "id"))
        return await _payload(place.id)


class PlaceMutations(graphene.ObjectType):
    save_place = SavePlace.Field()
    publish_place = PublishPlace.Field()
    rollback_place = RollbackPlace.Field()
    withdraw_place = WithdrawPlace.Field()
