"""graphql-core's executor with a shorter path for the commonest field of a list: a scalar or
enum without arguments (a ticket number, a status, a date) — most of the ~1,300 fields of a
50-row case queue.

graphql-core does the same work for every field and row: look the field definition up,
build a ``GraphQLResolveInfo``, coerce (absent) arguments, ask twice whether the result is
awaitable and dispatch through ``complete_value``. For a leaf field without arguments,
:class:`ExecutionContext` decides once per operation what the field is (its definition, its
resolver, its type's ``serialize``) and then only calls the resolver and serializes —
without a ``GraphQLResolveInfo`` for graphene's attribute resolvers (and a type's
``default_resolver`` marked :func:`plain_resolver`), which never read it. Anything
unusual — a null, an error, an awaitable, a value the type refuses — goes on through
graphql-core's own ``complete_value`` and error handling with the resolver's value, so
answers and errors are the same as without it (every GraphQL test runs through it).
"""

from __future__ import annotations

from asyncio import gather
from collections.abc import Callable
from functools import partial
from typing import Any

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphql import ExecutionContext as BaseExecutionContext
from graphql import GraphQLNonNull, GraphQLObjectType, is_leaf_type, located_error
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined

_PLAIN_RESOLVERS: set[Callable[..., Any]] = {attr_resolver, dict_resolver, dict_or_attr_resolver}


def plain_resolver(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a graphene ``Meta.default_resolver`` ``(attname, default, root, info)`` that never
    reads ``info``: its fields skip building one."""
    _PLAIN_RESOLVERS.add(function)
    return function


_UNKNOWN: Any = object()


class _Leaf:
    __slots__ = ("field_def", "return_type", "resolve", "serialize", "plain")

    def __init__(self, field_def: Any, return_type: Any, resolve: Any, serialize: Any,
                 plain: bool) -> None:
        self.field_def, self.return_type, self.resolve = field_def, return_type, resolve
        self.serialize, self.plain = serialize, plain


class ExecutionContext(BaseExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (parent type, field node) -> _Leaf, or None: not a leaf without arguments.
        self._leaves: dict[tuple[GraphQLObjectType, int], _Leaf | None] = {}

    def _leaf(self, parent_type: GraphQLObjectType, field_nodes: list[Any]) -> _Leaf | None:
        key = (parent_type, id(field_nodes[0]))
        try:
            return self._leaves[key]
        except KeyError:
            pass
        leaf = None
        field_def = get_field_def(self.schema, parent_type, field_nodes[0])
        if field_def is not None and not field_def.args and not self.middleware_manager:
            return_type = field_def.type
            named = return_type.of_type if isinstance(return_type, GraphQLNonNull) \
                else return_type
            if is_leaf_type(named):
                resolve = field_def.resolve or self.field_resolver
                plain = (isinstance(resolve, partial) and resolve.func in _PLAIN_RESOLVERS
                         and len(resolve.args) == 2 and not resolve.keywords)
                leaf = _Leaf(field_def, return_type, resolve, named.serialize, plain)
        self._leaves[key] = leaf
        return leaf

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, fields: dict[str, list[Any]]) -> Any:
        # graphql-core's loop, with plain attribute reads done inline (no Path, no
        # execute_field): a row of a list is mostly those.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        leaves = self._leaves
        for response_name, field_nodes in fields.items():
            leaf = leaves.get((parent_type, id(field_nodes[0])), _UNKNOWN)
            if leaf is _UNKNOWN:
                leaf = self._leaf(parent_type, field_nodes)
            if leaf is not None and leaf.plain:
                try:
                    value = leaf.resolve(source_value, None)
                    if value is not None and not isinstance(value, Exception) \
                            and not is_awaitable(value):
                        serialized = leaf.serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            results[response_name] = serialized
                            continue
                except Exception:
                    pass  # an attribute read: execute_field reads it again and reports it
            result = self.execute_field(parent_type, source_value, field_nodes,
                                        Path(path, response_name, parent_type.name))
            if result is not Undefined:
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            results.update(zip(awaitable_fields,
                               await gather(*(results[f] for f in awaitable_fields)),
                               strict=True))
            return results

        return get_results()

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_nodes: list[Any], path: Path) -> Any:
        leaf = self._leaf(parent_type, field_nodes)
        if leaf is None:
            return super().execute_field(parent_type, source, field_nodes, path)
        info = None
        try:
            if leaf.plain:
                result = leaf.resolve(source, None)
            else:
                info = self.build_resolve_info(leaf.field_def, field_nodes, parent_type, path)
                result = leaf.resolve(source, info)
            if result is not None and not isinstance(result, Exception) \
                    and not self.is_awaitable(result):
                serialized = leaf.serialize(result)
                if serialized is not None and serialized is not Undefined:
                    return serialized
            # The unusual cases (a null, an error, an awaitable, a value the type refuses):
            # graphql-core's own completion, with the value the resolver gave.
            if info is None:
                info = self.build_resolve_info(leaf.field_def, field_nodes, parent_type, path)
            if self.is_awaitable(result):
                return self._complete_later(leaf, field_nodes, info, path, result)
            return self.complete_value(leaf.return_type, field_nodes, info, path, result)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, leaf.return_type, path)
            return None

    def _complete_later(self, leaf: _Leaf, field_nodes: list[Any], info: Any, path: Path,
                        result: Any) -> Any:
        async def await_result() -> Any:
            try:
                completed = self.complete_value(leaf.return_type, field_nodes, info, path,
                                                await result)
                if self.is_awaitable(completed):
                    return await completed
                return completed
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, path.as_list())
                self.handle_field_error(error, leaf.return_type, path)
                return None

        return await_result()
