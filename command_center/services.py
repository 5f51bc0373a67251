"""Command center triage: verify, reject, mark duplicates, re-categorise, dispatch to SKPD
(with a routing suggestion from data), recall — each in the timeline and the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from among_warga.case_errors import CaseErrorCode as Code
from among_warga.case_errors import case_text
from among_warga.events import ComplaintEvent as Event
from among_warga.models import (
    OPEN_STATUSES,
    PUBLIC_VISIBILITIES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    Dispatch,
)
from among_warga.spatial import follow_category_flag
from among_warga.transitions import Change, change_status, record_note, refused
from among_warga.visibility import public_point
from backend.accounts.models import AuditLog, Skpd, User
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from command_center.models import RoutingRule

S = ComplaintStatus
COMMAND_CENTER = "Command Center"
DUPLICATE_OF_HIDDEN_NOTE = "Sama dengan laporan lain yang sudah ditangani."


async def load_case(complaint_id: int) -> Complaint:
    complaint = await Complaint.get_or_none(id=complaint_id).select_related("category")
    if complaint is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    return complaint


async def _audit(actor: User, action: str, complaint: Complaint, **detail: object) -> None:
    await AuditLog.create(actor=actor, action=action, target_type="Complaint",
                          target_id=str(complaint.id), detail=detail)


async def verify(actor: User, complaint_id: int, note: str | None = None) -> Complaint:
    complaint = await load_case(complaint_id)
    note = case_text(note)
    async with unit_of_work():
        await change_status(complaint, Change(S.VERIFIED, Event.COMPLAINT_VERIFIED, actor,
                                              COMMAND_CENTER, note=note),
                            expected=S.SUBMITTED)
        await _audit(actor, "verify", complaint, note=note)
    return complaint


async def reject(actor: User, complaint_id: int, reason: str) -> Complaint:
    complaint = await load_case(complaint_id)
    reason = case_text(reason, field="reason", required=True)
    if complaint.status not in (S.SUBMITTED, S.VERIFIED):
        raise refused(complaint.status, (S.SUBMITTED, S.VERIFIED), code=Code.INVALID_TRANSITION)
    async with unit_of_work():
        await change_status(
            complaint,
            Change(S.REJECTED, Event.COMPLAINT_REJECTED, actor, COMMAND_CENTER, note=reason,
                   fields={"rejection_reason": reason}, payload={"reason": reason}),
            expected=complaint.status,
        )
        await _audit(actor, "reject", complaint, reason=reason)
    return complaint


async def mark_duplicate(actor: User, complaint_id: int, original_id: int) -> Complaint:
    complaint = await load_case(complaint_id)
    if complaint_id == original_id:
        raise ServiceError(Code.SAME_CASE, "originalId")
    original = await Complaint.get_or_none(id=original_id)
    if original is None or original.duplicate_of_id is not None:
        raise ServiceError(Code.ORIGINAL_NOT_FOUND, "originalId")
    # The note is public (the reporter reads it, and the public if the report is public): it
    # names the original only if the original is public too. Who may see the original is
    # otherwise decided when ``duplicateOf`` is read.
    if original.visibility in PUBLIC_VISIBILITIES:
        note = f"Sama dengan laporan {original.ticket_number}."
    else:
        note = DUPLICATE_OF_HIDDEN_NOTE
    async with unit_of_work():
        await change_status(
            complaint,
            Change(S.DUPLICATE, Event.COMPLAINT_DUPLICATE, actor, COMMAND_CENTER, note=note,
                   fields={"duplicate_of_id": original.id},
                   payload={"originalId": original.id,
                            "originalTicketNumber": original.ticket_number}),
            expected=complaint.status,
        )
        await _end_dispatches(complaint.id)
        await _audit(actor, "mark_duplicate", complaint, original=original.id)
    return complaint


async def change_category(actor: User, complaint_id: int, category_code: str,
                          note: str | None = None) -> Complaint:
    complaint = await load_case(complaint_id)
    if complaint.status not in OPEN_STATUSES:
        raise refused(complaint.status, OPEN_STATUSES, code=Code.INVALID_TRANSITION)
    category = await ComplaintCategory.get_or_none(code=category_code)
    if category is None:
        raise ServiceError(Code.UNKNOWN_CATEGORY, "categoryCode", codes=category_code)
    previous = complaint.category.code
    note = case_text(note) or f"Kategori diubah: {complaint.category.name_id} → {category.name_id}."
    public_lat, public_lon = public_point(complaint.lat, complaint.lon,
                                          category.sensitive_location)
    async with unit_of_work():
        won = await Complaint.filter(id=complaint.id, status=complaint.status).update(
            category_id=category.id, public_lat=public_lat, public_lon=public_lon,
            updated_at=utcnow())
        if not won:
            current = await Complaint.filter(id=complaint.id).values_list("status", flat=True)
            raise refused(S(current[0]) if current else complaint.status, [complaint.status],
                          code=Code.INVALID_TRANSITION)
        complaint.category = category
        complaint.category_id = category.id
        complaint.public_lat, complaint.public_lon = public_lat, public_lon
        await follow_category_flag(complaint, category.id, category.sensitive_location)
        await record_note(complaint, Change(complaint.status, Event.COMPLAINT_RECATEGORISED,
                                            actor, COMMAND_CENTER, note=note,
                                            payload={"previousCategoryCode": previous}))
        await _audit(actor, "change_category", complaint, previous=previous, new=category.code)
    return complaint


async def routing_suggestion(complaint: Complaint) -> list[Skpd]:
    """The agencies the routing table names for the case's category and place: rules for its
    desa win over rules for its kecamatan, which win over city-wide rules."""
    rules = await RoutingRule.filter(category_code=complaint.category.code).select_related("skpd")
    for area in (complaint.village_code, complaint.district_code, None):
        chosen = [r.skpd for r in rules if r.area_code == area]
        if chosen:
            return sorted({s.id: s for s in chosen}.values(), key=lambda s: s.code)
    return []


DISPATCHABLE = (S.SUBMITTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS)


async def dispatch(actor: User, complaint_id: int, skpd_codes: Iterable[str] = (),
                   note: str | None = None, *, skpd_ids: Iterable[int] = ()) -> Complaint:
    """Send the case to one or more SKPD (by code — or by id, the older way); dispatching
    again re-routes it (agencies no longer named stop holding it)."""
    complaint = await load_case(complaint_id)
    skpds = await _skpds(list(skpd_codes), list(skpd_ids))
    wanted = sorted(s.id for s in skpds)
    note = case_text(note)
    if complaint.status not in DISPATCHABLE:
        raise refused(complaint.status, DISPATCHABLE, code=Code.INVALID_TRANSITION)
    names = ", ".join(s.name for s in sorted(skpds, key=lambda s: s.code))
    async with unit_of_work():
        current = {d.skpd_id: d for d in await Dispatch.filter(complaint_id=complaint.id,
                                                                active=True)}
        now = utcnow()
        for skpd_id, held in current.items():
            if skpd_id not in wanted:
                held.active, held.ended_at = False, now
                await held.save(update_fields=["active", "ended_at"])
        new_ids = [s for s in wanted if s not in current]
        for skpd_id in new_ids:
            await Dispatch.create(complaint_id=complaint.id, skpd_id=skpd_id, note=note,
                                  dispatched_by=actor)
        public_note = f"Diteruskan ke {names}." + (f" {note}" if note else "")
        await change_status(
            complaint,
            Change(S.DISPATCHED, Event.COMPLAINT_DISPATCHED, actor, COMMAND_CENTER,
                   note=public_note, skpd_ids=wanted, payload={"newSkpdIds": new_ids}),
            expected=complaint.status,
        )
        await _audit(actor, "dispatch", complaint, skpds=[s.code for s in skpds], note=note)
    return complaint


async def _skpds(codes: list[str], ids: list[int]) -> list[Skpd]:
    """The SKPD named by code and/or id; unknown ones are refused, naming each of them."""
    codes = list(dict.fromkeys(c.strip().lower() for c in codes if c is not None))
    ids = list(dict.fromkeys(ids))
    if not codes and not ids:
        raise ServiceError(Code.SKPD_REQUIRED, "skpdCodes")
    found: dict[int, Skpd] = {}
    problems = []
    if codes:
        by_code = {s.code: s for s in await Skpd.filter(code__in=codes)}
        missing = [c for c in codes if c not in by_code]
        if missing:
            problems.append(FieldError(Code.SKPD_NOT_FOUND, "skpdCodes",
                                       skpds=", ".join(repr(c) for c in missing)))
        found.update({s.id: s for s in by_code.values()})
    if ids:
        by_id = {s.id: s for s in await Skpd.filter(id__in=ids)}
        missing_ids = [i for i in ids if i not in by_id]
        if missing_ids:
            problems.append(FieldError(Code.SKPD_NOT_FOUND, "skpdIds",
                                       skpds=", ".join(f"id {i}" for i in missing_ids)))
        found.update(by_id)
    if problems:
        raise ServiceError(problems)
    return list(found.values())


async def recall(actor: User, complaint_id: int, reason: str) -> Complaint:
    """Take the case back from every agency (back to VERIFIED, to be re-dispatched)."""
    complaint = await load_case(complaint_id)
    reason = case_text(reason, field="reason", required=True)
    if complaint.status not in (S.DISPATCHED, S.IN_PROGRESS):
        raise refused(complaint.status, (S.DISPATCHED, S.IN_PROGRESS),
                      code=Code.INVALID_TRANSITION)
    async with unit_of_work():
        previous_skpds = await _end_dispatches(complaint.id)
        await change_status(
            complaint,
            Change(S.VERIFIED, Event.COMPLAINT_RECALLED, actor, COMMAND_CENTER,
                   note=reason, public=False, skpd_ids=previous_skpds,
                   payload={"recalled": True, "reason": reason}),
            expected=complaint.status,
        )
        await _audit(actor, "recall", complaint, reason=reason)
    return complaint


async def _end_dispatches(complaint_id: int) -> list[int]:
    held = await Dispatch.filter(complaint_id=complaint_id, active=True)
    now = utcnow()
    for dispatch_row in held:
        dispatch_row.active, dispatch_row.ended_at = False, now
        await dispatch_row.save(update_fields=["active", "ended_at"])
    return sorted({d.skpd_id for d in held})
