"""The command center's after-commit handlers (its manifest's ``handlers``): agencies hear
of new cases, supervisors and operators of missed deadlines."""

from __future__ import annotations

from among_warga.events import ComplaintEvent as E
from among_warga.models import Complaint, ComplaintStatus
from backend.events.handlers import Handler
from backend.events.models import DomainEvent
from command_center.notify import notify_dispatch, notify_escalation


async def _case(event: DomainEvent) -> Complaint | None:
    complaint = await Complaint.get_or_none(id=event.subject_id).select_related("category")
    if complaint is not None and event.payload.get("status"):
        # As the case was when the event happened (the push says what happened then).
        complaint.status = ComplaintStatus(event.payload["status"])
    return complaint


async def on_dispatched(event: DomainEvent) -> None:
    new_ids = event.payload.get("newSkpdIds") or []
    complaint = await _case(event) if new_ids else None
    if complaint is not None:
        await notify_dispatch(complaint, new_ids, f"event:{event.id}")


async def on_overdue(event: DomainEvent) -> None:
    complaint = await _case(event)
    if complaint is not None:
        await notify_escalation(complaint, event.payload.get("skpdIds") or [],
                                event.payload.get("deadline") or str(event.id))


HANDLERS = [
    Handler("command_center.notify-dispatch", (E.COMPLAINT_DISPATCHED,), on_dispatched),
    Handler("command_center.notify-escalation", (E.COMPLAINT_OVERDUE,), on_overdue),
]
