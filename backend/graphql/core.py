"""GraphQL building blocks every domain uses: payload errors, mutations that declare their
permission, permission-guarded query fields, Relay connections, dataloaders and uploads."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import Any

import graphene
from graphene.types.mutation import MutationOptions
from graphene.utils.dataloader import DataLoader
from graphql import GraphQLError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend import ids, ratelimit
from backend.errors import ServiceError
from backend.events.bus import latest_event_id
from backend.graphql import connections
from backend.graphql.connections import (  # noqa: F401 (re-exported: one copy of each rule)
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    CountedConnection,
    connection_for,
    page_size,
)
from backend.graphql.connections import paginate_queryset as paginate  # noqa: F401
from backend.graphql.context import RequestContext
from backend.i18n import preferred_language
from backend.observability.requests import note_payload_errors, with_request_id
from backend.permissions import Need
from backend.ratelimit import RateLimitCode

# -- payload errors -------------------------------------------------------------------------

_error_types: dict[str, type[graphene.ObjectType]] = {}


def error_type(name: str, codes: type[Enum]) -> type[graphene.ObjectType]:
    """``{field message code}`` with the domain's code enum, e.g. ``AccountError``."""
    if name in _error_types:
        return _error_types[name]
    # Every mutation is rate limited (see BaseMutation), so every error enum can say so.
    members = [(member.name, member.value) for member in codes]
    if "RATE_LIMITED" not in codes.__members__:
        members.append(("RATE_LIMITED", RateLimitCode.RATE_LIMITED.value))
    code_enum = graphene.Enum(f"{name}Code", members)
    fields = {
        "field": graphene.String(
            description="The input field (camelCase) the error is about, null for the whole "
            "operation."
        ),
        "message": graphene.String(
            required=True, description="Text for the user, in the language the client asked for."
        ),
        "code": graphene.Field(code_enum, required=True),
        "retry_after_seconds": graphene.Int(
            description="With RATE_LIMITED: seconds until the client may try again."
        ),
        "__doc__": "A problem with the input of a mutation; nothing was written.",
    }
    cls = type(name, (graphene.ObjectType,), fields)
    _error_types[name] = cls
    return cls


class BaseMutationOptions(MutationOptions):
    need: Need | None = None
    error_type: type[graphene.ObjectType] | None = None
    rate_limit: str = "write"


class BaseMutation(graphene.Mutation):
    """A mutation that declares what it needs (``Meta.need``) and how its errors look
    (``Meta.error_type``). Subclasses implement ``perform(root, info, principal, **data)``;
    a :class:`ServiceError` becomes the payload's ``errors``, anything returned is the rest of
    the payload.

    Every call counts against a rate-limit budget (``Meta.rate_limit``, a name in
    :data:`backend.ratelimit.DEFAULT_BUDGETS`; default ``write``) per caller and per client
    address; over it, the payload carries ``RATE_LIMITED`` with ``retryAfterSeconds``."""

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(  # type: ignore[override]
        cls, need: Need | None = None, error_type: type | None = None,
        rate_limit: str = "write", _meta=None, **options: Any,
    ) -> None:
        if need is None or error_type is None:
            raise TypeError(f"{cls.__name__} must declare Meta.need and Meta.error_type")
        if rate_limit not in ratelimit.DEFAULT_BUDGETS:
            raise TypeError(f"{cls.__name__}: unknown rate-limit budget {rate_limit!r}")
        if not _meta:
            _meta = BaseMutationOptions(cls)
        _meta.need = need
        _meta.error_type = error_type
        _meta.rate_limit = rate_limit
        cls.errors = graphene.List(graphene.NonNull(error_type), required=True)
        super().__init_subclass_with_meta__(_meta=_meta, **options)
        cls._refused = _refused_payload(cls)

    @classmethod
    async def mutate(cls, root: Any, info: graphene.ResolveInfo, **data: Any) -> Any:
        context: RequestContext = info.context
        principal = await context.require(cls._meta.need)
        try:
            await check_rate(context, principal, cls._meta.rate_limit)
            result = await cls.perform(root, info, principal, **data)
        except ServiceError as exc:
            note_payload_errors([e.code.value.upper() for e in exc.errors])
            return cls(errors=[e.as_payload(context.language) for e in exc.errors],
                       **cls._refused)
        if isinstance(result, dict):
            return cls(errors=[], **result)
        return result

    @classmethod
    async def perform(cls, root: Any, info: graphene.ResolveInfo, principal: Any, **data: Any):
        raise NotImplementedError


