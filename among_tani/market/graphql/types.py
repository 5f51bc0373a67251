from __future__ import annotations

import graphene

from among_tani.market import prices
from among_tani.market.errors import MarketErrorCode
from among_tani.market.models import (
    Fulfilment,
    ListingPhoto,
    ListingStatus,
    MarketPrice,
    OrderLine,
    OrderMessage,
    OrderStatus,
    PaymentMethod,
    PriceLevel,
)
from among_tani.market.quantities import from_milli
from among_tani.market.visibility import ListingView, OrderView
from among_tani.registry.api import CommodityType, FarmerType, UserByIdLoader, VillageRefType
from among_tani.registry.models import Commodity, FarmerProfile
from among_tani.registry.visibility import public_view
from backend.geo.models import Area
from backend.graphql.core import BaseLoader, connection_for, error_type
from backend.graphql.prefetch import then
from backend.graphql.scalars import Quantity, Rupiah
from backend.media.graphql.types import PhotoType
from backend.media.models import Photo

MarketError = error_type("MarketError", MarketErrorCode)
ListingStatusEnum = graphene.Enum.from_enum(ListingStatus, name="ListingStatus")
FulfilmentEnum = graphene.Enum.from_enum(
    Fulfilment, name="Fulfilment", description="PICKUP: the buyer collects; DELIVERY: the "
    "farmer delivers within deliveryRadiusKm for deliveryFee; COURIER: the buyer's courier.")
OrderStatusEnum = graphene.Enum.from_enum(OrderStatus, name="OrderStatus")
PaymentMethodEnum = graphene.Enum.from_enum(PaymentMethod, name="PaymentMethod")
PriceLevelEnum = graphene.Enum.from_enum(PriceLevel, name="PriceLevel")


# -- loaders (one query per page whatever its size) -------------------------------------------


class CommodityLoader(BaseLoader):
    async def fetch(self, keys):
        return {c.id: c for c in await Commodity.filter(id__in=keys)}


class AreaLoader(BaseLoader):
    async def fetch(self, keys):
        return {a.id: a for a in await Area.filter(id__in=keys)}


class FarmerProfileLoader(BaseLoader):
    async def fetch(self, keys):
        return {p.id: p for p in await FarmerProfile.filter(id__in=keys)}


class PhotosByListingLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        links = await ListingPhoto.filter(listing_id__in=keys).order_by("position")
        photos = {p.id: p for p in await Photo.filter(id__in={x.photo_id for x in links})}
        found: dict[int, list[Photo]] = {}
        for link in links:
            if link.photo_id in photos:
                found.setdefault(link.listing_id, []).append(photos[link.photo_id])
        return found


class ReferenceByCommodityLoader(BaseLoader):
    async def fetch(self, keys):
        return await prices.references(keys)


class ListingLoader(BaseLoader):
    async def fetch(self, keys):
        from among_tani.market.models import Listing

        return {x.id: x for x in await Listing.filter(id__in=keys)}


class LinesByOrderLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[OrderLine]] = {}
        for line in await OrderLine.filter(order_id__in=keys).order_by("id"):
            found.setdefault(line.order_id, []).append(line)
        return found


class MessagesByOrderLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[OrderMessage]] = {}
        for message in await OrderMessage.filter(order_id__in=keys).order_by("id"):
            found.setdefault(message.order_id, []).append(message)
        return found


# -- listings ---------------------------------------------------------------------------------


class ReferencePriceType(graphene.ObjectType):
    class Meta:
        name = "ReferencePrice"
        description = "The latest reference market price (distan) per base unit."

    price = graphene.Field(Rupiah, required=True, description="Per the commodity's base unit.")
    level = graphene.Field(PriceLevelEnum, required=True)
    date = graphene.Date(required=True)
    ratio = graphene.Float(description="This listing's price per base unit ÷ the reference "
                           "(1.1 = 10 % above); null when the listing has no base price.")


