"""Rupiah and Quantity over real HTTP, as literals and as variables: amounts come back exact,
and every malformed amount is a coded BAD_USER_INPUT naming what is wrong."""

from __future__ import annotations

from decimal import Decimal

import graphene
import pytest

from backend.graphql.scalars import Quantity, Rupiah
from tests.backend.schema_app import serve_schema


class Listing:
    price = 1_250_000_000_000 // 10  # 125 billion: more than a GraphQL Int holds
    stock = Decimal("12.500")


class ListingType(graphene.ObjectType):
    price = graphene.Field(Rupiah, required=True)
    stock = graphene.Field(Quantity, required=True)


class ScalarQuery(graphene.ObjectType):
    rupiah = graphene.Field(Rupiah, amount=graphene.Argument(Rupiah, required=True))
    quantity = graphene.Field(Quantity, amount=graphene.Argument(Quantity, required=True))
    total = graphene.Field(Quantity, amounts=graphene.List(graphene.NonNull(Quantity)))
    listing = graphene.Field(ListingType, required=True)

    @staticmethod
    def resolve_rupiah(root, info, amount):
        assert type(amount) is int
        return amount

    @staticmethod
    def resolve_quantity(root, info, amount):
        assert isinstance(amount, Decimal)
        return amount

    @staticmethod
    def resolve_total(root, info, amounts):
        return sum(amounts, Decimal(0))

    @staticmethod
    def resolve_listing(root, info):
        return Listing()


@pytest.fixture
async def gql(settings):
    async with serve_schema(settings, ScalarQuery) as client:
        yield client


async def test_amounts_come_back_exact(gql):
    body = await gql("{ listing { price stock } }")
    assert body == {"data": {"listing": {"price": 125_000_000_000, "stock": "12.5"}}}
    for literal, expected in (("0", 0), ("15000", 15000), ("1000000000000", 10**12),
                              ("2500.0", 2500)):
        assert (await gql(f"{{ rupiah(amount: {literal}) }}"))["data"]["rupiah"] == expected
    for value, expected in ((0, 0), (2_147_483_648, 2_147_483_648), (10**12, 10**12),
                            (7500.0, 7500)):
        body = await gql("query($a: Rupiah!) { rupiah(amount: $a) }", {"a": value})
        assert body["data"]["rupiah"] == expected and type(body["data"]["rupiah"]) is int


async def test_quantities_keep_their_decimal_digits(gql):
    for literal, expected in (('"12.5"', "12.5"), ("12.5", "12.5"), ("0.1", "0.1"),
                              ('"0.125"', "0.125"), ("100", "100"), ('"1e2"', "100"),
                              ('" 3.250 "', "3.25"), ('"999999999.999"', "999999999.999"),
                              ('"-0"', "0")):
        body = await gql(f"{{ quantity(amount: {literal}) }}")
        assert body == {"data": {"quantity": expected}}, literal
    for value, expected in (("12.5", "12.5"), (12.5, "12.5"), (0.1, "0.1"), (3, "3")):
        body = await gql("query($a: Quantity!) { quantity(amount: $a) }", {"a": value})
        assert body == {"data": {"quantity": expected}}, value
    # Sums are decimal: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
    body = await gql("query($q: [Quantity!]) { total(amounts: $q) }", {"q": ["0.1", 0.2]})
    assert body == {"data": {"total": "0.3"}}


RUPIAH_REFUSED = [
    ("1.5", "no fractions"), ('"15000"', "not text"), ("-1", "negative"),
    ("true", "not text or a boolean"), ("1000000000001", "exceed"), ("1" + "0" * 60, "exceed"),
    ("null", None),
]


@pytest.mark.parametrize("literal, says", RUPIAH_REFUSED)
async def test_malformed_rupiah_literals_are_refused(gql, literal, says):
    body = await gql(f"{{ rupiah(amount: {literal}) }}")
    assert "data" not in body or body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    if says:
        assert error["extensions"]["reason"] == "invalid_rupiah"
        assert says in error["message"]


@pytest.mark.parametrize("value, says", [
    (1.5, "no fractions"), ("15000", "not text"), (-1, "negative"), (True, "boolean"),
    (10**12 + 1, "exceed"), (10**30, "exceed"), (1e300, "exceed"), ([1], "not text"),
    ({"amount": 1}, "not text"),
])
async def test_malformed_rupiah_variables_are_refused(gql, value, says):
    body = await gql("query($a: Rupiah!) { rupiah(amount: $a) }", {"a": value})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "invalid_rupiah"}
    assert says in error["message"]


@pytest.mark.parametrize("value, says", [
    ("12,5", "not a comma"), ("12.5 kg", "such as"), ("0.0001", "at most 3 digits"),
    ("-1", "negative"), ("1000000000", "exceed"), ("NaN", "finite"), ("Infinity", "finite"),
    (True, "such as"), ("", "such as"), ("1" * 50, "such as"), (-0.5, "negative"),
])
async def test_malformed_quantities_are_refused(gql, value, says):
    body = await gql("query($a: Quantity!) { quantity(amount: $a) }", {"a": value})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "invalid_quantity"}
    assert says in error["message"]
    if isinstance(value, str):
        literal = await gql(f'{{ quantity(amount: "{value}") }}')
        assert literal["errors"][0]["extensions"]["reason"] == "invalid_quantity"
