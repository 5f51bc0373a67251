"""Connections: opaque keyset cursors over (sort key, id), on a real table of both databases.

Walking every page returns every row exactly once and in order, also while rows are added
between pages (a row added behind the reader is not shown, one added ahead of it is); bad
cursors and page sizes are coded BAD_USER_INPUT, never an internal error."""

from __future__ import annotations

import base64
import itertools
import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
import pytest

from among_warga.models import Complaint, ComplaintCategory, ComplaintStatus
from backend.accounts.models import Role, User
from backend.errors import ServiceError
from backend.graphql.connections import (
    MAX_PAGE_SIZE,
    NEWEST_FIRST,
    CountedConnection,
    KeyKind,
    PageErrorCode,
    SortKey,
    connection_for,
    page_size,
    paginate_queryset,
)
from backend.ids import decode_keyset_cursor, encode_cursor, encode_keyset_cursor
from tests.conftest import error_extensions

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
_serial = itertools.count(1)


class ProbeNode(graphene.ObjectType):
    id = graphene.ID()


ProbeConnection = connection_for(ProbeNode)


@pytest.fixture
async def reporter(make_user) -> User:
    user, _ = await make_user(Role.CITIZEN)
    return user


@pytest.fixture
async def category() -> ComplaintCategory:
    found, _ = await ComplaintCategory.get_or_create(
        code="sampah", defaults={"name_id": "Sampah", "name_en": "Garbage",
                                 "triage_minutes": 60, "response_minutes": 60,
                                 "resolution_minutes": 60})
    return found


async def add_complaint(reporter: User, category: ComplaintCategory, *, lat: float,
                        created_at: datetime) -> Complaint:
    n = next(_serial)
    complaint = await Complaint.create(
        ticket_number=f"BTU-TEST-{n:05d}", reporter=reporter, category=category,
        description="Sampah menumpuk di pinggir jalan.", lat=lat, lon=112.52, public_lat=lat,
        public_lon=112.52, client_request_id=f"page-test-{n:08d}", request_fingerprint="x",
        status=ComplaintStatus.SUBMITTED,
    )
    # created_at is set on insert (auto_now_add); the test decides the clock.
    await Complaint.filter(id=complaint.id).update(created_at=created_at)
    return await Complaint.get(id=complaint.id)


async def walk(queryset, sort: SortKey, first: int, between=None) -> list[Complaint]:
    """Every page in turn; ``between(cursor)`` runs after each page (adds rows)."""
    seen, after = [], None
    while True:
        page = await paginate_queryset(queryset, ProbeConnection, first=first, after=after,
                                       sort=sort)
        seen += [edge.node for edge in page.edges]
        for edge in page.edges:
            assert isinstance(edge.cursor, str) and edge.cursor.isascii()
        if not page.page_info.has_next_page:
            return seen
        after = page.page_info.end_cursor
        assert after == page.edges[-1].cursor
        if between is not None:
            await between(seen[-1])


async def test_a_float_key_with_ties_pages_in_order_while_rows_arrive(reporter, category):
    # Many complaints on the same latitude: the id decides among them.
    lats = [-7.87, -7.86, -7.87, -7.85, -7.87, -7.86, -7.88, -7.87, -7.85, -7.86, -7.88]
    rows = [await add_complaint(reporter, category, lat=lat, created_at=T0) for lat in lats]
    sort = SortKey("lat", KeyKind.FLOAT)
    added: list[tuple[Complaint, bool]] = []

    async def between(last: Complaint) -> None:
        # One row behind the reader (a tie on its key, but a lower latitude) and one ahead
        # of it (the same latitude as the last row seen, so after it only by id).
        behind = await add_complaint(reporter, category, lat=-7.89, created_at=T0)
        ahead = await add_complaint(reporter, category, lat=last.lat, created_at=T0)
        added.extend([(behind, False), (ahead, True)])

    seen = await walk(Complaint.all(), sort, first=3, between=between)
    positions = [(r.lat, r.id) for r in seen]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    ids = [r.id for r in seen]
    assert {r.id for r in rows} <= set(ids)
    assert all((row.id in ids) == shown for row, shown in added)
    assert [r.lat for r in seen[:4]] == [-7.88, -7.88, -7.87, -7.87]


