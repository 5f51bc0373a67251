"""GET /metrics: Prometheus text, only for the token holder or an internal scraper."""

from __future__ import annotations

import httpx
import pytest

from backend.app import create_app
from backend.push.models import PushMessage, PushStatus
from backend.push.services import enqueue_push
from tests.conftest import replace_settings


@pytest.fixture
async def internal(settings):
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f"{k}=\"{v}\"" for k, v in sorted(labels.items()))
    prefix = f"{name}{{{wanted}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_an_internal_scraper_sees_operations_requests_and_the_outbox(
        internal, client, make_user):
    user, token = await make_user()
    before = (await internal.get("/metrics")).text
    await client.post("/graphql", json={"query": "{ complaintCategories { code } }"})
    await client.post("/graphql", json={"query": "{ me { id } }"})
    await client.post("/graphql", headers={"Authorization": f"Bearer {token}"},
                      json={"query": 'mutation { logout(refreshToken: "x") { ok } }'})
    await enqueue_push([user.id], title="t", body="b", data={}, dedupe_key="metrics-test")
    response = await internal.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for labels, grew in ((dict(operation="complaintCategories", type="query", outcome="ok"), 1),
                         (dict(operation="me", type="query", outcome="unauthenticated"), 1),
                         (dict(operation="logout", type="mutation", outcome="payload_error"), 1)):
        assert value(text, "batt_graphql_operations_total", **labels) - value(
            before, "batt_graphql_operations_total", **labels) == grew, labels
    assert value(text, "batt_http_requests_total", route="/graphql", method="POST",
                 status="200") >= 3
    assert "batt_graphql_operation_duration_seconds_bucket" in text
    assert "batt_websockets_open" in text and "batt_event_delivery_lag_seconds" in text
    assert value(text, "batt_database_up") == 1
    assert value(text, "batt_push_outbox_messages", status="pending") == 1
    await PushMessage.filter(dedupe_key="metrics-test").update(status=PushStatus.FAILED)
    failed = (await internal.get("/metrics")).text
    assert value(failed, "batt_push_outbox_messages", status="failed") == 1


async def test_metrics_are_not_public(client, internal):
    # The test client comes from 203.0.113.7: a public address.
    assert (await client.get("/metrics")).status_code == 403
    # Through a proxy, even from inside: somebody outside.
    assert (await internal.get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"})
            ).status_code == 403


async def test_with_a_token_only_its_holder_scrapes(settings):
    app = create_app(replace_settings(settings, metrics_token="scrape-" + "t" * 30),
                     manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await http.get("/metrics",
                               headers={"Authorization": "Bearer scrape-" + "t" * 30})
        assert right.status_code == 200 and "batt_http_requests_total" in right.text
