from __future__ import annotations

import graphene

from among_tani.market import listings, orders, prices
from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.graphql.types import (
    FulfilmentEnum,
    ListingType,
    MarketError,
    MarketPriceType,
    OrderMessageType,
    OrderType,
    PaymentMethodEnum,
    PriceLevelEnum,
)
from among_tani.market.models import Fulfilment, ListingStatus, PaymentMethod, PriceLevel
from among_tani.market.visibility import listing_views, order_view
from among_tani.registry.api import UnitEnum
from among_tani.registry.models import Unit
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.enums import as_enum, as_enums
from backend.graphql.scalars import Quantity, Rupiah
from backend.permissions import SIGNED_IN


class ListingFields:
    variety = graphene.String()
    grade = graphene.String()
    description = graphene.String()
    min_order_quantity = Quantity()
    harvest_date = graphene.Date()
    fulfilment = graphene.List(graphene.NonNull(FulfilmentEnum))
    delivery_radius_km = graphene.Int()
    delivery_fee = Rupiah()
    photo_ids = graphene.List(graphene.NonNull(graphene.ID), description="1–5 photos "
                              "uploaded with uploadPhoto.")


class CreateListingInput(ListingFields, graphene.InputObjectType):
    commodity_code = graphene.String(required=True)
    unit = UnitEnum(required=True)
    price_per_unit = Rupiah(required=True)
    quantity = Quantity(required=True)
    available_until = graphene.Date(required=True)
    lat = graphene.Float(required=True, description="The pickup point (in Kota Batu).")
    lon = graphene.Float(required=True)
    draft = graphene.Boolean(default_value=False, description="Keep it unpublished.")


class UpdateListingInput(ListingFields, graphene.InputObjectType):
    commodity_code = graphene.String()
    unit = UnitEnum()
    price_per_unit = Rupiah()
    quantity = Quantity(description="The quantity still for sale from now on.")
    available_until = graphene.Date()
    lat = graphene.Float()
    lon = graphene.Float()


def _listing_input(data) -> listings.ListingInput:
    provided = {k for k in data}
    return listings.ListingInput(
        commodity_code=data.get("commodity_code"), variety=data.get("variety"),
        grade=data.get("grade"), description=data.get("description"),
        unit=as_enum(Unit, data["unit"]) if data.get("unit") is not None else None,
        price_per_unit=data.get("price_per_unit"), quantity=data.get("quantity"),
        min_order_quantity=data.get("min_order_quantity"),
        harvest_date=data.get("harvest_date"), available_until=data.get("available_until"),
        lat=data.get("lat"), lon=data.get("lon"),
        fulfilment=(as_enums(Fulfilment, data["fulfilment"]) or [])
        if data.get("fulfilment") is not None else None,
        delivery_radius_km=data.get("delivery_radius_km"),
        delivery_fee=data.get("delivery_fee"), photo_ids=data.get("photo_ids"),
        draft=bool(data.get("draft")), provided=provided)


class ListingPayload:
    listing = graphene.Field(ListingType)


async def _listing_view(info, listing):
    return listing_views([listing], await info.context.principal())[0]


class CreateListing(ListingPayload, BaseMutation):
    class Arguments:
        input = CreateListingInput(required=True)

    class Meta:
        description = "A verified farmer offers produce (ACTIVE at once unless draft)."
        need = SIGNED_IN
        error_type = MarketError

    @classmethod
    async def perform(cls, root, info, principal, input):
        listing = await listings.create_listing(principal, _listing_input(input))
        return {"listing": await _listing_view(info, listing)}


