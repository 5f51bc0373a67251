"""Keyset pagination, without GraphQL: what a list is sorted by, the position a cursor names,
and the filter "rows after that position" for Tortoise querysets and SQLAlchemy Core selects.

A list is sorted by a :class:`SortKey` — a column or SQL expression, its direction and its
type — and the row id breaks ties, so the order is total and a cursor (``[key, id]``, opaque,
encoded by :mod:`backend.ids`) names a position, not an offset. The next page is "rows after
that position"::

    ascending:   key > k  OR (key = k AND id > i)
    descending:  key < k  OR (key = k AND id < i)

which an index on ``(key, id)`` answers with one range scan however deep the client scrolls,
and which stays right while rows are added: nothing is skipped or repeated because a row was
inserted before the cursor. Keys must not be NULL (sort by a non-null column, or by a
``COALESCE`` of a nullable one): the databases order NULLs differently, and a cursor cannot
hold one.

Services use this module (it imports no GraphQL); :mod:`backend.graphql.connections` builds
the Relay connection from it. A bad ``first`` or cursor is a :class:`ServiceError`
(``first_out_of_range`` on ``first``, ``invalid_cursor`` on ``after``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from tortoise.expressions import Q

from backend import ids
from backend.errors import ErrorCode, ServiceError, messages
from backend.ids import KeyKind

__all__ = [
    "BY_ID", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "NEWEST_FIRST", "Cursor", "KeyKind",
    "PageErrorCode", "SortKey", "decode_after", "keyset_condition", "page_size",
    "sqlalchemy_after", "sqlalchemy_order", "tortoise_page",
]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageErrorCode(ErrorCode):
    INVALID_CURSOR = "invalid_cursor"
    FIRST_OUT_OF_RANGE = "first_out_of_range"


messages({
    PageErrorCode.INVALID_CURSOR: (
        "Kursor `after` tidak dikenal; gunakan endCursor dari halaman sebelumnya atau mulai "
        "dari awal.",
        "Unknown `after` cursor; pass the endCursor of the previous page, or start again.",
    ),
    PageErrorCode.FIRST_OUT_OF_RANGE: (
        "`first` harus antara 0 dan {max}.",
        "`first` must be between 0 and {max}.",
    ),
})


# -- what a list is sorted by ---------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """The order of a list: ``key`` then the row id, both ascending or both descending.

    ``key`` is a Tortoise field (or annotation) name for querysets, or a SQLAlchemy column or
    expression for Core selects; ``None`` sorts by the id alone. ``id`` is the tie breaker
    the same way (a field name, or a column). ``read`` takes the key from a fetched row;
    by default the attribute (or mapping item) named like the key — ``name`` when the key
    is a labelled SQLAlchemy expression."""

    key: str | sa.ColumnElement[Any] | None = None
    kind: KeyKind = KeyKind.INT
    descending: bool = False
    id: str | sa.ColumnElement[Any] = "id"
    name: str | None = None
    read: Callable[[Any], Any] | None = None

    @property
    def by_id_only(self) -> bool:
        return self.key is None

    def key_of(self, row: Any) -> Any:
        if self.read is not None:
            return self.read(row)
        return _item(row, self.name or _name(self.key))

    def id_of(self, row: Any) -> int:
        return _item(row, _name(self.id))

    def cursor_of(self, row: Any) -> str:
        if self.by_id_only:
            return ids.encode_cursor(self.id_of(row))
        return ids.encode_keyset_cursor(self.key_of(row), self.id_of(row), self.kind)

    def decode(self, cursor: str, *, maximum: int = ids.MAX_INT_ID) -> Cursor:
        """The position a client's ``after`` names; ``invalid_cursor`` when it names none."""
        if self.by_id_only:
            row_id = ids.decode_cursor(cursor, maximum=maximum)
            if row_id is not None:
                return Cursor(None, row_id)
        else:
            found = ids.decode_keyset_cursor(cursor, self.kind, maximum=maximum)
            if found is not None:
                return Cursor(*found)
        raise ServiceError(PageErrorCode.INVALID_CURSOR, "after")


BY_ID = SortKey()
NEWEST_FIRST = SortKey(descending=True)  # by id, highest first: the order rows were added


