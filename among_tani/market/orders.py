"""Orders: a buyer orders from one farmer's listings; stock is taken in the same transaction
by a conditional UPDATE, so no quantity is ever sold twice, on SQLite and PostgreSQL alike.

The state machine has the shape of ``among_warga/transitions.py``: allowed transitions as a
table, each change a conditional ``UPDATE … WHERE status = expected`` (of two actors at once
only one wins), its event recorded in the same unit of work.

    PLACED ──accept──▶ ACCEPTED ──ready──▶ READY ──buyer confirms──▶ COMPLETED
      │ decline / buyer cancels /            │ farmer cancels          │ farmer cancels
      │ no answer in 24 h (expiry job)       ▼ (with a reason)         ▼ (with a reason)
      ▼                                   CANCELLED                 CANCELLED
    DECLINED / CANCELLED / EXPIRED     (stock returns on every way out but COMPLETED)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from among_tani.audience import record, user_key
from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.events import MarketEvent
from among_tani.market.listings import _registry_error, today
from among_tani.market.models import (
    Fulfilment,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    OrderMessage,
    OrderStatus,
    PaymentMethod,
)
from among_tani.market.quantities import line_total, text, to_milli
from among_tani.registry import services as registry
from backend.accounts.services import Principal
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.geodesy import check_lat_lon, geodesic_distance_m
from backend.text import TextRule

MAX_LINES = 20
RESPOND_WITHIN = timedelta(hours=24)
NOTE = TextRule(max=1000, too_long=Code.TEXT_TOO_LONG, invalid=Code.INVALID_TEXT)
REASON = TextRule(max=500, too_long=Code.TEXT_TOO_LONG, required=Code.REASON_REQUIRED,
                  invalid=Code.INVALID_TEXT)
MESSAGE = TextRule(max=1000, too_long=Code.TEXT_TOO_LONG, required=Code.MESSAGE_REQUIRED,
                   invalid=Code.INVALID_TEXT)
RATING_COMMENT = TextRule(max=1000, too_long=Code.TEXT_TOO_LONG, invalid=Code.INVALID_TEXT)


@dataclass(frozen=True)
class LineInput:
    listing_id: int
    quantity: Decimal


@dataclass(frozen=True)
class PlaceOrder:
    client_request_id: Any
    lines: Sequence[LineInput]
    fulfilment: Fulfilment
    payment_method: PaymentMethod
    note: Any = None
    delivery_lat: float | None = None
    delivery_lon: float | None = None
    respond_within: timedelta = RESPOND_WITHIN

    def fingerprint(self) -> str:
        body = json.dumps({
            "lines": sorted((line.listing_id, str(line.quantity)) for line in self.lines),
            "fulfilment": self.fulfilment.value, "payment": self.payment_method.value,
            "note": self.note or "", "at": [self.delivery_lat, self.delivery_lon],
        }, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def _client_request_id(value: Any) -> str:
    if not isinstance(value, str) or not 8 <= len(value.strip()) <= 64 \
            or not value.strip().isprintable():
        raise ServiceError(Code.CLIENT_REQUEST_ID_REQUIRED, "clientRequestId")
    return value.strip()


async def _earlier(buyer_id: int, request_id: str, fingerprint: str) -> Order | None:
    order = await Order.get_or_none(buyer_id=buyer_id, client_request_id=request_id)
    if order is not None and order.request_fingerprint != fingerprint:
        raise ServiceError(Code.IDEMPOTENCY_CONFLICT, "clientRequestId")
    return order


async def place_order(principal: Principal, request: PlaceOrder) -> Order:
    """Place an order (idempotent by clientRequestId: a retry gets the same order)."""
    buyer = principal.user
    request_id = _client_request_id(request.client_request_id)
    fingerprint = request.fingerprint()
    earlier = await _earlier(buyer.id, request_id, fingerprint)
    if earlier is not None:
        return earlier
    try:
        await registry.verified_buyer(buyer.id)
    except ServiceError as exc:
        raise _registry_error(exc) from exc
    note = NOTE.clean(request.note, field="note")

    wanted: dict[int, int] = {}
    if not request.lines:
        raise ServiceError(Code.LINES_REQUIRED, "lines")
    if len(request.lines) > MAX_LINES:
        raise ServiceError(Code.TOO_MANY_LINES, "lines", max=MAX_LINES)
    for line in request.lines:
        if line.quantity <= 0:
            raise ServiceError(Code.INVALID_QUANTITY, "lines.quantity", max="∞")
        wanted[line.listing_id] = wanted.get(line.listing_id, 0) + to_milli(line.quantity)
    listings = {x.id: x for x in await Listing.filter(id__in=list(wanted))}
    problems: list[FieldError] = []
    farmers = set()
    for listing_id, milli in wanted.items():
        listing = listings.get(listing_id)
        if listing is None:
            problems.append(FieldError(Code.NOT_FOUND, "lines.listingId"))
            continue
        farmers.add(listing.farmer_id)
        if listing.farmer_id == buyer.id:
            problems.append(FieldError(Code.OWN_LISTING, "lines.listingId"))
        elif listing.status == ListingStatus.SOLD_OUT:
            # Others were faster: the same answer as losing the race inside the update.
            problems.append(FieldError(Code.INSUFFICIENT_STOCK, "lines.quantity",
                                       available="0", unit=listing.unit.value))
        elif listing.status != ListingStatus.ACTIVE or listing.available_until < today():
            status = "EXPIRED" if listing.status == ListingStatus.ACTIVE \
                else listing.status.name
            problems.append(FieldError(Code.LISTING_NOT_AVAILABLE, "lines.listingId",
                                       status=status))
        elif milli < min(listing.min_order_milli, listing.available_milli):
            problems.append(FieldError(Code.QUANTITY_BELOW_MINIMUM, "lines.quantity",
                                       min=text(listing.min_order_milli),
                                       unit=listing.unit.value))
        elif request.fulfilment.value not in listing.fulfilment:
            problems.append(FieldError(Code.FULFILMENT_NOT_OFFERED, "fulfilment",
                                       fulfilment=request.fulfilment.name))
    if len(farmers) > 1:
        problems.append(FieldError(Code.ONE_FARMER_PER_ORDER, "lines"))
    if problems:
        raise ServiceError(problems)
    chosen = [listings[i] for i in sorted(wanted)]
    delivery_fee = 0
    if request.fulfilment == Fulfilment.DELIVERY:
        if request.delivery_lat is None or request.delivery_lon is None:
            raise ServiceError(Code.DELIVERY_POINT_REQUIRED, "deliveryPoint")
        try:
            lat, lon = check_lat_lon(request.delivery_lat, request.delivery_lon)
        except ServiceError as exc:
            raise ServiceError(Code.INVALID_COORDINATES, "deliveryPoint") from exc
        for listing in chosen:
            km = geodesic_distance_m(listing.lat, listing.lon, lat, lon) / 1000
            if km > (listing.delivery_radius_km or 0):
                raise ServiceError(Code.OUTSIDE_DELIVERY_RADIUS, "deliveryPoint",
                                   km=listing.delivery_radius_km)
        delivery_fee = max(listing.delivery_fee or 0 for listing in chosen)
    subtotal = sum(line_total(x.price_per_unit, wanted[x.id]) for x in chosen)
    now = utcnow()
    farmer_id = chosen[0].farmer_id
    delivers = request.fulfilment == Fulfilment.DELIVERY
    try:
        async with unit_of_work():
            for listing in chosen:  # in id order: two orders never wait on each other
                await take_stock(listing, wanted[listing.id])
            order = await Order.create(
                buyer_id=buyer.id, farmer_id=farmer_id,
                farmer_profile_id=chosen[0].farmer_profile_id,
                client_request_id=request_id, request_fingerprint=fingerprint,
                fulfilment=request.fulfilment,
                delivery_lat=request.delivery_lat if delivers else None,
                delivery_lon=request.delivery_lon if delivers else None,
                payment_method=request.payment_method, note=note, subtotal=subtotal,
                delivery_fee=delivery_fee, total=subtotal + delivery_fee,
                respond_by=now + request.respond_within)
            await OrderLine.bulk_create([
                OrderLine(order_id=order.id, listing_id=x.id, commodity_id=x.commodity_id,
                          quantity_milli=wanted[x.id], unit=x.unit,
                          price_per_unit=x.price_per_unit,
                          line_total=line_total(x.price_per_unit, wanted[x.id]))
                for x in chosen])
            await _stock_changed([x.id for x in chosen], buyer.id)
            await _record(order, MarketEvent.ORDER_PLACED, buyer.id)
    except IntegrityError:
        # The same clientRequestId placed concurrently (a double tap): that order stands.
        earlier = await _earlier(buyer.id, request_id, fingerprint)
        if earlier is None:
            raise
        return earlier
    return order


async def take_stock(listing: Listing, milli: int) -> None:
    """Take ``milli`` from the listing's stock, or refuse with INSUFFICIENT_STOCK naming what
    is left. One conditional UPDATE: the database checks and subtracts at once, so of many
    buyers racing for the last kilos exactly as many win as there are kilos."""
    won = await Listing.filter(
        id=listing.id, status=ListingStatus.ACTIVE, available_milli__gte=milli,
    ).update(available_milli=F("available_milli") - milli,
             orders_count=F("orders_count") + 1)
    if not won:
        left = await Listing.filter(id=listing.id).values_list("available_milli", "status")
        available, status = left[0] if left else (0, ListingStatus.EXPIRED)
        if ListingStatus(status) != ListingStatus.ACTIVE:
            available = 0
        raise ServiceError(Code.INSUFFICIENT_STOCK, "lines.quantity",
                           available=text(available), unit=listing.unit.value)
    await Listing.filter(id=listing.id, status=ListingStatus.ACTIVE,
                         available_milli=0).update(status=ListingStatus.SOLD_OUT)


async def _return_stock(order: Order) -> list[int]:
    lines = await OrderLine.filter(order_id=order.id).order_by("listing_id")
    for line in lines:
        await Listing.filter(id=line.listing_id).update(
            available_milli=F("available_milli") + line.quantity_milli)
        await Listing.filter(id=line.listing_id, status=ListingStatus.SOLD_OUT,
                             available_until__gte=today()).update(status=ListingStatus.ACTIVE)
    return [line.listing_id for line in lines]


async def _stock_changed(listing_ids: list[int], actor_id: int | None) -> None:
    """The public data of these listings changed (what is left, maybe sold out): an event
    everyone may hear of, so cached public pages are invalidated."""
    from among_tani.market.listings import _record as record_listing

    for listing in await Listing.filter(id__in=listing_ids).order_by("id"):
        await record_listing(listing, MarketEvent.LISTING_UPDATED, actor_id)


# -- the state machine ------------------------------------------------------------------------

S = OrderStatus
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.ACCEPTED, S.DECLINED, S.CANCELLED, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.READY, S.CANCELLED}),
    S.READY: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.DECLINED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}
RETURNS_STOCK = frozenset({S.DECLINED, S.CANCELLED, S.EXPIRED})
EVENTS = {S.ACCEPTED: MarketEvent.ORDER_ACCEPTED, S.DECLINED: MarketEvent.ORDER_DECLINED,
          S.READY: MarketEvent.ORDER_READY, S.COMPLETED: MarketEvent.ORDER_COMPLETED,
          S.CANCELLED: MarketEvent.ORDER_CANCELLED, S.EXPIRED: MarketEvent.ORDER_EXPIRED}


def refused(current: OrderStatus, allowed_from: Iterable[OrderStatus]) -> ServiceError:
    order = list(OrderStatus)
    expected = sorted(set(allowed_from), key=order.index)
    return ServiceError(Code.INVALID_TRANSITION, "id", current=current.name,
                        expected=" / ".join(s.name for s in expected))


@dataclass
class Change:
    to: OrderStatus
    actor_id: int | None
    reason: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


async def change_status(order: Order, change: Change, *, expected: Iterable[OrderStatus]
                        ) -> Order:
    """Move the order to ``change.to`` if it is still in one of ``expected``; must run in the
    caller's unit of work."""
    expected = [s for s in expected if change.to in ALLOWED[s]]
    now = utcnow()
    updates: dict[str, Any] = {"status": change.to, "updated_at": now, **change.fields}
    stamp = {S.ACCEPTED: "accepted_at", S.READY: "ready_at", S.COMPLETED: "completed_at"}
    updates[stamp.get(change.to, "closed_at")] = now
    if change.reason:
        updates["close_reason"] = change.reason
    won = await Order.filter(id=order.id, status__in=expected).update(**updates)
    if not won:
        current = await Order.filter(id=order.id).values_list("status", flat=True)
        raise refused(OrderStatus(current[0]) if current else order.status, expected)
    await order.refresh_from_db()
    if change.to in RETURNS_STOCK:
        await _stock_changed(await _return_stock(order), change.actor_id)
    if change.to == S.COMPLETED:
        await registry.count_completed_order(order.farmer_profile_id, change.actor_id)
    await _record(order, EVENTS[change.to], change.actor_id, reason=change.reason)
    return order


