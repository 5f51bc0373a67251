"""The executor's short path for plain leaf fields (backend/graphql/execution.py) answers
exactly as graphql-core's own executor: values, nulls, errors and their paths, the null
propagation of a non-null field, awaitable values."""

from __future__ import annotations

import graphene
from graphql import execute, parse

from backend.graphql.execution import ExecutionContext, plain_resolver
from backend.graphql.http import is_awaitable


class Row:
    def __init__(self, n: int) -> None:
        self.n = n
        self.name = f"row {n}" if n != 2 else None  # a null in a non-null field
        self.size = n if n != 3 else "not a number"  # a value the type refuses

    @property
    def broken(self) -> str:
        if self.n == 1:
            raise ValueError("cannot read")
        return "fine"


@plain_resolver
def _attribute(attname, default_value, root, info, **args):
    return getattr(root, attname, default_value)


class RowType(graphene.ObjectType):
    class Meta:
        default_resolver = _attribute

    n = graphene.Int(required=True)
    name = graphene.String(required=True)
    size = graphene.Int()
    broken = graphene.String()
    later = graphene.String()
    label = graphene.String()

    @staticmethod
    async def resolve_later(row, info):
        return f"later {row.n}"

    @staticmethod
    def resolve_label(row, info):
        return f"{info.parent_type.name} {row.n}" if row.n != 4 else None


class Query(graphene.ObjectType):
    rows = graphene.List(RowType)
    plain = graphene.List(graphene.NonNull(RowType))

    @staticmethod
    def resolve_rows(root, info):
        return [Row(n) for n in range(6)]

    @staticmethod
    def resolve_plain(root, info):
        return [Row(n) for n in (0, 1, 3, 4, 5)]


SCHEMA = graphene.Schema(query=Query).graphql_schema
DOCUMENTS = [
    "{ rows { n name size broken later label __typename } }",
    "{ plain { n size broken label } }",
    "{ plain { n name } }",
    "{ rows { ... on RowType { n broken } a: name } }",
]


async def run(document: str, fast: bool) -> tuple[object, list[tuple[str, object]]]:
    kwargs = {"execution_context_class": ExecutionContext} if fast else {}
    result = execute(SCHEMA, parse(document), is_awaitable=is_awaitable, **kwargs)
    if is_awaitable(result):
        result = await result
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


async def test_the_short_path_answers_as_graphql_core_does():
    for document in DOCUMENTS:
        expected = await run(document, fast=False)
        assert await run(document, fast=True) == expected, document
    data, errors = await run(DOCUMENTS[0], fast=True)
    assert data["rows"][0] == {"n": 0, "name": "row 0", "size": 0, "broken": "fine",
                               "later": "later 0", "label": "RowType 0",
                               "__typename": "RowType"}
    assert data["rows"][2] is None  # the null name propagates to the row
    assert {path[-1] for _, path in errors} == {"name", "size", "broken"}
