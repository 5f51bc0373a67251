"""Headers for browsers on every HTTP response, and which other web origins may call the API.

A response that sets its own value keeps it (the wall display's page has a stricter
Referrer-Policy and its own Content-Security-Policy; the GraphQL endpoint sets one for JSON
and one for GraphiQL's page).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.settings import Settings

HSTS = "max-age=31536000"  # a year; only when told the server is reached over TLS


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = {
            # A JSON answer or an uploaded photo is never sniffed into HTML or script.
            "X-Content-Type-Options": "nosniff",
            # Ids and cursors in URLs stay on this server.
            "Referrer-Policy": "no-referrer",
        }
        if hsts:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def middleware(settings: Settings) -> list[Middleware]:
    stack = [Middleware(SecurityHeadersMiddleware, hsts=settings.behind_tls)]
    if settings.cors_origins:
        # Only the city's own web apps (BATT_CORS_ORIGINS). Tokens travel in the
        # Authorization header, never in cookies: no credentials mode.
        stack.append(Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-Id"],
            # The request id (quote it when reporting a problem) and when to retry a 503.
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        ))
    return stack
