"""Time. Stored in UTC, shown in Asia/Jakarta (WIB).

Services ask :func:`utcnow` what time it is. :func:`frozen_at` answers a chosen moment instead,
for the current context only (a contextvar: other requests and tasks keep the real time) —
how the demo writes a past week of Kota Batu through the real services.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

_frozen: ContextVar[datetime | None] = ContextVar("batt_clock_frozen_at", default=None)


def utcnow() -> datetime:
    return _frozen.get() or datetime.now(UTC)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Within the block (and tasks it starts), :func:`utcnow` is ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _frozen.reset(token)
