"""One rate limiter for every write: per user and per client address, atomic under
concurrency, shared through the database, answering RATE_LIMITED with retryAfterSeconds."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from among_warga.categories import seed_categories
from among_warga.models import Complaint
from backend import ratelimit
from backend.accounts.models import Role
from backend.app import create_app
from backend.geo.services import load_demo_areas
from backend.ratelimit.models import RateLimitCounter
from backend.settings import Settings
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo
from tests.conftest import GraphQL, replace_settings

REGISTER = """mutation($i: RegisterInput!) { register(input: $i) {
  accessToken errors { field code message retryAfterSeconds } } }"""
SUPPORT = """mutation($id: ID!) { supportComplaint(id: $id) {
  errors { field code message retryAfterSeconds } } }"""


@asynccontextmanager
async def serving(settings: Settings, address: str = "198.51.100.9") -> AsyncIterator[GraphQL]:
    """The ASGI app with these settings, reached from this client address."""
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQL(http)


def registration(n: int) -> dict[str, Any]:
    return {"i": {"name": f"Warga {n}", "phone": f"0813{n:08d}",
                      "password": "kebun-apel-batu"}}


@pytest.fixture
async def batu() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()


async def test_the_limiter_is_atomic_under_concurrency(database):
    budget = ratelimit.Budget("write", per_user=10, per_address=None, window_seconds=60)

    async def attempt() -> bool:
        try:
            await ratelimit.hit(budget, user_id=42)
        except ratelimit.RateLimited as exc:
            assert 1 <= exc.retry_after_seconds <= 60
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(40)))
    assert sum(results) == 10
    # Another user, and the same user in the next window, start afresh.
    await ratelimit.hit(budget, user_id=43)
    await ratelimit.hit(budget, user_id=42, now=time.time() + 60)


async def test_user_and_address_are_counted_in_one_statement(database):
    budget = ratelimit.Budget("write", per_user=3, per_address=5, window_seconds=60)
    for user_id in (1, 1, 1, 2, 2):
        await ratelimit.hit(budget, user_id=user_id, address="192.0.2.1")
    with pytest.raises(ratelimit.RateLimited):  # user 2's third, but the address's sixth
        await ratelimit.hit(budget, user_id=2, address="192.0.2.1")
    with pytest.raises(ratelimit.RateLimited):  # user 1's fourth, from anywhere
        await ratelimit.hit(budget, user_id=1, address="192.0.2.99")
    await ratelimit.hit(budget, user_id=3, address="192.0.2.99")


async def test_finished_windows_are_forgotten(database):
    budget = ratelimit.Budget("write", per_user=3, per_address=None, window_seconds=60)
    await ratelimit.hit(budget, user_id=1, now=time.time() - 600)
    await ratelimit.hit(budget, user_id=1)
    ratelimit._next_cleanup = 0.0
    assert await ratelimit.forget_expired() == 1
    assert await RateLimitCounter.all().count() == 1
    assert await ratelimit.forget_expired() == 0  # not again within the minute


async def test_register_is_limited_per_address_across_app_instances(settings):
    limited = replace_settings(settings, rate_limits={"register": (None, 3, 3600)})
    # Two app instances (two processes' worth of state) behind one address share the count:
    # it lives in the database.
    async with serving(limited) as first, serving(limited) as second:
        for n, gql in enumerate((first, second, first)):
            body = await gql(REGISTER, registration(n))
            assert body.get("data") and body["data"]["register"], body
            assert body["data"]["register"]["errors"] == [], body
        body = await second(REGISTER, registration(3), headers={"Accept-Language": "en"})
        [error] = body["data"]["register"]["errors"]
        assert error["code"] == "RATE_LIMITED" and error["field"] is None
        assert 0 < error["retryAfterSeconds"] <= 3600
        assert error["message"] == (
            f"Too many requests. Try again in {error['retryAfterSeconds']} seconds.")
    # Another address is not affected.
    async with serving(limited, address="198.51.100.10") as elsewhere:
        body = await elsewhere(REGISTER, registration(4))
        assert body["data"]["register"]["errors"] == []


async def test_every_mutation_has_a_budget_per_user(settings, make_user, batu):
    _, token = await make_user(Role.CITIZEN)
    limited = replace_settings(settings, rate_limits={"write": (2, None, 60)})
    async with serving(limited) as gql:
        codes = []
        for _ in range(3):
            body = await gql(SUPPORT, {"id": "999999"}, token=token)
            codes.append(body["data"]["supportComplaint"]["errors"][0]["code"])
        assert codes == ["NOT_FOUND", "NOT_FOUND", "RATE_LIMITED"]
    # From another address the same user is still limited: the budget is per user too.
    async with serving(limited, address="198.51.100.77") as gql:
        body = await gql(SUPPORT, {"id": "999999"}, token=token)
        error = body["data"]["supportComplaint"]["errors"][0]
        assert error["code"] == "RATE_LIMITED" and error["retryAfterSeconds"] >= 1
        assert error["message"].startswith("Terlalu banyak permintaan.")


async def test_photo_uploads_are_limited(settings, make_user, batu):
    _, token = await make_user(Role.CITIZEN)
    limited = replace_settings(settings, rate_limits={"upload_photo": (2, None, 3600)})
    async with serving(limited) as gql:
        await upload_photo(gql.http, token)
        await upload_photo(gql.http, token, seed=2)
        with pytest.raises(AssertionError, match="RATE_LIMITED"):
            await upload_photo(gql.http, token, seed=3)


async def _submit(gql: GraphQL, token: str, photo: str, request_id: str) -> dict[str, Any]:
    variables = {"input": complaint_input([photo], clientRequestId=request_id)}
    query = SUBMIT.replace("errors { field code message }",
                           "errors { field code message retryAfterSeconds }")
    return (await gql(query, variables, token=token))["data"]["submitComplaint"]


async def test_ten_complaints_an_hour_hold_under_25_concurrent_submissions(
    gql, client, make_user, batu
):
    user, token = await make_user(Role.CITIZEN)
    photos = [await upload_photo(client, token, seed=i) for i in range(25)]
    results = await asyncio.gather(*(
        _submit(gql, token, photo, uuid.uuid4().hex) for photo in photos
    ))
    created = [r for r in results if r["errors"] == []]
    limited = [r for r in results if r["errors"]]
    assert len(created) == 10
    assert await Complaint.filter(reporter_id=user.id).count() == 10
    for result in limited:
        [error] = result["errors"]
        assert error["code"] == "RATE_LIMITED" and 1 <= error["retryAfterSeconds"] <= 3600
        assert "menit" in error["message"]


async def test_retries_of_a_complaint_never_count_twice(gql, client, make_user, batu):
    user, token = await make_user(Role.CITIZEN)
    photos = [await upload_photo(client, token, seed=i) for i in range(11)]
    first_id = uuid.uuid4().hex
    # The phone lost the responses and retries the same request, some of them at once.
    retries = await asyncio.gather(*(_submit(gql, token, photos[0], first_id) for _ in range(6)))
    assert {r["complaint"]["id"] for r in retries} == {retries[0]["complaint"]["id"]}
    assert all(r["errors"] == [] for r in retries)
    for photo in photos[1:10]:
        assert (await _submit(gql, token, photo, uuid.uuid4().hex))["errors"] == []
    assert await Complaint.filter(reporter_id=user.id).count() == 10
    # The allowance is spent: a new complaint is refused, a retry still answers.
    refused = await _submit(gql, token, photos[10], uuid.uuid4().hex)
    assert refused["errors"][0]["code"] == "RATE_LIMITED"
    again = await _submit(gql, token, photos[0], first_id)
    assert again["errors"] == [] and again["complaint"]["id"] == retries[0]["complaint"]["id"]
