"""Production mode (BATT_ENV=production) and the headers browsers get: no GraphiQL, no
introspection, no "Did you mean …" hints that map the schema for an attacker; security
headers on every response; CORS only for the city's own web apps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.app import create_app
from backend.settings import ConfigurationError, load_settings
from tests.conftest import replace_settings

CITY_APP = "https://lapor.batukota.go.id"
INTROSPECTION = "{ __schema { queryType { name } } }"


async def _client(settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def production(settings) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(replace_settings(
            settings, env="production", behind_tls=True, cors_origins=(CITY_APP,))):
        yield http


@pytest.fixture
async def development(settings) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(replace_settings(settings, env="development")):
        yield http


def _messages(body: dict) -> str:
    return " ".join(e["message"] for e in body.get("errors", []))


async def test_production_serves_no_graphiql(production, development):
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<html" not in page.text.lower()
    assert (await development.get("/graphql", headers={"Accept": "text/html"})).status_code == 200


async def test_production_refuses_introspection_but_answers_typename(production, development):
    refused = (await production.post("/graphql", json={"query": INTROSPECTION})).json()
    assert refused["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert refused.get("data") is None
    typed = (await production.post("/graphql", json={"query": "{ __typename }"})).json()
    assert typed == {"data": {"__typename": "Query"}}
    allowed = (await development.post("/graphql", json={"query": INTROSPECTION})).json()
    assert allowed["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("query, variables", [
    ("{ skpd { code } }", None),  # a field: skpds
    ("{ skpds { cod } }", None),  # a field of a type: code
    ("{ areas(levl: CITY) { code } }", None),  # an argument: level
    ("{ areas(level: CITI) { code } }", None),  # an enum value literal: CITY
    ("query($l: AreaLevel!) { areas(level: $l) { code } }", {"l": "CITI"}),  # in variables
    ("mutation($i: LoginInput!) { login(input: $i) { accessToken } }",  # an input field
     {"i": {"identifer": "x", "password": "y"}}),
    ("query($l: AreaLevl!) { areas(level: $l) { code } }", None),  # a type name
])
async def test_production_gives_no_suggestions(production, development, query, variables):
    payload = {"query": query, "variables": variables or {}}
    hidden = (await production.post("/graphql", json=payload)).json()
    shown = (await development.post("/graphql", json=payload)).json()
    assert hidden["errors"] and "Did you mean" not in _messages(hidden), hidden
    assert "Did you mean" in _messages(shown), shown


async def test_every_response_carries_security_headers(production, development):
    for http, hsts in ((production, True), (development, False)):
        for path in ("/graphql?query={__typename}", "/healthz", "/static/graphiql/init.js",
                     "/command-center", "/nope"):
            response = await http.get(path)
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["referrer-policy"] == "no-referrer", path
            assert ("strict-transport-security" in response.headers) is hsts, path
    api = await production.post("/graphql", json={"query": "{ __typename }"})
    assert "default-src 'none'" in api.headers["content-security-policy"]


async def test_graphiql_page_has_a_strict_csp_and_no_inline_code(development):
    page = await development.get("/graphql", headers={"Accept": "text/html"})
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in page.text and "<style>" not in page.text
    assert "https://" not in page.text  # nothing from a CDN


async def test_graphiql_is_configured_for_subscriptions(development):
    script = (await development.get("/static/graphiql/init.js")).text
    # Same origin, ws: or wss: as the page was loaded; the fetcher bundled with GraphiQL
    # speaks graphql-transport-ws (the graphql-ws client).
    assert "subscriptionUrl" in script and '"wss:" : "ws:"' in script
    bundle = (await development.get("/static/graphiql/graphiql.min.js")).text
    assert "graphql-transport-ws" in bundle


async def test_wall_display_keeps_its_own_headers(production):
    page = await production.get("/command-center")
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"


async def test_cors_allows_only_the_city_apps(production, development):
    preflight = {"Origin": CITY_APP, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    allowed = await production.options("/graphql", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CITY_APP
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers

    other = await production.options("/graphql", headers={**preflight,
                                                          "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    simple = await production.post("/graphql", json={"query": "{ __typename }"},
                                   headers={"Origin": CITY_APP})
    assert simple.headers["access-control-allow-origin"] == CITY_APP
    # Default: no origin is allowed.
    none = await development.post("/graphql", json={"query": "{ __typename }"},
                                  headers={"Origin": CITY_APP})
    assert "access-control-allow-origin" not in none.headers


def test_settings_read_cors_and_tls_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BATT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BATT_CORS_ORIGINS", f" {CITY_APP}/ , http://localhost:5173")
    monkeypatch.setenv("BATT_BEHIND_TLS", "1")
    monkeypatch.setenv("BATT_GRAPHQL_MAX_DEPTH", "9")
    settings = load_settings()
    assert settings.cors_origins == (CITY_APP, "http://localhost:5173")
    assert settings.behind_tls and settings.graphql_max_depth == 9
    for bad in ("*", "lapor.batukota.go.id", "https://lapor.batukota.go.id/app"):
        monkeypatch.setenv("BATT_CORS_ORIGINS", bad)
        with pytest.raises(ConfigurationError):
            load_settings()
