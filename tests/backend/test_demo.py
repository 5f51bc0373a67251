"""The demo: a plausible past week of Kota Batu written through the real services, so a new
user sees every screen working — and loaded once however often `batt seed-demo` runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import tortoise.timezone

from among_warga.categories import DEFAULT_CATEGORIES
from among_warga.demo_week import KEY_PREFIX, VILLAGES
from among_warga.events import ComplaintEvent
from among_warga.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintPhoto,
    ComplaintStatus,
    Dispatch,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from backend.accounts.models import User
from backend.clock import WIB, frozen_at, utcnow
from backend.demo import DEMO_ACCOUNTS, seed_demo
from backend.events.models import DomainEvent
from backend.media.models import Photo
from backend.push.models import PushMessage, PushStatus
from command_center.models import RoutingRule

S = ComplaintStatus
CITY = {"south": -7.96, "west": 112.44, "north": -7.74, "east": 112.61}
PUBLIC = """query($bbox: BboxInput!) { publicComplaints(bbox: $bbox, first: 100) { totalCount
  edges { node { ticketNumber visibility photos { thumbnailUrl } } } } }"""
QUEUE = "{ caseQueue(first: 100) { totalCount edges { node { overdue } } } }"
MINE = "{ myComplaints { totalCount edges { node { status } } } }"


async def test_a_frozen_clock_is_the_contexts_alone():
    moment = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    inside = asyncio.Event()
    release = asyncio.Event()

    async def meanwhile() -> datetime:  # another request, running during the block
        await inside.wait()
        now = utcnow()
        release.set()
        return now

    async def now_in_a_task() -> datetime:
        return utcnow()

    other = asyncio.create_task(meanwhile())
    with frozen_at(moment):
        assert utcnow() == moment
        assert await asyncio.create_task(now_in_a_task()) == moment  # started inside: frozen
        inside.set()
        await release.wait()
    assert await other > moment + timedelta(days=1)
    assert utcnow() > moment + timedelta(days=1)


async def test_the_demo_week_is_alive_consistent_and_loaded_once(settings, gql):
    before = utcnow()
    created = await seed_demo(settings, echo=lambda *_: None)
    after = utcnow()
    assert sorted(created) == sorted(a.phone for a in DEMO_ACCOUNTS)
    assert tortoise.timezone.now is not utcnow  # the ORM has its own clock back

    complaints = await Complaint.filter(client_request_id__startswith=KEY_PREFIX) \
        .select_related("category")
    # A plausible week: 60–100 reports over every village, category and state.
    assert 60 <= len(complaints) <= 100
    assert {c.village_code for c in complaints} == set(VILLAGES)
    assert {c.category.code for c in complaints} == {c.code for c in DEFAULT_CATEGORIES}
    assert set(Counter(c.status for c in complaints)) == set(ComplaintStatus)
    assert {c.visibility for c in complaints} == set(Visibility)
    assert all(before - timedelta(days=7) <= c.created_at <= after for c in complaints)
    assert max(c.created_at for c in complaints) - min(c.created_at for c in complaints) \
        > timedelta(days=5)
    open_cases = [c for c in complaints if c.status in OPEN_STATUSES]
    overdue = [c for c in open_cases if c.sla_due_at <= after]
    assert len(overdue) >= 3 and len(overdue) < len(open_cases)
    # Ticket numbers follow the month each report came in (WIB).
    assert all(c.ticket_number.startswith(f"BTU-{c.created_at.astimezone(WIB):%y%m}-")
               for c in complaints)

    # Every report has a real photo, stored as the pipeline's variants.
    links = await ComplaintPhoto.filter(complaint_id__in=[c.id for c in complaints]) \
        .prefetch_related("photo")
    assert {link.complaint_id for link in links} == {c.id for c in complaints}
    for link in links:
        photo: Photo = link.photo
        assert photo.exif_lat is not None and photo.taken_at is not None
        for key in (photo.display_key, photo.thumbnail_key):
            assert (settings.media_dir / key[:2] / key[2:4] / key).is_file()

    # Timelines tell each case's story in order and end in its current state.
    by_case: dict[int, list[TimelineEntry]] = {}
    for entry in await TimelineEntry.filter(complaint_id__in=[c.id for c in complaints]) \
            .order_by("id"):
        by_case.setdefault(entry.complaint_id, []).append(entry)
    for complaint in complaints:
        entries = by_case[complaint.id]
        assert entries[0].to_status == S.SUBMITTED.value
        assert entries[0].created_at == complaint.created_at
        assert [e.created_at for e in entries] == sorted(e.created_at for e in entries)
        statuses = [e.to_status for e in entries if e.kind == TimelineKind.STATUS]
        assert statuses[-1] == complaint.status.value, (complaint.ticket_number, statuses)
        if complaint.status in (S.RESOLVED, S.CLOSED):
            resolved = next(e for e in entries if e.to_status == S.RESOLVED.value)
            assert resolved.photo_ids, "resolved without a proof photo"
            assert complaint.resolved_at == resolved.created_at
        if complaint.status == S.DUPLICATE:
            assert complaint.duplicate_of_id is not None

    # The event log is in the order things happened (the stream's cursor order).
    events = await DomainEvent.all().order_by("id")
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    kinds = Counter(e.type for e in events)
    for kind in (ComplaintEvent.COMPLAINT_SUBMITTED, ComplaintEvent.COMPLAINT_VERIFIED,
                 ComplaintEvent.COMPLAINT_DISPATCHED, ComplaintEvent.COMPLAINT_ACCEPTED,
                 ComplaintEvent.COMPLAINT_RESOLVED, ComplaintEvent.COMPLAINT_CONFIRMED,
                 ComplaintEvent.COMPLAINT_REJECTED, ComplaintEvent.COMPLAINT_DUPLICATE,
                 ComplaintEvent.COMPLAINT_SUPPORTED, ComplaintEvent.COMPLAINT_OVERDUE):
        assert kinds[kind.value] > 0, kind
    assert kinds[ComplaintEvent.COMPLAINT_SUBMITTED.value] == len(complaints)
    # A deadline flagged as missed has its OVERDUE event, and no deadline is flagged twice.
    flagged = [e for e in events if e.type == ComplaintEvent.COMPLAINT_OVERDUE.value]
    assert len({(e.subject_id, e.payload["deadline"]) for e in flagged}) == len(flagged)

    # Dispatches follow the routing table (Lainnya: the operator's choice).
    rules: dict[str, set[int]] = {}
    for rule in await RoutingRule.all():
        rules.setdefault(rule.category_code, set()).add(rule.skpd_id)
    category_of = {c.id: c.category.code for c in complaints}
    for dispatch in await Dispatch.filter(complaint_id__in=list(category_of)):
        category = category_of[dispatch.complaint_id]
        if category != "lainnya":
            assert dispatch.skpd_id in rules[category], category
    # The week's pushes are history, not a backlog for the first server start.
    assert not await PushMessage.filter(status=PushStatus.PENDING).exists()

    # What the screens show: the public map, the command center's queue, a resident's list.
    public = (await gql(PUBLIC, {"bbox": CITY}))["data"]["publicComplaints"]
    assert public["totalCount"] > 50
    assert all(e["node"]["visibility"] != "CONFIDENTIAL" and e["node"]["photos"]
               for e in public["edges"])
    operator = await gql.login("+6281100000002", created["+6281100000002"])
    queue = (await gql(QUEUE, token=operator))["data"]["caseQueue"]
    assert queue["totalCount"] == len(open_cases)
    assert sum(e["node"]["overdue"] for e in queue["edges"]) == len(overdue)
    resident = await gql.login("+6281100000005", created["+6281100000005"])
    mine = (await gql(MINE, token=resident))["data"]["myComplaints"]
    assert mine["totalCount"] >= 3
    assert "RESOLVED" in {e["node"]["status"] for e in mine["edges"]}  # hers to confirm

    # Loaded once: a second run adds nothing and prints no passwords.
    counts = (await Complaint.all().count(), await DomainEvent.all().count(),
              await Photo.all().count(), await User.all().count())
    assert await seed_demo(settings, echo=lambda *_: None) == {}
    assert (await Complaint.all().count(), await DomainEvent.all().count(),
            await Photo.all().count(), await User.all().count()) == counts
