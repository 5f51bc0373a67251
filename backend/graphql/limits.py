"""What one GraphQL request may ask of the server, checked before the work it would cause.

Every check is cheaper than what it protects, and they run cheapest first, on HTTP and
WebSocket alike, so a hostile document is refused for about the cost of reading the part that
broke a limit — long before graphql-core's validation, whose OverlappingFieldsCanBeMerged rule
is quadratic in repeated fields:

1. request bytes (the HTTP body, the WebSocket message) and the JSON nesting of variables —
   :func:`decode_json`, which also refuses text no database can store (NUL, lone surrogates);
2. document bytes, then tokens counted by a regular expression (C speed, comments included
   as graphql-core counts them);
3. while parsing (:class:`LimitedParser`): field depth, aliases, repeated fields and, root
   field by root field, the cost — parsing stops at the first field past a limit;
4. one pass over the parsed document (:func:`analyse`), each fragment analysed once
   (memoised, so fragments that double each other cannot make the analysis itself blow up):
   depth through fragments, the cost of each operation, and how many same-named fields the
   overlap rule would have to compare;
5. graphql-core's validation.

Refusals are top-level GraphQL errors whose ``extensions.code`` is one of
``QUERY_TOO_LARGE``, ``QUERY_TOO_DEEP``, ``TOO_MANY_ALIASES``, ``QUERY_TOO_COMPLEX``, with
the ``limit`` that was exceeded.

The cost of an operation estimates the fields it resolves: every field costs 1, and a field's
selection counts once per item it can return — ``first`` items for a paginated field (the
default page size when omitted), :data:`DEFAULT_LIST_SIZE` for another list. ``__schema``
and ``__type`` cost a fixed, heavy amount (their size is the schema's, not the document's).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
)
from graphql.language import TokenKind
from graphql.language.parser import Parser
from graphql.type import GraphQLInterfaceType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from backend.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from backend.settings import Settings

# Plain lists (not connections) are short reference lists or a complaint's photos and
# timeline: an item count for them, since they take no `first`.
DEFAULT_LIST_SIZE = 10
PAGE_SIZE_DEFAULT = DEFAULT_PAGE_SIZE
PAGE_SIZE_MAX = MAX_PAGE_SIZE
INTROSPECTION_COST = {"__schema": 2_500, "__type": 100}
# Pairs of same-named fields in one selection (weighted by what each comparison recurses
# into) that validation may compare: a client's fragments repeat `id` and `__typename` a few
# times per selection; thousands of repeats are an attack on the overlap rule.
MAX_OVERLAP_CHECKS = 2_000
# Variables nest as deep as the input types do (a few levels); far deeper JSON is an attack
# on every recursive function it reaches.
MAX_JSON_DEPTH = 32
_CAP = 10**12  # costs and sizes are capped here: a doubling fragment chain stays a small int


@dataclass(frozen=True)
class QueryLimits:
    max_document_bytes: int = 32 * 1024
    max_tokens: int = 2_000
    max_depth: int = 15
    max_aliases: int = 30
    max_cost: int = 25_000

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(
            max_document_bytes=settings.graphql_max_document_bytes,
            max_tokens=settings.graphql_max_tokens,
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_cost=settings.graphql_max_cost,
        )


def refusal(code: str, message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


class Refused(Exception):
    """A limit was exceeded; ``error`` is what the client gets."""

    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


def too_large(limits: QueryLimits, what: str) -> GraphQLError:
    limit = limits.max_document_bytes if what == "bytes" else limits.max_tokens
    return refusal("QUERY_TOO_LARGE", f"The query is longer than {limit} {what}.", limit=limit)


def too_deep(limits: QueryLimits) -> GraphQLError:
    return refusal("QUERY_TOO_DEEP", f"The query nests fields more than {limits.max_depth} "
                   "levels deep.", limit=limits.max_depth)


def too_many_aliases(limits: QueryLimits) -> GraphQLError:
    return refusal("TOO_MANY_ALIASES", f"The query uses more than {limits.max_aliases} "
                   "aliases.", limit=limits.max_aliases)


def too_complex(limits: QueryLimits, cost: int) -> GraphQLError:
    return refusal(
        "QUERY_TOO_COMPLEX",
        f"The query would cost {min(cost, _CAP)} (limit {limits.max_cost}); ask for fewer "
        "items (`first`) or fields.",
        cost=min(cost, _CAP), limit=limits.max_cost,
    )


def too_repetitive() -> GraphQLError:
    return refusal("QUERY_TOO_COMPLEX", "The query selects the same fields too many times.",
                   limit=MAX_OVERLAP_CHECKS)


# -- 1. request bytes --------------------------------------------------------------------


class BadRequest(Exception):
    """The request cannot be decoded into a GraphQL request (HTTP 400, WebSocket 4400)."""


# Only escapes can put NUL or a lone surrogate into decoded JSON: raw control characters are
# invalid JSON and raw surrogate bytes invalid UTF-8.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def decode_json(raw: bytes | str) -> Any:
    """Decode a request body or message: strict UTF-8, nesting at most
    :data:`MAX_JSON_DEPTH`, and no string a database could not store (NUL, lone UTF-16
    surrogates). Raises :class:`BadRequest`."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The request is not valid UTF-8.") from None
    else:
        text = raw
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadRequest(f"The request nests values more than {MAX_JSON_DEPTH} levels "
                         "deep.") from None
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None
    deep = text.count("[") + text.count("{") > MAX_JSON_DEPTH
    suspect = _SUSPECT_ESCAPE.search(text) is not None
    if deep or suspect:
        _check_json(value, check_strings=suspect)
    return value


