"""Property-based fuzzing of the whole schema (issue 9, "Fuzzing in CI").

hypothesis-graphql generates operations from the schema itself — every query and mutation,
valid ones (POSITIVE) and ones with one schema violation each (NEGATIVE) — and they go to the
real app over HTTP, anonymously and as a signed-in operator; variables of every root field
get arbitrary JSON, and subscriptions arbitrary cursors and ids over a real WebSocket. The
property: **no internal error** — no HTTP 5xx, no ``INTERNAL_SERVER_ERROR``, every error
coded, nothing logged at ERROR by the server.

The run inside ``make test`` is small (``BATT_FUZZ_EXAMPLES`` per test, default 75); a long
run (``bench/fuzz/run.py --minutes 10``) raises it and sets a fresh seed each round. Set
``BATT_FUZZ_REPORT`` to a file to get the counts of each test appended to it as JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import Counter
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from among_warga.categories import seed_categories
from backend.accounts.models import Role, Skpd
from backend.geo.services import load_demo_areas
from backend.schema import schema
from tests.among_warga.test_complaints import SUBMIT, complaint_input, upload_photo
from tests.backend.graphql_ws import PROTOCOL
from tests.command_center.conftest import live_server  # noqa: F401 (fixture)

EXAMPLES = int(os.environ.get("BATT_FUZZ_EXAMPLES", "75"))
REPORT = os.environ.get("BATT_FUZZ_REPORT")
SCHEMA = schema.graphql_schema
# Logs of the server's own code (not httpx's, not the test's).
SERVER_LOGGERS = ("backend", "among_warga", "among_tani", "among_kota", "responder",
                  "command_center", "uvicorn.error", "tortoise")

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # BATT_FUZZ_SHRINK=0: report failures as found (long runs), without minimising them.
    phases=tuple(Phase) if os.environ.get("BATT_FUZZ_SHRINK", "1") != "0" else (
        Phase.explicit, Phase.reuse, Phase.generate),
    database=None,  # nothing written under the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def _value(text: str) -> graphql.ValueNode:
    return graphql.StringValueNode(value=text)


def _int(number: int) -> graphql.ValueNode:
    return graphql.IntValueNode(value=str(number))


# The schema's own scalars, as inline literals: an Upload can only be a multipart file, so
# any literal is refused with a code — which is what is being checked.
CUSTOM_SCALARS = {
    "Upload": st.text(max_size=20).map(_value),
    "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text()).map(_value),
    "JSONString": st.one_of(st.just("{}"), st.text()).map(_value),
    "Date": st.one_of(st.dates().map(str), st.text(max_size=12)).map(_value),
    # Money and quantities: in range, out of range, and not numbers at all.
    "Rupiah": st.one_of(
        st.integers(min_value=-10, max_value=10**13).map(
            lambda n: graphql.IntValueNode(value=str(n))),
        st.text(max_size=12).map(_value)),
    "Quantity": st.one_of(
        st.decimals(min_value=-10, max_value=10**10, places=4, allow_nan=False).map(
            lambda d: _value(str(d))),
        st.text(max_size=12).map(_value)),
    "GeoJSONGeometry": st.one_of(
        st.just('{"type": "Polygon", "coordinates": [[[112.53, -7.86], [112.54, -7.86], '
                '[112.54, -7.85], [112.53, -7.86]]]}'),
        st.just("{}"), st.text()).map(_value),
}


def _strategy(kind: Any, mode: Mode) -> st.SearchStrategy[str]:
    return kind(SCHEMA, custom_scalars=CUSTOM_SCALARS, mode=mode)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _with_variables(field: graphql.GraphQLField, name: str, root: str) -> str:
    """``root`` operation selecting ``name`` with every argument passed as a variable."""
    definitions = ", ".join(f"${arg}: {value.type}" for arg, value in field.args.items())
    arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    named = graphql.get_named_type(field.type)
    selection = " { __typename }" if not graphql.is_leaf_type(named) else ""
    head = f"{root}({definitions})" if definitions else root
    call = f"{name}({arguments})" if arguments else name
    return f"{head} {{ {call}{selection} }}"


VARIABLE_OPERATIONS = [
    (_with_variables(field, name, "query"), list(field.args))
    for name, field in SCHEMA.query_type.fields.items() if field.args
] + [
    (_with_variables(field, name, "mutation"), list(field.args))
    for name, field in SCHEMA.mutation_type.fields.items() if field.args
]


class Fuzzer:
    def __init__(self, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
        self.http = http
        self.caplog = caplog
        self.counts: Counter[str] = Counter()

    async def send(self, query: str, variables: Any = None, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = await self.http.post("/graphql", json=body, headers=headers)
        self.check(query, variables, response.status_code, response.text)

    def check(self, query: str, variables: Any, status: int, text: str) -> None:
        self.counts["requests"] += 1
        self.counts[f"http {status}"] += 1
        where = f"\nquery: {query}\nvariables: {variables!r}\nanswer ({status}): {text[:2000]}"
        assert status < 500, where
        answer = json.loads(text)
        for error in answer.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            self.counts[f"code {code}"] += 1
            assert code is not None, where
            assert code != "INTERNAL_SERVER_ERROR", where
        logged = [r for r in self.caplog.records
                  if r.levelno >= logging.ERROR and r.name.startswith(SERVER_LOGGERS)]
        self.caplog.clear()
        assert not logged, f"{where}\nlogged: {[r.getMessage() for r in logged]}"

    def report(self, test: str) -> None:
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as out:
                out.write(json.dumps({"test": test, **self.counts}) + "\n")


@pytest.fixture(autouse=True)
async def city() -> None:
    await load_demo_areas(echo=lambda *_: None)
    await seed_categories()
    for code, name in (("dpupr", "Dinas PUPR"), ("dlh", "Dinas Lingkungan Hidup")):
        await Skpd.create(code=code, name=name)


@pytest.fixture
async def operator(make_user, client, gql) -> str:
    # Something to find: a resident's complaint (id 1), whose small ids fuzzing often hits.
    _, citizen = await make_user(Role.CITIZEN)
    photo = await upload_photo(client, citizen)
    submitted = await gql(SUBMIT, {"input": complaint_input([photo])}, token=citizen)
    assert submitted["data"]["submitComplaint"]["errors"] == []
    _, token = await make_user(Role.OPERATOR)
    return token


@pytest.fixture
def fuzzer(client, caplog, request) -> Fuzzer:
    caplog.set_level(logging.WARNING)
    fuzz = Fuzzer(client, caplog)
    yield fuzz
    fuzz.report(request.node.name)


@FUZZ
@given(query=_strategy(queries, Mode.POSITIVE), signed_in=st.booleans())
async def test_valid_queries(fuzzer, operator, query, signed_in):
    await fuzzer.send(query, token=operator if signed_in else None)


@FUZZ
@given(query=_strategy(queries, Mode.NEGATIVE), signed_in=st.booleans())
async def test_invalid_queries(fuzzer, operator, query, signed_in):
    await fuzzer.send(query, token=operator if signed_in else None)


@FUZZ
@given(mutation=_strategy(mutations, Mode.POSITIVE), signed_in=st.booleans())
async def test_valid_mutations(fuzzer, operator, mutation, signed_in):
    await fuzzer.send(mutation, token=operator if signed_in else None)


@FUZZ
@given(mutation=_strategy(mutations, Mode.NEGATIVE), signed_in=st.booleans())
async def test_invalid_mutations(fuzzer, operator, mutation, signed_in):
    await fuzzer.send(mutation, token=operator if signed_in else None)


@FUZZ
@given(operation=st.sampled_from(VARIABLE_OPERATIONS), data=st.data(), signed_in=st.booleans())
async def test_any_json_as_variables(fuzzer, operator, operation, data, signed_in):
    query, names = operation
    variables = data.draw(st.one_of(
        st.fixed_dictionaries({}, optional={name: JSON for name in names}), JSON))
    await fuzzer.send(query, variables, token=operator if signed_in else None)


@pytest.fixture
async def operator_socket(operator, live_server) -> Any:  # noqa: F811
    import websockets

    ws = await websockets.connect(f"ws://{live_server}/graphql", subprotocols=[PROTOCOL])
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"Authorization": f"Bearer {operator}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    yield ws
    await ws.close()


_OPERATION_IDS = iter(range(1, 10**12))
EVENTS = "subscription($a: String) { commandCenterEvents(after: $a) { cursor type } }"
UPDATES = "subscription($id: ID!, $a: String) { caseUpdates(id: $id, after: $a) { cursor } }"
TEXT = st.one_of(st.text(max_size=40), st.integers(min_value=-5, max_value=10**30).map(str))


@FUZZ
@given(follow_case=st.booleans(), after=st.none() | TEXT, case=TEXT)
async def test_subscriptions_with_any_cursor_and_id(fuzzer, operator_socket, follow_case,
                                                    after, case):
    ws = operator_socket
    operation_id = str(next(_OPERATION_IDS))
    query, variables = ((UPDATES, {"id": case, "a": after}) if follow_case
                        else (EVENTS, {"a": after}))
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe",
                              "payload": {"query": query, "variables": variables}}))

    async def first() -> dict[str, Any]:
        while True:
            message = json.loads(await ws.recv())
            if message.get("id") == operation_id:
                return message

    try:
        # A refusal comes at once; an accepted stream may have nothing to say (started
        # at the live edge), and is stopped either way.
        message = await asyncio.wait_for(first(), 0.5)
    except TimeoutError:
        message = {"type": "next", "payload": {}}
    await ws.send(json.dumps({"id": operation_id, "type": "complete"}))
    payload = ({"errors": message["payload"]} if message["type"] == "error"
               else message.get("payload") or {})
    fuzzer.check(query, variables, 200, json.dumps(payload))
