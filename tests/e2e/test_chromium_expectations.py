"""The wall test tolerates exactly the errors its own outage causes, nothing broader."""

from __future__ import annotations

from tests.e2e.chromium import Problem, connection_refused

ADDRESS = "127.0.0.1:41234"
SCRIPT = f"http://{ADDRESS}/command-center/static/stream.js"
WS_REFUSED = (f"WebSocket connection to 'ws://{ADDRESS}/graphql' failed: Error in connection "
              "establishment: net::ERR_CONNECTION_REFUSED")
FETCH_REFUSED = "Failed to load resource: net::ERR_CONNECTION_REFUSED"


def test_a_refused_connection_to_the_stopped_server_is_expected():
    expected = connection_refused(ADDRESS)
    # What Chromium logs while the server is away (captured from a real run).
    assert expected(Problem("log", WS_REFUSED, "network", SCRIPT))
    assert expected(Problem("log", FETCH_REFUSED, "network", f"http://{ADDRESS}/graphql"))


def test_anything_else_is_still_a_problem():
    expected = connection_refused(ADDRESS)
    other = "127.0.0.1:41235"
    assert not expected(Problem("log", WS_REFUSED.replace(ADDRESS, other), "network", SCRIPT))
    assert not expected(Problem("log", FETCH_REFUSED, "network", f"http://{other}/graphql"))
    # Another resource of the same server, another network error, another kind of problem.
    assert not expected(Problem("log", FETCH_REFUSED, "network",
                                f"http://{ADDRESS}/command-center/static/app.js"))
    assert not expected(Problem("log", WS_REFUSED.replace("REFUSED", "RESET"), "network",
                                SCRIPT))
    assert not expected(Problem("log", "Refused to load the script because it violates the "
                                "Content Security Policy", "security", SCRIPT))
    assert not expected(Problem("console", WS_REFUSED))
    assert not expected(Problem("exception", "TypeError: Failed to fetch"))