@dataclass(frozen=True)
class Cursor:
    """A decoded position: the sort key (``None`` when sorted by id alone) and the row id."""

    key: Any
    id: int


def _name(column: str | sa.ColumnElement[Any] | None) -> str:
    if isinstance(column, str):
        return column
    name = getattr(column, "name", None) or getattr(column, "key", None)
    if not isinstance(name, str):
        raise TypeError(f"give SortKey a name= to read {column!r} from rows")
    return name


def _item(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def decode_after(sort: SortKey, after: str | None, *,
                 maximum: int = ids.MAX_INT_ID) -> Cursor | None:
    """``after`` as a position (``None``: from the start; ``""`` counts as no cursor)."""
    if after is None or after == "":
        return None
    return sort.decode(after, maximum=maximum)


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if isinstance(first, bool) or not isinstance(first, int) or not 0 <= first <= MAX_PAGE_SIZE:
        raise ServiceError(PageErrorCode.FIRST_OUT_OF_RANGE, "first", max=MAX_PAGE_SIZE)
    return first


# -- the keyset filter, for Tortoise and for SQLAlchemy ---------------------------------------


def tortoise_page(queryset: Any, sort: SortKey, after: Cursor | None) -> Any:
    """``queryset`` ordered by ``sort`` and, with a cursor, restricted to the rows after it."""
    if not isinstance(sort.id, str) or not (sort.key is None or isinstance(sort.key, str)):
        raise TypeError("a Tortoise queryset sorts by field names")
    sign = "-" if sort.descending else ""
    beyond = "lt" if sort.descending else "gt"
    if sort.key is None:
        ordered = queryset.order_by(f"{sign}{sort.id}")
        if after is not None:
            ordered = ordered.filter(**{f"{sort.id}__{beyond}": after.id})
        return ordered
    ordered = queryset.order_by(f"{sign}{sort.key}", f"{sign}{sort.id}")
    if after is None:
        return ordered
    return ordered.filter(
        Q(**{f"{sort.key}__{beyond}": after.key})
        | Q(**{sort.key: after.key, f"{sort.id}__{beyond}": after.id})
    )


def sqlalchemy_order(sort: SortKey) -> list[sa.ColumnElement[Any]]:
    """The ORDER BY of a SQLAlchemy select sorted by ``sort``."""
    columns = [c for c in (sort.key, sort.id) if c is not None]
    if any(isinstance(c, str) for c in columns):
        raise TypeError("a SQLAlchemy select sorts by columns or expressions")
    return [c.desc() if sort.descending else c.asc() for c in columns]  # type: ignore[union-attr]


def keyset_condition(sort: SortKey, after: Cursor) -> sa.ColumnElement[bool]:
    """"After this position" as a SQLAlchemy condition on ``sort``'s columns/expressions."""
    if isinstance(sort.id, str) or isinstance(sort.key, str):
        raise TypeError("a SQLAlchemy select sorts by columns or expressions")
    row_id: sa.ColumnElement[Any] = sort.id
    if sort.key is None:
        return row_id < after.id if sort.descending else row_id > after.id
    key: sa.ColumnElement[Any] = sort.key
    value = sa.bindparam(None, after.key, type_=_SA_TYPES[sort.kind])
    if sort.descending:
        return sa.or_(key < value, sa.and_(key == value, row_id < after.id))
    return sa.or_(key > value, sa.and_(key == value, row_id > after.id))


def sqlalchemy_after(select: sa.Select, sort: SortKey, after: Cursor | None) -> sa.Select:
    """``select`` ordered by ``sort`` (SQLAlchemy columns or expressions) and, with a cursor,
    restricted to the rows after it. For a computed key (a distance) pass the expression the
    select already computes — e.g. a subquery's labelled column — so it is computed once."""
    ordered = select.order_by(*sqlalchemy_order(sort))
    return ordered if after is None else ordered.where(keyset_condition(sort, after))


_SA_TYPES: dict[KeyKind, Any] = {
    KeyKind.INT: sa.BigInteger(),
    KeyKind.FLOAT: sa.Float(),
    KeyKind.DECIMAL: sa.Numeric(),
    KeyKind.DATETIME: sa.DateTime(timezone=True),
    KeyKind.STR: sa.String(),
}
