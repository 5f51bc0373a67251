"""The wall display meets the server's refusal of a cursor from the future (issue 9): a wall
whose stored cursor is ahead of the event log — the database was reset or restored under
it — drops that cursor and goes live again instead of retrying it forever."""

from __future__ import annotations

import pytest

from tests.e2e.test_wall_display import (  # noqa: F401 (fixtures)
    api,
    chromium,
    city,
    in_feed,
    live,
    open_wall,
    resident_token,
)

pytestmark = pytest.mark.slow

CURSOR = "localStorage.getItem('batt.commandCenter.cursor')"


async def test_a_wall_with_a_cursor_ahead_of_the_log_goes_live_again(
    city, live, api, resident_token, chromium  # noqa: F811
):
    page = await open_wall(chromium, live.address)
    await page.evaluate("localStorage.setItem('batt.commandCenter.cursor', '987654321')")
    await page.goto(f"http://{live.address}/command-center")  # the session is kept
    await page.wait_for(f"{CURSOR} === null", timeout=15)
    await page.wait_for("document.getElementById('connection').dataset.state === 'live'",
                        timeout=15)
    complaint = await api.submit(resident_token)
    await page.wait_for(in_feed(complaint["ticketNumber"]), timeout=5)
    assert await page.evaluate(CURSOR) not in (None, "987654321")
    assert page.problems == []
