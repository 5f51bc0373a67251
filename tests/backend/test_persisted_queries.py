"""Automatic Persisted Queries as Apollo's, urql's and graphql-request's links speak them:
hash first, PERSISTED_QUERY_NOT_FOUND, then hash + document; over POST and GET."""

from __future__ import annotations

import hashlib
import json

import httpx

from backend.app import create_app
from backend.graphql.models import PersistedQuery

QUERY = "query Categories { complaintCategories { code } }"
DIGEST = hashlib.sha256(QUERY.encode()).hexdigest()


def apq(digest: str = DIGEST) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_unknown_hash_then_document_then_hash_alone(client):
    missing = await client.post("/graphql", json={"extensions": apq()})
    assert missing.status_code == 200
    error = missing.json()["errors"][0]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert missing.headers["cache-control"] == "no-store"

    plain = (await client.post("/graphql", json={"query": QUERY})).json()
    assert "errors" not in plain
    registered = await client.post("/graphql", json={"query": QUERY, "extensions": apq()})
    assert registered.status_code == 200
    assert registered.json() == plain
    assert await PersistedQuery.filter(sha256=DIGEST).count() == 1

    again = await client.post("/graphql", json={"extensions": apq()})
    assert again.json() == plain
    # A GET carries the hash and the variables only: a short URL a proxy can cache.
    got = await client.get("/graphql", params={"extensions": json.dumps(apq())})
    assert got.status_code == 200 and got.json() == plain


async def test_stored_documents_are_shared_not_only_in_memory(client, settings):
    """Another worker (here: a fresh endpoint) finds a document registered elsewhere."""
    plain = (await client.post("/graphql", json={"query": QUERY, "extensions": apq()})).json()
    other = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=other, client=("198.51.100.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://other") as http:
        answer = await http.post("/graphql", json={"extensions": apq()})
    assert answer.json() == plain


async def test_a_hash_that_does_not_match_its_document_is_refused(client):
    wrong = hashlib.sha256(b"{ __typename }").hexdigest()
    refused = await client.post("/graphql", json={"query": QUERY, "extensions": apq(wrong)})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert await PersistedQuery.all().count() == 0
    # Nothing was stored under either hash.
    for digest in (wrong, DIGEST):
        missing = await client.post("/graphql", json={"extensions": apq(digest)})
        assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_malformed_requests_and_invalid_documents(client):
    bad_version = await client.post("/graphql", json={"extensions": {
        "persistedQuery": {"version": 2, "sha256Hash": DIGEST}}})
    assert bad_version.status_code == 400
    not_hex = await client.post("/graphql", json={"extensions": apq("zz")})
    assert not_hex.status_code == 400
    not_json = await client.get("/graphql", params={"extensions": "{"})
    assert not_json.status_code == 400
    # An invalid document is answered with its errors and never stored.
    invalid = "{ noSuchField }"
    digest = hashlib.sha256(invalid.encode()).hexdigest()
    answered = await client.post("/graphql", json={"query": invalid, "extensions": apq(digest)})
    assert answered.json()["errors"]
    assert await PersistedQuery.all().count() == 0


async def test_a_persisted_mutation_is_not_run_over_get(client):
    mutation = 'mutation { login(input: {identifier: "x", password: "y"}) { accessToken } }'
    digest = hashlib.sha256(mutation.encode()).hexdigest()
    await client.post("/graphql", json={"query": mutation, "extensions": apq(digest)})
    over_get = await client.get("/graphql", params={"extensions": json.dumps(apq(digest))})
    assert over_get.status_code == 405


async def test_registering_a_document_whose_answer_is_cached(settings):
    """The answer may come from the public-read cache: the document is still kept."""
    app = create_app(settings, manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.2", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            plain = (await http.post("/graphql", json={"query": QUERY})).json()
            await http.post("/graphql", json={"query": QUERY})  # now from memory
            registered = await http.post("/graphql", json={"query": QUERY,
                                                           "extensions": apq()})
            assert registered.json() == plain
            by_hash = await http.get("/graphql", params={"extensions": json.dumps(apq())})
            assert by_hash.json() == plain and by_hash.headers["etag"]
