"""What each audience may learn about listings and orders — decided here and nowhere else.

Listings:
- the farmer who listed it: everything, the exact pickup point included;
- everyone else (signed in or not, the same answer for all, so anonymous pages can be
  cached): the listing with its village and a distance measured from the public point (a
  0.01° grid, about 1.1 km) rounded to 0.1 km — never the farm's coordinates; the farmer's
  public profile (no phone, no NIK).

Orders — only the buyer and the farmer of the order:
- each sees the lines, totals, states and the thread;
- phones are exchanged only once the farmer has accepted; the exact pickup point is shown to
  the buyer from then on too (pickup); the delivery point the buyer gave, to the farmer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from among_tani.market.models import Fulfilment, Listing, Order
from backend.accounts.services import Principal

DISTANCE_STEP_KM = 0.1


def public_distance_km(distance_m: float | None) -> float | None:
    if distance_m is None:
        return None
    return round(round(distance_m / 1000 / DISTANCE_STEP_KM) * DISTANCE_STEP_KM, 1)


class ListingAudience(Enum):
    OWNER = "owner"
    PUBLIC = "public"


@dataclass(frozen=True)
class ListingView:
    listing: Listing
    audience: ListingAudience
    distance_m: float | None = None  # from the public point

    @property
    def is_owner(self) -> bool:
        return self.audience == ListingAudience.OWNER

    @property
    def distance_km(self) -> float | None:
        return public_distance_km(self.distance_m)


def listing_views(listings: Sequence[Listing], principal: Principal | None,
                  distances: Sequence[float | None] | None = None) -> list[ListingView]:
    me = principal.user.id if principal is not None else None
    distances = distances or [None] * len(listings)
    return [ListingView(x, ListingAudience.OWNER if x.farmer_id == me else ListingAudience.PUBLIC,
                        d) for x, d in zip(listings, distances, strict=True)]


class OrderAudience(Enum):
    BUYER = "buyer"
    FARMER = "farmer"


@dataclass(frozen=True)
class OrderView:
    order: Order
    audience: OrderAudience

    @property
    def phones_exchanged(self) -> bool:
        return self.order.accepted_at is not None

    @property
    def sees_pickup_point(self) -> bool:
        return self.audience == OrderAudience.FARMER or (
            self.phones_exchanged and self.order.fulfilment != Fulfilment.DELIVERY)

    @property
    def sees_delivery_point(self) -> bool:
        return True  # the buyer gave it; the farmer needs it to deliver

    def counterpart_id(self) -> int:
        o = self.order
        return o.farmer_id if self.audience == OrderAudience.BUYER else o.buyer_id


def order_view(order: Order, principal: Principal | None) -> OrderView | None:
    if principal is None:
        return None
    if order.buyer_id == principal.user.id:
        return OrderView(order, OrderAudience.BUYER)
    if order.farmer_id == principal.user.id:
        return OrderView(order, OrderAudience.FARMER)
    return None
