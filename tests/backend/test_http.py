"""The HTTP surface: GraphQL over GET/POST/multipart, GraphiQL, health checks, the SDL file."""

from __future__ import annotations

import graphene

from backend.graphql.core import BaseMutation
from backend.schema import export_sdl, schema
from tests.conftest import PROJECT_ROOT


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


async def test_query_over_get(client):
    response = await client.get("/graphql", params={"query": "{ skpds { code } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"skpds": []}}


async def test_mutation_over_get_is_refused(client):
    response = await client.get(
        "/graphql", params={"query": 'mutation { logout(refreshToken: "x") { ok } }'}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "not allowed" in response.json()["errors"][0]["message"]


async def test_graphiql_is_served_from_the_package(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql.min.js" in page.text
    assert "https://" not in page.text  # nothing from a CDN
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                  "react-dom.production.min.js"):
        response = await client.get(f"/static/graphiql/{asset}")
        assert response.status_code == 200 and len(response.content) > 1000


async def test_bad_requests_get_4xx_not_500(client):
    not_json = await client.post("/graphql", content=b"{nope",
                                 headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    assert not_json.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"

    no_query = await client.post("/graphql", json={"variables": {}})
    assert no_query.status_code == 400

    wrong_type = await client.post("/graphql", content=b"x", headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 415

    batch = await client.post("/graphql", json=[{"query": "{ skpds { code } }"}])
    assert batch.status_code == 400

    syntax = await client.post("/graphql", json={"query": "{ skpds { code "})
    assert syntax.status_code == 200
    assert syntax.json()["data"] is None and syntax.json()["errors"]

    wrong_variable = await client.post("/graphql", json={
        "query": "mutation($i: LoginInput!) { login(input: $i) { errors { code } } }",
        "variables": {"i": {"identifier": 5}}})
    assert wrong_variable.status_code == 200
    assert wrong_variable.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    too_big = await client.post("/graphql", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                headers={"content-type": "application/json"})
    assert too_big.status_code == 413


async def test_malformed_multipart_is_a_400(client):
    response = await client.post(
        "/graphql",
        files={"operations": (None, "not json"), "map": (None, "{}")},
    )
    assert response.status_code == 400
    missing_file = await client.post(
        "/graphql",
        files={"operations": (None, '{"query": "{ skpds { code } }", "variables": {"f": null}}'),
               "map": (None, '{"0": ["variables.f"]}')},
    )
    assert missing_file.status_code == 400


def test_schema_file_is_current():
    on_disk = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == export_sdl(), "schema.graphql is stale: run `batt export-schema`"


def test_every_operation_declares_what_it_needs():
    """Permission checks live in one place; every root field must say what it needs."""
    undeclared = []
    for root in (schema.graphql_schema.query_type, schema.graphql_schema.mutation_type):
        for name, field in root.fields.items():
            resolver = field.resolve
            owner = getattr(resolver, "__self__", None)
            declared = getattr(resolver, "need", None) or (
                isinstance(owner, type) and issubclass(owner, BaseMutation)
                and owner._meta.need is not None
            )
            if not declared:
                undeclared.append(f"{root.name}.{name}")
    assert undeclared == []


def test_mutation_payloads_all_carry_errors():
    mutation = schema.graphql_schema.mutation_type
    for name, field in mutation.fields.items():
        payload = field.type
        assert "errors" in payload.fields, name
        assert str(payload.fields["errors"].type).endswith("!]!"), name


def test_error_codes_are_enums_in_the_sdl():
    assert isinstance(schema, graphene.Schema)
    assert "enum AccountErrorCode" in export_sdl()


def test_error_messages_do_not_collide_across_domains():
    """Codes are str-valued enums: two domains' `not_found` must keep their own texts."""
    from among_warga.errors import ComplaintErrorCode
    from backend.accounts.errors import AccountErrorCode

    assert AccountErrorCode.NOT_FOUND == ComplaintErrorCode.NOT_FOUND  # same value …
    assert AccountErrorCode.NOT_FOUND.message("en") == "Not found."
    assert ComplaintErrorCode.NOT_FOUND.message("en") == "Complaint not found."  # … own text
