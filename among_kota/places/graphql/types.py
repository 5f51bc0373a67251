from __future__ import annotations

from datetime import date

import graphene

from among_kota.content.graphql.types import EditorialType, editorial_of
from among_kota.content.rights import may_edit
from among_kota.places.hours import WEEKDAYS
from among_kota.places.listing import PlaceSort, PlaceView
from among_kota.places.models import Place
from backend.graphql.connections import connection_for
from backend.graphql.prefetch import then
from backend.graphql.scalars import Rupiah
from backend.i18n import Text, bilingual_field, localized
from backend.markdown import render_markdown
from backend.media.graphql.dataloaders import PhotoByIdLoader
from backend.media.graphql.types import PhotoType

WeekdayEnum = graphene.Enum("Weekday", [(d, d) for d in WEEKDAYS])
PlaceSortEnum = graphene.Enum.from_enum(PlaceSort, name="PlaceSort")


class PlaceCategoryType(graphene.ObjectType):
    class Meta:
        name = "PlaceCategory"

    code = graphene.String(required=True)
    name = bilingual_field(required=True)
    group_code = graphene.String(description="The broader category (health for a pharmacy).")
    icon = graphene.String(required=True)


class OpeningPeriodType(graphene.ObjectType):
    class Meta:
        name = "OpeningPeriod"
        description = ("A weekly period in WIB; it may close on a later day (past midnight). "
                       "Times are HH:MM, 24:00 for midnight at the end of a day.")

    open_day = graphene.Field(WeekdayEnum, required=True)
    open_time = graphene.String(required=True)
    close_day = graphene.Field(WeekdayEnum, required=True)
    close_time = graphene.String(required=True)


class DayPeriodType(graphene.ObjectType):
    class Meta:
        name = "DayPeriod"

    open_time = graphene.String(required=True)
    close_time = graphene.String(required=True)


class SpecialDayType(graphene.ObjectType):
    class Meta:
        name = "SpecialDay"
        description = "A date with its own hours (none: closed), instead of the weekly ones."

    date = graphene.Date(required=True)
    closed = graphene.Boolean(required=True)
    periods = graphene.List(graphene.NonNull(DayPeriodType), required=True)

    @staticmethod
    def resolve_date(root, info):
        return date.fromisoformat(root["date"])

    @staticmethod
    def resolve_closed(root, info):
        return not root["periods"]

    @staticmethod
    def resolve_periods(root, info):
        return [DayPeriodType(open_time=p["openTime"], close_time=p["closeTime"])
                for p in root["periods"]]


class OpeningHoursType(graphene.ObjectType):
    class Meta:
        name = "OpeningHours"

    periods = graphene.List(graphene.NonNull(OpeningPeriodType), required=True)
    special_days = graphene.List(graphene.NonNull(SpecialDayType), required=True)
    closed_on_holidays = graphene.Boolean(required=True)

    @staticmethod
    def resolve_periods(root, info):
        return [OpeningPeriodType(open_day=p["openDay"], open_time=p["openTime"],
                                  close_day=p["closeDay"], close_time=p["closeTime"])
                for p in root["periods"]]

    @staticmethod
    def resolve_special_days(root, info):
        return root["specialDays"]

    @staticmethod
    def resolve_closed_on_holidays(root, info):
        return root["closedOnHolidays"]


class TicketPriceType(graphene.ObjectType):
    class Meta:
        name = "TicketPrice"

    label = graphene.String(required=True)
    price = graphene.Field(Rupiah, required=True, description="0 is free.")

    @staticmethod
    def resolve_label(root, info):
        return Text(**root["label"]).for_language(info.context.language)


