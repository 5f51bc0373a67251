"""Among Warga's after-commit handlers (its manifest's ``handlers``): the reporter hears of
every public change to their complaint by push."""

from __future__ import annotations

from among_warga.events import ComplaintEvent as E
from among_warga.models import Complaint, ComplaintStatus
from among_warga.transitions import STATUS_TEXT_ID
from backend.events.handlers import Handler
from backend.events.models import DomainEvent
from backend.push.services import enqueue_push

# Status changes and public responses. Not: the submission (the reporter did it), support
# counts, re-categorisation and deadlines (internal), which never pushed.
REPORTER_HEARS = (
    E.COMPLAINT_VERIFIED, E.COMPLAINT_REJECTED, E.COMPLAINT_DUPLICATE, E.COMPLAINT_DISPATCHED,
    E.COMPLAINT_RECALLED, E.COMPLAINT_RETURNED, E.COMPLAINT_ACCEPTED, E.COMPLAINT_PROGRESS,
    E.COMPLAINT_RESOLVED, E.COMPLAINT_REOPENED, E.COMPLAINT_CONFIRMED, E.COMPLAINT_CLOSED,
)


def push_data(complaint_id: int, ticket_number: str, status: str, kind: str) -> dict[str, str]:
    return {"kind": kind, "complaintId": str(complaint_id), "ticketNumber": ticket_number,
            "status": status}


async def notify_reporter(event: DomainEvent) -> None:
    """A public change reaches the resident who reported (as the case was at the event)."""
    payload = event.payload
    if not payload.get("public", True):
        return
    reporter = await Complaint.filter(id=event.subject_id).values_list("reporter_id", flat=True)
    if not reporter or reporter[0] is None:
        return
    status = ComplaintStatus(payload["status"])
    body = f"Laporan Anda {STATUS_TEXT_ID[status]}."
    if payload.get("note"):
        body += f" {payload['note'][:120]}"
    await enqueue_push(
        reporter, title=f"Laporan {payload['ticketNumber']}", body=body,
        data=push_data(event.subject_id, payload["ticketNumber"], status.value,
                       "complaint_update"),
        dedupe_key=f"event:{event.id}",
    )


HANDLERS = [Handler("among_warga.notify-reporter", REPORTER_HEARS, notify_reporter)]
