"""Among Respon: SKPD staff work the cases dispatched to their agency."""

from __future__ import annotations

from typing import Any

from among_warga.events import ComplaintEvent
from among_warga.models import Complaint, ComplaintStatus, Dispatch
from among_warga.transitions import Change, change_status, record_note, refused
from backend.accounts.services import Principal
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.events import unit_of_work
from backend.media import services as media
from responder.errors import MAX_PHOTOS, case_text
from responder.errors import ResponderErrorCode as Code
from responder.permissions import held_case, skpd_id, skpd_label

S = ComplaintStatus


def inbox(principal: Principal, statuses: list[ComplaintStatus] | None) -> Any:
    """Cases the caller's SKPD holds now, newest first."""
    skpd_id = principal.skpd.id if principal.skpd else -1
    queryset = Complaint.filter(dispatches__skpd_id=skpd_id, dispatches__active=True)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.distinct().select_related("category")


async def _photos(principal: Principal, ids: list[int], field: str) -> list[int]:
    if len(ids) > MAX_PHOTOS:
        raise ServiceError(Code.TOO_MANY_PHOTOS, field)
    try:
        photos = await media.get_owned_photos(principal.user.id, ids, field=field)
    except ServiceError as exc:
        raise ServiceError(Code.PHOTO_NOT_FOUND, field) from exc
    return [p.id for p in photos]


async def accept(principal: Principal, complaint_id: int, note: str | None = None) -> Complaint:
    complaint, held = await held_case(principal, complaint_id)
    note = case_text(note) or f"Diterima oleh {skpd_label(principal)}."
    async with unit_of_work():
        if complaint.status == S.DISPATCHED:
            await change_status(complaint, Change(S.IN_PROGRESS, ComplaintEvent.COMPLAINT_ACCEPTED,
                                                  principal.user, skpd_label(principal), note=note,
                                                  author_skpd_id=skpd_id(principal)),
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
    complaint, _ = await held_case(principal, complaint_id)
    if complaint.status != S.IN_PROGRESS:
        raise refused(complaint.status, [S.IN_PROGRESS], code=Code.INVALID_TRANSITION)
    note = case_text(note, required=True)
    photos = await _photos(principal, photo_ids, "photoIds")
    async with unit_of_work():
        await record_note(complaint, Change(complaint.status, ComplaintEvent.COMPLAINT_PROGRESS,
                                            principal.user, skpd_label(principal), note=note,
                                            public=public, photo_ids=photos,
                                            author_skpd_id=skpd_id(principal)))
    return complaint


async def resolve(principal: Principal, complaint_id: int, note: str,
                  proof_photo_ids: list[int]) -> Complaint:
    complaint, _ = await held_case(principal, complaint_id)
    if complaint.status != S.IN_PROGRESS:
        raise refused(complaint.status, [S.IN_PROGRESS], code=Code.INVALID_TRANSITION)
    note = case_text(note, required=True)
    if not proof_photo_ids:
        raise ServiceError(Code.PROOF_PHOTO_REQUIRED, "proofPhotoIds")
    photos = await _photos(principal, proof_photo_ids, "proofPhotoIds")
    async with unit_of_work():
        await change_status(complaint, Change(S.RESOLVED, ComplaintEvent.COMPLAINT_RESOLVED,
                                              principal.user, skpd_label(principal), note=note,
                                              photo_ids=photos,
                                              author_skpd_id=skpd_id(principal)),
                            expected=S.IN_PROGRESS)
    return complaint


async def return_case(principal: Principal, complaint_id: int, reason: str) -> Complaint:
    """Not this agency's job: it stops holding the case; with no agency left, the case goes
    back to the command center (VERIFIED) to be dispatched elsewhere."""
    complaint, held = await held_case(principal, complaint_id)
    reason = case_text(reason, field="reason", required=True)
    if complaint.status not in (S.DISPATCHED, S.IN_PROGRESS):
        raise refused(complaint.status, (S.DISPATCHED, S.IN_PROGRESS),
                      code=Code.INVALID_TRANSITION)
    async with unit_of_work():
        held.active, held.ended_at = False, utcnow()
        await held.save(update_fields=["active", "ended_at"])
        others = await Dispatch.filter(complaint_id=complaint.id, active=True).exists()
        change = Change(S.VERIFIED, ComplaintEvent.COMPLAINT_RETURNED, principal.user,
                        skpd_label(principal), note=f"Dikembalikan ke Command Center: {reason}",
                        public=False, skpd_ids=[held.skpd_id],
                        payload={"returned": True, "reason": reason},
                        author_skpd_id=held.skpd_id)
        if others:
            change.to = complaint.status
            await record_note(complaint, change)
        else:
            await change_status(complaint, change, expected=complaint.status)
    return complaint