def _check_json(value: Any, *, check_strings: bool) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
            if check_strings:
                for key in item:
                    check_text(key)
        elif isinstance(item, list):
            children = item
        else:
            if check_strings and isinstance(item, str):
                check_text(item)
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"The request nests values more than {MAX_JSON_DEPTH} levels deep.")
        stack.extend((child, depth + 1) for child in children)


def check_text(text: str) -> None:
    """Refuse text no database can store: NUL, or half of a UTF-16 surrogate pair."""
    if _UNSTORABLE.search(text):
        raise BadRequest("The request contains a NUL character or a lone UTF-16 surrogate; "
                         "send text as valid Unicode.")


# -- 3. while parsing --------------------------------------------------------------------


class LimitedParser(Parser):
    """graphql-core's parser with the limits enforced as it reads: the first token past the
    token limit, the first field too deep, the first alias too many, the first repeat of a
    field too many in one selection, and — with the schema — the first root field that takes
    an operation past the cost limit stop it. (The cost here leaves out fragment spreads and
    counts a variable `first` as 0: a lower bound, so it never refuses what analyse() would
    let through; it spares parsing the rest of a document already refused.)"""

    def __init__(self, source: str, limits: QueryLimits,
                 schema: GraphQLSchema | None = None) -> None:
        super().__init__(source, max_tokens=limits.max_tokens)
        self._limits = limits
        self._schema = schema
        self._field_depth = 0
        self._aliases = 0
        # Response names seen in each selection set being read, and the overlap checks
        # their repeats would cost (weighted by the repeated field's tokens); fragments are
        # counted after parsing, by analyse().
        self._names: list[dict[str, int]] = []
        self._overlap = 0
        # The type whose fields are being read, and the cost of what was read at each level.
        self._types: list[Any] = [None]
        self._costs: list[int] = [0]
        self._operation_level = 0  # index in _costs of the operation being read, 0: none
        self._type_condition = False  # the next named type is a fragment's type condition

    def parse_operation_definition(self) -> OperationDefinitionNode:
        token = self._lexer.token
        if token.kind is TokenKind.BRACE_L:
            kind = "query"
        else:
            keyword = token if token.kind is TokenKind.NAME else self._lexer.lookahead()
            kind = keyword.value or ""
        root = None
        if self._schema is not None:
            root = {"query": self._schema.query_type, "mutation": self._schema.mutation_type,
                    "subscription": self._schema.subscription_type}.get(kind)
        self._types.append(root)
        self._costs.append(0)
        self._operation_level = len(self._costs) - 1
        try:
            return super().parse_operation_definition()
        finally:
            self._types.pop()
            self._costs.pop()
            self._operation_level = 0

    def parse_fragment_definition(self) -> FragmentDefinitionNode:
        self._types.append(None)
        self._costs.append(0)
        self._type_condition = True
        try:
            return super().parse_fragment_definition()
        finally:
            self._types.pop()
            self._costs.pop()

    def parse_fragment(self) -> FragmentSpreadNode | InlineFragmentNode:
        self._types.append(self._types[-1])  # `... { }` keeps the type, `... on T` sets it
        self._type_condition = True
        try:
            return super().parse_fragment()
        finally:
            self._types.pop()
            self._type_condition = False

    def parse_named_type(self) -> NamedTypeNode:
        node = super().parse_named_type()
        if self._type_condition:
            self._type_condition = False
            if self._schema is not None:
                self._types[-1] = self._schema.get_type(node.name.value)
        return node

    def parse_selection_set(self) -> SelectionSetNode:
        self._type_condition = False
        self._names.append({})
        try:
            return super().parse_selection_set()
        finally:
            self._names.pop()

    def parse_string_literal(self, _is_const: bool = False) -> StringValueNode:
        node = super().parse_string_literal(_is_const)
        if _UNSTORABLE.search(node.value):
            raise Refused(refusal("BAD_USER_INPUT", "Strings may not contain NUL characters "
                                  "or lone UTF-16 surrogates."))
        return node

    def parse_field(self) -> FieldNode:
        """Field: Alias? Name Arguments? Directives? SelectionSet? — graphql-core's rule,
        with the limits checked as soon as each part is read."""
        limits = self._limits
        start = self._lexer.token
        start_tokens = self._token_counter
        name_or_alias = self.parse_name()
        alias: NameNode | None = None
        name = name_or_alias
        if self.expect_optional_token(TokenKind.COLON):
            alias, name = name_or_alias, self.parse_name()
            self._aliases += 1
            if self._aliases > limits.max_aliases:
                raise Refused(too_many_aliases(limits))
        self._field_depth += 1
        if self._field_depth > limits.max_depth:
            raise Refused(too_deep(limits))
        parent = self._types[-1]
        definition = _field_definition(self._schema, parent, name.value)
        self._types.append(
            get_named_type(definition.type) if definition is not None else None)
        self._costs.append(0)
        try:
            arguments = self.parse_arguments(False)
            directives = self.parse_directives(False)
            selection_set = (
                self.parse_selection_set() if self.peek(TokenKind.BRACE_L) else None)
        finally:
            self._field_depth -= 1
            self._types.pop()
            children = self._costs.pop()
        node = FieldNode(alias=alias, name=name, arguments=arguments, directives=directives,
                         selection_set=selection_set, loc=self.loc(start))

        cost = _field_cost(node, definition, parent, children, _literal_first(node))
        self._costs[-1] = min(_CAP, self._costs[-1] + cost)
        if self._operation_level == len(self._costs) - 1 and self._costs[-1] > limits.max_cost:
            raise Refused(too_complex(limits, self._costs[-1]))

        names = self._names[-1]
        response_name = alias.value if alias else name.value
        seen = names.get(response_name, 0)
        names[response_name] = seen + 1
        if seen:
            self._overlap += seen * (1 + self._token_counter - start_tokens)
            if self._overlap > MAX_OVERLAP_CHECKS:
                raise Refused(too_repetitive())
        return node


