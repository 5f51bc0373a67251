"""Who may see which complaint, and the reporter's personal data.

- the reporter: everything about their own complaint;
- operators (and admins): every complaint and its reporter — each read of personal data logged;
- responders: complaints dispatched to their SKPD (now or before), same logging;
- everyone else: only PUBLIC and ANONYMOUS complaints, without phone or NIK ever, without a
  name for ANONYMOUS, and with the location coarsened for sensitive categories (Narkoba).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from among_warga.models import PUBLIC_VISIBILITIES, Complaint, PersonalDataAccess, Visibility
from backend.accounts.models import Role
from backend.accounts.services import Principal
from command_center.models import Dispatch

# Sensitive categories show on public maps snapped to a ~110 m grid (3 decimals of a degree).
PUBLIC_ROUNDING_DECIMALS = 3


class Audience(Enum):
    REPORTER = "reporter"
    STAFF = "staff"  # operator, admin, or responder of a dispatched SKPD
    PUBLIC = "public"


@dataclass(frozen=True)
class View:
    complaint: Complaint
    audience: Audience
    viewer: Principal | None

    @property
    def sees_personal_data(self) -> bool:
        return self.audience in (Audience.REPORTER, Audience.STAFF)

    @property
    def sees_internal_notes(self) -> bool:
        return self.audience == Audience.STAFF

    @property
    def reporter_name_public(self) -> bool:
        return self.complaint.visibility == Visibility.PUBLIC

    def location(self) -> tuple[float, float]:
        c = self.complaint
        if self.audience == Audience.PUBLIC and c.category.sensitive_location:
            return (round(c.lat, PUBLIC_ROUNDING_DECIMALS), round(c.lon, PUBLIC_ROUNDING_DECIMALS))
        return (c.lat, c.lon)


def is_operator(principal: Principal | None) -> bool:
    return principal is not None and bool(principal.roles & {Role.OPERATOR, Role.ADMIN})


async def audience_for(complaint: Complaint, principal: Principal | None) -> Audience | None:
    """The viewer's audience for this complaint, or None if they may not see it at all."""
    if principal is not None:
        if complaint.reporter_id == principal.user.id:
            return Audience.REPORTER
        if is_operator(principal):
            return Audience.STAFF
        if principal.has(Role.RESPONDER) and principal.skpd is not None:
            if await Dispatch.exists(complaint_id=complaint.id, skpd_id=principal.skpd.id):
                return Audience.STAFF
    if complaint.visibility in PUBLIC_VISIBILITIES:
        return Audience.PUBLIC
    return None


async def view_of(complaint: Complaint, principal: Principal | None) -> View | None:
    audience = await audience_for(complaint, principal)
    return None if audience is None else View(complaint, audience, principal)


async def log_personal_data_read(view: View, fields_read: str) -> None:
    if view.audience != Audience.STAFF or view.viewer is None:
        return
    await PersonalDataAccess.create(
        staff=view.viewer.user, complaint=view.complaint,
        reporter_id=view.complaint.reporter_id, fields_read=fields_read,
    )
