"""Who may hear of an event: its *audience*, a set of keys the recording domain computes.

Keys:

- ``user:<user id>`` — that person;
- ``role:<role>`` — everyone holding the role (``role:operator``);
- ``skpd:<skpd id>`` — the staff of an agency;
- ``area:<area id>`` — staff working an area (a geo Area: kecamatan or desa);
- ``public`` — everyone, signed in or not.

A viewer has keys too (:func:`viewer_keys`): their user key, one per role, their SKPD's, and
``public``. A subscriber receives an event only when the two sets intersect — the event bus
applies this before anything is rendered (``backend.events.bus``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PUBLIC = "public"
_KEY = re.compile(r"^(public|(user|role|skpd|area):[A-Za-z0-9_.\-]{1,64})$")


def user(user_id: int) -> str:
    return f"user:{int(user_id)}"


def role(name: Any) -> str:
    return f"role:{getattr(name, 'value', name)}"


def skpd(skpd_id: int) -> str:
    return f"skpd:{int(skpd_id)}"


def area(area_id: int | str) -> str:
    return f"area:{area_id}"


def users(ids: Iterable[int | None]) -> list[str]:
    return [user(i) for i in ids if i is not None]


def skpds(ids: Iterable[int]) -> list[str]:
    return [skpd(i) for i in ids]


def roles(names: Iterable[Any]) -> list[str]:
    return [role(n) for n in names]


def normalise(keys: Iterable[str]) -> list[str]:
    """Sorted, without duplicates; every key checked (an event nobody can hear is a bug in
    its domain, so an empty audience is refused too)."""
    if isinstance(keys, str):
        raise TypeError("audience: an iterable of keys, not one string")
    found = sorted(set(keys))
    for key in found:
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"audience key {key!r} is not user:/role:/skpd:/area:<id> or public")
    if not found:
        raise ValueError("an event needs an audience (at least one key)")
    return found


def viewer_keys(principal: Any | None) -> frozenset[str]:
    """The keys of a caller (a ``backend.accounts.services.Principal``, or None when signed
    out): ``public``, their user, each role, their SKPD."""
    if principal is None:
        return frozenset({PUBLIC})
    keys = {PUBLIC, user(principal.user.id), *roles(principal.roles)}
    if getattr(principal, "skpd", None) is not None:
        keys.add(skpd(principal.skpd.id))
    return frozenset(keys)


def hears(audience: Iterable[str], keys: frozenset[str]) -> bool:
    return not keys.isdisjoint(audience)