def _field_definition(schema: GraphQLSchema | None, parent: Any, name: str) -> Any:
    if schema is None:
        return None
    if parent is schema.query_type and name in ("__schema", "__type"):
        return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None


def _literal_first(node: FieldNode) -> int | None:
    """`first` as written: None when absent, 0 for a variable (its least)."""
    argument = next((a for a in node.arguments if a.name.value == "first"), None)
    if argument is None:
        return None
    if isinstance(argument.value, IntValueNode):
        return max(0, min(PAGE_SIZE_MAX, int(argument.value.value)))
    if isinstance(argument.value, VariableNode):
        return 0
    return PAGE_SIZE_MAX


def _field_cost(node: FieldNode, definition: Any, parent: Any, children: int,
                first: int | None) -> int:
    """1 for the field, its selection once per item it can return; see the module doc."""
    if definition in (SchemaMetaFieldDef, TypeMetaFieldDef):
        return INTROSPECTION_COST[node.name.value]
    if node.selection_set is None:
        return 1
    if definition is None:
        items = 1
    elif "first" in definition.args:
        items = PAGE_SIZE_DEFAULT if first is None else first
    else:
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        if not isinstance(field_type, GraphQLList):
            items = 1
        elif node.name.value == "edges" and "pageInfo" in getattr(parent, "fields", {}):
            items = 1  # a connection's edges: counted by the connection's `first`
        else:
            items = DEFAULT_LIST_SIZE
    return min(_CAP, 1 + items * children)


