"""Identifiers that cross the API boundary, decoded in one place: database ids, event-stream
cursors and the opaque cursors of Relay connections.

Every entry point parses them the same way, so malformed input is refused the same way
everywhere instead of failing deep inside: only ASCII digits (``"²".isdigit()`` is true and
``int("²")`` raises), and only numbers the column can hold (thirty nines would overflow the
database driver). Decoders return ``None`` for anything that cannot be such an id; the caller
answers "not found" or a coded BAD_USER_INPUT, never an internal error.

A connection cursor is the position of a row in its list: its sort key and its id (the tie
breaker), as base64url of compact JSON — ``[key, id]``, or ``[id]`` for a list sorted by id
alone. Clients pass it back and never read it. Decoding checks the key against the type the
list sorts by (:class:`KeyKind`), so whatever comes back can be bound to a query as is: a
finite float, a whole number the column holds, an aware datetime, a decimal string, a string
a database can store (no NUL, no lone surrogate).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

# Primary keys are Tortoise IntField (PostgreSQL ``integer``) or BigIntField (``bigint``).
MAX_INT_ID = 2**31 - 1
MAX_BIGINT_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_BIGINT_ID))
# Room for a string key of a few hundred characters (a name); anything longer is not ours.
MAX_CURSOR_CHARS = 1400
MAX_STR_KEY_CHARS = 500
_DECIMAL_KEY = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,18})?")
_MAX_DATETIME_CHARS = 40


class KeyKind(str, Enum):
    """The type of a connection's sort key, as a cursor carries it."""

    INT = "int"  # a JSON integer (64-bit)
    FLOAT = "float"  # a JSON number, finite (repr round-trips a float exactly)
    DECIMAL = "decimal"  # a string ("12.500"): JSON numbers would lose digits
    DATETIME = "datetime"  # an ISO 8601 string with its UTC offset, microseconds kept
    STR = "str"


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
    """The opaque cursor of an edge in a list sorted by id alone."""
    return _pack([_check_id(row_id)])


def decode_cursor(cursor: Any, *, maximum: int = MAX_INT_ID) -> int | None:
    """The row id inside a cursor made by :func:`encode_cursor`, or ``None`` if it is not one
    (or names a row id the paginated column cannot hold)."""
    values = _unpack(cursor)
    if values is None or len(values) != 1:
        return None
    return _row_id(values[0], maximum)


def encode_keyset_cursor(key: Any, row_id: int, kind: KeyKind) -> str:
    """The opaque cursor of an edge in a list sorted by ``key`` (of type ``kind``), then id.
    Keys are never NULL (a list sorts by a non-null column or expression)."""
    return _pack([_key_to_json(key, kind), _check_id(row_id)])


def decode_keyset_cursor(
    cursor: Any, kind: KeyKind, *, maximum: int = MAX_INT_ID
) -> tuple[Any, int] | None:
    """``(key, row id)`` from a cursor made by :func:`encode_keyset_cursor` for a list sorted
    by a key of type ``kind``, or ``None`` if it is not one."""
    values = _unpack(cursor)
    if values is None or len(values) != 2:
        return None
    row_id = _row_id(values[1], maximum)
    if row_id is None:
        return None
    key = _key_from_json(values[0], kind)
    return None if key is None else (key, row_id)


def _check_id(row_id: Any) -> int:
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 1 <= row_id <= MAX_BIGINT_ID:
        raise ValueError(f"not a row id: {row_id!r}")
    return row_id


def _row_id(value: Any, maximum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= maximum else None


def _pack(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise ValueError("sort key too long for a cursor")
    return cursor


def _no_constants(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON, not a position in any list


def _unpack(cursor: Any) -> list[Any] | None:
    if not isinstance(cursor, str) or not cursor.isascii() or len(cursor) > MAX_CURSOR_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        values = json.loads(raw, parse_constant=_no_constants)
    except (binascii.Error, ValueError, RecursionError):
        return None
    return values if isinstance(values, list) else None


def _key_to_json(key: Any, kind: KeyKind) -> Any:
    if key is None:
        raise ValueError("a connection's sort key must not be NULL")
    if kind is KeyKind.INT:
        return _check_int(key)
    if kind is KeyKind.FLOAT:
        value = float(key)
        if not math.isfinite(value):
            raise ValueError(f"not a finite sort key: {key!r}")
        return value
    if kind is KeyKind.DECIMAL:
        return format(Decimal(key), "f")
    if kind is KeyKind.DATETIME:
        if not isinstance(key, datetime) or key.tzinfo is None:
            raise ValueError(f"a datetime sort key must be aware: {key!r}")
        return key.astimezone(UTC).isoformat()
    return str(key)


def _check_int(key: Any) -> int:
    if isinstance(key, bool) or not isinstance(key, int) or abs(key) > MAX_BIGINT_ID:
        raise ValueError(f"not an integer sort key: {key!r}")
    return key


def _key_from_json(value: Any, kind: KeyKind) -> Any:
    if kind is KeyKind.INT:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_BIGINT_ID:
            return None
        return value
    if kind is KeyKind.FLOAT:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = float(value) if abs(value) < 1e308 else math.inf
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    if kind is KeyKind.DECIMAL:
        if not _DECIMAL_KEY.fullmatch(value):
            return None
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return None
    if kind is KeyKind.DATETIME:
        if len(value) > _MAX_DATETIME_CHARS or not value.isascii():
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            return None
    # A string key: what a database column can hold.
    if len(value) > MAX_STR_KEY_CHARS or "\x00" in value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800")
        return None
    return value
