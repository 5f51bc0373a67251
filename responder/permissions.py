"""Who may do what in Among Respon: a responder works only the cases their SKPD holds now."""

from __future__ import annotations

from among_warga.models import Complaint, Dispatch
from backend.accounts.models import Role
from backend.accounts.services import Principal
from backend.errors import ServiceError
from backend.permissions import any_role
from responder.errors import ResponderErrorCode as Code

RESPONDER = any_role(Role.RESPONDER)


async def held_case(principal: Principal, complaint_id: int) -> tuple[Complaint, Dispatch]:
    """The case and the caller's SKPD's active dispatch of it; NOT_FOUND / NOT_YOUR_CASE."""
    complaint = await Complaint.get_or_none(id=complaint_id).select_related("category")
    if complaint is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    skpd = principal.skpd
    held = (await Dispatch.get_or_none(complaint_id=complaint.id, skpd_id=skpd.id, active=True)
            if skpd else None)
    if held is None:
        raise ServiceError(Code.NOT_YOUR_CASE, "id")
    return complaint, held


def skpd_label(principal: Principal) -> str:
    """How the caller signs their work on a timeline: their SKPD's name."""
    return principal.skpd.name if principal.skpd else "SKPD"


def skpd_id(principal: Principal) -> int | None:
    return principal.skpd.id if principal.skpd else None