class ListingType(graphene.ObjectType):
    class Meta:
        name = "Listing"
        description = "Produce a verified farmer offers. The public sees the village and a " \
            "distance rounded to 0.1 km from a ~1 km grid point, never the farm."

    id = graphene.ID(required=True)
    status = graphene.Field(ListingStatusEnum, required=True)
    commodity = graphene.Field(CommodityType, required=True)
    variety = graphene.String(required=True)
    grade = graphene.String(required=True)
    description = graphene.String(required=True)
    photos = graphene.List(graphene.NonNull(PhotoType), required=True)
    unit = graphene.String(required=True)
    price_per_unit = graphene.Field(Rupiah, required=True)
    price_per_base_unit = graphene.Field(Rupiah, description="Null when the unit has no "
                                         "fixed size (an ikat).")
    available_quantity = graphene.Field(Quantity, required=True)
    min_order_quantity = graphene.Field(Quantity, required=True)
    harvest_date = graphene.Date()
    available_until = graphene.Date(required=True)
    village = graphene.Field(VillageRefType, required=True)
    distance_km = graphene.Float(description="From `near`, to the listing's public point.")
    fulfilment = graphene.List(graphene.NonNull(FulfilmentEnum), required=True)
    delivery_radius_km = graphene.Int()
    delivery_fee = graphene.Field(Rupiah)
    reference_price = graphene.Field(ReferencePriceType)
    farmer = graphene.Field(FarmerType, required=True)
    published_at = graphene.DateTime()
    # The farmer's own.
    lat = graphene.Float(description="The pickup point: only for the farmer.")
    lon = graphene.Float(description="The pickup point: only for the farmer.")
    quantity = graphene.Field(Quantity, description="Listed in all (the farmer only).")
    views = graphene.Int(description="The farmer only.")
    orders_count = graphene.Int(description="The farmer only.")

    @staticmethod
    def resolve_id(view: ListingView, info):
        return view.listing.id

    @staticmethod
    def resolve_status(view: ListingView, info):
        return view.listing.status

    @staticmethod
    def resolve_commodity(view: ListingView, info):
        return info.context.loader(CommodityLoader).now_or_later(view.listing.commodity_id)

    @staticmethod
    def resolve_variety(view: ListingView, info):
        return view.listing.variety

    @staticmethod
    def resolve_grade(view: ListingView, info):
        return view.listing.grade

    @staticmethod
    def resolve_description(view: ListingView, info):
        return view.listing.description

    @staticmethod
    def resolve_photos(view: ListingView, info):
        return info.context.loader(PhotosByListingLoader).now_or_later(view.listing.id)

    @staticmethod
    def resolve_unit(view: ListingView, info):
        return view.listing.unit.value

    @staticmethod
    def resolve_price_per_unit(view: ListingView, info):
        return view.listing.price_per_unit

    @staticmethod
    def resolve_price_per_base_unit(view: ListingView, info):
        return view.listing.price_per_base_unit

    @staticmethod
    def resolve_available_quantity(view: ListingView, info):
        return from_milli(view.listing.available_milli)

    @staticmethod
    def resolve_min_order_quantity(view: ListingView, info):
        return from_milli(view.listing.min_order_milli)

    @staticmethod
    def resolve_harvest_date(view: ListingView, info):
        return view.listing.harvest_date

    @staticmethod
    def resolve_available_until(view: ListingView, info):
        return view.listing.available_until

    @staticmethod
    def resolve_village(view: ListingView, info):
        return info.context.loader(AreaLoader).now_or_later(view.listing.village_id)

    @staticmethod
    def resolve_distance_km(view: ListingView, info):
        return view.distance_km

    @staticmethod
    def resolve_fulfilment(view: ListingView, info):
        return [Fulfilment(f) for f in view.listing.fulfilment]

    @staticmethod
    def resolve_delivery_radius_km(view: ListingView, info):
        return view.listing.delivery_radius_km

    @staticmethod
    def resolve_delivery_fee(view: ListingView, info):
        return view.listing.delivery_fee

    @staticmethod
    def resolve_reference_price(view: ListingView, info):
        def beside(ref):
            if ref is None:
                return None
            own = view.listing.price_per_base_unit
            return {"price": ref.price_per_base_unit, "level": ref.level, "date": ref.date,
                    "ratio": round(own / ref.price_per_base_unit, 2) if own else None}

        return then(info.context.loader(ReferenceByCommodityLoader).now_or_later(
            view.listing.commodity_id), beside)

    @staticmethod
    def resolve_farmer(view: ListingView, info):
        return then(info.context.loader(FarmerProfileLoader).now_or_later(
            view.listing.farmer_profile_id),
            lambda profile: public_view(profile) or _unverified_view(profile))

    @staticmethod
    def resolve_published_at(view: ListingView, info):
        return view.listing.published_at

    @staticmethod
    def resolve_lat(view: ListingView, info):
        return view.listing.lat if view.is_owner else None

    @staticmethod
    def resolve_lon(view: ListingView, info):
        return view.listing.lon if view.is_owner else None

    @staticmethod
    def resolve_quantity(view: ListingView, info):
        return from_milli(view.listing.quantity_milli) if view.is_owner else None

    @staticmethod
    def resolve_views(view: ListingView, info):
        return view.listing.views if view.is_owner else None

    @staticmethod
    def resolve_orders_count(view: ListingView, info):
        return view.listing.orders_count if view.is_owner else None


