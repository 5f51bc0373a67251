"""Serving stored photo variants.

- ``GET /media/<sha256>.jpg``: photos anyone may see (published: attached to something
  public). Keys are content addresses, so a response never changes: cached for a year as
  immutable. Any other key is 404 here, whoever asks — knowing a key is not a permission.
- ``GET /media/private/<sha256>.jpg?expires=…&signature=…``: every other photo, through a
  short-lived signed URL the API hands to those who may see it; ``Cache-Control: private``
  for no longer than the URL lives. Expired or altered URLs get 403.

Only keys of the exact stored shape are looked up (no paths, no traversal), and originals are
never stored, so there is nothing else to reach.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from backend.clock import utcnow
from backend.media import services
from backend.media.storage import (
    KEY_PATTERN,
    PRIVATE_PREFIX,
    PUBLIC_PREFIX,
    content_type_for,
    storage_for,
    url_signer,
)

SAFETY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Opened directly in a browser, the picture may not run or load anything.
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
CACHE_HEADERS = {"Cache-Control": "public, max-age=31536000, immutable", **SAFETY_HEADERS}


def _not_found() -> Response:
    return PlainTextResponse("Not found.", status_code=404)


async def _send(request: Request, key: str, headers: dict[str, str]) -> Response:
    etag = f'"{key.split(".", 1)[0]}"'
    headers = {**headers, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    storage = storage_for(request.app.state.services, request.app.state.settings)
    data = await storage.get(key)
    if data is None:
        return _not_found()
    return Response(data, media_type=content_type_for(key), headers=headers)


async def serve_public(request: Request) -> Response:
    key = request.path_params["key"]
    if not KEY_PATTERN.fullmatch(key) or not await services.is_published(key):
        return _not_found()
    return await _send(request, key, CACHE_HEADERS)


async def serve_signed(request: Request) -> Response:
    key = request.path_params["key"]
    if not KEY_PATTERN.fullmatch(key):
        return _not_found()
    raw_expires = request.query_params.get("expires", "")
    signature = request.query_params.get("signature", "")
    signer = url_signer(request.app.state.settings)
    expires = int(raw_expires) if raw_expires.isascii() and raw_expires.isdigit() \
        and len(raw_expires) <= 12 else None
    if expires is None or not signer.valid(key, expires, signature):
        return PlainTextResponse("Invalid photo link.", status_code=403,
                                 headers={"Cache-Control": "no-store"})
    remaining = expires - int(utcnow().timestamp())
    if remaining <= 0:
        return PlainTextResponse("This photo link has expired; load the page again for a new "
                                 "one.", status_code=403, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": f"private, max-age={remaining}", "Referrer-Policy": "no-referrer",
               **SAFETY_HEADERS}
    return await _send(request, key, headers)


routes: list[BaseRoute] = [
    Route(PRIVATE_PREFIX + "/{key}", serve_signed, methods=["GET", "HEAD"]),
    Route(PUBLIC_PREFIX + "/{key}", serve_public, methods=["GET", "HEAD"]),
]