async def test_newest_first_by_a_datetime_descending(reporter, category):
    # Several complaints in the same microsecond: still a total order.
    stamps = [T0 + timedelta(minutes=m, microseconds=us)
              for m, us in [(0, 0), (5, 1), (5, 1), (2, 500000), (5, 1), (9, 0), (2, 500000)]]
    rows = [await add_complaint(reporter, category, lat=-7.87, created_at=t) for t in stamps]
    sort = SortKey("created_at", KeyKind.DATETIME, descending=True)
    added: list[tuple[Complaint, bool]] = []

    async def between(last: Complaint) -> None:
        # Newest first: a newer complaint, and one as old as the last row seen (a higher id
        # sorts first among equals), are behind the reader; an older one is ahead of it.
        newer = await add_complaint(reporter, category, lat=-7.87,
                                    created_at=T0 + timedelta(days=1))
        tie = await add_complaint(reporter, category, lat=-7.87, created_at=last.created_at)
        older = await add_complaint(reporter, category, lat=-7.87,
                                    created_at=T0 - timedelta(days=1 + len(added)))
        added.extend([(newer, False), (tie, False), (older, True)])

    seen = await walk(Complaint.all(), sort, first=2, between=between)
    keys = [(r.created_at, r.id) for r in seen]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    ids = [r.id for r in seen]
    assert {r.id for r in rows} <= set(ids)
    assert all((row.id in ids) == shown for row, shown in added)
    assert seen[0].created_at == T0 + timedelta(minutes=9)
    assert all(r.created_at.tzinfo is not None for r in seen)


async def test_newest_first_by_id_and_the_total_count(reporter, category, count_queries):
    rows = [await add_complaint(reporter, category, lat=-7.87, created_at=T0)
            for _ in range(5)]
    seen = await walk(Complaint.all(), NEWEST_FIRST, first=2)
    assert [r.id for r in seen] == sorted((r.id for r in rows), reverse=True)
    with count_queries() as queries:
        page = await paginate_queryset(Complaint.all(), ProbeConnection, first=2, after=None)
    # The page only: the count runs when (and if) totalCount is asked for.
    assert len(queries) == 1, queries.statements
    assert await CountedConnection.resolve_total_count(page, None) == 5
    empty = await paginate_queryset(Complaint.all(), ProbeConnection, first=0, after=None)
    assert empty.edges == [] and empty.page_info.has_next_page is True


def test_cursors_carry_each_key_type_exactly():
    cases = [
        (KeyKind.INT, -(2**63) + 1), (KeyKind.INT, 12_500_000),
        (KeyKind.FLOAT, 0.1), (KeyKind.FLOAT, -7.871234567891234), (KeyKind.FLOAT, 1e-300),
        (KeyKind.DECIMAL, Decimal("12.500")), (KeyKind.DECIMAL, Decimal("-0.001")),
        (KeyKind.DATETIME, T0.replace(microsecond=123456)),
        (KeyKind.DATETIME, datetime(2026, 1, 1, 7, 0, tzinfo=UTC)),
        (KeyKind.STR, "Désa Pandanrejo 🍎"), (KeyKind.STR, ""),
    ]
    for kind, key in cases:
        cursor = encode_keyset_cursor(key, 42, kind)
        assert cursor.isascii() and "=" not in cursor
        decoded = decode_keyset_cursor(cursor, kind)
        assert decoded == (key, 42), (kind, key)
        if kind is KeyKind.DECIMAL:
            assert str(decoded[0]) == str(key)  # not a float on the way
    # A datetime in another zone comes back as the same instant, in UTC.
    wib = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta"))
    assert decode_keyset_cursor(encode_keyset_cursor(wib, 1, KeyKind.DATETIME),
                                KeyKind.DATETIME) == (T0, 1)
    for key, kind in ((None, KeyKind.INT), (math.nan, KeyKind.FLOAT),
                      (datetime(2026, 1, 1), KeyKind.DATETIME), (True, KeyKind.INT),
                      ("x" * 2000, KeyKind.STR)):
        with pytest.raises(ValueError):
            encode_keyset_cursor(key, 1, kind)


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