def _unverified_view(profile):
    # A listing outlives its farmer's verification (e.g. erased account): still the public
    # fields only.
    from among_tani.registry.visibility import FarmerAudience, FarmerView

    return FarmerView(profile, FarmerAudience.PUBLIC)


async def _prefetch_commodities(context, views) -> None:
    await context.loader(CommodityLoader).prefetch(v.listing.commodity_id for v in views)


async def _prefetch_villages(context, views) -> None:
    await context.loader(AreaLoader).prefetch(v.listing.village_id for v in views)


async def _prefetch_photos(context, views) -> None:
    await context.loader(PhotosByListingLoader).prefetch(v.listing.id for v in views)


async def _prefetch_references(context, views) -> None:
    await context.loader(ReferenceByCommodityLoader).prefetch(
        v.listing.commodity_id for v in views)


async def _prefetch_farmers(context, views) -> None:
    profiles = context.loader(FarmerProfileLoader)
    await profiles.prefetch(v.listing.farmer_profile_id for v in views)
    # Their names (Farmer.displayName) with them: one more statement, not one per farmer.
    await context.loader(UserByIdLoader).prefetch(
        profile.user_id for profile in (profiles.ready[v.listing.farmer_profile_id]
                                        for v in views) if profile is not None)


# What each selected field needs for a whole page before it resolves (prepared lists,
# backend/graphql/prefetch.py): the page then completes on graphql-core's synchronous path.
ListingType.PREFETCH = {
    "commodity": _prefetch_commodities,
    "village": _prefetch_villages,
    "photos": _prefetch_photos,
    "referencePrice": _prefetch_references,
    "farmer": _prefetch_farmers,
}

ListingConnection = connection_for(ListingType)


# -- orders -----------------------------------------------------------------------------------


class PointType(graphene.ObjectType):
    class Meta:
        name = "TaniPoint"

    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class OrderLineType(graphene.ObjectType):
    class Meta:
        name = "OrderLine"

    listing_id = graphene.ID(required=True)
    commodity = graphene.Field(CommodityType, required=True)
    quantity = graphene.Field(Quantity, required=True)
    unit = graphene.String(required=True)
    price_per_unit = graphene.Field(Rupiah, required=True)
    line_total = graphene.Field(Rupiah, required=True)

    @staticmethod
    async def resolve_commodity(line: OrderLine, info):
        return await info.context.loader(CommodityLoader).load(line.commodity_id)

    @staticmethod
    def resolve_quantity(line: OrderLine, info):
        return from_milli(line.quantity_milli)

    @staticmethod
    def resolve_unit(line: OrderLine, info):
        return line.unit.value


class OrderMessageType(graphene.ObjectType):
    class Meta:
        name = "OrderMessage"

    id = graphene.ID(required=True)
    from_me = graphene.Boolean(required=True)
    author_name = graphene.String(required=True)
    text = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    async def resolve_from_me(message: OrderMessage, info):
        principal = await info.context.principal()
        return principal is not None and principal.user.id == message.author_id

    @staticmethod
    async def resolve_author_name(message: OrderMessage, info):
        user = await info.context.loader(UserByIdLoader).load(message.author_id)
        return (user.name or "") if user else ""


class CounterpartType(graphene.ObjectType):
    class Meta:
        name = "OrderCounterpart"
        description = "The other party of an order; the phone once the farmer accepted."

    name = graphene.String(required=True)
    phone = graphene.String()