async def _record(order: Order, event: MarketEvent, actor_id: int | None, **extra: Any
                  ) -> None:
    # Pushes follow from the log (among_tani.market.notify, an after-commit handler).
    await record(
        event, subject_type="order", subject_id=order.id,
        audience=[user_key(order.buyer_id), user_key(order.farmer_id)], actor_id=actor_id,
        payload={"orderId": order.id, "number": order.number, "status": order.status.value,
                 "total": order.total, **extra})


async def _order_for(principal: Principal, order_id: int, *, as_farmer: bool | None
                     ) -> Order:
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    me = principal.user.id
    if as_farmer is True and order.farmer_id != me or as_farmer is False and \
            order.buyer_id != me or as_farmer is None and me not in (order.farmer_id,
                                                                       order.buyer_id):
        raise ServiceError(Code.NOT_YOUR_ORDER, "id")
    return order


async def accept_order(principal: Principal, order_id: int) -> Order:
    order = await _order_for(principal, order_id, as_farmer=True)
    async with unit_of_work():
        return await change_status(order, Change(S.ACCEPTED, principal.user.id),
                                   expected=[S.PLACED])


async def decline_order(principal: Principal, order_id: int, reason: Any = None) -> Order:
    order = await _order_for(principal, order_id, as_farmer=True)
    text_ = REASON.clean(reason, field="reason", required=True)
    async with unit_of_work():
        return await change_status(order, Change(S.DECLINED, principal.user.id, text_),
                                   expected=[S.PLACED])


