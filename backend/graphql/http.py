"""GraphQL over HTTP: POST (JSON or the multipart request spec for uploads), GET for queries,
and GraphiQL for a browser. Request-level problems get a 4xx with a GraphQL-shaped body;
errors inside resolvers never leak a traceback or turn into HTTP 500."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    print_ast,
)
from graphql.pyutils import is_awaitable as _graphql_is_awaitable
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from tortoise.exceptions import ValidationError as TortoiseValidationError
from tortoise.models import Model

from backend import ratelimit
from backend.db_faults import RETRY_AFTER_SECONDS, database_unavailable, unavailable_error
from backend.errors import DEFAULT_LANGUAGE, ServiceError
from backend.graphql import persisted
from backend.graphql.context import RequestContext
from backend.graphql.documents import DocumentGate
from backend.graphql.execution import ExecutionContext
from backend.graphql.limits import BadRequest, check_text, decode_json
from backend.observability.graphql import describe, record, with_request_id
from backend.observability.requests import current as current_request
from backend.read_cache import ReadCache, answer, computing, key_of
from backend.settings import Settings

log = logging.getLogger(__name__)

GRAPHIQL_HTML = Path(__file__).resolve().parent.parent / "static" / "graphiql" / "index.html"
# GraphiQL's page loads its scripts and styles from /static/graphiql and talks to this origin
# only (HTTP and WebSocket); nothing inline, nothing from elsewhere.
GRAPHIQL_CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))
# JSON answers are never documents to render or frame.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


# What most fields return: decided by one set lookup (graphql-core asks for every value).
_PLAIN = frozenset({str, int, float, bool, type(None), list, tuple, dict})


def is_awaitable(value: Any) -> bool:
    # Tortoise models define __await__ (it only returns the instance): graphql-core would
    # send every field returning one down its slower async path, a task per value.
    if type(value) in _PLAIN:
        return False
    return not isinstance(value, Model) and _graphql_is_awaitable(value)


class RequestTooLarge(Exception):
    pass


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [with_request_id({"message": message, "extensions": {"code": code}})]}


def _bad_request(message: str, code: str = "BAD_REQUEST", status: int = 400) -> JSONResponse:
    return JSONResponse(_error_body(message, code), status_code=status)


class OrjsonResponse(Response):
    """GraphQL answers encoded once, by orjson (several times faster than the standard
    library on a page of 50 complaints)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def public_read_types(schema: GraphQLSchema,
                      operation: OperationDefinitionNode) -> frozenset[str] | None:
    """The event types that change this operation's anonymous answer, if every root field it
    selects is a declared public read (backend.read_cache.public_read); else None."""
    if operation.operation != OperationType.QUERY or schema.query_type is None:
        return None
    types: set[str] = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None  # fragments at the root: not worth following
        name = selection.name.value
        if name == "__typename":
            continue
        field = schema.query_type.fields.get(name)
        declared = getattr(field.resolve, "public_read", None) if field is not None else None
        if not declared:
            return None
        types |= declared
    return frozenset(types) or None


class PublicPlans:
    """Per document text and operation: the normalised document's digest and the event types
    of its public answer (None: not a public read). Bounded like the document cache."""

    MAX = 1024

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._plans: dict[tuple[str, str | None], tuple[str, frozenset[str]] | None] = {}

    def plan(self, query: str, document: DocumentNode,
             operation_name: str | None) -> tuple[str, frozenset[str]] | None:
        key = (query, operation_name)
        if key in self._plans:
            return self._plans[key]
        operation = get_operation_ast(document, operation_name)
        types = public_read_types(self.schema, operation) if operation is not None else None
        found = (key_of(print_ast(document)), types) if types else None
        if len(self._plans) >= self.MAX:
            self._plans.clear()
        self._plans[key] = found
        return found


