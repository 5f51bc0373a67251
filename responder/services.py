"""Among Respon: SKPD staff work the cases dispatched to their agency."""

from __future__ import annotations

from typing import Any

from among_warga.events import ComplaintEvent
from among_warga.models import Complaint, ComplaintStatus
from among_warga.transitions import Change, change_status, record_note, refused
from backend.accounts.services import Principal
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.events import unit_of_work
from backend.media import services as media
from command_center.errors import CaseErrorCode as Code
from command_center.models import Dispatch

S = ComplaintStatus
NOTE_MAX = 2000
MAX_PHOTOS = 5


def inbox(principal: Principal, statuses: list[ComplaintStatus] | None) -> Any:
    """Cases the caller's SKPD holds now, newest first."""
    skpd_id = principal.skpd.id if principal.skpd else -1
    queryset = Complaint.filter(dispatches__skpd_id=skpd_id, dispatches__active=True)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.distinct().select_related("category")


async def _held_case(principal: Principal, complaint_id: int) -> tuple[Complaint, Dispatch]:
    complaint = await Complaint.get_or_none(id=complaint_id).select_related("category")
    if complaint is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    skpd = principal.skpd
    held = (await Dispatch.get_or_none(complaint_id=complaint.id, skpd_id=skpd.id, active=True)
            if skpd else None)
    if held is None:
        raise ServiceError(Code.NOT_YOUR_CASE, "id")
    return complaint, held


def _label(principal: Principal) -> str:
    return principal.skpd.name if principal.skpd else "SKPD"


def _skpd_id(principal: Principal) -> int | None:
    return principal.skpd.id if principal.skpd else None


def _note(text: str | None, *, required: bool, field: str = "note") -> str:
    note = (text or "").strip()
    if required and not note:
        raise ServiceError(Code.NOTE_REQUIRED if field == "note" else Code.REASON_REQUIRED, field)
    if len(note) > NOTE_MAX:
        raise ServiceError(Code.NOTE_TOO_LONG, field)
    return note


async def _photos(principal: Principal, ids: list[int], field: str) -> list[int]:
    if len(ids) > MAX_PHOTOS:
        raise ServiceError(Code.TOO_MANY_PHOTOS, field)
    try:
        photos = await media.get_owned_photos(principal.user.id, ids, field=field)
    except ServiceError as exc:
        raise ServiceError(Code.PHOTO_NOT_FOUND, field) from exc
    return [p.id for p in photos]


async def accept(principal: Principal, complaint_id: int, note: str | None = None) -> Complaint:
    complaint, held = await _held_case(principal, complaint_id)
    note = _note(note, required=False) or f"Diterima oleh {_label(principal)}."
    async with unit_of_work():
        if complaint.status == S.DISPATCHED:
            await change_status(complaint, Change(S.IN_PROGRESS, ComplaintEvent.COMPLAINT_ACCEPTED,
                                                  principal.user, _label(principal), note=note,
                                                  author_skpd_id=_skpd_id(principal)),
                                expected=S.DISPATCHED)
        elif complaint.status != S.IN_PROGRESS:  # a second SKPD joining is fine
            raise refused(complaint.status, (S.DISPATCHED, S.IN_PROGRESS),
                          code=Code.INVALID_TRANSITION)
        if held.accepted_at is None:
            held.accepted_at = utcnow()
            await held.save(update_fields=["accepted_at"])
    return complaint


async def add_progress(principal: Principal, complaint_id: int, note: str,
                       photo_ids: list[int], public: bool) -> Complaint:
    complaint, _ = await _held_case(principal, complaint_id)
    if complaint.status != S.IN_PROGRESS:
        raise refused(complaint.status, [S.IN_PROGRESS], code=Code.INVALID_TRANSITION)
    note = _note(note, required=True)
    photos = await _photos(principal, photo_ids, "photoIds")
    async with unit_of_work():
        await record_note(complaint, Change(complaint.status, ComplaintEvent.COMPLAINT_PROGRESS,
                                            principal.user, _label(principal), note=note,
                                            public=public, photo_ids=photos,
                                            author_skpd_id=_skpd_id(principal)))
        if public:
            from command_center.notify import notify_reporter

            await notify_reporter(complaint, note)
    return complaint


async def resolve(principal: Principal, complaint_id: int, note: str,
                  proof_photo_ids: list[int]) -> Complaint:
    complaint, _ = await _held_case(principal, complaint_id)
    if complaint.status != S.IN_PROGRESS:
        raise refused(complaint.status, [S.IN_PROGRESS], code=Code.INVALID_TRANSITION)
    note = _note(note, required=True)
    if not proof_photo_ids:
        raise ServiceError(Code.PROOF_PHOTO_REQUIRED, "proofPhotoIds")
    photos = await _photos(principal, proof_photo_ids, "proofPhotoIds")
    async with unit_of_work():
        await change_status(complaint, Change(S.RESOLVED, ComplaintEvent.COMPLAINT_RESOLVED,
                                              principal.user, _label(principal), note=note,
                                              photo_ids=photos,
                                              author_skpd_id=_skpd_id(principal)),
                            expected=S.IN_PROGRESS)
    return complaint


async def return_case(principal: Principal, complaint_id: int, reason: str) -> Complaint:
    """Not this agency's job: it stops holding the case; with no agency left, the case goes
    back to the command center (VERIFIED) to be dispatched elsewhere."""
    complaint, held = await _held_case(principal, complaint_id)
    reason = _note(reason, required=True, field="reason")
    if complaint.status not in (S.DISPATCHED, S.IN_PROGRESS):
        raise refused(complaint.status, (S.DISPATCHED, S.IN_PROGRESS),
                      code=Code.INVALID_TRANSITION)
    async with unit_of_work():
        held.active, held.ended_at = False, utcnow()
        await held.save(update_fields=["active", "ended_at"])
        others = await Dispatch.filter(complaint_id=complaint.id, active=True).exists()
        change = Change(S.VERIFIED, ComplaintEvent.COMPLAINT_RETURNED, principal.user,
                        _label(principal), note=f"Dikembalikan ke Command Center: {reason}",
                        public=False, skpd_ids=[held.skpd_id],
                        payload={"returned": True, "reason": reason},
                        author_skpd_id=held.skpd_id)
        if others:
            change.to = complaint.status
            await record_note(complaint, change)
        else:
            await change_status(complaint, change, expected=complaint.status)
    return complaint