async def mark_ready(principal: Principal, order_id: int) -> Order:
    order = await _order_for(principal, order_id, as_farmer=True)
    async with unit_of_work():
        return await change_status(order, Change(S.READY, principal.user.id),
                                   expected=[S.ACCEPTED])


async def confirm_received(principal: Principal, order_id: int) -> Order:
    order = await _order_for(principal, order_id, as_farmer=False)
    async with unit_of_work():
        return await change_status(order, Change(S.COMPLETED, principal.user.id),
                                   expected=[S.READY])


async def cancel_order(principal: Principal, order_id: int, reason: Any = None) -> Order:
    """The buyer, before the farmer accepted; the farmer at any time before completion, with
    a reason."""
    order = await _order_for(principal, order_id, as_farmer=None)
    if order.farmer_id == principal.user.id:
        text_ = REASON.clean(reason, field="reason", required=True)
        expected = [S.ACCEPTED, S.READY]
    else:
        text_ = REASON.clean(reason, field="reason")
        expected = [S.PLACED]
    async with unit_of_work():
        return await change_status(order, Change(S.CANCELLED, principal.user.id, text_),
                                   expected=expected)


async def mark_paid(principal: Principal, order_id: int) -> Order:
    """The farmer records that the money arrived (no payment gateway: the method and the
    fact)."""
    order = await _order_for(principal, order_id, as_farmer=True)
    now = utcnow()
    async with unit_of_work():
        won = await Order.filter(id=order.id, paid_at=None,
                                 status__in=[S.ACCEPTED, S.READY, S.COMPLETED]).update(
            paid_at=now, updated_at=now)
        if not won:
            await order.refresh_from_db()
            if order.paid_at is not None:
                raise ServiceError(Code.ALREADY_PAID, "id")
            raise refused(order.status, [S.ACCEPTED, S.READY, S.COMPLETED])
        await order.refresh_from_db()
        await _record(order, MarketEvent.ORDER_PAID, principal.user.id)
    return order


