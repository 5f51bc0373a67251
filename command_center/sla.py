"""Deadlines: every open case has ``sla_due_at`` for its current stage (triage, first
response, resolution). This job flags each missed deadline exactly once — it is data, so it
survives restarts, and the flag is a conditional update, so several processes running the
job at once cannot both fire — emits an OVERDUE event, from which command_center/handlers.py
escalates by push."""

from __future__ import annotations

from datetime import datetime

from among_warga.events import ComplaintEvent
from among_warga.models import OPEN_STATUSES, Complaint, ComplaintStatus, Dispatch
from among_warga.transitions import Change, record_note
from backend.clock import utcnow
from backend.events import unit_of_work
from backend.jobs import Job
from backend.settings import Settings

STAGE = {
    ComplaintStatus.SUBMITTED: "triage", ComplaintStatus.VERIFIED: "triage",
    ComplaintStatus.DISPATCHED: "response", ComplaintStatus.IN_PROGRESS: "resolution",
}


async def flag_overdue(now: datetime | None = None) -> int:
    now = now or utcnow()
    due = await Complaint.filter(status__in=OPEN_STATUSES, sla_due_at__lte=now) \
        .select_related("category").order_by("sla_due_at").limit(500)
    flagged = 0
    for complaint in due:
        deadline = complaint.sla_due_at
        if deadline is None or complaint.overdue_flagged_for == deadline:
            continue
        guard = Complaint.filter(id=complaint.id, status=complaint.status, sla_due_at=deadline)
        guard = (guard.filter(overdue_flagged_for__isnull=True)
                 if complaint.overdue_flagged_for is None
                 else guard.filter(overdue_flagged_for=complaint.overdue_flagged_for))
        async with unit_of_work():
            if not await guard.update(overdue_flagged_for=deadline):
                continue  # another process flagged it, or the case moved on
            stage = STAGE[complaint.status]
            skpd_ids = sorted(set(await Dispatch.filter(complaint_id=complaint.id, active=True)
                                  .values_list("skpd_id", flat=True)))
            await record_note(complaint, Change(
                complaint.status, ComplaintEvent.COMPLAINT_OVERDUE, None, "Sistem",
                note=f"Batas waktu tahap {stage} terlewati ({deadline.isoformat()}).",
                public=False, skpd_ids=skpd_ids,
                payload={"overdue": True, "stage": stage, "deadline": deadline.isoformat(),
                         "skpdIds": skpd_ids},
            ))
        flagged += 1
    return flagged


def jobs(settings: Settings) -> list[Job]:
    """The command center's periodic jobs (named in its manifest)."""
    return [Job("flag-overdue-cases", 30.0, flag_overdue)]
