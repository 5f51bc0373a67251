"""Who hears which event on the live stream: the event's audience (computed when it was
recorded, among_warga.events.complaint_audience) against the viewer's keys — operators and
admins all, responders their SKPD's cases, a resident the public events of their own."""

from __future__ import annotations

from collections.abc import Callable

from among_warga.models import Complaint
from among_warga.visibility import Audience, audience_for
from backend.accounts.services import Principal
from backend.events.models import DomainEvent

Filter = Callable[[DomainEvent], bool]


def complaint_events(event: DomainEvent) -> bool:
    return event.subject_type == "complaint"


async def case_filter(principal: Principal, complaint: Complaint) -> Filter | None:
    """Events of one complaint, for someone allowed to follow it (None: not allowed)."""
    audience = await audience_for(complaint, principal)
    if audience is None or audience == Audience.PUBLIC:
        return None

    def accept(event: DomainEvent) -> bool:
        return event.subject_type == "complaint" and event.subject_id == complaint.id

    return accept