async def send_message(principal: Principal, order_id: int, text_: Any) -> OrderMessage:
    order = await _order_for(principal, order_id, as_farmer=None)
    body = MESSAGE.clean(text_, field="text", required=True)
    async with unit_of_work():
        message = await OrderMessage.create(order_id=order.id, author_id=principal.user.id,
                                            text=body)
        await _record(order, MarketEvent.ORDER_MESSAGE, principal.user.id,
                      messageId=message.id)
    return message


async def rate_order(principal: Principal, order_id: int, rating: Any, comment: Any = None
                     ) -> Order:
    order = await _order_for(principal, order_id, as_farmer=False)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ServiceError(Code.INVALID_RATING, "rating")
    note = RATING_COMMENT.clean(comment, field="comment")
    now = utcnow()
    async with unit_of_work():
        won = await Order.filter(id=order.id, status=S.COMPLETED, rated_at=None).update(
            rating=rating, rating_comment=note, rated_at=now, updated_at=now)
        if not won:
            await order.refresh_from_db()
            if order.rated_at is not None:
                raise ServiceError(Code.ALREADY_RATED, "id")
            raise refused(order.status, [S.COMPLETED])
        await registry.add_rating(order.farmer_profile_id, rating, principal.user.id)
        await order.refresh_from_db()
        await _record(order, MarketEvent.ORDER_RATED, principal.user.id, rating=rating)
    return order


