"""The root GraphQL schema: every domain's queries, mutations and subscriptions, merged."""

from __future__ import annotations

import graphene

from among_kota import domain as among_kota
from among_warga.graphql.mutations import ComplaintMutations
from among_warga.graphql.queries import ComplaintQueries
from backend.accounts.graphql.mutations import AccountMutations
from backend.accounts.graphql.queries import AccountQueries
from backend.geo.graphql.queries import GeoQueries
from backend.media.graphql.mutations import MediaMutations
from backend.push.graphql.mutations import PushMutations
from command_center.graphql.mutations import CommandCenterMutations
from command_center.graphql.queries import CommandCenterQueries
from command_center.graphql.subscriptions import CommandCenterSubscriptions
from responder.graphql.schema import ResponderMutations, ResponderQueries

QUERIES: tuple[type[graphene.ObjectType], ...] = (
    AccountQueries,
    GeoQueries,
    ComplaintQueries,
    CommandCenterQueries,
    ResponderQueries,
    *among_kota.queries(),
)
MUTATIONS: tuple[type[graphene.ObjectType], ...] = (
    AccountMutations,
    MediaMutations,
    PushMutations,
    ComplaintMutations,
    CommandCenterMutations,
    ResponderMutations,
    *among_kota.mutations(),
)
SUBSCRIPTIONS: tuple[type[graphene.ObjectType], ...] = (CommandCenterSubscriptions,)


def build_schema() -> graphene.Schema:
    query = type("Query", (*QUERIES, graphene.ObjectType), {})
    mutation = type("Mutation", (*MUTATIONS, graphene.ObjectType), {})
    subscription = (
        type("Subscription", (*SUBSCRIPTIONS, graphene.ObjectType), {}) if SUBSCRIPTIONS else None
    )
    return graphene.Schema(query=query, mutation=mutation, subscription=subscription)


schema = build_schema()


def export_sdl() -> str:
    return str(schema).rstrip() + "\n"
