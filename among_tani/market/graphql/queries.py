from __future__ import annotations

import datetime as dt
from collections import defaultdict

import graphene

from among_tani.market import prices, search
from among_tani.market.errors import MarketErrorCode as Code
from among_tani.market.events import MarketEvent
from among_tani.market.graphql.types import (
    ListingConnection,
    ListingStatusEnum,
    ListingType,
    MarketPriceType,
    OrderConnection,
    OrderStatusEnum,
    OrderType,
    PriceBoardRowType,
    PriceLevelEnum,
)
from among_tani.market.listings import count_view
from among_tani.market.models import (
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    OrderStatus,
    PriceLevel,
)
from among_tani.market.visibility import listing_views, order_view
from among_tani.registry.api import CommodityGroupEnum, CommodityType  # noqa: E402
from among_tani.registry.events import RegistryEvent
from among_tani.registry.models import CommodityGroup
from backend import ids
from backend.accounts.events import AccountEvent
from backend.errors import ServiceError
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.graphql.core import paginate as paginate_queryset
from backend.graphql.enums import as_enum, as_enums
from backend.graphql.scalars import Quantity, Rupiah
from backend.pagination import NEWEST_FIRST
from backend.permissions import PUBLIC, SIGNED_IN
from backend.read_cache import public_read

ListingSortEnum = graphene.Enum.from_enum(search.ListingSort, name="ListingSort")

# What changes the anonymous answers of the public market reads (backend/read_cache.py).
# A listing published, edited, paused, sold out or expired, and stock taken or returned by an
# order, all record a public listing event (orders: ``_stock_changed``).
PRICE_CHANGES = (MarketEvent.PRICE_RECORDED, RegistryEvent.COMMODITIES_SEEDED)
LISTING_CHANGES = (MarketEvent.LISTING_PUBLISHED, MarketEvent.LISTING_UPDATED,
                   MarketEvent.LISTING_WITHDRAWN, *PRICE_CHANGES,
                   # a listing shows its farmer's name and rating
                   RegistryEvent.FARMER_STATS_CHANGED, AccountEvent.ERASED)


class NearInput(graphene.InputObjectType):
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class SalesRowType(graphene.ObjectType):
    class Meta:
        name = "SalesRow"

    month = graphene.String(required=True, description="YYYY-MM (WIB).")
    commodity = graphene.Field(CommodityType, required=True)
    orders = graphene.Int(required=True)
    quantity = graphene.Field(Quantity, required=True)
    unit = graphene.String(required=True)
    total = graphene.Field(Rupiah, required=True)


class SalesType(graphene.ObjectType):
    class Meta:
        name = "Sales"

    orders = graphene.Field(OrderConnection, required=True)
    total = graphene.Field(Rupiah, required=True, description="Sum of the orders' totals.")
    by_month_and_commodity = graphene.List(graphene.NonNull(SalesRowType), required=True)


async def _listing_nodes(info, hits):
    """The page's rows → views, in page order, with one query for the listings."""
    principal = await info.context.principal()
    ids_ = [int(h["id"]) for h in hits]
    found = {x.id: x for x in await Listing.filter(id__in=ids_)}
    rows = [found[i] for i in ids_]
    return listing_views(rows, principal, [h.get("distance_m") for h in hits])


