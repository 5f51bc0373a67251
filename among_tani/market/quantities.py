"""Quantities as whole thousandths (see models), converted at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from among_tani.market.models import MILLI


def to_milli(quantity: Decimal | int) -> int:
    return int((Decimal(quantity) * MILLI).to_integral_value(ROUND_HALF_UP))


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / MILLI).quantize(Decimal("0.001"))


def text(milli: int) -> str:
    from backend.graphql.scalars import format_quantity

    return format_quantity(from_milli(milli))


def line_total(price_per_unit: int, quantity_milli: int) -> int:
    """Whole Rupiah for a quantity at a unit price (half a Rupiah rounds up)."""
    return int((Decimal(price_per_unit) * quantity_milli / MILLI).to_integral_value(
        ROUND_HALF_UP))
