"""The market's part of ``myData``: the person's orders (bought and sold, with lines and
their own messages), their listings, and the ratings they gave. Deleting the account keeps
orders for the other party (detached from the person: user rows stay, erased); the person's
messages lose their text, their listings leave the market."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from among_tani.market.models import Listing, ListingStatus, Order, OrderLine, OrderMessage
from among_tani.market.quantities import text
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export(context: ExportContext) -> dict[str, Any]:
    me = context.user_id
    orders = await Order.filter(Q(buyer_id=me) | Q(farmer_id=me)).order_by("id")
    ids = [o.id for o in orders]
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in await OrderLine.filter(order_id__in=ids).select_related("commodity") \
            .order_by("id"):
        lines.setdefault(line.order_id, []).append({
            "commodity": line.commodity.code, "quantity": text(line.quantity_milli),
            "unit": line.unit.value, "pricePerUnit": line.price_per_unit,
            "lineTotal": line.line_total})
    messages: dict[int, list[dict[str, Any]]] = {}
    for message in await OrderMessage.filter(order_id__in=ids, author_id=me).order_by("id"):
        messages.setdefault(message.order_id, []).append(
            {"at": _iso(message.created_at), "text": message.text})
    listings = await Listing.filter(farmer_id=me).select_related("commodity").order_by("id")
    return {
        "orders": [{
            "number": o.number, "as": "buyer" if o.buyer_id == me else "farmer",
            "status": o.status.value, "placedAt": _iso(o.created_at), "total": o.total,
            "fulfilment": o.fulfilment.value, "paymentMethod": o.payment_method.value,
            "deliveryPoint": {"lat": o.delivery_lat, "lon": o.delivery_lon}
            if o.delivery_lat is not None and o.buyer_id == me else None,
            "note": o.note if o.buyer_id == me else None,
            "rating": o.rating if o.buyer_id == me else None,
            "ratingComment": o.rating_comment if o.buyer_id == me else None,
            "lines": lines.get(o.id, []), "myMessages": messages.get(o.id, []),
        } for o in orders],
        "listings": [{
            "commodity": x.commodity.code, "variety": x.variety, "status": x.status.value,
            "pricePerUnit": x.price_per_unit, "unit": x.unit.value,
            "pickupPoint": {"lat": x.lat, "lon": x.lon}, "listedAt": _iso(x.listed_at),
        } for x in listings],
    }


async def erase(user_id: int) -> None:
    await OrderMessage.filter(author_id=user_id).update(text="")
    await Order.filter(buyer_id=user_id).update(note="", rating_comment="",
                                                delivery_lat=None, delivery_lon=None)
    await Listing.filter(farmer_id=user_id, status__in=(
        ListingStatus.ACTIVE, ListingStatus.PAUSED, ListingStatus.DRAFT,
    )).update(status=ListingStatus.EXPIRED)


SECTION = register(PersonalDataSection(key="taniMarket", export=export, erase=erase))