class MarketQueries(graphene.ObjectType):
    listings = graphene.Field(
        ListingConnection, required=True,
        near=NearInput(), radius_km=graphene.Float(description="Default 10 with `near`."),
        commodity_codes=graphene.List(graphene.NonNull(graphene.String)),
        groups=graphene.List(graphene.NonNull(CommodityGroupEnum)),
        max_price_per_base_unit=Rupiah(), min_quantity=Quantity(),
        available_on=graphene.Date(), text=graphene.String(),
        sort=ListingSortEnum(default_value=search.ListingSort.NEWEST.value),
        first=graphene.Int(), after=graphene.String(),
        description="Active listings — typo-tolerant text over Indonesian and English names "
        "and descriptions; the cursor follows the chosen sort (DISTANCE needs `near`).")
    listing = graphene.Field(ListingType, id=graphene.ID(required=True))
    my_listings = graphene.Field(ListingConnection, required=True,
                                 status=graphene.List(graphene.NonNull(ListingStatusEnum)),
                                 first=graphene.Int(), after=graphene.String())
    order = graphene.Field(OrderType, id=graphene.ID(required=True))
    my_orders = graphene.Field(OrderConnection, required=True,
                               status=graphene.List(graphene.NonNull(OrderStatusEnum)),
                               first=graphene.Int(), after=graphene.String(),
                               description="The caller's orders as a buyer, newest first.")
    my_sales = graphene.Field(SalesType, required=True,
                              status=graphene.List(graphene.NonNull(OrderStatusEnum)),
                              from_=graphene.Date(name="from"), to=graphene.Date(),
                              first=graphene.Int(), after=graphene.String(),
                              description="The farmer's orders, with totals per month "
                              "and commodity.")
    market_prices = graphene.List(
        graphene.NonNull(MarketPriceType), required=True,
        commodity_code=graphene.String(required=True), level=PriceLevelEnum(),
        from_=graphene.Date(name="from"), to=graphene.Date(),
        description="Reference prices over time (default: the last 30 days).")
    price_board = graphene.List(graphene.NonNull(PriceBoardRowType), required=True,
                                description="This week's listing median vs the reference, "
                                "per commodity and base unit.")

    @staticmethod
    @public_read(invalidated_by=LISTING_CHANGES)
    @guarded(PUBLIC)
    async def resolve_listings(root, info, near=None, radius_km=None, commodity_codes=None,
                               groups=None, max_price_per_base_unit=None, min_quantity=None,
                               available_on=None, text=None, sort=None, first=None,
                               after=None):
        order = as_enum(search.ListingSort, sort or search.ListingSort.NEWEST)
        prepared = await search.prepare(search.ListingSearch(
            lat=near.lat if near else None, lon=near.lon if near else None,
            radius_km=radius_km, commodity_codes=commodity_codes,
            groups=as_enums(CommodityGroup, groups),
            max_price_per_base_unit=max_price_per_base_unit, min_quantity=min_quantity,
            available_on=available_on, text=text, sort=order))

        async def fetch(position, limit):
            return await search.page(prepared, position, limit)

        async def nodes(hits):
            return await _listing_nodes(info, hits)

        return await paginate(ListingConnection, first=first, after=after,
                              sort=search.SORTS[order], fetch=fetch,
                              count=lambda: search.count(prepared), nodes=nodes)

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_listing(root, info, id):
        row_id = ids.parse_id(id)
        listing = await Listing.get_or_none(id=row_id) if row_id else None
        principal = await info.context.principal()
        if listing is None or (listing.status == ListingStatus.DRAFT and (
                principal is None or principal.user.id != listing.farmer_id)):
            return None
        await count_view(listing, principal.user.id if principal else None)
        return listing_views([listing], principal)[0]

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_listings(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        query = Listing.filter(farmer_id=principal.user.id)
        wanted = as_enums(ListingStatus, status)
        if wanted:
            query = query.filter(status__in=wanted)

        async def nodes(rows):
            return listing_views(rows, principal)

        return await paginate_queryset(query, ListingConnection, first=first, after=after,
                                       sort=NEWEST_FIRST, nodes=nodes)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_order(root, info, id):
        row_id = ids.parse_id(id)
        order = await Order.get_or_none(id=row_id) if row_id else None
        return order_view(order, await info.context.principal()) if order else None

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_orders(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        query = Order.filter(buyer_id=principal.user.id)
        wanted = as_enums(OrderStatus, status)
        if wanted:
            query = query.filter(status__in=wanted)

        async def nodes(rows):
            return [order_view(o, principal) for o in rows]

        return await paginate_queryset(query, OrderConnection, first=first, after=after,
                                       sort=NEWEST_FIRST, nodes=nodes)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_sales(root, info, status=None, from_=None, to=None, first=None,
                               after=None):
        from backend.clock import WIB

        principal = await info.context.principal()
        query = Order.filter(farmer_id=principal.user.id)
        wanted = as_enums(OrderStatus, status)
        if wanted:
            query = query.filter(status__in=wanted)
        if from_ is not None:
            query = query.filter(created_at__gte=dt.datetime.combine(from_, dt.time(),
                                                                      tzinfo=WIB))
        if to is not None:
            query = query.filter(created_at__lt=dt.datetime.combine(
                to + dt.timedelta(days=1), dt.time(), tzinfo=WIB))
        if from_ and to and from_ > to:
            raise ServiceError(Code.INVALID_DATES, "from", reason="from ≤ to")

        async def nodes(rows):
            return [order_view(o, principal) for o in rows]

        orders = await paginate_queryset(query, OrderConnection, first=first, after=after,
                                         sort=NEWEST_FIRST, nodes=nodes)
        # Totals over every matching order (not the page): two queries.
        totals = await query.values("id", "total", "created_at")
        lines = await OrderLine.filter(order_id__in=[t["id"] for t in totals]).values(
            "order_id", "commodity_id", "quantity_milli", "unit", "line_total")
        month = {t["id"]: t["created_at"].astimezone(WIB).strftime("%Y-%m") for t in totals}
        groups: dict[tuple, dict] = defaultdict(lambda: {"orders": set(), "milli": 0,
                                                        "total": 0})
        for line in lines:
            unit = getattr(line["unit"], "value", line["unit"])
            group = groups[(month[line["order_id"]], line["commodity_id"], unit)]
            group["orders"].add(line["order_id"])
            group["milli"] += line["quantity_milli"]
            group["total"] += line["line_total"]
        from among_tani.market.graphql.types import CommodityLoader
        from among_tani.market.quantities import from_milli

        commodities = await info.context.loader(CommodityLoader).load_many(
            sorted({k[1] for k in groups}))
        by_id = {c.id: c for c in commodities if c}
        rows = [{"month": m, "commodity": by_id[c], "orders": len(g["orders"]),
                 "quantity": from_milli(g["milli"]), "unit": u, "total": g["total"]}
                for (m, c, u), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1]))]
        return {"orders": orders, "total": sum(t["total"] for t in totals),
                "by_month_and_commodity": rows}

    @staticmethod
    @public_read(invalidated_by=PRICE_CHANGES)
    @guarded(PUBLIC)
    async def resolve_market_prices(root, info, commodity_code, level=None, from_=None,
                                    to=None):
        from among_tani.registry.errors import RegistryErrorCode

        try:
            return await prices.series(
                commodity_code, as_enum(PriceLevel, level) if level else None, from_, to)
        except ServiceError as exc:
            if exc.code == RegistryErrorCode.UNKNOWN_COMMODITY:
                raise ServiceError(Code.UNKNOWN_COMMODITY, "commodityCode",
                                   codes=commodity_code) from exc
            raise

    @staticmethod
    @public_read(invalidated_by=LISTING_CHANGES)
    @guarded(PUBLIC)
    async def resolve_price_board(root, info):
        return await prices.price_board()
