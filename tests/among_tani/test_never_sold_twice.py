"""No kilo is ever sold twice: many buyers order from one listing at the same moment, on
SQLite and on PostgreSQL (each order its own transaction, on its own pooled connection),
and exactly as many win as there are kilos; the others learn what is left."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from among_tani.market import orders
from among_tani.market.models import (
    Fulfilment,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    PaymentMethod,
)
from among_tani.registry.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    BuyerProfile,
    BuyerType,
)
from backend.accounts.models import Role, User, UserRole
from backend.accounts.services import principal_for
from backend.errors import ServiceError
from tests.among_tani.market_helpers import create_listing

BUYERS = 40


async def verified_buyers(n: int) -> list:
    principals = []
    for i in range(n):
        user = await User.create(name=f"Pembeli {i}", phone=f"+62813{i:08d}")
        await UserRole.create(user=user, role=Role.BUYER)
        application = await Application.create(
            user=user, kind=ApplicationKind.BUYER, status=ApplicationStatus.APPROVED,
            submitted_at=user.created_at)
        await BuyerProfile.create(user=user, application=application,
                                  buyer_type=BuyerType.HOUSEHOLD, verified=True)
        principals.append(await principal_for(user))
    return principals


def order_of(principal, listing_id: int, quantity: str) -> orders.PlaceOrder:
    return orders.PlaceOrder(
        client_request_id=uuid.uuid4().hex,
        lines=[orders.LineInput(listing_id, Decimal(quantity))],
        fulfilment=Fulfilment.PICKUP, payment_method=PaymentMethod.COD)


async def race(principals, listing_id: int, quantities: list[str]):
    start = asyncio.Event()

    async def one(principal, quantity):
        await start.wait()
        return await orders.place_order(principal, order_of(principal, listing_id, quantity))

    tasks = [asyncio.create_task(one(p, q)) for p, q in zip(principals, quantities, strict=True)]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


@pytest.mark.parametrize("stock", ["10", "10.5"])
async def test_many_buyers_race_for_the_last_kilos(gql, client, tani, stock):
    _, farmer = await tani.farmer()
    created = await create_listing(gql, client, farmer, quantity=stock, minOrderQuantity="0.5")
    listing_id = int(created["listing"]["id"])
    principals = await verified_buyers(BUYERS)

    results = await race(principals, listing_id, ["1"] * BUYERS)

    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, ServiceError)]
    assert len(won) + len(lost) == BUYERS, [r for r in results if isinstance(r, BaseException)
                                            and not isinstance(r, ServiceError)]
    assert len(won) == 10
    assert {e.code.value for e in lost} == {"insufficient_stock"}
    # The losers were told what was left when they lost: 0.5 kg at most.
    assert {e.errors[0].params["available"] for e in lost} <= {"0", "0.5"}
    listing = await Listing.get(id=listing_id)
    left = 500 if stock == "10.5" else 0
    assert listing.available_milli == left
    assert listing.status == (ListingStatus.ACTIVE if left else ListingStatus.SOLD_OUT)
    sold = sum(await OrderLine.filter(listing_id=listing_id).values_list("quantity_milli",
                                                                        flat=True))
    assert sold == 10_000 == int(Decimal(stock) * 1000) - left
    assert await Order.all().count() == 10


async def test_mixed_quantities_never_go_below_zero(gql, client, tani):
    _, farmer = await tani.farmer()
    created = await create_listing(gql, client, farmer, quantity="25", minOrderQuantity="1")
    listing_id = int(created["listing"]["id"])
    principals = await verified_buyers(30)
    quantities = [str(1 + i % 3) for i in range(30)]  # 60 kg wanted, 25 there

    results = await race(principals, listing_id, quantities)

    sold = sum(await OrderLine.filter(listing_id=listing_id).values_list("quantity_milli",
                                                                        flat=True))
    listing = await Listing.get(id=listing_id)
    assert listing.available_milli >= 0
    assert sold + listing.available_milli == 25_000
    assert sold == sum(int(Decimal(q) * 1000) for q, r in zip(quantities, results, strict=True)
                       if isinstance(r, Order))
    # Everyone who lost asked for more than was left at that moment.
    assert all(isinstance(r, Order | ServiceError) for r in results)


async def test_a_double_tap_places_one_order(gql, client, tani):
    _, farmer = await tani.farmer()
    created = await create_listing(gql, client, farmer, quantity="50")
    listing_id = int(created["listing"]["id"])
    (buyer,) = await verified_buyers(1)
    request = order_of(buyer, listing_id, "5")
    results = await asyncio.gather(*(orders.place_order(buyer, request) for _ in range(5)))
    assert len({o.id for o in results}) == 1
    assert (await Listing.get(id=listing_id)).available_milli == 45_000
