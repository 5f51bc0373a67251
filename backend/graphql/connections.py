"""The one way a growing list is paginated in GraphQL: a Relay connection over keyset
cursors (:mod:`backend.pagination`: the sort key, the cursor, the "after" filter for Tortoise
and SQLAlchemy).

:func:`paginate` fetches ``first + 1`` rows after the client's cursor, turns the page's rows
into nodes in one batch (``nodes(rows)``: e.g. the privacy view of every complaint of the page
at once) and builds edges and ``pageInfo``; ``totalCount`` is a separate callable, run only
when the client selects the field. ``first`` defaults to 20 and may not exceed 100; a bad
``first`` or cursor is a ``ServiceError`` that a guarded query turns into a top-level
``BAD_USER_INPUT`` (``first_out_of_range``, ``invalid_cursor``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import graphene

from backend import ids
from backend.graphql.prefetch import prefetch_nodes, selected_fields
from backend.pagination import (
    BY_ID,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    NEWEST_FIRST,
    Cursor,
    KeyKind,
    PageErrorCode,
    SortKey,
    decode_after,
    keyset_condition,
    page_size,
    sqlalchemy_after,
    sqlalchemy_order,
    tortoise_page,
)

__all__ = [
    "BY_ID", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "NEWEST_FIRST", "CountedConnection",
    "Cursor", "KeyKind", "PageErrorCode", "SortKey", "connection_for", "decode_after",
    "keyset_condition", "page_size", "paginate", "paginate_queryset", "sqlalchemy_after",
    "sqlalchemy_order", "tortoise_page",
]


# -- connections ----------------------------------------------------------------------------


class CountedConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many items match in all.")

    @staticmethod
    def resolve_edges(root: Any, info: Any) -> Any:
        # A page's nodes get what their selected fields need fetched at once, before they
        # resolve, when the node type declares it (backend/graphql/prefetch.py): one
        # awaitable for the page instead of one per field and row.
        node_type = type(root)._meta.node
        if not getattr(node_type, "PREFETCH", None) or not root.edges:
            return root.edges

        async def prefetched() -> Any:
            await prefetch_nodes(info, node_type, (e.node for e in root.edges),
                                 selected_fields(info, "node"), ("node",))
            return root.edges

        return prefetched()

    @staticmethod
    async def resolve_total_count(root: Any, info: Any) -> int:
        # A callable until asked for: a client that does not select totalCount costs no
        # COUNT query.
        value = root.total_count
        return int(await value()) if callable(value) else int(value)


def connection_for(node: type[graphene.ObjectType]) -> type[CountedConnection]:
    meta = type("Meta", (), {"node": node})
    return type(f"{node._meta.name}Connection", (CountedConnection,), {"Meta": meta})


Fetch = Callable[[Cursor | None, int], Awaitable[Sequence[Any]]]


async def paginate(
    connection: type[CountedConnection],
    *,
    first: int | None,
    after: str | None,
    sort: SortKey,
    fetch: Fetch,
    count: Callable[[], Awaitable[int]],
    nodes: Callable[[list[Any]], Awaitable[list[Any]]] | None = None,
    max_id: int = ids.MAX_INT_ID,
) -> CountedConnection:
    """One page of a connection.

    ``fetch(after, limit)`` returns up to ``limit`` rows after the position, in ``sort``'s
    order (build it with :func:`tortoise_page` or :func:`sqlalchemy_after`); each row's cursor
    is read from it with ``sort``. ``nodes(rows)`` turns the page's rows into what the node
    type resolves from, for the whole page at once (default: the rows themselves). ``count()``
    runs only if the client asks for ``totalCount``. ``max_id``: the largest id the paginated
    column holds (a cursor naming more is invalid)."""
    limit = page_size(first)
    position = decode_after(sort, after, maximum=max_id)
    rows = list(await fetch(position, limit + 1))
    has_next = len(rows) > limit
    rows = rows[:limit]
    shown = await nodes(rows) if nodes is not None else rows
    edge_type = connection.Edge
    edges = [
        edge_type(node=node, cursor=sort.cursor_of(row))
        for row, node in zip(rows, shown, strict=True)
    ]
    return connection(
        edges=edges,
        page_info=graphene.relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=position is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=count,
    )


async def paginate_queryset(
    queryset: Any,
    connection: type[CountedConnection],
    *,
    first: int | None,
    after: str | None,
    sort: SortKey = NEWEST_FIRST,
    nodes: Callable[[list[Any]], Awaitable[list[Any]]] | None = None,
) -> CountedConnection:
    """:func:`paginate` over a Tortoise queryset (default: newest first, by id); the count
    is the queryset's."""

    async def fetch(position: Cursor | None, limit: int) -> list[Any]:
        return await tortoise_page(queryset, sort, position).limit(limit)

    return await paginate(connection, first=first, after=after, sort=sort, fetch=fetch,
                          count=queryset.count, nodes=nodes)
