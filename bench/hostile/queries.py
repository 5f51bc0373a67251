"""The hostile documents of issue 9 ("anonymous denial of service"), and smaller variants of
each that get past the size limits, so every check has a document that reaches it.

Shared by the regression tests (tests/backend/test_limits.py: each refused with its code over
HTTP and WebSocket) and the benchmark (bench/hostile/run.py: how fast, and what it does to
everyone else's latency).
"""

from __future__ import annotations

from dataclasses import dataclass

BATU = "{south: -7.95, west: 112.45, north: -7.75, east: 112.60}"


@dataclass(frozen=True)
class Hostile:
    name: str
    query: str
    code: str  # extensions.code of the refusal; PAYLOAD_TOO_LARGE: refused as a request
    what: str


def _aliases(count: int, selection: str) -> str:
    return "{" + " ".join(f"a{i}: {selection}" for i in range(count)) + "}"


def _typename_aliases(size: int) -> str:
    out, i = ["{"], 0
    while sum(map(len, out)) < size:
        out.append(f" a{i}: __typename")
        i += 1
    return "".join(out) + "}"


def _doubling_fragments(levels: int) -> str:
    # A(k) and B(k) each spread both A(k-1) and B(k-1): expanded, level k selects 2^k
    # `__typename` fields in one selection, every pair of which the overlap rule compares.
    lines = [f"query {{ ...A{levels} }}", "fragment A0 on Query { __typename }",
             "fragment B0 on Query { __typename }"]
    for k in range(1, levels + 1):
        for name in "AB":
            lines.append(f"fragment {name}{k} on Query {{ ...A{k - 1} ...B{k - 1} }}")
    return "\n".join(lines)


SCHEMA = "__schema { types { name fields { name } } }"
PUBLIC_PAGE = (f"publicComplaints(bbox: {BATU}, first: 100) {{ edges {{ node {{ id description "
               "timeline { kind note createdAt } photos { url thumbnailUrl } } } }")

HOSTILE: tuple[Hostile, ...] = (
    Hostile("typename-aliases-1mb", _typename_aliases(1024 * 1024), "PAYLOAD_TOO_LARGE",
            "1 MB of __typename aliases (issue: 8.8 s over HTTP, 19.8 s for 3 MB over WS)"),
    Hostile("typename-aliases-40kb", _typename_aliases(40 * 1024), "QUERY_TOO_LARGE",
            "the same, 40 KB: fits a request, not a document"),
    Hostile("typename-aliases-31", _aliases(31, "__typename"), "TOO_MANY_ALIASES",
            "the same, 31 aliases"),
    Hostile("public-complaints-aliases-1000", _aliases(1000, PUBLIC_PAGE), "PAYLOAD_TOO_LARGE",
            "1,000 aliases of publicComplaints(first: 100) with timelines (issue: 31.4 s)"),
    Hostile("public-complaints-aliases-25", _aliases(25, PUBLIC_PAGE), "QUERY_TOO_COMPLEX",
            "the same, 25 aliases: under the alias limit; parsing stops at the 5th, past "
            "the cost limit"),
    Hostile("doubling-fragments-16", _doubling_fragments(16), "QUERY_TOO_COMPLEX",
            "16 levels of fragments each doubling the work, 1 KB (issue: 11.3 s)"),
    Hostile("schema-aliases-200", _aliases(200, SCHEMA), "QUERY_TOO_LARGE",
            "200 aliases of __schema (issue: 3.1 s): over the token limit"),
    Hostile("schema-aliases-20", _aliases(20, SCHEMA), "QUERY_TOO_COMPLEX",
            "the same, 20 aliases (parsing stops at the 11th, past the cost limit)"),
    Hostile("repeated-field-2000", "{" + " __typename" * 2000 + "}", "QUERY_TOO_LARGE",
            "one field 2,000 times (quadratic in graphql-core's overlap validation)"),
    Hostile("repeated-field-500", "{" + " __typename" * 500 + "}", "QUERY_TOO_COMPLEX",
            "the same, 500 times: under the token limit"),
    Hostile("deep-4000", "{" + "me { " * 4000 + "id" + " }" * 4000 + "}", "QUERY_TOO_LARGE",
            "fields nested 4,000 deep"),
    Hostile("deep-100", "{" + "me { " * 100 + "id" + " }" * 100 + "}", "QUERY_TOO_DEEP",
            "the same, 100 deep: under the token limit"),
    Hostile("comments-3000", "# padding\n" * 3000 + "{ __typename }", "QUERY_TOO_LARGE",
            "3,000 comments: tokens the parser allocates too"),
)
