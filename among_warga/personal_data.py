"""Among Warga's part of ``myData``: the person's complaints (with their photos and public
timeline), the complaints they supported, and every read of their personal data by staff.

Deleting the account needs nothing here: complaints keep pointing at the erased account, so
they stay whole for the city's statistics and the public map, without a name.
"""

from __future__ import annotations

from typing import Any

from among_warga.models import (
    Complaint,
    ComplaintPhoto,
    ComplaintSupport,
    PersonalDataAccess,
    TimelineEntry,
)
from backend.accounts.personal_data import (
    ExportContext,
    PersonalDataSection,
    StaffRead,
    register,
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export(context: ExportContext) -> dict[str, Any]:
    complaints = await Complaint.filter(reporter_id=context.user_id).select_related(
        "category").order_by("id")
    ids = [c.id for c in complaints]
    photos: dict[int, list[str]] = {}
    for link in await ComplaintPhoto.filter(complaint_id__in=ids).order_by("position"):
        photos.setdefault(link.complaint_id, []).append(str(link.photo_id))
    timeline: dict[int, list[dict[str, Any]]] = {}
    # The public timeline: what the person was told. Staff's internal notes are the city's
    # working papers about the case, not data about the person.
    for entry in await TimelineEntry.filter(complaint_id__in=ids, public=True).order_by("id"):
        timeline.setdefault(entry.complaint_id, []).append({
            "at": _iso(entry.created_at), "kind": entry.kind.value,
            "toStatus": entry.to_status, "note": entry.note, "by": entry.actor_label,
        })
    supports = await ComplaintSupport.filter(user_id=context.user_id).select_related(
        "complaint").order_by("id")
    english = context.language == "en"
    return {
        "complaints": [
            {
                "ticketNumber": c.ticket_number,
                "status": c.status.value,
                "visibility": c.visibility.value,
                "category": c.category.name_en if english else c.category.name_id,
                "description": c.description,
                "location": {"lat": c.lat, "lon": c.lon},
                "area": {"village": c.village_name, "district": c.district_name},
                "submittedAt": _iso(c.created_at),
                "resolvedAt": _iso(c.resolved_at),
                "closedAt": _iso(c.closed_at),
                "rating": c.rating,
                "ratingComment": c.rating_comment,
                "photoIds": photos.get(c.id, []),
                "timeline": timeline.get(c.id, []),
            }
            for c in complaints
        ],
        "supported": [
            {"ticketNumber": s.complaint.ticket_number, "at": _iso(s.created_at)}
            for s in supports
        ],
    }


async def staff_reads(user_id: int) -> list[StaffRead]:
    reads = await PersonalDataAccess.filter(reporter_id=user_id).select_related(
        "complaint").order_by("id")
    return [
        StaffRead(staff_id=r.staff_id, at=r.created_at,
                  fields=tuple(f for f in r.fields_read.split(",") if f),
                  subject={"type": "complaint", "ticketNumber": r.complaint.ticket_number})
        for r in reads
    ]


register(PersonalDataSection(key="amongWarga", export=export, staff_reads=staff_reads))