BAD_CURSORS = [
    "", "not a cursor", "é", "!!!!", _raw("[1.5, 3]") + "x" * 2000,
    _raw("{}"), _raw("[]"), _raw("[1]"), _raw("[1, 2, 3]"), _raw('"abc"'),
    _raw("[1.5, true]"), _raw("[1.5, 0]"), _raw("[1.5, -4]"), _raw("[1.5, 2147483648]"),
    _raw("[1.5, 2.0]"), _raw('[1.5, "2"]'), _raw("[NaN, 2]"), _raw("[Infinity, 2]"),
    _raw("[1e400, 2]"), _raw('["1.5", 2]'), _raw("[null, 2]"), _raw("[[1.5], 2]"),
    _raw("[" * 5000 + "]" * 5000), _raw("c:12"), _raw("\udcff"),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_garbage_is_not_a_position(cursor):
    sort = SortKey("lat", KeyKind.FLOAT)
    with pytest.raises(ServiceError) as refused:
        sort.decode(cursor)
    assert refused.value.code is PageErrorCode.INVALID_CURSOR
    assert refused.value.errors[0].field == "after"


@pytest.mark.parametrize("kind, key", [
    (KeyKind.INT, "1.5"), (KeyKind.INT, "true"), (KeyKind.INT, str(2**63)),
    (KeyKind.DATETIME, '"2026-11-20T08:00:00"'), (KeyKind.DATETIME, '"yesterday"'),
    (KeyKind.DATETIME, '"0001-01-01T00:00:00+14:00"'), (KeyKind.DATETIME, "1732089600"),
    (KeyKind.DECIMAL, "12.5"), (KeyKind.DECIMAL, '"1e5"'), (KeyKind.DECIMAL, '"NaN"'),
    (KeyKind.DECIMAL, '" 12.5"'), (KeyKind.STR, "5"), (KeyKind.STR, '"a\\u0000b"'),
    (KeyKind.STR, '"\\ud800"'),
])
def test_a_key_of_the_wrong_type_is_not_a_position(kind, key):
    with pytest.raises(ServiceError) as refused:
        SortKey("k", kind).decode(_raw(f"[{key}, 7]"))
    assert refused.value.code is PageErrorCode.INVALID_CURSOR


def test_a_cursor_by_id_is_not_one_by_key_and_back():
    by_id = encode_cursor(7)
    with pytest.raises(ServiceError):
        SortKey("lat", KeyKind.FLOAT).decode(by_id)
    with pytest.raises(ServiceError):
        NEWEST_FIRST.decode(encode_keyset_cursor(1.5, 7, KeyKind.FLOAT))
    assert NEWEST_FIRST.decode(by_id).id == 7


def test_page_sizes():
    assert page_size(None) == 20 and page_size(0) == 0 and page_size(100) == 100
    for bad in (-1, MAX_PAGE_SIZE + 1, 10**9, True):
        with pytest.raises(ServiceError) as refused:
            page_size(bad)
        assert refused.value.code is PageErrorCode.FIRST_OUT_OF_RANGE


QUEUE = "query($f: Int, $a: String) { caseQueue(first: $f, after: $a) { totalCount } }"


async def test_bad_page_arguments_over_http_are_coded(gql, make_user):
    _, operator = await make_user(Role.OPERATOR)
    for variables, reason, field in (
        ({"f": 101}, "first_out_of_range", "first"),
        ({"f": -1}, "first_out_of_range", "first"),
        ({"a": _raw("[1.5, 3]")}, "invalid_cursor", "after"),
        ({"a": json.dumps([1, 2])}, "invalid_cursor", "after"),
    ):
        body = await gql(QUEUE, variables, token=operator, headers={"Accept-Language": "en"})
        assert body["data"] is None, body
        [error] = body["errors"]
        assert error_extensions(error) == {"code": "BAD_USER_INPUT", "reason": reason,
                                       "field": field}, error
        assert error["path"] == ["caseQueue"]
    indonesian = await gql(QUEUE, {"f": 500}, token=operator)
    assert indonesian["errors"][0]["message"] == "`first` harus antara 0 dan 100."
    fine = await gql(QUEUE, {"f": 100, "a": ""}, token=operator)
    assert fine == {"data": {"caseQueue": {"totalCount": 0}}}