EXPIRY_WARNING = timedelta(hours=2)


async def warn_expiring() -> int:
    """The job: the farmer is reminded once of an order that expires within two hours
    (the outbox's dedupe key makes "once" hold across runs and restarts)."""
    from backend.push.services import enqueue_push

    now = utcnow()
    due = await Order.filter(status=S.PLACED, respond_by__gt=now,
                             respond_by__lte=now + EXPIRY_WARNING)
    queued = 0
    for order in due:
        async with unit_of_work():
            queued += await enqueue_push(
                [order.farmer_id], title=f"Pesanan {order.number} menunggu jawaban",
                body="Terima atau tolak sebelum kedaluwarsa; stok akan dikembalikan.",
                data={"kind": "order.expiring", "orderId": str(order.id),
                      "status": order.status.value},
                dedupe_key=f"tani-order-expiring:{order.id}")
    return queued


async def expire_unanswered() -> int:
    """The job: orders the farmer did not answer by ``respond_by`` expire and their stock
    returns. Conditional per order, so a restart or an overlapping run expires each once."""
    now = utcnow()
    due = await Order.filter(status=S.PLACED, respond_by__lte=now).values_list("id", flat=True)
    expired = 0
    for order_id in due:
        order = await Order.get(id=order_id)
        try:
            async with unit_of_work():
                await change_status(order, Change(S.EXPIRED, None), expected=[S.PLACED])
            expired += 1
        except ServiceError:
            continue  # answered meanwhile
    return expired
