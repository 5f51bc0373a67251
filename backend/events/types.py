"""Event types: each domain defines its own ``str`` Enum (``Domain.event_types``) with
values namespaced by what they are about — ``"complaint.submitted"``, ``"order.placed"`` —
at most 64 characters. Two domains never share a value."""

from __future__ import annotations

import functools
import re
from enum import Enum

MAX_LENGTH = 64
_NAMESPACED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@functools.cache
def _registered(names: tuple[str, ...]) -> dict[str, type[Enum]]:
    from backend import domains

    found: dict[str, type[Enum]] = {}
    for enum in domains.collect("event_types"):
        for member in enum:
            value = member.value
            if not isinstance(value, str) or len(value) > MAX_LENGTH or not _NAMESPACED.match(
                    value):
                raise ValueError(f"event type {value!r} of {enum.__qualname__}: expected "
                                 f"'namespace.name', at most {MAX_LENGTH} characters")
            if value in found and found[value] is not enum:
                raise ValueError(f"event type {value!r} is declared by {enum.__qualname__} "
                                 f"and {found[value].__qualname__}")
            found[value] = enum
    return found


def registered_event_types() -> dict[str, type[Enum]]:
    """Every installed domain's event types: value → its enum."""
    from backend import domains

    return _registered(tuple(d.name for d in domains.domains()))


def check_event_type(type: Enum) -> None:
    enum = registered_event_types().get(getattr(type, "value", None))
    if enum is None or not isinstance(type, enum):
        raise ValueError(f"{type!r} is not an event type of an installed domain "
                         "(Domain.event_types)")
