"""Enum arguments as the services want them.

graphene hands a resolver an enum argument as the Python enum member, as graphene's own enum
member, or as the plain value, depending on how the enum was declared and whether the value
came as a literal or a variable. Services take their domain's enum: convert here, once."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)

__all__ = ["as_enum", "as_enums", "enum_value"]


def enum_value(value: Any) -> Any:
    """The plain value of an enum argument (``"SUBMITTED"`` → itself, a member → its value)."""
    return getattr(value, "value", value)


def as_enum(enum: type[E], value: Any) -> E:
    """``value`` (a member of any enum with the same values, or the value itself) as a member
    of ``enum``."""
    return enum(enum_value(value))


def as_enums(enum: type[E], values: Iterable[Any] | None) -> list[E] | None:
    """A list argument of enums as members of ``enum``; ``None`` for a missing or empty list
    (no filter)."""
    found = [as_enum(enum, v) for v in values or ()]
    return found or None
