"""Identifiers that cross the API boundary, decoded in one place: database ids, event-stream
cursors and the opaque cursors of Relay connections.

Every entry point parses them the same way, so malformed input is refused the same way
everywhere instead of failing deep inside: only ASCII digits (``"²".isdigit()`` is true and
``int("²")`` raises), and only numbers the column can hold (thirty nines would overflow the
database driver). Decoders return ``None`` for anything that cannot be such an id; the caller
answers "not found" or a coded BAD_USER_INPUT, never an internal error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

# Primary keys are Tortoise IntField (PostgreSQL ``integer``) or BigIntField (``bigint``).
MAX_INT_ID = 2**31 - 1
MAX_BIGINT_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_BIGINT_ID))
_CURSOR_PREFIX = "c:"


def _digits(text: str, maximum: int, minimum: int) -> int | None:
    text = text.strip()
    if not text or len(text) > _MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: Any, *, maximum: int = MAX_INT_ID) -> int | None:
    """A database id from client input (a GraphQL ``ID`` string, or an int), or ``None`` when
    it cannot be the id of any row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= maximum else None
    if not isinstance(value, str):
        return None
    return _digits(value, maximum, 1)


def parse_event_cursor(value: Any) -> int | None:
    """An event-stream cursor (the decimal id of an event; ``"0"`` is "before the first"),
    or ``None`` when malformed. Whether that event exists is the caller's question."""
    if not isinstance(value, str):
        return None
    return _digits(value, MAX_BIGINT_ID, 0)


def encode_cursor(row_id: int) -> str:
    """The opaque cursor of a connection edge: clients pass it back, never read it."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: Any, *, maximum: int = MAX_INT_ID) -> int | None:
    """The row id inside a cursor made by :func:`encode_cursor`, or ``None`` if it is not one
    (or names a row id the paginated column cannot hold)."""
    if not isinstance(cursor, str) or not cursor.isascii() or len(cursor) > 32:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_CURSOR_PREFIX):
        return None
    return _digits(raw.removeprefix(_CURSOR_PREFIX), maximum, 1)
