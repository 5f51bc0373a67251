"""GraphiQL in a real headless Chromium: the page loads under its strict Content-Security-
Policy (no inline script, nothing from a CDN) and runs a subscription over
graphql-transport-ws with the token from its headers pane — the way a developer follows the
live stream by hand."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_wall_display import (  # noqa: F401 (fixtures)
    OPERATOR_PASSWORD,
    OPERATOR_PHONE,
    Page,
    api,
    chromium,
    city,
    live,
    resident_token,
)

pytestmark = pytest.mark.slow

# From the start of the log, so the complaint filed before subscribing is replayed; the one
# filed after arrives live.
SUBSCRIPTION = """subscription Live {
  commandCenterEvents(after: "0") { cursor type case { ticketNumber status } }
}"""

def _editor(selector: str) -> str:
    # GraphiQL 2 keeps each editor in a CodeMirror 5 instance on its wrapper element; the
    # page may not have rendered it yet.
    return f"(document.querySelector({json.dumps(selector)}) || {{}}).CodeMirror?.getValue()"


QUERY = _editor(".graphiql-query-editor .CodeMirror")
RESULT = _editor(".result-window .CodeMirror")


async def _shows(page: Page, ticket: str) -> str:
    return await page.wait_for(
        f"(() => {{ const v = {RESULT} || ''; return v.includes({json.dumps(ticket)}) && v; }})()",
        timeout=60)


async def test_graphiql_runs_a_subscription_over_the_websocket(
    city, live, api, resident_token, chromium  # noqa: F811
):
    operator = await api.login(OPERATOR_PHONE, OPERATOR_PASSWORD)
    earlier = await api.submit(resident_token)
    page = await chromium.new_page()
    # GraphiQL keeps its editors in localStorage: put the subscription and the operator's
    # token (the headers pane) there, as a developer would have typed them, before GraphiQL
    # starts (a script run ahead of the page's own). Written into an open GraphiQL and
    # reloaded, as this test did, they were now and then overwritten by GraphiQL's own saves
    # (its tab state, its default query), and the test waited for an editor that never held
    # the subscription.
    headers = json.dumps({"Authorization": f"Bearer {operator}"})
    await page.send("Page.addScriptToEvaluateOnNewDocument", {"source": (
        f"localStorage.setItem('graphiql:headers', {json.dumps(headers)}); "
        f"localStorage.setItem('graphiql:query', {json.dumps(SUBSCRIPTION)}); "
        "localStorage.removeItem('graphiql:tabState');")})
    await page.goto(f"http://{live.address}/graphql")
    await page.wait_for(f"{QUERY} === {json.dumps(SUBSCRIPTION)}")
    # GraphiQL sends an operation over the WebSocket only once it has parsed the editor and
    # knows the operation's name ("Live" is a subscription); clicked before that, it POSTed
    # the subscription over HTTP (405) now and then. The signal: the parsed name in its saved
    # tab state.
    await page.wait_for("(JSON.parse(localStorage.getItem('graphiql:tabState') || '{}').tabs"
                        " || []).some(tab => tab.operationName === 'Live')")
    await page.click(".graphiql-execute-button")
    replayed = await _shows(page, earlier["ticketNumber"])
    assert "COMPLAINT_SUBMITTED" in replayed

    later = await api.submit(resident_token)
    await _shows(page, later["ticketNumber"])  # live, on the same socket
    assert page.problems == []  # no CSP violation, no script error