# GraphQL's tokens as one regular expression, for counting them at C speed before the
# parser (pure Python) starts: it never finds more tokens than graphql-core's lexer does
# in a valid document (commas, whitespace and anything unmatched are skipped).
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n\r]|\\.)*"|#[^\n\r]*|\.\.\.'
    r"|[A-Za-z_][A-Za-z0-9_]*|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[!$&():=@\[\]{|}]"
)


def parse_limited(query: str, limits: QueryLimits,
                  schema: GraphQLSchema | None = None) -> DocumentNode:
    """Parse ``query`` within ``limits`` (the cost too, given the schema); raises
    :class:`Refused` or GraphQLSyntaxError."""
    if len(query) > limits.max_document_bytes or (
        not query.isascii() and len(query.encode("utf-8", "surrogatepass"))
        > limits.max_document_bytes
    ):
        raise Refused(too_large(limits, "bytes"))
    if len(query) > limits.max_tokens:  # shorter documents cannot hold more tokens
        tokens = _TOKEN.finditer(query)
        if sum(1 for _ in itertools.islice(tokens, limits.max_tokens + 1)) > limits.max_tokens:
            raise Refused(too_large(limits, "tokens"))
    parser = LimitedParser(query, limits, schema)
    try:
        return parser.parse_document()
    except GraphQLSyntaxError as exc:
        # graphql-core's own token limit, counted by the parser or, over a run of comments,
        # by its lexer: both say so in the same words.
        if f"Document contains more than {limits.max_tokens} tokens." in exc.message:
            raise Refused(too_large(limits, "tokens")) from None
        raise
    except RecursionError:
        # Values nested deeper than graphql-core's parser allows ([[[[…]]]]).
        raise Refused(too_deep(limits)) from None


# -- 4. one pass over the document -------------------------------------------------------


@dataclass
class _Summary:
    cost: int  # fields resolved, items counted
    size: int  # field nodes, fragments expanded (what the overlap rule may recurse into)
    depth: int
    names: dict[str, tuple[int, int]]  # response name → (fields, largest subtree)


@dataclass(frozen=True)
class Analysis:
    cost: int
    depends_on_variables: bool  # some `first` is a variable (counted at its maximum here)


