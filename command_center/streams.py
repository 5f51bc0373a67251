"""Who hears which event on the live stream."""

from __future__ import annotations

from collections.abc import Callable

from among_warga.models import Complaint
from among_warga.visibility import Audience, audience_for, is_operator
from backend.accounts.models import Role
from backend.accounts.services import Principal
from backend.events.models import DomainEvent

Filter = Callable[[DomainEvent], bool]


def command_center_filter(principal: Principal) -> Filter:
    """Operators see everything; responders the events of cases dispatched to their SKPD;
    a resident only the public events of their own complaints."""
    if is_operator(principal):
        # Every complaint event; other domains' events (Among Kota's public content) are
        # not cases and have no place on this stream.
        return lambda event: event.subject_type == "complaint"
    skpd_id = principal.skpd.id if principal.has(Role.RESPONDER) and principal.skpd else None
    user_id = principal.user.id

    def accept(event: DomainEvent) -> bool:
        if event.subject_type != "complaint":
            return False
        if skpd_id is not None and skpd_id in (event.skpd_ids or []):
            return True
        return event.owner_id == user_id and event.payload.get("public", True)

    return accept


async def case_filter(principal: Principal, complaint: Complaint) -> Filter | None:
    """Events of one complaint, for someone allowed to follow it (None: not allowed)."""
    audience = await audience_for(complaint, principal)
    if audience is None or audience == Audience.PUBLIC:
        return None
    general = command_center_filter(principal)

    def accept(event: DomainEvent) -> bool:
        return (event.subject_type == "complaint" and event.subject_id == complaint.id
                and general(event))

    return accept
