"""Per-request GraphQL context: the caller, their language, and this request's dataloaders."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import HTTPConnection

from backend.accounts.services import Principal, principal_for_token
from backend.accounts.tokens import TokenInvalid
from backend.errors import AccessErrorCode, Forbidden, Unauthenticated
from backend.i18n import preferred_language
from backend.permissions import Need
from backend.settings import Settings

T = TypeVar("T")


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""  # present but malformed: treated like an invalid token
    return token.strip()


class RequestContext:
    def __init__(
        self,
        settings: Settings,
        connection: HTTPConnection | None,
        *,
        authorization: str | None = None,
        language: str | None = None,
        services: dict[str, Any] | None = None,
        scope: Any = None,
    ) -> None:
        self.settings = settings
        # What outlives one operation: the request itself over HTTP, the connection on a
        # WebSocket (where every operation gets a context of its own) — e.g. for "the same
        # read within a minute on one connection counts once".
        self.scope = scope if scope is not None else self
        self.connection = connection
        headers = connection.headers if connection is not None else {}
        self.token = bearer_token(
            authorization if authorization is not None else headers.get("authorization")
        )
        self.language = language or preferred_language(headers.get("accept-language"))
        self.address = (
            connection.client.host if connection is not None and connection.client else "local"
        )
        self.services = services or {}
        self.loaders: dict[type, Any] = {}
        self._collectors: dict[str, Any] = {}
        self._principal: Principal | None = None
        self._token_problem: str | None = None
        # When the principal was read (monotonic seconds); None: not yet. Root fields run
        # concurrently and all ask at once: the lock makes them share one database read.
        self.resolved_at: float | None = None
        self._lock = asyncio.Lock()

    async def principal(self) -> Principal | None:
        """The signed-in caller, or None for an anonymous request (or a bad token)."""
        if self.resolved_at is None:
            async with self._lock:
                if self.resolved_at is None:
                    await self._resolve()
        return self._principal

    async def _resolve(self) -> None:
        principal, problem = None, None
        if self.token is not None:
            try:
                principal = await principal_for_token(self.settings, self.token)
            except TokenInvalid as exc:
                problem = exc.reason
        self._principal, self._token_problem = principal, problem
        self.resolved_at = time.monotonic()

    def adopt(self, principal: Principal | None, token_problem: str | None = None) -> None:
        """Take a principal read elsewhere (a WebSocket connection hands each operation the
        caller it has just checked)."""
        self._principal, self._token_problem = principal, token_problem
        self.resolved_at = time.monotonic()

    @property
    def token_problem(self) -> str | None:
        return self._token_problem

    async def require(self, need: Need) -> Principal | None:
        principal = await self.principal()
        if not need.authenticated:
            return principal
        if principal is None:
            try:
                reason = AccessErrorCode(self._token_problem or "token_missing")
            except ValueError:
                reason = AccessErrorCode.TOKEN_INVALID
            raise Unauthenticated.coded(reason, self.language)
        if need.roles and not (need.roles & principal.roles):
            roles = ", ".join(sorted(r.value for r in need.roles))
            raise Forbidden.coded(AccessErrorCode.FORBIDDEN, self.language, roles=roles)
        return principal

    def loader(self, loader_class: type) -> Any:
        """One dataloader instance per request and class, so batching spans the whole query."""
        loader = self.loaders.get(loader_class)
        if loader is None:
            loader = self.loaders[loader_class] = loader_class(self)
        return loader

    def collector(self, name: str, factory: Callable[[], T]) -> T:
        """A per-operation object gathering writes that fields make while they resolve (e.g.
        an audit log), so the operation writes them once, in :meth:`flush`, instead of a
        statement per field and row. ``factory()`` makes it; it has ``async flush()``."""
        found = self._collectors.get(name)
        if found is None:
            found = self._collectors[name] = factory()
        return found

    async def flush(self) -> None:
        """End of an operation: write what its collectors gathered, and forget its
        dataloaders. On a WebSocket one context serves many operations (a subscription runs
        once per event): each starts with fresh loaders, so an event never shows a complaint
        as an earlier event left it, and each flush writes what is there."""
        self.loaders = {}
        collectors, self._collectors = self._collectors, {}
        for collector in collectors.values():
            await collector.flush()
