"""Shared GraphQL scalars for amounts: money in whole Rupiah, and decimal quantities.

``Rupiah`` is a custom scalar, not ``Int``: GraphQL's Int is 32-bit (at most 2,147,483,647 —
about the price of a motorbike), and a harvest, a land lease or an agency budget is more. It
travels as a JSON integer, exact in every client: its ceiling, 10^12, is far below 2^53, the
largest integer a JavaScript number holds exactly.

``Quantity`` (12.5 kg of chili, 0.25 ha) travels as a JSON *string* of a decimal ("12.5"):
Apollo and urql parse JSON numbers into JavaScript doubles, in which 0.1 + 0.2 is not 0.3,
and which keep no difference between 12.5 and 12.500; a string reaches the client exactly
as the server stored it, for a decimal library or for display. As input, a string or a JSON
number is accepted (a number is read from its shortest decimal form, so 0.1 means 0.1).

Refusals are top-level ``BAD_USER_INPUT`` errors whose ``extensions.reason`` is
``invalid_rupiah`` or ``invalid_quantity`` and whose message says what is wrong. (graphql-core
parses scalars before any resolver knows the client's language: the message is English.)
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

import graphene
from graphql import GraphQLError
from graphql.language import FloatValueNode, IntValueNode, StringValueNode, ValueNode

RUPIAH_MAX = 10**12
QUANTITY_MAX = Decimal("999999999.999")
QUANTITY_PLACES = 3


def _refuse(reason: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "reason": reason})


# -- Rupiah ---------------------------------------------------------------------------------


def parse_rupiah(value: Any) -> int:
    """Whole Rupiah from client input: an integer 0 … 10^12 (a float only if whole)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse("invalid_rupiah", "Rupiah must be a whole number, not text or a boolean.")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise _refuse("invalid_rupiah", "Rupiah are whole numbers: no fractions.")
        value = int(value)
    if value < 0:
        raise _refuse("invalid_rupiah", "Rupiah may not be negative.")
    if value > RUPIAH_MAX:
        raise _refuse("invalid_rupiah", f"Rupiah may not exceed {RUPIAH_MAX:,}.")
    return value


class Rupiah(graphene.Scalar):
    """An amount of money in whole Rupiah, 0 to 1,000,000,000,000 (10^12), as a JSON integer.
    Not Int: GraphQL's Int stops at 2,147,483,647. Every value is exact in JavaScript (below
    2^53). Fractions, negative amounts, text and booleans are refused (BAD_USER_INPUT,
    reason invalid_rupiah)."""

    @staticmethod
    def serialize(value: Any) -> int:
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                raise ValueError(f"not whole Rupiah: {value}")
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RUPIAH_MAX:
            raise ValueError(f"not an amount in Rupiah: {value!r}")
        return value

    @staticmethod
    def parse_value(value: Any) -> int:
        return parse_rupiah(value)

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> int:
        if isinstance(node, IntValueNode | FloatValueNode) and len(node.value) > 40:
            raise _refuse("invalid_rupiah", f"Rupiah may not exceed {RUPIAH_MAX:,}.")
        if isinstance(node, IntValueNode):
            return parse_rupiah(int(node.value))
        if isinstance(node, FloatValueNode):
            return parse_rupiah(float(node.value))
        raise _refuse("invalid_rupiah", "Rupiah must be a whole number, not text or a boolean.")


# -- Quantity -------------------------------------------------------------------------------


def parse_quantity(value: Any) -> Decimal:
    """A non-negative decimal with at most three fraction digits, from a string or number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse("invalid_quantity", "A quantity is a decimal number such as \"12.5\".")
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse("invalid_quantity", "A quantity must be a finite number.")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > 40:
        raise _refuse("invalid_quantity", "A quantity is a decimal number such as \"12.5\".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _refuse("invalid_quantity", "A quantity is a decimal number such as \"12.5\" "
                      "(with a point, not a comma).") from None
    if not number.is_finite():
        raise _refuse("invalid_quantity", "A quantity must be a finite number.")
    if number < 0:
        raise _refuse("invalid_quantity", "A quantity may not be negative.")
    if number > QUANTITY_MAX:
        raise _refuse("invalid_quantity", f"A quantity may not exceed {QUANTITY_MAX}.")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        raise _refuse("invalid_quantity",
                      f"A quantity has at most {QUANTITY_PLACES} digits after the point.")
    # Three places, and no negative zero.
    return number.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)) + Decimal(0)


def format_quantity(value: Decimal | int) -> str:
    """The plain decimal text of a quantity: "12.5", "100", "0.125" (never an exponent)."""
    number = Decimal(value).normalize()
    return format(number, "f")


class Quantity(graphene.Scalar):
    """A quantity such as 12.5 (kg, ha, litres — the field says which): a non-negative
    decimal with at most 3 digits after the point, up to 999,999,999.999. Sent as a JSON
    string ("12.5") so no client turns it into an inexact binary float; accepted as a string
    or a JSON number. Anything else is refused (BAD_USER_INPUT, reason invalid_quantity)."""

    @staticmethod
    def serialize(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise ValueError(f"not a quantity: {value!r}")
        return format_quantity(value)

    @staticmethod
    def parse_value(value: Any) -> Decimal:
        return parse_quantity(value)

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Decimal:
        if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
            # Literals keep the client's own digits: "0.1" stays 0.1.
            return parse_quantity(node.value)
        raise _refuse("invalid_quantity", "A quantity is a decimal number such as \"12.5\".")