class PlaceType(graphene.ObjectType):
    class Meta:
        name = "Place"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True, description="In the language asked for "
                           "(Accept-Language); Indonesian when there is no English.")
    description = graphene.String(required=True, description="Markdown as written, in the "
                                  "language asked for.")
    description_html = graphene.String(required=True, description="The description rendered "
                                       "to sanitised HTML.")
    address = graphene.String(required=True)
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    location_approximate = graphene.Boolean(
        required=True, description="True when the point is only roughly right (demo data).")
    phone = graphene.String(description="The place's public number (a business line).")
    website = graphene.String()
    categories = graphene.List(graphene.NonNull(PlaceCategoryType), required=True)
    facilities = graphene.List(graphene.NonNull(graphene.String), required=True)
    ticket_prices = graphene.List(graphene.NonNull(TicketPriceType), required=True)
    opening_hours = graphene.Field(OpeningHoursType, description="Null when not known.")
    open_now = graphene.Boolean(description="Open at this moment (WIB); null when the hours "
                                "are not known.")
    distance_km = graphene.Float(description="From the `near` point asked for, if any.")
    photos = graphene.List(graphene.NonNull(PhotoType), required=True,
                           description="Up to 10; the first is the cover.")
    editorial = graphene.Field(EditorialType, description="For its editors only; null for "
                               "everyone else.")

    @staticmethod
    def resolve_id(view: PlaceView, info):
        return str(view.place.id)

    @staticmethod
    def resolve_slug(view: PlaceView, info):
        return view.place.slug

    @staticmethod
    def resolve_name(view: PlaceView, info):
        return localized(view.place, "name", info.context.language)

    @staticmethod
    def resolve_description(view: PlaceView, info):
        return localized(view.place, "description", info.context.language) or ""

    @staticmethod
    def resolve_description_html(view: PlaceView, info):
        return render_markdown(localized(view.place, "description", info.context.language))

    @staticmethod
    def resolve_address(view: PlaceView, info):
        return view.place.address

    @staticmethod
    def resolve_lat(view: PlaceView, info):
        return view.place.lat

    @staticmethod
    def resolve_lon(view: PlaceView, info):
        return view.place.lon

    @staticmethod
    def resolve_location_approximate(view: PlaceView, info):
        return view.place.location_approximate

    @staticmethod
    def resolve_phone(view: PlaceView, info):
        return view.place.phone

    @staticmethod
    def resolve_website(view: PlaceView, info):
        return view.place.website

    @staticmethod
    def resolve_categories(view: PlaceView, info):
        return view.categories

    @staticmethod
    def resolve_facilities(view: PlaceView, info):
        return view.place.content.get("facilities") or []

    @staticmethod
    def resolve_ticket_prices(view: PlaceView, info):
        return view.place.content.get("ticketPrices") or []

    @staticmethod
    def resolve_opening_hours(view: PlaceView, info):
        return view.place.content.get("openingHours")

    @staticmethod
    def resolve_open_now(view: PlaceView, info):
        return view.open_now

    @staticmethod
    def resolve_distance_km(view: PlaceView, info):
        return view.distance_km

    @staticmethod
    def resolve_photos(view: PlaceView, info):
        # A value when fetched ahead for the page (PREFETCH below), else later.
        return then(info.context.loader(PhotoByIdLoader).many_now_or_later(
            _photo_ids(view)), lambda photos: [p for p in photos if p is not None])

    @staticmethod
    async def resolve_editorial(view: PlaceView, info):
        principal = await info.context.principal()
        if principal is None or not may_edit(principal, view.place.skpd_id):
            return None
        # An editor's page: a few places, each read as a model for its editorial state.
        return await editorial_of("place", await Place.get(id=view.place.id), info)


def _photo_ids(view: PlaceView) -> list[int]:
    return [int(i) for i in view.place.content.get("photoIds") or []]


async def _prefetch_photos(context, views) -> None:
    ids = [i for v in views for i in _photo_ids(v)]
    if ids:
        await context.loader(PhotoByIdLoader).prefetch(ids)


PlaceType.PREFETCH = {"photos": _prefetch_photos}
PlaceConnection = connection_for(PlaceType)
