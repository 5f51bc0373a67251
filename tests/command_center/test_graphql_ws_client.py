"""The real npm `graphql-ws` client against the live stream (tests/js/resume.mjs): its
session ends when the access token expires (close 4403), it reconnects with a fresh token
from `connectionParams`, and resumes from the last cursor it kept — every event exactly
once, including those committed while it was away."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from backend.accounts import services as accounts
from backend.accounts.models import Role
from backend.events.models import DomainEvent
from tests.command_center.conftest import submit_complaint
from tests.conftest import PROJECT_ROOT, replace_settings

JS = PROJECT_ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js 20+ (node on PATH)")


@pytest.fixture(scope="module")
def graphql_ws_package() -> None:
    """The npm packages of tests/js, as pinned in its package-lock.json (`make test` installs
    them too; this covers a bare pytest run)."""
    if not (JS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True, timeout=300)


@pytest.fixture
def settings(database):
    # Tokens that expire within the test; listening sockets re-checked often.
    return replace_settings(database, access_token_ttl_seconds=4, ws_session_check_seconds=0.5)


class NodeClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[dict[str, Any]] = []

    async def next(self, timeout: float = 15) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        assert line, f"the client exited: {await self.process.stderr.read()!r}"
        message = json.loads(line)
        assert message["kind"] != "fatal", message
        self.seen.append(message)
        return message

    async def until(self, kind: str, timeout: float = 15) -> dict[str, Any]:
        while True:
            message = await self.next(timeout)
            if message["kind"] == kind:
                return message
            if message["kind"] == "waiting":  # a reconnection the test did not plan
                await self.tell("go")

    async def tell(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()


async def test_graphql_ws_reconnects_with_a_fresh_token_and_resumes_from_its_cursor(
    graphql_ws_package, live_server, gql, client, make_user, settings
):
    operator, _ = await make_user(Role.OPERATOR)
    reporter, _ = await make_user(Role.CITIZEN)
    # The reporter's app keeps a token for the whole test.
    resident = (await accounts.login(replace_settings(settings, access_token_ttl_seconds=900),
                                     identifier=reporter.phone, password="kata-sandi-uji",
                                     address="127.0.0.1")).access_token
    process = await asyncio.create_subprocess_exec(
        NODE, str(JS / "resume.mjs"), cwd=JS,
        env={**os.environ, "BATT_URL": f"http://{live_server}", "BATT_PHONE": operator.phone,
             "BATT_PASSWORD": "kata-sandi-uji"},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    node = NodeClient(process)
    try:
        assert (await node.next())["kind"] == "connected"
        # No pause for "subscribed": the client subscribes from the latestEventCursor it read
        # before connecting, so what commits meanwhile is replayed, not missed.
        tickets = [(await submit_complaint(gql, client, resident))["ticketNumber"]]
        assert (await node.until("event"))["ticket"] == tickets[0]

        # The 4-second access token expires: the server ends the session with 4403…
        closed = await node.until("closed")
        assert closed["code"] == 4403 and closed["reason"] == "Forbidden: access token expired"
        assert (await node.next())["kind"] == "waiting"
        # …and what happens while the client is away is not lost:
        for _ in range(2):
            tickets.append((await submit_complaint(gql, client, resident))["ticketNumber"])
        await node.tell("go")
        # It refreshes its token, reconnects, resubscribes from its last cursor…
        assert (await node.until("refreshed"))["errors"] == []
        await node.until("connected")
        received = [(await node.until("event"))["ticket"] for _ in range(2)]
        # …and goes on live.
        tickets.append((await submit_complaint(gql, client, resident))["ticketNumber"])
        received.append((await node.until("event"))["ticket"])
        assert [tickets[0], *received] == tickets
        await node.tell("done")
        await node.until("bye")
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    events = [m for m in node.seen if m["kind"] == "event"]
    cursors = [int(m["cursor"]) for m in events]
    submitted = await DomainEvent.filter(type="complaint.submitted").order_by("id")
    assert cursors == [e.id for e in submitted]  # each exactly once, in order
    assert [m["kind"] for m in node.seen].count("connected") >= 2