class OrderType(graphene.ObjectType):
    class Meta:
        name = "Order"
        description = "Seen only by its buyer and its farmer."

    id = graphene.ID(required=True)
    number = graphene.String(required=True, description="e.g. TN-00042, to read by phone.")
    status = graphene.Field(OrderStatusEnum, required=True)
    my_role = graphene.String(required=True, description="BUYER or FARMER.")
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True)
    fulfilment = graphene.Field(FulfilmentEnum, required=True)
    payment_method = graphene.Field(PaymentMethodEnum, required=True)
    note = graphene.String(required=True)
    subtotal = graphene.Field(Rupiah, required=True)
    delivery_fee = graphene.Field(Rupiah, required=True)
    total = graphene.Field(Rupiah, required=True)
    respond_by = graphene.DateTime(required=True)
    placed_at = graphene.DateTime(required=True)
    accepted_at = graphene.DateTime()
    ready_at = graphene.DateTime()
    completed_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    close_reason = graphene.String()
    paid_at = graphene.DateTime()
    rating = graphene.Int()
    rating_comment = graphene.String()
    farmer = graphene.Field(FarmerType, required=True)
    counterpart = graphene.Field(CounterpartType, required=True)
    pickup_point = graphene.Field(PointType, description="For the buyer once accepted.")
    delivery_point = graphene.Field(PointType)
    messages = graphene.List(graphene.NonNull(OrderMessageType), required=True)

    @staticmethod
    def resolve_id(view: OrderView, info):
        return view.order.id

    @staticmethod
    def resolve_number(view: OrderView, info):
        return view.order.number

    @staticmethod
    def resolve_status(view: OrderView, info):
        return view.order.status

    @staticmethod
    def resolve_my_role(view: OrderView, info):
        return view.audience.name

    @staticmethod
    async def resolve_lines(view: OrderView, info):
        return await info.context.loader(LinesByOrderLoader).load(view.order.id)

    @staticmethod
    def resolve_placed_at(view: OrderView, info):
        return view.order.created_at

    @staticmethod
    def resolve_close_reason(view: OrderView, info):
        return view.order.close_reason or None

    @staticmethod
    def resolve_rating_comment(view: OrderView, info):
        return view.order.rating_comment or None

    @staticmethod
    async def resolve_farmer(view: OrderView, info):
        profile = await info.context.loader(FarmerProfileLoader).load(
            view.order.farmer_profile_id)
        return _unverified_view(profile)

    @staticmethod
    async def resolve_counterpart(view: OrderView, info):
        user = await info.context.loader(UserByIdLoader).load(view.counterpart_id())
        return {"name": (user.name or "") if user else "",
                "phone": user.phone if user and view.phones_exchanged else None}

    @staticmethod
    async def resolve_pickup_point(view: OrderView, info):
        if not view.sees_pickup_point:
            return None
        lines = await info.context.loader(LinesByOrderLoader).load(view.order.id)
        listing = await info.context.loader(ListingLoader).load(lines[0].listing_id) \
            if lines else None
        return {"lat": listing.lat, "lon": listing.lon} if listing else None

    @staticmethod
    def resolve_delivery_point(view: OrderView, info):
        o = view.order
        if o.delivery_lat is None or not view.sees_delivery_point:
            return None
        return {"lat": o.delivery_lat, "lon": o.delivery_lon}

    @staticmethod
    async def resolve_messages(view: OrderView, info):
        return await info.context.loader(MessagesByOrderLoader).load(view.order.id)


def _from_order(name):
    def resolve(view: OrderView, info):
        return getattr(view.order, name)
    return staticmethod(resolve)


for _name in ("fulfilment", "payment_method", "note", "subtotal", "delivery_fee", "total",
              "respond_by", "accepted_at", "ready_at", "completed_at", "closed_at", "paid_at",
              "rating"):
    setattr(OrderType, f"resolve_{_name}", _from_order(_name))

OrderConnection = connection_for(OrderType)


# -- prices ----------------------------------------------------------------------------------


class MarketPriceType(graphene.ObjectType):
    class Meta:
        name = "MarketPrice"

    date = graphene.Date(required=True)
    market = graphene.String(required=True)
    level = graphene.Field(PriceLevelEnum, required=True)
    unit = graphene.String(required=True)
    price = graphene.Field(Rupiah, required=True)
    price_per_base_unit = graphene.Field(Rupiah)
    source = graphene.String(required=True)
    demo = graphene.Boolean(required=True, description="Demo data, not an observation.")

    @staticmethod
    def resolve_market(row: MarketPrice, info):
        return row.market.name

    @staticmethod
    def resolve_unit(row: MarketPrice, info):
        return row.unit.value


class PriceBoardRowType(graphene.ObjectType):
    class Meta:
        name = "PriceBoardRow"

    commodity = graphene.Field(CommodityType, required=True)
    listings = graphene.Int(required=True, description="Active listings this week.")
    median_price_per_base_unit = graphene.Field(Rupiah)
    reference_price = graphene.Field(ReferencePriceType)

    @staticmethod
    def resolve_reference_price(row: prices.BoardRow, info):
        ref = row.reference
        if ref is None:
            return None
        return {"price": ref.price_per_base_unit, "level": ref.level, "date": ref.date,
                "ratio": row.ratio}
