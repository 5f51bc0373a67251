"""Both parties of an order see every step live on the existing stream (myOrderEvents,
orderUpdates) — and nobody else hears of it."""

from __future__ import annotations

from tests.among_tani.market_helpers import create_listing, place
from tests.among_tani.test_market import act
from tests.command_center.conftest import Collector, live_server  # noqa: F401 (fixture)

MINE = """subscription($after: String) { myOrderEvents(after: $after) {
  cursor type order { id status myRole counterpart { phone } } } }"""
ONE = """subscription($after: String, $id: ID!) { orderUpdates(id: $id, after: $after) {
  type order { status } } }"""


async def test_buyer_and_farmer_see_each_step_live(live_server, gql, client, tani,  # noqa: F811
                                                    make_user):
    farmer, farmer_token = await tani.farmer()
    _, buyer_token = await tani.buyer()
    _, stranger = await tani.buyer(name="Orang Lain")
    listing_id = (await create_listing(gql, client, farmer_token))["listing"]["id"]
    async with Collector(live_server, farmer_token, MINE) as farmer_stream, \
            Collector(live_server, buyer_token, MINE) as buyer_stream, \
            Collector(live_server, stranger, MINE) as stranger_stream:
        order_id = (await place(gql, buyer_token, listing_id, "40"))["order"]["id"]
        for name in ("acceptOrder", "markOrderReady"):
            body = await gql(act(name), {"id": order_id}, token=farmer_token)
            assert body["data"][name]["errors"] == []
        body = await gql(act("confirmOrderReceived"), {"id": order_id}, token=buyer_token)
        assert body["data"]["confirmOrderReceived"]["errors"] == []
        steps = ["ORDER_PLACED", "ORDER_ACCEPTED", "ORDER_READY", "ORDER_COMPLETED"]
        for stream, role in ((farmer_stream, "FARMER"), (buyer_stream, "BUYER")):
            events = await stream.wait_for(4)
            assert [e["type"] for e in events] == steps
            assert {e["order"]["myRole"] for e in events} == {role}
            assert events[0]["order"]["counterpart"]["phone"] is None or role == "FARMER" \
                and events[0]["order"]["status"] != "PLACED"
        # The stranger heard nothing: a marker order of their own arrives as their first.
        own_listing = (await create_listing(gql, client, farmer_token))["listing"]["id"]
        await place(gql, stranger, own_listing, "5")
        (first,) = await stranger_stream.wait_for(1)
        assert first["type"] == "ORDER_PLACED" and first["order"]["myRole"] == "BUYER"
        assert first["order"]["id"] != order_id

    async with Collector(live_server, buyer_token, ONE,
                         variables={"id": order_id, "after": "0"}) as history:
        events = await history.wait_for(4)
        assert [e["order"]["status"] for e in events][-1] == "COMPLETED"
    async with Collector(live_server, stranger, ONE,
                         variables={"id": order_id, "after": "0"}) as refused:
        error = await refused.ended()
        assert error is not None


async def test_the_wall_shows_complaints_only(live_server, gql, client, tani):  # noqa: F811
    from backend.accounts.models import Role
    from tests.command_center.conftest import submit_complaint

    _, farmer = await tani.farmer()
    _, buyer = await tani.buyer()
    operator = (await tani.make_user(Role.OPERATOR))[1]
    from among_warga.categories import seed_categories

    await seed_categories()
    wall = """subscription($after: String) { commandCenterEvents(after: $after) {
        type case { ticketNumber } } }"""
    async with Collector(live_server, operator, wall) as stream, \
            Collector(live_server, buyer, wall) as resident_stream:
        listing_id = (await create_listing(gql, client, farmer))["listing"]["id"]
        await place(gql, buyer, listing_id, "10")
        complaint = await submit_complaint(gql, client, buyer)
        (event,) = await stream.wait_for(1)
        assert event["case"]["ticketNumber"] == complaint["ticketNumber"]
        (mine,) = await resident_stream.wait_for(1)
        assert mine["case"]["ticketNumber"] == complaint["ticketNumber"]
