"""Listings, orders and reference market prices.

Quantities are stored as whole thousandths of their unit (``*_milli`` BigInt columns: 12.5 kg
is 12500): the ``Quantity`` scalar allows three decimals, integers compare and subtract exactly
on both databases (SQLite keeps Tortoise's DecimalField as text, where ``>=`` compares
strings), and the stock update that must never oversell is one integer comparison."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from among_tani.registry.models import Unit

MILLI = 1000


class ListingStatus(str, Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    SOLD_OUT = "sold_out"
    EXPIRED = "expired"


class Fulfilment(str, Enum):
    PICKUP = "pickup"  # the buyer collects at the pickup point
    DELIVERY = "delivery"  # the farmer delivers within deliveryRadiusKm for deliveryFee
    COURIER = "courier"  # the buyer sends a courier


class Listing(Model):
    id = fields.IntField(primary_key=True)
    farmer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_listings", on_delete=fields.RESTRICT)
    farmer_profile: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "tani_registry.FarmerProfile", related_name="listings", on_delete=fields.RESTRICT)
    commodity: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "tani_registry.Commodity", related_name="listings", on_delete=fields.RESTRICT)
    variety = fields.CharField(max_length=80, default="")
    grade = fields.CharField(max_length=40, default="")
    description = fields.TextField(default="")
    unit = fields.CharEnumField(Unit, max_length=16)
    price_per_unit = fields.BigIntField()  # whole Rupiah per ``unit``
    # Per the commodity's base unit (kg, liter, stem), rounded to the Rupiah; null when the
    # unit has no factor (an ikat). ``price_sort`` is never null (the base price when there
    # is one, else the unit price): the PRICE order and its cursors need a non-null key.
    price_per_base_unit = fields.BigIntField(null=True)
    price_sort = fields.BigIntField()
    quantity_milli = fields.BigIntField()  # listed in all
    available_milli = fields.BigIntField()  # still for sale: only conditional updates
    min_order_milli = fields.BigIntField()
    harvest_date = fields.DateField(null=True)
    # Days since 0001-01-01 of the harvest (0 when unknown): the HARVEST_DATE sort key.
    harvest_day = fields.IntField(default=0)
    available_until = fields.DateField()
    # The pickup point: exact for the farmer (and a buyer whose order was accepted); the
    # public sees the village and distances measured from ``public_lat/lon`` (snapped to a
    # ~1.1 km grid), so no answer reveals the farm.
    lat = fields.FloatField()
    lon = fields.FloatField()
    public_lat = fields.FloatField()
    public_lon = fields.FloatField()
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="tani_listings", on_delete=fields.RESTRICT)
    fulfilment = fields.JSONField(default=list)  # Fulfilment values
    delivery_radius_km = fields.IntField(null=True)
    delivery_fee = fields.BigIntField(null=True)
    status = fields.CharEnumField(ListingStatus, max_length=16, default=ListingStatus.DRAFT)
    search_text = fields.TextField(default="")
    views = fields.IntField(default=0)
    orders_count = fields.IntField(default=0)
    published_at = fields.DatetimeField(null=True)
    # NEWEST order key (never null: creation time until published).
    listed_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_listing"
        indexes = (("status", "commodity_id"), ("farmer_id", "status"),
                   ("status", "price_sort"), ("status", "listed_at"),
                   ("status", "available_until"))


class ListingPhoto(Model):
    id = fields.IntField(primary_key=True)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "tani_market.Listing", related_name="photo_links", on_delete=fields.CASCADE)
    photo: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "media.Photo", related_name="tani_listing_links", on_delete=fields.RESTRICT)
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "tani_listing_photo"
        unique_together = (("listing", "photo"),)


class OrderStatus(str, Enum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the farmer did not answer in time


class PaymentMethod(str, Enum):
    COD = "cod"
    BANK_TRANSFER = "bank_transfer"
    QRIS = "qris"


class Order(Model):
    id = fields.IntField(primary_key=True)
    buyer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_orders", on_delete=fields.RESTRICT)
    farmer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_sales", on_delete=fields.RESTRICT)
    farmer_profile: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "tani_registry.FarmerProfile", related_name="orders", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.PLACED)
    client_request_id = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    fulfilment = fields.CharEnumField(Fulfilment, max_length=16)
    delivery_lat = fields.FloatField(null=True)
    delivery_lon = fields.FloatField(null=True)
    payment_method = fields.CharEnumField(PaymentMethod, max_length=16)
    note = fields.CharField(max_length=1000, default="")
    subtotal = fields.BigIntField()
    delivery_fee = fields.BigIntField(default=0)
    total = fields.BigIntField()
    # The farmer must answer by then, or the order expires and its stock returns.
    respond_by = fields.DatetimeField(db_index=True)
    accepted_at = fields.DatetimeField(null=True)
    ready_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)  # declined, cancelled or expired
    close_reason = fields.CharField(max_length=500, default="")
    paid_at = fields.DatetimeField(null=True)
    rating = fields.SmallIntField(null=True)
    rating_comment = fields.CharField(max_length=1000, default="")
    rated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_order"
        unique_together = (("buyer", "client_request_id"),)
        indexes = (("buyer_id", "status"), ("farmer_id", "status"), ("status", "respond_by"))

    @property
    def number(self) -> str:
        """What buyer and farmer read to each other over the phone: "TN-00042"."""
        return f"TN-{self.id:05d}"


class OrderLine(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "tani_market.Order", related_name="lines", on_delete=fields.CASCADE)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "tani_market.Listing", related_name="order_lines", on_delete=fields.RESTRICT)
    commodity: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "tani_registry.Commodity", related_name="order_lines", on_delete=fields.RESTRICT)
    quantity_milli = fields.BigIntField()
    unit = fields.CharEnumField(Unit, max_length=16)
    price_per_unit = fields.BigIntField()
    line_total = fields.BigIntField()

    class Meta:
        table = "tani_order_line"


class OrderMessage(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "tani_market.Order", related_name="messages", on_delete=fields.CASCADE)
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_order_messages", on_delete=fields.RESTRICT)
    text = fields.CharField(max_length=1000)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tani_order_message"
        indexes = (("order_id", "id"),)


class PriceLevel(str, Enum):
    # The levels of Indonesia's national food price panel (Panel Harga Pangan).
    PRODUCER = "producer"
    WHOLESALE = "wholesale"
    RETAIL = "retail"


class PriceMarket(Model):
    # A market whose prices are observed ("Pasar Induk Among Tani").
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=48, unique=True)
    name = fields.CharField(max_length=120)

    class Meta:
        table = "tani_price_market"


class MarketPrice(Model):
    # One observed price: a commodity at a market and level on a day.
    id = fields.IntField(primary_key=True)
    date = fields.DateField()
    market: fields.ForeignKeyRelation[PriceMarket] = fields.ForeignKeyField(
        "tani_market.PriceMarket", related_name="prices", on_delete=fields.RESTRICT)
    commodity: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "tani_registry.Commodity", related_name="market_prices", on_delete=fields.RESTRICT)
    level = fields.CharEnumField(PriceLevel, max_length=16)
    unit = fields.CharEnumField(Unit, max_length=16)
    price = fields.BigIntField()  # per ``unit``
    price_per_base_unit = fields.BigIntField(null=True)
    source = fields.CharField(max_length=200, default="")
    demo = fields.BooleanField(default=False)
    entered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_prices", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_market_price"
        unique_together = (("date", "market", "commodity", "level"),)
        indexes = (("commodity_id", "level", "date"),)
