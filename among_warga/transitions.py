"""The one way a complaint changes status: checked against the allowed transitions, written
together with its timeline entry and its domain event in one unit of work (the pushes it
causes follow from the event: among_warga/handlers.py, command_center/handlers.py). The
command center and the responders both go through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from among_warga.errors import ComplaintErrorCode as Code
from among_warga.events import ComplaintEvent, complaint_audience
from among_warga.models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    Dispatch,
    TimelineEntry,
    TimelineKind,
)
from among_warga.spatial import publish_photos
from among_warga.visibility import photos_public
from backend.accounts.models import User
from backend.clock import utcnow
from backend.errors import ErrorCode, ServiceError
from backend.events import record_event


def sla_due(
    category: ComplaintCategory, status: ComplaintStatus, start: datetime
) -> datetime | None:
    """The deadline of the stage a case enters at ``start``: triage (the command center
    verifies and dispatches), first response (the agency accepts), resolution."""
    if status in (ComplaintStatus.SUBMITTED, ComplaintStatus.VERIFIED):
        return start + timedelta(minutes=category.triage_minutes)
    if status == ComplaintStatus.DISPATCHED:
        return start + timedelta(minutes=category.response_minutes)
    if status == ComplaintStatus.IN_PROGRESS:
        return start + timedelta(minutes=category.resolution_minutes)
    return None


def event_payload(complaint: Complaint, category: ComplaintCategory) -> dict:
    """What the live stream shows about a case — no personal data of the reporter."""
    return {
        "ticketNumber": complaint.ticket_number,
        "status": complaint.status.value,
        "categoryCode": category.code,
        "lat": complaint.lat,
        "lon": complaint.lon,
        "villageCode": complaint.village_code,
        "districtCode": complaint.district_code,
        "slaDueAt": complaint.sla_due_at.isoformat() if complaint.sla_due_at else None,
    }


async def add_timeline(
    complaint: Complaint,
    *,
    kind: TimelineKind,
    actor: User | None,
    actor_label: str,
    note: str = "",
    public: bool = True,
    from_status: ComplaintStatus | None = None,
    photo_ids: list[int] | None = None,
    author_skpd_id: int | None = None,
) -> TimelineEntry:
    if public and photo_ids and photos_public(complaint):
        # Shown on a public timeline: the photos get their public URLs.
        await publish_photos(photo_ids)
    return await TimelineEntry.create(
        complaint=complaint, kind=kind, actor=actor, actor_label=actor_label, note=note,
        public=public, from_status=from_status.value if from_status else None,
        to_status=complaint.status.value if kind == TimelineKind.STATUS else None,
        photo_ids=photo_ids or [], author_skpd_id=author_skpd_id,
    )


S = ComplaintStatus
ALLOWED: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.SUBMITTED: frozenset({S.VERIFIED, S.DISPATCHED, S.REJECTED, S.DUPLICATE}),
    S.VERIFIED: frozenset({S.DISPATCHED, S.REJECTED, S.DUPLICATE}),
    S.DISPATCHED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.VERIFIED, S.DUPLICATE}),
    S.IN_PROGRESS: frozenset({S.DISPATCHED, S.RESOLVED, S.VERIFIED}),
    S.RESOLVED: frozenset({S.CLOSED, S.DISPATCHED}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
}

STATUS_TEXT_ID = {
    S.SUBMITTED: "diterima", S.VERIFIED: "diverifikasi Command Center",
    S.DISPATCHED: "diteruskan ke SKPD", S.IN_PROGRESS: "sedang ditangani",
    S.RESOLVED: "selesai ditangani — mohon konfirmasi", S.CLOSED: "ditutup",
    S.REJECTED: "ditolak", S.DUPLICATE: "digabung dengan laporan lain",
}


def refused(current: ComplaintStatus, allowed_from: Iterable[ComplaintStatus], *,
            code: ErrorCode = Code.INVALID_TRANSITION) -> ServiceError:
    """INVALID_TRANSITION naming the status the complaint is in and the one(s) the action
    needs, in the GraphQL enum spelling clients know (``current``, ``expected``)."""
    order = list(ComplaintStatus)
    expected = sorted(set(allowed_from), key=order.index)
    return ServiceError(code, "id", current=current.name,
                        expected=" / ".join(s.name for s in expected))


def allowed_before(to: ComplaintStatus) -> list[ComplaintStatus]:
    return [status for status, targets in ALLOWED.items() if to in targets]


@dataclass
class Change:
    to: ComplaintStatus
    event: ComplaintEvent
    actor: User | None
    actor_label: str
    note: str = ""
    public: bool = True
    photo_ids: list[int] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    skpd_ids: list[int] | None = None  # the SKPDs holding the case after the change
    author_skpd_id: int | None = None  # the SKPD of the responder making the change


async def change_status(complaint: Complaint, change: Change, *, expected: ComplaintStatus
                        ) -> Complaint:
    """Move ``complaint`` from ``expected`` to ``change.to``. Must run inside the caller's
    unit_of_work. The update is conditional on the status still being ``expected``, so of two
    operators acting at once only one wins; the other gets INVALID_TRANSITION."""
    if change.to not in ALLOWED[expected]:
        raise refused(expected, allowed_before(change.to))
    category: ComplaintCategory = complaint.category
    now = utcnow()
    updates: dict[str, Any] = {"status": change.to, "updated_at": now, **change.fields}
    if change.to != expected or change.to == S.DISPATCHED:
        updates["sla_due_at"] = _deadline(complaint, category, change.to, now)
    if change.to == S.RESOLVED:
        updates["resolved_at"] = now
    if change.to in (S.CLOSED, S.REJECTED, S.DUPLICATE):
        updates["closed_at"] = now
    won = await Complaint.filter(id=complaint.id, status=expected).update(**updates)
    if not won:
        # Someone else changed it first: say what it is now.
        now_status = await Complaint.filter(id=complaint.id).values_list("status", flat=True)
        raise refused(ComplaintStatus(now_status[0]) if now_status else expected, [expected])
    await complaint.refresh_from_db()
    complaint.category = category
    await add_timeline(
        complaint, kind=TimelineKind.STATUS if change.to != expected else TimelineKind.RESPONSE,
        actor=change.actor, actor_label=change.actor_label, note=change.note,
        public=change.public, from_status=expected, photo_ids=change.photo_ids,
        author_skpd_id=change.author_skpd_id,
    )
    await _record(complaint, change)
    return complaint


def _deadline(complaint: Complaint, category: ComplaintCategory, status: ComplaintStatus,
              now: datetime) -> datetime | None:
    if status in (S.SUBMITTED, S.VERIFIED):
        return complaint.sla_due_at or sla_due(category, status, complaint.created_at)
    return sla_due(category, status, now)


async def record_note(complaint: Complaint, change: Change) -> None:
    """A timeline entry and event without a status change (progress reports, notes)."""
    await add_timeline(
        complaint, kind=TimelineKind.RESPONSE if change.public else TimelineKind.NOTE,
        actor=change.actor, actor_label=change.actor_label, note=change.note,
        public=change.public, photo_ids=change.photo_ids, author_skpd_id=change.author_skpd_id,
    )
    await _record(complaint, change)


async def _record(complaint: Complaint, change: Change) -> None:
    skpd_ids = change.skpd_ids
    if skpd_ids is None:
        skpd_ids = sorted(set(await Dispatch.filter(complaint_id=complaint.id, active=True)
                              .values_list("skpd_id", flat=True)))
    codes = []
    if skpd_ids:
        from backend.accounts.models import Skpd

        codes = sorted(await Skpd.filter(id__in=skpd_ids).values_list("code", flat=True))
    await record_event(
        change.event, subject_type="complaint", subject_id=complaint.id,
        audience=complaint_audience(complaint.reporter_id, skpd_ids, public=change.public),
        actor_id=change.actor.id if change.actor else None,
        payload={**event_payload(complaint, complaint.category), "skpdCodes": codes,
                 "public": change.public, "note": change.note if change.public else "",
                 **change.payload},
    )
