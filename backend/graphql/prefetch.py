"""Lists resolved from prepared data: a page's rows and everything its selection needs are
fetched before the fields resolve, in a fixed number of statements, so every field of every
row is a plain value and graphql-core completes the page on its synchronous path (an
awaitable per field and row costs far more than the SQL: a task, a future, a callback each).

A node type declares what each of its fields needs fetched ahead — a mapping from the
GraphQL field name to ``async fn(context, nodes)`` that primes the request's loaders
(:meth:`backend.graphql.core.BaseLoader.prefetch`); its resolvers read them with
``now_or_later`` (a value when fetched ahead, still correct when not)::

    class ComplaintType(graphene.ObjectType):
        PREFETCH = {"category": prefetch_categories, "photos": prefetch_photos}

Connections (backend/graphql/connections.py) do it for their page by themselves; any other
list resolver ends with ``return await prefetch_page(info, connection, node_type)`` or calls
:func:`prefetch_nodes`. Only the fields the client selected are fetched.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

Prefetch = Callable[[Any, list[Any]], Awaitable[None]]


def _fields(selection_set: SelectionSetNode | None, fragments: dict[str, Any],
            into: dict[str, list[FieldNode]]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            into.setdefault(selection.name.value, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _fields(selection.selection_set, fragments, into)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _fields(fragment.selection_set, fragments, into)


def selected_fields(info: Any, *path: str) -> set[str]:
    """The field names selected below ``path`` of the current field (e.g. "edges", "node"
    of a connection), through fragments; aliases do not matter."""
    level: list[FieldNode] = list(info.field_nodes)
    for name in path:
        below: dict[str, list[FieldNode]] = {}
        for node in level:
            _fields(node.selection_set, info.fragments, below)
        level = below.get(name, [])
    found: dict[str, list[FieldNode]] = {}
    for node in level:
        _fields(node.selection_set, info.fragments, found)
    return set(found)


def takes_selection(fetch: Prefetch) -> Prefetch:
    """Mark a prefetch that is also given the field names selected below its field, as
    ``fetch(context, nodes, selected)`` (e.g. a timeline fetches its photos only when asked
    for them)."""
    fetch.takes_selection = True  # type: ignore[attr-defined]
    return fetch


async def prefetch_nodes(info: Any, node_type: type, nodes: Iterable[Any],
                         fields: set[str], path: tuple[str, ...] = ()) -> None:
    """``path``: from the current field down to the nodes (e.g. ("edges", "node"))."""
    declared: dict[str, Prefetch] = getattr(node_type, "PREFETCH", {})
    rows = [n for n in nodes if n is not None]
    if not rows:
        return
    done: set[int] = set()
    for name in sorted(fields & set(declared)):
        fetch = declared[name]
        if id(fetch) in done:  # one function may serve several fields
            continue
        done.add(id(fetch))
        if getattr(fetch, "takes_selection", False):
            result = fetch(info.context, rows, selected_fields(info, *path, name))
        else:
            result = fetch(info.context, rows)
        if inspect.isawaitable(result):
            await result


async def prefetch_page(info: Any, connection: Any, node_type: type) -> Any:
    """Fetch ahead what the selected fields of a connection page's nodes need."""
    if connection is not None:
        await prefetch_nodes(info, node_type, (e.node for e in connection.edges),
                             selected_fields(info, "edges", "node"), ("edges", "node"))
    return connection


def pending(value: Any) -> bool:
    """Whether a loader's answer is still to come (a future or a coroutine) — not merely
    awaitable: Tortoise models define ``__await__`` too."""
    return asyncio.isfuture(value) or inspect.iscoroutine(value)


def then(value: Any, function: Callable[[Any], Any]) -> Any:
    """``function(value)`` now if the value is here, later if it is still to come."""
    if pending(value):
        async def later() -> Any:
            return function(await value)

        return later()
    return function(value)
