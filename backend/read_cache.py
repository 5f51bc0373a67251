"""Public reads from memory: the answers anonymous callers get from the declared public root
fields and feeds, kept per process and dropped by the domain events that change them.

Domains declare, the platform caches: a root query field says it is a public read and which
event types change its answers (:func:`public_read`); an HTTP feed the same with
:func:`cached_public_route`. The platform knows no field or event names.

What makes a key: the normalised document (parsed and printed again, so spacing and comments
do not matter) and the operation name, the variables, and the language of the answer. Only
anonymous requests use the cache (no ``Authorization`` header at all): a signed-in caller may
see more (a reporter sees their own pin exactly), so they always get their own answer.

Never stale, on any worker. Invalidation arrives through the event bus (a ``NOTIFY`` wake-up
on PostgreSQL, the after-commit hook on SQLite; the bus reads the log and hands the events
over), but a wake-up takes a moment to arrive at another process. So before an answer is
served from memory, the head of the event log is read (one indexed statement, shared by every
request that arrived while none was running): if it moved past what this process has applied,
the new events' types are read from the log and applied first. A change committed before a
request arrived is therefore always reflected in its answer, whichever worker wrote it.

An answer computed while an invalidating event was being applied is not stored (per event
type generations), and every entry also expires after ``max_age_seconds`` — a safety net.

Answers that change with the clock alone, with no event (a place opening at 08:00, an article
expiring at noon, an event that has ended), say so while they are computed: the resolver or
feed calls :func:`valid_until` with the moment its answer stops being true, and the cache
drops the entry at that moment (read from :func:`backend.clock.utcnow`, so a frozen clock in
tests moves it too). An answer is never served past the earliest moment any part of it named.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from backend.clock import utcnow
from backend.events.bus import EVERY_EVENT
from backend.events.models import DomainEvent

log = logging.getLogger(__name__)

ENTRY_OVERHEAD = 256
MAX_ENTRIES = 4096


def event_types(values: Iterable[str | Enum]) -> frozenset[str]:
    return frozenset(str(v.value if isinstance(v, Enum) else v) for v in values)


def public_read(*, invalidated_by: Iterable[str | Enum]) -> Callable:
    """Declare a root query field a public read: anonymous answers are cached until an event
    of one of ``invalidated_by`` commits (``()``: data that changes only with a deploy or a
    migration, kept for ``max_age_seconds``). Put it above ``@guarded(PUBLIC)``::

        @staticmethod
        @public_read(invalidated_by=(ComplaintEvent.SUBMITTED, ...))
        @guarded(PUBLIC)
        async def resolve_public_complaints(root, info, ...): ...
    """
    types = event_types(invalidated_by)

    def declare(resolver: Callable) -> Callable:
        need = getattr(resolver, "need", None)
        if need is None or need.authenticated:
            raise TypeError(f"{resolver.__name__}: only a guarded PUBLIC field is a public read")
        # A marker even with no event types (an empty set would read as "not declared").
        resolver.public_read = types or frozenset({"-"})  # type: ignore[attr-defined]
        return resolver

    return declare


class Validity:
    """The earliest moment an answer being computed stops being true (None: only events
    change it). One per computation, shared by the tasks it starts (a contextvar)."""

    __slots__ = ("until",)

    def __init__(self) -> None:
        self.until: datetime | None = None


_validity: ContextVar[Validity | None] = ContextVar("batt_read_cache_validity", default=None)


def valid_until(moment: datetime | None) -> None:
    """The answer being computed stops being true at ``moment`` (a place opens or closes, an
    article expires): a cached copy is dropped then. Harmless outside a cached computation."""
    validity = _validity.get()
    if validity is not None and moment is not None and (
            validity.until is None or moment < validity.until):
        validity.until = moment


def collecting() -> bool:
    """Whether an answer being computed may be cached (then it is worth a statement to learn
    when it stops being true)."""
    return _validity.get() is not None


@contextlib.contextmanager
def computing() -> Iterator[Validity]:
    """Collect what :func:`valid_until` is told while an answer is computed."""
    validity = Validity()
    token = _validity.set(validity)
    try:
        yield validity
    finally:
        _validity.reset(token)


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    etag: str
    media_type: str
    stored_at: float
    types: frozenset[str]
    expires: datetime | None = None  # when it stops being true by the clock alone

    @property
    def weight(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def key_of(*parts: Any) -> str:
    return hashlib.blake2b(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS),
                           digest_size=20).hexdigest()


class ReadCache:
    """Per process; least recently used entries out first, within ``max_bytes``.
    ``max_bytes=0`` switches it off."""

    def __init__(self, max_bytes: int, max_age_seconds: float,
                 max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes = max_bytes
        self.max_age_seconds = max_age_seconds
        self.max_entries = max_entries
        self.bytes = 0
        self._entries: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._by_type: dict[str, set[str]] = {}
        self._generations: dict[str, int] = {}
        # The newest event id whose invalidations this process has applied; None until
        # started (then nothing is served from memory).
        self.applied: int | None = None
        self._check: asyncio.Future[None] | None = None  # the next head check, not started
        self._checker: asyncio.Task[None] | None = None
        self._consumer: asyncio.Task[None] | None = None
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and self.applied is not None

    def __len__(self) -> int:
        return len(self._entries)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, bus: Any = None) -> None:
        """Start serving from memory: from the log's head now, following the bus."""
        if self.max_bytes <= 0 or self.applied is not None:
            return
        self.applied = await _log_head()
        if bus is not None:
            self._consumer = asyncio.create_task(self._follow(bus, self.applied),
                                                 name="read-cache-invalidation")

    async def stop(self) -> None:
        for task in (self._consumer, self._checker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._consumer = self._checker = None
        self.applied = None
        self.clear()

    async def _follow(self, bus: Any, after: int) -> None:
        while True:
            try:
                async for event in bus.stream(after, EVERY_EVENT):
                    after = event.id
                    self.apply(event.id, (event.type,))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the head check still guards every hit
                log.warning("read cache: event stream failed (%s); following again",
                            type(exc).__name__)
                await asyncio.sleep(1.0)

    # -- invalidation ---------------------------------------------------------------------

    def apply(self, event_id: int, types: Iterable[str]) -> None:
        for event_type in types:
            self._generations[event_type] = self._generations.get(event_type, 0) + 1
            for key in self._by_type.pop(event_type, ()):
                self._drop(key)
        if self.applied is not None and event_id > self.applied:
            self.applied = event_id

    async def fresh(self) -> None:
        """Return once every event committed before the call is applied (see the module
        docstring): joins the next head check, one at a time for the whole process."""
        if self._check is None:
            self._check = asyncio.get_running_loop().create_future()
            if self._checker is None or self._checker.done():
                self._checker = asyncio.create_task(self._run_checks())
        await asyncio.shield(self._check)

    async def _run_checks(self) -> None:
        while self._check is not None:
            # Taken before the statement starts: whoever arrives from now on waits for the
            # next statement, which sees everything committed before they arrived.
            waiting, self._check = self._check, None
            try:
                head = await _log_head()
                if self.applied is not None and head > self.applied:
                    types = await DomainEvent.filter(
                        id__gt=self.applied, id__lte=head).distinct().values_list(
                        "type", flat=True)
                    self.apply(head, types)
                waiting.set_result(None)
            except Exception as exc:
                waiting.set_exception(exc)
                waiting.exception()  # retrieved: awaited by the callers, or by nobody

    def generations(self, types: frozenset[str]) -> tuple[int, ...]:
        return tuple(self._generations.get(t, 0) for t in sorted(types))

    # -- entries --------------------------------------------------------------------------

    def get(self, key: str) -> CachedAnswer | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.stored_at > self.max_age_seconds or (
                entry.expires is not None and utcnow() >= entry.expires):
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, body: bytes, types: frozenset[str], before: tuple[int, ...],
            media_type: str = "application/json",
            expires: datetime | None = None) -> CachedAnswer:
        """Store an answer computed from the data as of ``before`` (:meth:`generations`
        taken before computing it) — unless one of its event types came meanwhile, or it
        is already past ``expires`` (see :func:`valid_until`)."""
        entry = CachedAnswer(body, etag_of(body), media_type, time.monotonic(), types,
                             expires)
        if not self.enabled or entry.weight > self.max_bytes \
                or self.generations(types) != before \
                or (expires is not None and utcnow() >= expires):
            return entry
        self._drop(key)
        self._entries[key] = entry
        self.bytes += entry.weight
        for event_type in types:
            self._by_type.setdefault(event_type, set()).add(key)
        while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))
        return entry

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.bytes -= entry.weight
        for event_type in entry.types:
            keys = self._by_type.get(event_type)
            if keys is not None:
                keys.discard(key)

    def clear(self) -> None:
        self._entries.clear()
        self._by_type.clear()
        self.bytes = 0

    async def lookup(self, key: str) -> CachedAnswer | None:
        """A fresh cached answer, or None (then compute, and :meth:`put`)."""
        if not self.enabled or key not in self._entries:
            self.misses += 1
            return None
        await self.fresh()
        entry = self.get(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry


async def _log_head() -> int:
    head = await DomainEvent.all().order_by("-id").limit(1).values_list("id", flat=True)
    return int(head[0]) if head else 0


# -- HTTP ------------------------------------------------------------------------------------


def public_cache_control(max_age: int) -> str:
    # no-cache: a proxy may keep the answer but asks again (a 304 is cheap) — so it never
    # shows a stale map; a positive max-age trades that for fewer requests.
    return f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"


def not_modified(request: Request, etag: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    wanted = request.headers.get("if-none-match")
    if not wanted:
        return False
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return "*" in tags or etag in tags


def answer(request: Request, entry: CachedAnswer, max_age: int,
           headers: dict[str, str] | None = None) -> Response:
    """The response for a public answer: 304 when the client has it, else the body; both
    with its ETag and Cache-Control."""
    all_headers = {**(headers or {}), "ETag": entry.etag,
                   "Cache-Control": public_cache_control(max_age)}
    if not_modified(request, entry.etag):
        return Response(status_code=304, headers=all_headers)
    return Response(entry.body, media_type=entry.media_type, headers=all_headers)


def read_cache_of(request: Request) -> ReadCache | None:
    services = getattr(request.app.state, "services", None) or {}
    return services.get("read_cache")


Endpoint = Callable[[Request], Awaitable[Response]]


def cached_public_route(*, invalidated_by: Iterable[str | Enum]) -> Callable[[Endpoint], Endpoint]:
    """Declare a GET endpoint a public read (a feed): its 200 answers are cached per path,
    query string (parameters sorted) and language, until an event of ``invalidated_by``
    commits; every 200 carries an ETag and answers ``If-None-Match`` with 304. A request
    with an ``Authorization`` header gets its own answer."""
    types = event_types(invalidated_by)

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def cached(request: Request) -> Response:
            from backend.i18n import preferred_language

            cache = read_cache_of(request)
            settings = request.app.state.settings
            max_age = settings.public_max_age_seconds
            if request.headers.get("authorization"):
                return await endpoint(request)
            language = preferred_language(request.headers.get("accept-language"))
            key = key_of("route", request.url.path,
                         sorted(request.query_params.multi_items()), language)
            if cache is not None:
                entry = await cache.lookup(key)
                if entry is not None:
                    return answer(request, entry, max_age)
                before = cache.generations(types)
            with computing() as validity:
                response = await endpoint(request)
            if response.status_code != 200 or not hasattr(response, "body"):
                return response
            extra = {k: v for k, v in response.headers.items()
                     if k.lower() not in ("content-length", "content-type", "etag",
                                          "cache-control")}
            if cache is not None:
                entry = cache.put(key, bytes(response.body), types, before,
                                  response.media_type or "application/json", validity.until)
            else:
                entry = CachedAnswer(bytes(response.body), etag_of(bytes(response.body)),
                                     response.media_type or "application/json", 0.0, types)
            return answer(request, entry, max_age, extra)

        cached.public_read = types  # type: ignore[attr-defined]
        return cached

    return wrap
