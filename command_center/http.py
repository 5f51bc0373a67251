"""The command center's wall display: one static page and its assets at ``/command-center``.

Everything the page needs is served from here (no CDN, no web fonts, no map tiles): the wall
on the 5th floor of Balai Kota must keep working when the building's internet does not. The
page talks to the same origin only — GraphQL over HTTP and graphql-transport-ws at /graphql —
and the Content-Security-Policy says so, so a string smuggled into a complaint cannot load or
run anything.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # 'self' covers ws:// and wss:// of the same host in current browsers.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))


async def wall_display(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={
            # Always revalidate: a wall left running for weeks picks up a new page on reload.
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


routes = [
    Route("/command-center", wall_display, methods=["GET", "HEAD"]),
    Route("/command-center/", wall_display, methods=["GET", "HEAD"]),
    Mount("/command-center/static", StaticFiles(directory=STATIC_DIR),
          name="command-center-static"),
]