def format_error(error: GraphQLError, settings: Settings,
                 language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    return with_request_id(_format_error(error, settings, language))


def _format_error(error: GraphQLError, settings: Settings, language: str) -> dict[str, Any]:
    original = error.original_error
    if original is not None and database_unavailable(original):
        # The database is restarting or out of reach: the client retries (HTTP 503).
        log.warning("database unavailable in %s: %s", error.path, type(original).__name__)
        return {**unavailable_error(language), "path": error.path}
    if isinstance(original, ServiceError):
        # A refusal a resolver did not convert (guarded() does, in the client's language):
        # still bad input, coded the same way, never an internal error.
        first = original.errors[0].as_payload(language)
        formatted = {
            "message": first["message"],
            "locations": [loc._asdict() for loc in error.locations or []] or None,
            "path": error.path,
            "extensions": {"code": "BAD_USER_INPUT", "reason": first["code"],
                           "field": first["field"]},
        }
        return {k: v for k, v in formatted.items() if v is not None}
    if isinstance(original, TortoiseValidationError):
        # A value the column cannot hold reached the ORM — typically a lookup by a code,
        # phone or token longer than any stored one, which no row can match. Bad input,
        # not a server fault: coded, and logged without the value (it may be personal).
        field = str(original).split(":", 1)[0]
        log.warning("Input refused by the model in %s (field %s)", error.path, field)
        formatted = {
            "message": "A value is longer than this field allows, or malformed.",
            "locations": [loc._asdict() for loc in error.locations or []] or None,
            "path": error.path,
            "extensions": {"code": "BAD_USER_INPUT"},
        }
        return {k: v for k, v in formatted.items() if v is not None}
    if original is not None and not isinstance(original, GraphQLError):
        # An unexpected exception in a resolver: log it whole, tell the client only that it
        # happened (details of internals are not for the public).
        log.error("Unhandled error in %s", error.path, exc_info=original)
        formatted = {
            "message": "Internal server error.",
            "locations": [loc._asdict() for loc in error.locations or []] or None,
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
        if not settings.is_production:
            formatted["extensions"]["exception"] = f"{type(original).__name__}: {original}"
        return {k: v for k, v in formatted.items() if v is not None}
    formatted = error.formatted
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", "BAD_USER_INPUT" if error.path is None else "ERROR")
    formatted["extensions"] = extensions
    return formatted


def result_body(result: ExecutionResult, settings: Settings,
                language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(e, settings, language) for e in result.errors]
    body["data"] = result.data
    return body


def _unavailable(body: dict[str, Any]) -> bool:
    return any((e.get("extensions") or {}).get("code") == "SERVICE_UNAVAILABLE"
               for e in body.get("errors") or ())


async def run_operation(
    gate: DocumentGate,
    context: RequestContext,
    params: dict[str, Any],
    *,
    allow: tuple[OperationType, ...] = (OperationType.QUERY, OperationType.MUTATION),
) -> tuple[ExecutionResult, int]:
    """Parse, validate and execute one GraphQL request; returns the result and HTTP status."""
    query = params.get("query")
    variables = params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return ExecutionResult(None, [GraphQLError("Missing `query`.")]), 400
    if variables is not None and not isinstance(variables, dict):
        return ExecutionResult(None, [GraphQLError("`variables` must be an object.")]), 400
    if operation_name is not None and not isinstance(operation_name, str):
        return ExecutionResult(None, [GraphQLError("`operationName` must be a string.")]), 400
    document, errors = await gate.prepare(query, variables)
    if document is None:
        return ExecutionResult(None, errors), 200
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return ExecutionResult(None, [GraphQLError("Unknown or ambiguous operation.")]), 200
    if operation.operation not in allow:
        error = GraphQLError(f"{operation.operation.value} operations are not allowed here.")
        return ExecutionResult(None, [error]), 405
    result = execute(
        gate.schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        is_awaitable=is_awaitable,
        hide_suggestions=gate.hide_suggestions,
        execution_context_class=ExecutionContext,
    )
    if hasattr(result, "__await__"):
        result = await result  # type: ignore[misc]
    return await finish_operation(context, result), 200  # type: ignore[arg-type]


async def finish_operation(context: RequestContext, result: ExecutionResult) -> ExecutionResult:
    """Write what the operation's fields collected (the privacy log of personal-data reads)
    before the result goes out; if that write fails, the data does not go out either."""
    try:
        await context.flush()
    except Exception as exc:  # reported as an internal error by format_error, with the cause
        return ExecutionResult(None, [GraphQLError("Internal server error.", original_error=exc)])
    return result


def _place_files(operations: Any, file_map: dict[str, list[str]], files: dict[str, Any]) -> None:
    """Put each uploaded file where the multipart ``map`` says (e.g. ``variables.file``)."""
    for key, paths in file_map.items():
        if key not in files or not isinstance(files[key], UploadFile):
            raise ValueError(f"File {key!r} is named in `map` but was not sent.")
        if not isinstance(paths, list) or not paths:
            raise ValueError(f"`map[{key!r}]` must be a non-empty list of paths.")
        for path in paths:
            target = operations
            parts = str(path).split(".")
            for part in parts[:-1]:
                target = target[int(part)] if isinstance(target, list) else target[part]
            last = parts[-1]
            if isinstance(target, list):
                target[int(last)] = files[key]
            else:
                if last not in target:
                    raise ValueError(f"Path {path!r} does not exist in `operations`.")
                target[last] = files[key]


def _limit_body(request: Request, limit: int) -> Request:
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestTooLarge
        return message

    return Request(request.scope, receive)


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length", "").strip()
    return int(declared) if declared.isascii() and declared.isdigit() else None


class GraphQLHTTPEndpoint:
    def __init__(
        self,
        gate: DocumentGate,
        settings: Settings,
        *,
        services: dict[str, Any] | None = None,
        max_upload_bytes: int = 25 * 1024 * 1024,
    ) -> None:
        self.gate = gate
        self.settings = settings
        self.max_json_bytes = settings.graphql_max_request_bytes
        self.services = services if services is not None else {}
        self.max_upload_bytes = max_upload_bytes
        self.persisted = persisted.PersistedQueries()
        self.plans = PublicPlans(gate.schema)

    async def __call__(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                response = await self._get(request)
            elif request.method == "POST":
                response = await self._post(request)
            else:
                response = Response(status_code=405, headers={"Allow": "GET, POST"})
        except RequestTooLarge:
            response = _bad_request("Request body too large.", "PAYLOAD_TOO_LARGE", 413)
        except BadRequest as exc:
            response = _bad_request(str(exc))
        response.headers.setdefault("Content-Security-Policy", API_CSP)
        return response

    async def _get(self, request: Request) -> Response:
        params = dict(request.query_params)
        if "query" not in params and "text/html" in request.headers.get("accept", ""):
            if self.settings.is_production:
                # No schema explorer in production: the API is for the city's own apps.
                return _bad_request("Not found.", "NOT_FOUND", 404)
            return HTMLResponse(
                GRAPHIQL_HTML.read_text(encoding="utf-8"),
                headers={"Content-Security-Policy": GRAPHIQL_CSP, "Cache-Control": "no-cache"},
            )
        for value in params.values():
            check_text(value)  # %00 decodes to NUL: the same refusal as in a JSON body
        for name in ("variables", "extensions"):
            if name in params:
                try:
                    params[name] = decode_json(params[name])
                except BadRequest:
                    return _bad_request(f"`{name}` is not valid JSON.")
        return await self._execute(request, params, allow=(OperationType.QUERY,))

    async def _post(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/json", "application/graphql-response+json", ""):
            body = await self._read_limited(request, self.max_json_bytes)
            params = decode_json(body)
            if isinstance(params, list):
                return _bad_request("Batched requests are not supported; send one operation.")
            if not isinstance(params, dict):
                return _bad_request("The request body must be a JSON object.")
            return await self._execute(request, params)
        if content_type == "multipart/form-data":
            return await self._multipart(request)
        return _bad_request(
            f"Unsupported content type {content_type!r}; use application/json or "
            "multipart/form-data.",
            status=415,
        )

    async def _read_limited(self, request: Request, limit: int) -> bytes:
        declared = _declared_length(request)
        if declared is not None and declared > limit:
            raise RequestTooLarge
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _multipart(self, request: Request) -> Response:
        declared = _declared_length(request)
        if declared is not None and declared > self.max_upload_bytes:
            raise RequestTooLarge
        request = _limit_body(request, self.max_upload_bytes)  # also bounds chunked uploads
        try:
            form = await request.form(max_files=10, max_fields=20,
                                      max_part_size=self.max_json_bytes)
        except RequestTooLarge:
            raise
        except Exception as exc:  # malformed multipart bodies raise assorted parser errors
            return _bad_request(f"Malformed multipart request: {exc}")
        try:
            try:
                operations = decode_json(str(form.get("operations") or ""))
                file_map = decode_json(str(form.get("map") or "{}"))
            except BadRequest as exc:
                return _bad_request(f"`operations` and `map` must be JSON: {exc}")
            if not isinstance(operations, dict) or not isinstance(file_map, dict):
                return _bad_request("`operations` must be one operation object; `map` an object.")
            files = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
            try:
                _place_files(operations, file_map, files)
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                return _bad_request(f"Invalid multipart `map`: {exc}")
            return await self._execute(request, operations)
        finally:
            await form.close()

    async def _execute(
        self,
        request: Request,
        params: dict[str, Any],
        allow: tuple[OperationType, ...] = (OperationType.QUERY, OperationType.MUTATION),
    ) -> Response:
        started = time.perf_counter()
        context = RequestContext(self.settings, request, services=self.services)
        sent = params.get("query")
        try:
            digest = persisted.requested_hash(params.get("extensions"))
            if digest is not None:
                params = await self._persisted(params, digest)
        except persisted.PersistedQueryError as exc:
            return self._persisted_refusal(exc)
        query = params.get("query")
        operation_name = params.get("operationName")
        variables = params.get("variables")
        if digest is not None and isinstance(sent, str) and sent \
                and (variables is None or isinstance(variables, dict)):
            document, _ = await self.gate.prepare(sent, variables)
            if document is not None:  # only documents that pass the gate are kept
                await self._register(context, digest, sent)
        cache: ReadCache | None = self.services.get("read_cache")
        plan = None
        if (cache is not None and cache.enabled and context.token is None
                and isinstance(query, str) and (variables is None or isinstance(variables, dict))
                and (operation_name is None or isinstance(operation_name, str))):
            document, _ = await self.gate.prepare(query, variables)
            if document is not None:
                plan = self.plans.plan(query, document, operation_name)
        if plan is not None:
            assert cache is not None
            document_key, types = plan
            key = key_of(document_key, operation_name, variables or {}, context.language)
            entry = await cache.lookup(key)
            if entry is not None:
                known = self.gate.cache.get(query)
                label, kind = describe(known.document if known else None, operation_name)
                record(current_request(), label, kind, {}, started)
                return answer(request, entry, self.settings.public_max_age_seconds)
            before = cache.generations(types)
        with computing() if plan is not None else contextlib.nullcontext() as validity:
            result, status = await run_operation(self.gate, context, params, allow=allow)
        headers = {"Allow": "POST"} if status == 405 else {}
        body = result_body(result, self.settings, context.language)
        if _unavailable(body):
            # The whole answer is "try again": partial data from a half-reachable database
            # is not worth showing, and a 503 is what clients and proxies retry.
            status = 503
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        prepared = self.gate.cache.get(query) if isinstance(query, str) else None
        document = prepared.document if prepared is not None else None
        label, kind = describe(document, operation_name if isinstance(operation_name, str)
                               else None)
        record(current_request(), label, kind, body, started)
        encoded = orjson.dumps(body)
        if plan is not None and status == 200 and not result.errors:
            assert cache is not None
            entry = cache.put(key, encoded, types, before,
                              expires=validity.until if validity is not None else None)
            return answer(request, entry, self.settings.public_max_age_seconds)
        if request.method == "GET":
            # Signed-in or not a public read: never for a shared cache.
            headers["Cache-Control"] = "private, no-store"
        return OrjsonResponse(encoded, status_code=status, headers=headers or None)

    async def _persisted(self, params: dict[str, Any], digest: str) -> dict[str, Any]:
        query = params.get("query")
        if isinstance(query, str) and query:
            self.persisted.check(digest, query)
            return params
        found = await self.persisted.find(digest)
        if found is None:
            raise persisted.PersistedQueryError(
                persisted.NOT_FOUND, persisted.NOT_FOUND_MESSAGE, 200)
        return {**params, "query": found}

    async def _register(self, context: RequestContext, digest: str, query: str) -> None:
        """Keep a document that passed the gate — within the address's write budget, so a
        client cannot fill the table with endless variants (over it: simply not kept)."""
        try:
            await ratelimit.hit(ratelimit.budget(self.settings, "write"), user_id=None,
                                address=context.address)
        except ratelimit.RateLimited:
            return
        await self.persisted.register(digest, query)

    @staticmethod
    def _persisted_refusal(exc: persisted.PersistedQueryError) -> Response:
        # Never cached by a proxy: the same URL answers once the document is registered.
        return JSONResponse(_error_body(exc.message, exc.code), status_code=exc.status,
                            headers={"Cache-Control": "no-store"})
