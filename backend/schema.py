"""The root GraphQL schema: every installed domain's queries, mutations and subscriptions
(their manifests, ``backend.domains``), merged."""

from __future__ import annotations

import functools
from typing import Any

import graphene

from backend import domains
from backend.graphql.subscriptions import apply_declarations


def build_schema() -> graphene.Schema:
    queries = domains.collect("queries")
    mutations = domains.collect("mutations")
    subscriptions = domains.collect("subscriptions")
    query = type("Query", (*queries, graphene.ObjectType), {})
    mutation = type("Mutation", (*mutations, graphene.ObjectType), {})
    subscription = (
        type("Subscription", (*subscriptions, graphene.ObjectType), {}) if subscriptions else None
    )
    schema = graphene.Schema(query=query, mutation=mutation, subscription=subscription)
    # Which subscription renderings may be shared (backend/graphql/subscriptions.py).
    apply_declarations(schema)
    return schema


@functools.cache
def _schema_for(names: tuple[str, ...]) -> graphene.Schema:
    return build_schema()


def current_schema() -> graphene.Schema:
    """The schema of the installed domains (built once per set of domains)."""
    return _schema_for(tuple(d.name for d in domains.domains()))


def __getattr__(name: str) -> Any:
    if name == "schema":  # ``from backend.schema import schema``: built on first use
        return current_schema()
    raise AttributeError(name)


def export_sdl() -> str:
    return str(current_schema()).rstrip() + "\n"
