from __future__ import annotations

from enum import Enum


class MarketEvent(str, Enum):
    LISTING_PUBLISHED = "listing.published"
    LISTING_UPDATED = "listing.updated"
    LISTING_WITHDRAWN = "listing.withdrawn"  # paused, sold out or expired
    ORDER_PLACED = "order.placed"
    ORDER_ACCEPTED = "order.accepted"
    ORDER_DECLINED = "order.declined"
    ORDER_READY = "order.ready"
    ORDER_PAID = "order.paid"
    ORDER_COMPLETED = "order.completed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_EXPIRED = "order.expired"
    ORDER_MESSAGE = "order.message"
    ORDER_RATED = "order.rated"
    PRICE_RECORDED = "market_price.recorded"
