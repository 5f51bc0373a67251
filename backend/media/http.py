"""Serving stored photo variants: ``GET /media/<sha256>.jpg``.

Keys are content addresses, so a response never changes: it is cached for a year as
immutable. Only keys of the exact stored shape are looked up (no paths, no traversal), and
originals are never stored, so there is nothing else to reach.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from backend.media.storage import KEY_PATTERN, PUBLIC_PREFIX, content_type_for, storage_for

CACHE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    # Opened directly in a browser, the picture may not run or load anything.
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def serve_variant(request: Request) -> Response:
    key = request.path_params["key"]
    if not KEY_PATTERN.fullmatch(key):
        return PlainTextResponse("Not found.", status_code=404)
    etag = f'"{key.split(".", 1)[0]}"'
    headers = {**CACHE_HEADERS, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    storage = storage_for(request.app.state.services, request.app.state.settings)
    data = await storage.get(key)
    if data is None:
        return PlainTextResponse("Not found.", status_code=404)
    return Response(data, media_type=content_type_for(key), headers=headers)


routes: list[BaseRoute] = [
    Route(PUBLIC_PREFIX + "/{key}", serve_variant, methods=["GET", "HEAD"]),
]