class _Analyser:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits,
                 variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, _Summary] = {}
        self.in_progress: set[str] = set()
        self.overlap = 0
        self.uses_variables = False

    def fragment(self, name: str) -> _Summary | None:
        summary = self.memo.get(name)
        if summary is not None:
            return summary
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return None  # unknown or cyclic: validation reports it
        self.in_progress.add(name)
        try:
            parent = self.schema.get_type(definition.type_condition.name.value)
            summary = self.selection_set(definition.selection_set, parent)
        finally:
            self.in_progress.discard(name)
        self.memo[name] = summary
        return summary

    def selection_set(self, node: SelectionSetNode, parent: Any) -> _Summary:
        total = _Summary(cost=0, size=0, depth=0, names={})
        seen_fragments: set[str] = set()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                cost, size, depth = self.field(selection, parent)
                name = selection.alias.value if selection.alias else selection.name.value
                count, largest = total.names.get(name, (0, 0))
                total.names[name] = (count + 1, max(largest, size))
                part = _Summary(cost=cost, size=size, depth=depth, names={})
            elif isinstance(selection, InlineFragmentNode):
                inner = parent
                if selection.type_condition is not None:
                    inner = self.schema.get_type(selection.type_condition.name.value)
                part = self.selection_set(selection.selection_set, inner)
                _merge_names(total.names, part.names)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen_fragments:
                    continue  # spread twice in one selection: collected once
                seen_fragments.add(name)
                fragment = self.fragment(name)
                if fragment is None:
                    continue
                part = fragment
                _merge_names(total.names, part.names)
            else:  # pragma: no cover - the parser makes no other selection
                continue
            total.cost = min(_CAP, total.cost + part.cost)
            total.size = min(_CAP, total.size + part.size)
            total.depth = max(total.depth, part.depth)
        for count, largest in total.names.values():
            if count > 1:
                self.overlap += count * (count - 1) // 2 * (1 + largest)
        if self.overlap > MAX_OVERLAP_CHECKS:
            raise Refused(too_repetitive())
        return total

    def field(self, node: FieldNode, parent: Any) -> tuple[int, int, int]:
        """(cost, size, depth) of one field and its selection."""
        definition = _field_definition(self.schema, parent, node.name.value)
        if node.selection_set is None:
            return _field_cost(node, definition, parent, 0, None), 1, 1
        child_type = get_named_type(definition.type) if definition is not None else None
        inner = self.selection_set(node.selection_set, child_type)
        depth = inner.depth + 1
        if depth > self.limits.max_depth:
            raise Refused(too_deep(self.limits))
        cost = _field_cost(node, definition, parent, inner.cost, self.first(node))
        return cost, min(_CAP, inner.size + 1), depth

    def first(self, node: FieldNode) -> int | None:
        """`first` of a field: None when absent; a variable at its maximum without the
        request's variables, at its value with them."""
        argument = next((a for a in node.arguments if a.name.value == "first"), None)
        if argument is None or not isinstance(argument.value, VariableNode):
            return _literal_first(node)
        self.uses_variables = True
        given = (self.variables or {}).get(argument.value.name.value)
        if self.variables is None or not isinstance(given, int) or isinstance(given, bool):
            return PAGE_SIZE_MAX
        return max(0, min(PAGE_SIZE_MAX, given))


def _merge_names(into: dict[str, tuple[int, int]], names: dict[str, tuple[int, int]]) -> None:
    for name, (count, largest) in names.items():
        had, biggest = into.get(name, (0, 0))
        into[name] = (had + count, max(biggest, largest))


def analyse(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits,
            variables: Mapping[str, Any] | None = None) -> Analysis:
    """Depth through fragments, repeated fields and the cost of the costliest operation.
    Without ``variables`` a variable ``first`` counts at its maximum. Raises
    :class:`Refused` for depth and repetition; the caller compares the cost."""
    analyser = _Analyser(schema, document, limits, variables)
    roots = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    cost = 0
    try:
        for name in analyser.fragments:
            analyser.fragment(name)  # fragments unused by any operation count for overlap too
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                parent = roots.get(definition.operation.value)
                summary = analyser.selection_set(definition.selection_set, parent)
                cost = max(cost, summary.cost)
    except RecursionError:
        # A chain of hundreds of fragments, each spreading the next.
        raise Refused(too_deep(limits)) from None
    return Analysis(cost=cost, depends_on_variables=analyser.uses_variables)
