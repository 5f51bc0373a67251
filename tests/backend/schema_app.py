"""A small schema of a test's own, served by the real GraphQL HTTP endpoint (the same limits,
validation and error formatting as /graphql), for shared building blocks no domain uses yet."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import graphene
import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from backend.graphql.documents import DocumentGate
from backend.graphql.http import GraphQLHTTPEndpoint
from backend.settings import Settings
from tests.conftest import GraphQL


@contextlib.asynccontextmanager
async def serve_schema(settings: Settings, query: type[graphene.ObjectType]
                       ) -> AsyncIterator[GraphQL]:
    schema = graphene.Schema(query=query)
    endpoint = GraphQLHTTPEndpoint(DocumentGate(schema.graphql_schema, settings), settings)
    app = Starlette(routes=[Route("/graphql", endpoint.__call__, methods=["GET", "POST"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQL(http)
