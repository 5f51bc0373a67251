"""The test helper that subscribes: it must close cleanly however soon a test leaves it
(gql hangs when cancelled halfway through its connection handshake)."""

from __future__ import annotations

import asyncio

from backend.accounts.models import Role
from tests.command_center.conftest import Collector


async def test_a_collector_left_at_once_closes(live_server, make_user):
    _, operator = await make_user(Role.OPERATOR)
    for i in range(100):
        async with Collector(live_server, operator, variables={"after": "0"}) as collector:
            await asyncio.sleep((i % 25) * 0.0005)  # leave at varying points of the start
        assert collector.task is not None and collector.task.done()