class UpdateListing(ListingPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = UpdateListingInput(required=True)

    class Meta:
        description = "Change a listing; omitted fields stay as they are."
        need = SIGNED_IN
        error_type = MarketError

    @classmethod
    async def perform(cls, root, info, principal, id, input):
        listing = await listings.update_listing(
            principal, parse_int_id(id, Code.NOT_FOUND, "id"), _listing_input(input))
        return {"listing": await _listing_view(info, listing)}


def _status_mutation(name: str, to: ListingStatus, text: str) -> type[BaseMutation]:
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = text
        need = SIGNED_IN
        error_type = MarketError

    async def perform(cls, root, info, principal, id):
        listing = await listings.set_listing_status(
            principal, parse_int_id(id, Code.NOT_FOUND, "id"), to)
        return {"listing": await _listing_view(info, listing)}

    return type(name, (ListingPayload, BaseMutation), {
        "Arguments": Arguments, "Meta": Meta, "perform": classmethod(perform)})


PauseListing = _status_mutation("PauseListing", ListingStatus.PAUSED,
                                "Take an ACTIVE listing off the market for now.")
PublishListing = _status_mutation("PublishListing", ListingStatus.ACTIVE,
                                  "Put a DRAFT or PAUSED listing on the market.")


class OrderLineInput(graphene.InputObjectType):
    listing_id = graphene.ID(required=True)
    quantity = Quantity(required=True, description="In the listing's unit.")


class PointInput(graphene.InputObjectType):
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class PlaceOrderInput(graphene.InputObjectType):
    client_request_id = graphene.String(
        required=True, description="A random id the app makes once per order and re-sends "
        "on every retry: the same id returns the same order.")
    lines = graphene.List(graphene.NonNull(OrderLineInput), required=True,
                          description="From one farmer's listings.")
    fulfilment = FulfilmentEnum(required=True)
    delivery_point = PointInput(description="Needed for DELIVERY.")
    payment_method = PaymentMethodEnum(required=True)
    note = graphene.String()


class OrderPayload:
    order = graphene.Field(OrderType)


class PlaceOrder(OrderPayload, BaseMutation):
    class Arguments:
        input = PlaceOrderInput(required=True)

    class Meta:
        description = "Order from one farmer. Stock is taken at once: INSUFFICIENT_STOCK " \
            "says how much is left when others were faster. Idempotent by clientRequestId."
        need = SIGNED_IN
        error_type = MarketError

    @classmethod
    async def perform(cls, root, info, principal, input):
        point = input.get("delivery_point")
        order = await orders.place_order(principal, orders.PlaceOrder(
            client_request_id=input.client_request_id,
            lines=[orders.LineInput(parse_int_id(line.listing_id, Code.NOT_FOUND,
                                                 "lines.listingId"), line.quantity)
                   for line in input.lines],
            fulfilment=as_enum(Fulfilment, input.fulfilment),
            payment_method=as_enum(PaymentMethod, input.payment_method),
            note=input.get("note"),
            delivery_lat=point.lat if point else None,
            delivery_lon=point.lon if point else None))
        return {"order": order_view(order, principal)}


def _order_mutation(name: str, text: str, action, *, reason: str | None = None
                    ) -> type[BaseMutation]:
    fields = {"id": graphene.ID(required=True)}
    if reason is not None:
        fields["reason"] = graphene.String(description=reason)
    Arguments = type("Arguments", (), fields)

    class Meta:
        description = text
        need = SIGNED_IN
        error_type = MarketError

    async def perform(cls, root, info, principal, id, **kwargs):
        order = await action(principal, parse_int_id(id, Code.NOT_FOUND, "id"), **kwargs)
        return {"order": order_view(order, principal)}

    return type(name, (OrderPayload, BaseMutation), {
        "Arguments": Arguments, "Meta": Meta, "perform": classmethod(perform)})


AcceptOrder = _order_mutation("AcceptOrder", "The farmer accepts a PLACED order; phones "
                              "are exchanged.", orders.accept_order)
DeclineOrder = _order_mutation("DeclineOrder", "The farmer declines a PLACED order (stock "
                               "returns).", orders.decline_order, reason="Required.")
MarkOrderReady = _order_mutation("MarkOrderReady", "The farmer: ready for pickup/delivery.",
                                 orders.mark_ready)
MarkOrderPaid = _order_mutation("MarkOrderPaid", "The farmer records that the payment "
                                "arrived.", orders.mark_paid)
ConfirmOrderReceived = _order_mutation("ConfirmOrderReceived", "The buyer confirms receipt "
                                       "of a READY order.", orders.confirm_received)
CancelOrder = _order_mutation(
    "CancelOrder", "The buyer before acceptance; the farmer later, with a reason (stock "
    "returns).", orders.cancel_order, reason="Required for the farmer.")


class RateOrder(OrderPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        rating = graphene.Int(required=True, description="1–5")
        comment = graphene.String()

    class Meta:
        description = "The buyer rates the farmer after a COMPLETED order (once)."
        need = SIGNED_IN
        error_type = MarketError

    @classmethod
    async def perform(cls, root, info, principal, id, rating, comment=None):
        order = await orders.rate_order(principal, parse_int_id(id, Code.NOT_FOUND, "id"),
                                        rating, comment)
        return {"order": order_view(order, principal)}


class SendOrderMessage(BaseMutation):
    class Arguments:
        order_id = graphene.ID(required=True)
        text = graphene.String(required=True)

    class Meta:
        description = "A message in the order's thread (buyer and farmer)."
        need = SIGNED_IN
        error_type = MarketError

    message = graphene.Field(OrderMessageType)

    @classmethod
    async def perform(cls, root, info, principal, order_id, text):
        message = await orders.send_message(
            principal, parse_int_id(order_id, Code.NOT_FOUND, "orderId"), text)
        return {"message": message}


class RecordMarketPriceInput(graphene.InputObjectType):
    date = graphene.Date(required=True)
    market_code = graphene.String(required=True)
    commodity_code = graphene.String(required=True)
    level = PriceLevelEnum(required=True)
    unit = UnitEnum(required=True)
    price = Rupiah(required=True)
    source = graphene.String()


class RecordMarketPrice(BaseMutation):
    class Arguments:
        input = RecordMarketPriceInput(required=True)

    class Meta:
        description = "A price officer (distan) records a reference price; the same (date, " \
            "market, commodity, level) again corrects it."
        need = SIGNED_IN
        error_type = MarketError

    price = graphene.Field(MarketPriceType)

    @classmethod
    async def perform(cls, root, info, principal, input):
        row = await prices.record_price(principal, prices.PriceInput(
            date=input.date, market_code=input.market_code,
            commodity_code=input.commodity_code, level=as_enum(PriceLevel, input.level),
            unit=as_enum(Unit, input.unit), price=input.price, source=input.get("source") or ""))
        await row.fetch_related("market")
        return {"price": row}


class MarketMutations(graphene.ObjectType):
    create_listing = CreateListing.Field()
    update_listing = UpdateListing.Field()
    pause_listing = PauseListing.Field()
    publish_listing = PublishListing.Field()
    place_order = PlaceOrder.Field()
    accept_order = AcceptOrder.Field()
    decline_order = DeclineOrder.Field()
    mark_order_ready = MarkOrderReady.Field()
    mark_order_paid = MarkOrderPaid.Field()
    confirm_order_received = ConfirmOrderReceived.Field()
    cancel_order = CancelOrder.Field()
    rate_order = RateOrder.Field()
    send_order_message = SendOrderMessage.Field()
    record_market_price = RecordMarketPrice.Field()