async def check_rate(context: RequestContext, principal: Any, budget_name: str) -> None:
    """Count one use of the budget for the caller and their address (one statement);
    a :class:`ServiceError` ``RATE_LIMITED`` with ``retry_after_seconds`` when over."""
    try:
        await ratelimit.hit(
            ratelimit.budget(context.settings, budget_name),
            user_id=principal.user.id if principal is not None else None,
            address=context.address,
        )
    except ratelimit.RateLimited as exc:
        raise ServiceError(
            RateLimitCode.RATE_LIMITED, retry_after_seconds=exc.retry_after_seconds
        ) from exc
    await ratelimit.forget_expired()


def _refused_payload(mutation: type[BaseMutation]) -> dict[str, Any]:
    """The rest of a payload that carries only ``errors``: every non-null field needs a
    value even then (a null there is an internal error, and the client loses the errors).
    Booleans answer False; any other non-null field would have nothing honest to say, so a
    payload may not declare one."""
    values: dict[str, Any] = {}
    for name, field in mutation._meta.fields.items():
        field_type = getattr(field, "type", None)
        if name == "errors" or not isinstance(field_type, graphene.NonNull):
            continue
        if field_type.of_type is graphene.Boolean:
            values[name] = False
        else:
            raise TypeError(f"{mutation.__name__}.{name} must be nullable (or a Boolean): a "
                            "refused input answers with errors only")
    return values


def parse_int_id(value: Any, code: Enum, field: str) -> int:
    """Database ids travel as GraphQL ``ID`` strings; anything that cannot be one is a
    NOT_FOUND-style payload error (``code``) on ``field``."""
    row_id = ids.parse_id(value)
    if row_id is None:
        raise ServiceError(code, field)  # type: ignore[arg-type]
    return row_id


def bad_user_input(message: str, field: str, **extensions: Any) -> GraphQLError:
    """A top-level error about one argument, e.g. a malformed cursor."""
    return GraphQLError(
        message, extensions={"code": "BAD_USER_INPUT", "field": field, **extensions}
    )


async def stream_cursor(after: Any) -> int | None:
    """The ``after`` of a subscription: ``None`` (start at the live edge) or the cursor of an
    event already in the log. A malformed cursor, or one ahead of the log (from a reset
    database or another deployment, which would silently skip whatever comes next), is
    refused: the client drops it and starts again from ``latestEventCursor``."""
    if after is None or after == "":
        return None
    cursor = ids.parse_event_cursor(after)
    if cursor is None:
        raise bad_user_input("`after` must be a cursor from an earlier event.", "after",
                             reason="malformed_cursor")
    if cursor > await latest_event_id():
        raise bad_user_input(
            "`after` is ahead of the event log; start again from latestEventCursor.", "after",
            reason="cursor_ahead_of_log",
        )
    return cursor


# -- guarded query fields and the bad-input policy ------------------------------------------


def bad_input_errors(exc: ServiceError, language: str) -> list[dict[str, Any]]:
    """A refused query argument as GraphQL errors: ``extensions.code`` BAD_USER_INPUT,
    ``reason`` the domain's error code, ``field`` the argument (camelCase), the message in the
    client's language. The same body for GraphQL and for the HTTP feeds."""
    return [
        {"message": e.code.message(language, **e.params),
         "extensions": {"code": "BAD_USER_INPUT", "reason": e.code.value, "field": e.field}}
        for e in exc.errors
    ]


def bad_input(exc: ServiceError, language: str) -> GraphQLError:
    """The top-level error a query resolver raises for a :class:`ServiceError` (a field
    carries one error: the first problem)."""
    first = bad_input_errors(exc, language)[0]
    return GraphQLError(first["message"], extensions=first["extensions"])


def bad_input_response(exc: ServiceError, request: Request) -> JSONResponse:
    """An HTTP feed's answer to bad parameters: 400 with the body GraphQL would give."""
    language = preferred_language(request.headers.get("accept-language"))
    errors = [with_request_id(e) for e in bad_input_errors(exc, language)]
    return JSONResponse({"errors": errors}, status_code=400,
                        headers={"Cache-Control": "no-store"})


