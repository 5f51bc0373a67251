"""Limits on what one GraphQL request may ask (issue 9, "anonymous denial of service"):
each hostile document of the issue is refused with its code over HTTP and over WebSocket,
before graphql-core's validation; the apps' own documents pass; the document cache is
bounded in bytes."""

from __future__ import annotations

import json

import pytest
import websockets
from graphql import get_introspection_query, parse

import backend.graphql.documents as documents_module
from backend.graphql.documents import DocumentCache, DocumentGate
from backend.graphql.limits import BadRequest, QueryLimits, analyse, decode_json
from backend.schema import schema
from bench.hostile.queries import HOSTILE, PUBLIC_PAGE
from tests.backend.graphql_ws import error_codes, open_session, run, still_open
from tests.command_center.conftest import live_server  # noqa: F401 (fixture)
from tests.conftest import replace_settings

DOCUMENTS = [h for h in HOSTILE if h.code != "PAYLOAD_TOO_LARGE"]
REQUESTS = [h for h in HOSTILE if h.code == "PAYLOAD_TOO_LARGE"]


def _code(body: dict) -> str:
    assert body.get("data") is None, body
    return body["errors"][0]["extensions"]["code"]


@pytest.fixture
def no_validation(monkeypatch):
    """Fails the test if graphql-core's validation runs: refusals must come before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("validation ran on a document the limits should have refused")

    monkeypatch.setattr(documents_module, "validate", refuse)


@pytest.mark.parametrize("hostile", DOCUMENTS, ids=lambda h: h.name)
async def test_hostile_document_is_refused_over_http_before_validation(
    client, hostile, no_validation
):
    response = await client.post("/graphql", json={"query": hostile.query})
    assert response.status_code == 200, response.text
    assert _code(response.json()) == hostile.code
    assert "limit" in response.json()["errors"][0]["extensions"]


@pytest.mark.parametrize("hostile", REQUESTS, ids=lambda h: h.name)
async def test_hostile_request_is_refused_by_its_size_over_http(client, hostile):
    response = await client.post("/graphql", json={"query": hostile.query})
    assert response.status_code == 413
    assert _code(response.json()) == "PAYLOAD_TOO_LARGE"


async def test_hostile_documents_are_refused_over_websocket(live_server, no_validation):  # noqa: F811
    ws = await open_session(live_server)
    try:
        for number, hostile in enumerate(DOCUMENTS, 1):
            message = await run(ws, hostile.query, operation_id=str(number))
            assert message["type"] == "error", (hostile.name, message)
            assert error_codes(message) == [hostile.code], hostile.name
        assert await still_open(ws)  # refusals end the operation, not the connection
    finally:
        await ws.close()


@pytest.mark.parametrize("hostile", REQUESTS, ids=lambda h: h.name)
async def test_oversized_websocket_message_closes_with_1009(live_server, hostile):  # noqa: F811
    ws = await open_session(live_server)
    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                              "payload": {"query": hostile.query}}))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd.code == 1009


async def test_cost_counts_first_from_variables(client):
    query = ("query($n: Int) { a: publicComplaints(bbox: {south: -7.95, west: 112.45, "
             "north: -7.75, east: 112.60}, first: $n) { edges { node { id timeline { note } "
             "photos { url } } } } }")
    many = "query($n: Int) {" + " ".join(
        f"a{i}: " + PUBLIC_PAGE.replace("first: 100", "first: $n") for i in range(5)) + "}"
    # Five pages of 100 would cost too much; five pages of 2 are fine: the limit is checked
    # with the request's own `first`.
    refused = await client.post("/graphql", json={"query": many, "variables": {"n": 100}})
    assert _code(refused.json()) == "QUERY_TOO_COMPLEX"
    small = await client.post("/graphql", json={"query": many, "variables": {"n": 2}})
    assert "errors" not in small.json(), small.json()
    assert "errors" not in (await client.post("/graphql", json={
        "query": query, "variables": {"n": 100}})).json()


async def test_the_apps_own_documents_pass(client):
    # GraphiQL's introspection (development), the wall display's queue page and its stream.
    introspection = get_introspection_query(descriptions=True, input_value_deprecation=True,
                                            directive_is_repeatable=True,
                                            schema_description=True, specified_by_url=True)
    body = (await client.post("/graphql", json={"query": introspection})).json()
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"
    case = ("id ticketNumber status category { code name } lat lon area { villageName "
            "districtName } slaDueAt overdue dispatchedTo { code } createdAt updatedAt")
    limits = QueryLimits()
    for document in (
        "query($after: String) { caseQueue(first: 100, after: $after) { pageInfo { "
        f"hasNextPage endCursor }} edges {{ node {{ {case} }} }} }} }}",
        "subscription($after: String) { commandCenterEvents(after: $after) { cursor type "
        "occurredAt note case { id ticketNumber status categoryCode lat lon villageCode "
        f"districtCode slaDueAt skpdCodes overdue }} complaint {{ {case} }} }} }}",
    ):
        assert analyse(schema.graphql_schema, parse(document), limits).cost <= limits.max_cost


async def test_limits_are_configurable(settings):
    gate = DocumentGate(schema.graphql_schema, replace_settings(
        settings, graphql_max_depth=2, graphql_max_aliases=1, graphql_max_cost=5,
        graphql_max_tokens=14, graphql_max_document_bytes=100))
    for query, code in (
        ("{ me { roles } }", None),
        ("{ complaint(id: 1) { category { code } } }", "QUERY_TOO_DEEP"),
        ("{ a: __typename b: __typename }", "TOO_MANY_ALIASES"),
        ("{ skpds { code name } }", "QUERY_TOO_COMPLEX"),
        ("{" + " __typename" * 14 + " }", "QUERY_TOO_LARGE"),
        ("{ __typename }" + " " * 100, "QUERY_TOO_LARGE"),
    ):
        document, errors = await gate.prepare(query)
        assert [e.extensions["code"] for e in errors] == ([code] if code else []), query


async def test_refusals_are_cached_and_the_cache_is_bounded_in_bytes(settings):
    budget = 100 * 1024
    gate = DocumentGate(schema.graphql_schema,
                        replace_settings(settings, graphql_cache_bytes=budget))
    # Issue: 8 distinct 1 MB documents pinned 1 GB. Distinct large documents now stay
    # within the budget, whatever their number.
    for i in range(40):
        query = "# " + "x" * 20_000 + f"\nquery Q{i} {{ skpds {{ code name }} }}"
        document, errors = await gate.prepare(query)
        assert document is not None and errors == []
        assert gate.cache.bytes <= budget
    assert 0 < len(gate.cache) < 5
    valid = len(gate.cache)
    for hostile in DOCUMENTS:
        await gate.prepare(hostile.query)
        cached = gate.refusals.get(hostile.query)
        assert cached is not None and cached.errors  # refused once, then from the cache
    assert len(gate.cache) == valid  # refusals do not push valid documents out


def test_cache_evicts_least_recently_used_within_its_budget():
    cache = DocumentCache(max_bytes=1000, max_entries=3)
    entry = documents_module.Prepared(None, (), weight=300)
    for key in "abc":
        cache.put(key, entry)
    cache.get("a")
    cache.put("d", entry)  # over budget: b goes (least recently used)
    assert cache.get("b") is None and cache.get("a") is entry and cache.bytes == 900
    cache.put("huge", documents_module.Prepared(None, (), weight=5000))
    assert cache.get("huge") is None and cache.bytes == 900


@pytest.mark.parametrize("raw, problem", [
    (b'{"variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests"),
    (b'{"variables": {"a": ' + b"[" * 40 + b"]" * 40 + b"}}", "nests"),
    (b'{"query": "{ __typename }", "variables": {"s": "\\ud800"}}', "surrogate"),
    (b'{"query": "{ __typename }", "variables": {"\\udfff": 1}}', "surrogate"),
    (b'{"query": "{ __typename }", "variables": {"s": "a\\u0000b"}}', "NUL"),
    (b'{"query": "\xff"}', "UTF-8"),
])
def test_request_json_is_decoded_within_limits(raw, problem):
    with pytest.raises(BadRequest, match=problem):
        decode_json(raw)


def test_request_json_keeps_what_is_fine():
    emoji = decode_json(b'{"s": "\\ud83c\\udf4e", "t": "\\\\u0000", "deep": ' + b"[" * 30
                        + b"]" * 30 + b"}")
    assert emoji["s"] == "\U0001f34e" and emoji["t"] == "\\u0000"
