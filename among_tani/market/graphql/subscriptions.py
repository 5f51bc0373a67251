from __future__ import annotations

import graphene
from graphql import GraphQLError

from among_tani.market.events import MarketEvent
from among_tani.market.graphql.types import OrderType
from among_tani.market.models import Order
from among_tani.market.visibility import order_view
from backend import ids
from backend.errors import Forbidden
from backend.events.audience import viewer_keys
from backend.graphql.core import guarded, stream_cursor
from backend.permissions import SIGNED_IN

ORDER_EVENTS = frozenset(e.value for e in MarketEvent if e.value.startswith("order."))
MarketEventEnum = graphene.Enum.from_enum(MarketEvent, name="MarketEventType")


def _bus(info):
    bus = info.context.services.get("event_bus")
    if bus is None:
        raise GraphQLError("The live stream is not running in this process.",
                           extensions={"code": "UNAVAILABLE"})
    return bus


class OrderEventType(graphene.ObjectType):
    class Meta:
        name = "OrderEvent"
        description = "A change to one of the caller's orders (as buyer or farmer)."

    cursor = graphene.String(required=True, description="Resume after this event with `after`.")
    type = graphene.Field(MarketEventEnum, required=True)
    occurred_at = graphene.DateTime(required=True)
    order = graphene.Field(OrderType, description="The order now, as the caller sees it.")

    @staticmethod
    def resolve_cursor(event, info):
        return str(event.id)

    @staticmethod
    def resolve_type(event, info):
        return MarketEvent(event.type)

    @staticmethod
    async def resolve_order(event, info):
        order = await Order.get_or_none(id=event.subject_id)
        return order_view(order, await info.context.principal()) if order else None


def _order_events(event) -> bool:
    return event.subject_type == "order" and event.type in ORDER_EVENTS


class MarketSubscriptions(graphene.ObjectType):
    my_order_events = graphene.Field(
        OrderEventType, required=True, after=graphene.String(),
        description="Every change to the caller's orders (bought or sold): replayed from "
        "`after`, then live.")
    order_updates = graphene.Field(
        OrderEventType, required=True, id=graphene.ID(required=True), after=graphene.String(),
        description="Changes to one order (its buyer and its farmer), from its beginning.")

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_my_order_events(root, info, after=None):
        principal = await info.context.principal()
        after = await stream_cursor(after)
        return _bus(info).stream(after, viewer_keys(principal), _order_events)

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_order_updates(root, info, id, after=None):
        principal = await info.context.principal()
        after = await stream_cursor(after)
        row_id = ids.parse_id(id)
        order = await Order.get_or_none(id=row_id) if row_id else None
        if order is None or order_view(order, principal) is None:
            raise Forbidden("You cannot follow this order.")
        order_id = order.id

        def accept(event) -> bool:
            return _order_events(event) and event.subject_id == order_id

        return _bus(info).stream(after or 0, viewer_keys(principal), accept)

    @staticmethod
    def resolve_my_order_events(event, info, **kwargs):
        return event

    @staticmethod
    def resolve_order_updates(event, info, **kwargs):
        return event