def guarded(need: Need) -> Callable:
    """Decorate a query resolver with the permission it needs; the check runs first. A
    :class:`ServiceError` from the resolver (a malformed or unknown argument) becomes a
    top-level BAD_USER_INPUT error (:func:`bad_input`) and the field ``null``."""

    def decorate(resolver: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(resolver)
        async def wrapper(root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> Any:
            await info.context.require(need)
            try:
                result = resolver(root, info, **kwargs)
                return await result if inspect.isawaitable(result) else result
            except ServiceError as exc:
                raise bad_input(exc, info.context.language) from exc

        wrapper.need = need  # type: ignore[attr-defined]
        return wrapper

    return decorate


# -- connections (backend/graphql/connections.py; re-exported for existing imports) -------


async def paginate_keyset(
    connection: type[CountedConnection],
    *,
    first: int | None,
    after: str | None,
    fetch: Callable[[int | None, int], Awaitable[list[Any]]],
    count: Callable[[], Awaitable[int]],
    nodes: Callable[[list[Any]], Awaitable[list[Any]]] | None = None,
) -> CountedConnection:
    """Newest (highest id) first, ``fetch(before_id, limit)`` returning rows with ``id`` below
    the cursor — the older form of :func:`backend.graphql.connections.paginate`, kept until
    the lists move to it."""

    async def by_position(position: connections.Cursor | None, limit: int) -> list[Any]:
        return await fetch(position.id if position is not None else None, limit)

    return await connections.paginate(connection, first=first, after=after,
                                      sort=connections.NEWEST_FIRST, fetch=by_position,
                                      count=count, nodes=nodes)


# -- dataloaders ----------------------------------------------------------------------------


class BaseLoader(DataLoader):
    """Batch loads within one request. Subclasses implement ``fetch(keys)`` returning a
    mapping from key to value; results come back in key order (missing keys → default).
    (Named ``fetch``: ``load_many`` is DataLoader's own many-keys ``load``.)

    A list can also fetch ahead (:meth:`prefetch`, for a whole page before its fields
    resolve) and its fields then read the values synchronously (:meth:`now_or_later`): no
    awaitable per field and row, which keeps graphql-core on its synchronous path."""

    default: Any = None

    def __init__(self, context: RequestContext) -> None:
        super().__init__()
        self.context = context
        self.ready: dict[Any, Any] = {}

    async def prefetch(self, keys: Iterable[Any]) -> None:
        missing = [k for k in dict.fromkeys(keys) if k not in self.ready]
        if missing:
            found = await self.fetch(missing)
            for key in missing:
                self.ready[key] = found.get(key, self.default)

    def now_or_later(self, key: Any) -> Any:
        """The value if fetched ahead, else an awaitable of it (batched as usual)."""
        try:
            return self.ready[key]
        except KeyError:
            return self.load(key)

    def many_now_or_later(self, keys: list[Any]) -> Any:
        if all(k in self.ready for k in keys):
            return [self.ready[k] for k in keys]
        return self.load_many(keys)

    async def batch_load_fn(self, keys: Iterable[Any]) -> list[Any]:  # type: ignore[override]
        keys = list(keys)
        found = await self.fetch(keys)
        return [found.get(key, self.default) for key in keys]

    async def fetch(self, keys: list[Any]) -> dict[Any, Any]:
        raise NotImplementedError


# -- uploads --------------------------------------------------------------------------------


class Upload(graphene.Scalar):
    """A file sent with the GraphQL multipart request spec
    (https://github.com/jaydenseric/graphql-multipart-request-spec)."""

    @staticmethod
    def serialize(value: Any) -> Any:
        raise GraphQLError("Upload is an input-only type.")

    @staticmethod
    def parse_literal(node: Any, _variables: Any = None) -> Any:
        raise GraphQLError("Upload values must be sent as multipart files, not inline.")

    @staticmethod
    def parse_value(value: Any) -> UploadFile:
        if not isinstance(value, UploadFile):
            raise GraphQLError("Expected a file sent with the multipart request spec.")
        return value
