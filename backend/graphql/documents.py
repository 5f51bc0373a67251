"""The gate every GraphQL document passes, over HTTP and WebSocket alike — limits first
(:mod:`backend.graphql.limits`), then graphql-core's validation — and the per-process cache
of what came out of it, so the apps' same few documents are parsed and validated once.

The cache is bounded by the memory its entries hold (estimated from their token counts; a
parsed document takes about half a kilobyte per token), not only by their number: a few
distinct large documents must not pin a gigabyte. Refusals are cached too, apart (so a
hostile document sent again costs one dictionary lookup, and distinct ones cannot evict the
valid documents). Documents longer than
:data:`OFFLOAD_CHARS` are parsed and validated on a worker thread: within the limits that
takes milliseconds, which must not stall every other request on the event loop.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, GraphQLSchema, validate
from graphql.validation import ValidationRule, specified_rules

from backend.graphql.limits import QueryLimits, Refused, analyse, parse_limited, too_complex
from backend.settings import Settings

OFFLOAD_CHARS = 2048
BYTES_PER_TOKEN = 512  # measured: ~450 bytes of AST per token, locations included
ENTRY_OVERHEAD = 512
MAX_ENTRIES = 512
REFUSALS_BYTES = 2 * 1024 * 1024
REFUSALS_ENTRIES = 256
# One thread: hostile documents queue behind each other instead of taking every core.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-prepare")


class IntrospectionDisabledRule(ValidationRule):
    """Production: the schema is not published (``__typename`` still works)."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.report_error(GraphQLError(
                "Introspection is disabled on this server.", node,
                extensions={"code": "INTROSPECTION_DISABLED"},
            ))


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    weight: int
    # Over the cost limit only with some variable `first` at its maximum: counted again
    # with each request's variables.
    recount: bool = False


class DocumentCache:
    """Least recently used entries out first, within ``max_bytes`` and ``max_entries``."""

    def __init__(self, max_bytes: int, max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.bytes = 0
        self._entries: OrderedDict[str, Prepared] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> Prepared | None:
        prepared = self._entries.get(query)
        if prepared is not None:
            self._entries.move_to_end(query)
        return prepared

    def put(self, query: str, prepared: Prepared) -> None:
        if prepared.weight > self.max_bytes:
            return
        old = self._entries.pop(query, None)
        if old is not None:
            self.bytes -= old.weight
        self._entries[query] = prepared
        self.bytes += prepared.weight
        while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.weight

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


class DocumentGate:
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.limits = QueryLimits.from_settings(settings)
        self.hide_suggestions = settings.is_production
        self.rules = (
            (*specified_rules, IntrospectionDisabledRule) if settings.is_production
            else specified_rules
        )
        self.cache = DocumentCache(settings.graphql_cache_bytes)
        # Refusals apart, in a small cache of their own: a stream of distinct hostile
        # documents must not evict the apps' valid ones.
        self.refusals = DocumentCache(REFUSALS_BYTES, REFUSALS_ENTRIES)

    async def prepare(
        self, query: str, variables: Mapping[str, Any] | None = None
    ) -> tuple[DocumentNode | None, list[GraphQLError]]:
        """The parsed, validated document, or the errors that refuse it."""
        prepared = self.cache.get(query) or self.refusals.get(query)
        if prepared is None:
            prepared = await self._off_loop(query, self._prepare, query)
            (self.refusals if prepared.errors else self.cache).put(query, prepared)
        if prepared.errors:
            return None, list(prepared.errors)
        assert prepared.document is not None
        if prepared.recount:
            cost = await self._off_loop(query, self._cost, prepared.document, variables or {})
            if cost > self.limits.max_cost:
                return None, [too_complex(self.limits, cost)]
        return prepared.document, []

    @staticmethod
    async def _off_loop(query: str, function: Any, *args: Any) -> Any:
        if len(query) <= OFFLOAD_CHARS:
            return function(*args)
        return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, function, *args)

    def _prepare(self, query: str) -> Prepared:
        refused_weight = len(query) + ENTRY_OVERHEAD
        try:
            document = parse_limited(query, self.limits, self.schema)
            analysis = analyse(self.schema, document, self.limits)
        except Refused as exc:
            return Prepared(None, (exc.error,), refused_weight)
        except GraphQLError as exc:  # a syntax error
            return Prepared(None, (exc,), refused_weight)
        recount = False
        if analysis.cost > self.limits.max_cost:
            if not analysis.depends_on_variables:
                return Prepared(None, (too_complex(self.limits, analysis.cost),), refused_weight)
            recount = True
        errors = validate(self.schema, document, self.rules,
                          hide_suggestions=self.hide_suggestions)
        weight = ENTRY_OVERHEAD + len(query) + BYTES_PER_TOKEN * getattr(
            document, "token_count", len(query) // 4)
        if errors:
            return Prepared(None, tuple(errors), refused_weight)
        return Prepared(document, (), weight, recount=recount)

    def _cost(self, document: DocumentNode, variables: Mapping[str, Any]) -> int:
        try:
            return analyse(self.schema, document, self.limits, variables).cost
        except Refused:  # already passed once; cannot fail differently with variables
            return self.limits.max_cost + 1
