from __future__ import annotations

import graphene

from among_kota.content.graphql.mutations import EditorialMutations
from among_kota.content.graphql.types import TextInput
from among_kota.places import listing
from among_kota.places.graphql.types import PlaceType, WeekdayEnum
from among_kota.places.listing import PlaceView
from among_kota.places.services import PLACES, clean_place
from backend.accounts.services import Principal
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


async def _load(place_id: int) -> PlaceView:
    return (await listing.views([place_id]))[0]


async def _clean(input: PlaceInput, item_id: int | None, principal: Principal) -> dict:
    return await clean_place(input, item_id=item_id, owner_id=principal.user.id)


PLACE_EDITING = EditorialMutations(
    PLACES, "Place", PlaceInput, "place", PlaceType, _load, _clean, descriptions={
        "save": ("Create a place (a draft) or save edits to one; a published place keeps "
                 "showing its published values until the edits are published."),
    })


class PlaceMutations(graphene.ObjectType):
    save_place, publish_place, rollback_place, withdraw_place = PLACE_EDITING.fields()
