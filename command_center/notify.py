"""Who gets a push for what, run as after-commit handlers (see command_center/handlers.py)
from the event log: each call only queues rows in the durable outbox; sending happens in
the push job, so a failing FCM never fails a mutation, and a rolled-back change never
notifies anyone."""

from __future__ import annotations

from among_warga.handlers import push_data
from among_warga.models import Complaint
from among_warga.transitions import STATUS_TEXT_ID
from backend.accounts.models import Role, UserRole
from backend.push.services import enqueue_push


async def skpd_members(skpd_ids: list[int], *, supervisors_only: bool = False) -> list[int]:
    grants = UserRole.filter(role=Role.RESPONDER, skpd_id__in=skpd_ids)
    if supervisors_only:
        grants = grants.filter(supervisor=True)
    return sorted(set(await grants.values_list("user_id", flat=True)))


def _data(complaint: Complaint, kind: str) -> dict[str, str]:
    return push_data(complaint.id, complaint.ticket_number, complaint.status.value, kind)


async def notify_dispatch(complaint: Complaint, skpd_ids: list[int], dispatch_key: str) -> None:
    """A new case for the agency: every responder of each SKPD it was sent to."""
    await enqueue_push(
        await skpd_members(skpd_ids),
        title=f"Kasus baru {complaint.ticket_number}",
        body=f"{complaint.category.name_id} di {complaint.village_name or 'Kota Batu'}.",
        data=_data(complaint, "dispatch"),
        dedupe_key=f"dispatch:{dispatch_key}",
    )


async def notify_escalation(complaint: Complaint, skpd_ids: list[int], deadline_key: str) -> None:
    """A missed deadline: the SKPD's supervisors and the command center's operators."""
    operators = await UserRole.filter(role=Role.OPERATOR).values_list("user_id", flat=True)
    users = sorted(set(await skpd_members(skpd_ids, supervisors_only=True)) | set(operators))
    await enqueue_push(
        users,
        title=f"Terlambat: {complaint.ticket_number}",
        body=f"{complaint.category.name_id} — batas waktu {STATUS_TEXT_ID[complaint.status]} "
             "terlewati.",
        data=_data(complaint, "overdue"),
        dedupe_key=f"overdue:{complaint.id}:{deadline_key}",
    )
