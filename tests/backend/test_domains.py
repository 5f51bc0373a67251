"""A domain declares itself in one place: a domain that exists only in the tests
(tests/sample_domain) is added with one line and the platform migrates its app, serves its
query, mutation, subscription and route, schedules its job, records its event types and
plays its demo — with no change anywhere in backend/."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
import websockets

from backend import db, domains, jobs
from backend.accounts.models import Role
from backend.app import create_app
from backend.clock import utcnow
from backend.demo import DemoContext, demo_loaders, play
from backend.events.models import DomainEvent
from backend.events.types import registered_event_types
from backend.media.storage import storage_for
from backend.schema import current_schema
from backend.settings import Settings
from tests.backend.graphql_ws import PROTOCOL
from tests.command_center.conftest import free_port
from tests.conftest import (
    TEST_DATABASE_URL,
    USING_POSTGRES,
    GraphQL,
    _admin_execute,
    _with_database,
)

SAMPLE = "tests.sample_domain.domain"


def test_every_domain_is_one_line_and_declares_its_parts():
    names = [d.name for d in domains.domains()]
    assert names[:6] == ["accounts", "geo", "events", "media", "push", "ratelimit"]
    assert {"among_warga", "command_center", "responder"} <= set(names)
    # Dependencies come first.
    assert names.index("among_warga") < names.index("command_center") < names.index("responder")
    # Each part of the platform is read from the manifests, not listed by hand.
    assert [a.label for a in domains.apps()][:2] == ["accounts", "geo"]
    assert {j.name for j in jobs.registered_jobs(_settings())} >= {
        "push-outbox", "close-unconfirmed-complaints", "flag-overdue-cases"}
    assert "complaint.submitted" in registered_event_types()
    assert "sampleNotes" not in current_schema().graphql_schema.query_type.fields


def test_a_domain_module_names_a_domain_once():
    with pytest.raises(ValueError, match="two domains"), \
            domains.installed("tests.sample_domain.duplicate_domain"):
        pass


def _settings(**changes) -> Settings:
    from tests.conftest import PROJECT_ROOT

    return Settings(env="test", var_dir=PROJECT_ROOT, database_url="sqlite://x",
                    media_dir=PROJECT_ROOT, secret_key="k" * 40, **changes)


@pytest.fixture
async def sample_database(database: Settings, tmp_path) -> AsyncIterator[Settings]:
    """A database of its own with the sample domain installed; the session's database is
    back in place afterwards."""
    if USING_POSTGRES:
        url = _with_database(TEST_DATABASE_URL, f"batt_sample_{secrets.token_hex(4)}")
        url = url.replace("postgresql://", "postgres://", 1)
    else:
        url = f"sqlite://{tmp_path / 'sample.sqlite3'}"
    settings = replace(database, database_url=url, var_dir=tmp_path, media_dir=tmp_path / "m")
    await db.close_db()
    try:
        with domains.installed(SAMPLE):
            if USING_POSTGRES:
                name = urlsplit(url).path.lstrip("/")
                await _admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
                await _admin_execute(url, "CREATE EXTENSION IF NOT EXISTS postgis")
            await db.migrate(settings)
            await db.close_db()
            await db.init_db(settings)
            yield settings
    finally:
        await db.close_db()
        if USING_POSTGRES:
            name = urlsplit(url).path.lstrip("/")
            await _admin_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await db.init_db(database)


async def test_a_domain_declared_in_one_place_gets_every_hook(sample_database):
    from backend.accounts import services as accounts
    from tests.sample_domain.models import SampleNote

    settings = sample_database
    # App + migration: its table exists in the migrated database.
    assert await SampleNote.all().count() == 0
    # Event types: registered, namespaced.
    assert registered_event_types()["note.posted"].__name__ == "NoteEvent"

    alice = await accounts.create_user(name="Alice", phone="+6281255500001",
                                       password="kata-sandi-uji", roles=[Role.CITIZEN])
    bob = await accounts.create_user(name="Bob", phone="+6281255500002",
                                     password="kata-sandi-uji", roles=[Role.CITIZEN])

    port = free_port()
    app = create_app(settings, manage_db=False, run_jobs=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="websockets-sansio"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
            gql = GraphQL(http)
            alice_token = await gql.login("+6281255500001", "kata-sandi-uji")
            bob_token = await gql.login("+6281255500002", "kata-sandi-uji")
            # Mutation: a private note (only Alice may hear of it), then a public one.
            for text, private in (("Rahasia Alice", True), ("Halo Batu", False)):
                body = await gql("mutation($t: String!, $p: Boolean) { postSampleNote(text: $t, "
                                 "private: $p) { id errors { code } } }",
                                 {"t": text, "p": private}, token=alice_token)
                assert body["data"]["postSampleNote"]["errors"] == [], body

            # Subscription: Alice, then Bob, replay the log with the very same document and
            # variables — Bob after Alice's renderings are made (and cached, were they
            # shareable).
            async def follow(token, count):
                async with websockets.connect(f"ws://127.0.0.1:{port}/graphql",
                                              subprotocols=[PROTOCOL]) as ws:
                    await ws.send(json.dumps({"type": "connection_init", "payload": {
                        "Authorization": f"Bearer {token}"}}))
                    assert json.loads(await ws.recv())["type"] == "connection_ack"
                    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                        "query": "subscription($after: String) { sampleNoteEvents(after: "
                                 "$after) { cursor type text seenBy } }",
                        "variables": {"after": "0"}}}))
                    return [json.loads(await asyncio.wait_for(ws.recv(), 10))["payload"][
                        "data"]["sampleNoteEvents"] for _ in range(count)]

            by_alice = await follow(alice_token, 2)
            by_bob = await follow(bob_token, 1)
            assert [(e["text"], e["seenBy"]) for e in by_alice] == [
                ("Rahasia Alice", "Alice"), ("Halo Batu", "Alice")]
            # The private note never reached Bob; the public one in his own rendering: the
            # field declares nothing, so it is rendered per viewer.
            assert [(e["text"], e["seenBy"], e["type"]) for e in by_bob] == [
                ("Halo Batu", "Bob", "note.posted")]
            # Query.
            body = await gql("{ sampleNotes }")
            assert body["data"]["sampleNotes"] == ["Halo Batu"]
            # Route.
            response = await http.get("/sample/notes.json")
            assert response.json() == {"notes": 1}
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)

    events = await DomainEvent.all().order_by("id")
    assert [(e.type, e.audience) for e in events] == [
        ("note.posted", [f"user:{alice.id}"]), ("note.posted", ["public"])]
    assert bob.id != alice.id

    # Handler: after commit, from the log; the author's pushes, once each.
    from backend.events.handlers import drain
    from backend.push.models import PushMessage

    assert await drain() == 2
    assert await drain() == 0
    assert await PushMessage.filter(user_id=alice.id).count() == 2

    # Job: scheduled with the platform's jobs, run once per cluster like every other.
    [job] = [j for j in jobs.registered_jobs(settings) if j.name == "sample-archive-notes"]
    locks = jobs.job_locks(settings)
    try:
        run = await jobs.run_job(job, locks)
    finally:
        if locks is not None:
            await locks.close()
    assert (run.outcome, run.result) == ("done", 2)

    # Demo: its loader plays with the others, after the domains it depends on.
    loaders = demo_loaders()
    assert loaders[-1].name == "sample.notes"
    context = DemoContext(settings=settings, now=utcnow(), storage=storage_for({}, settings),
                          echo=lambda *_: None)
    context.shared["sample.author"] = alice.id
    assert await play(context, [loaders[-1]]) == 1
    assert await SampleNote.filter(text="Demo note").count() == 1
