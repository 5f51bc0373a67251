"""The complaint's events (this domain's ``Domain.event_types``) and who hears of them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from backend.accounts.models import Role
from backend.events import audience


class ComplaintEvent(str, Enum):
    COMPLAINT_SUBMITTED = "complaint.submitted"
    COMPLAINT_SUPPORTED = "complaint.supported"
    COMPLAINT_VERIFIED = "complaint.verified"
    COMPLAINT_REJECTED = "complaint.rejected"
    COMPLAINT_DUPLICATE = "complaint.duplicate"
    COMPLAINT_RECATEGORISED = "complaint.recategorised"
    COMPLAINT_DISPATCHED = "complaint.dispatched"
    COMPLAINT_RECALLED = "complaint.recalled"
    COMPLAINT_RETURNED = "complaint.returned"
    COMPLAINT_ACCEPTED = "complaint.accepted"
    COMPLAINT_PROGRESS = "complaint.progress"
    COMPLAINT_RESOLVED = "complaint.resolved"
    COMPLAINT_REOPENED = "complaint.reopened"
    COMPLAINT_CONFIRMED = "complaint.confirmed"
    COMPLAINT_CLOSED = "complaint.closed"
    COMPLAINT_OVERDUE = "complaint.overdue"


class CategoryEvent(str, Enum):
    # Not a case event (heard by the admin who saved, rendered by no stream): it tells every
    # worker's public-read cache that category names or the sensitive flag changed.
    SAVED = "complaint_category.saved"


# The command center (operators, and admins) hears of every complaint event.
STAFF = (Role.OPERATOR, Role.ADMIN)


def complaint_audience(reporter_id: int | None, skpd_ids: Iterable[int], *,
                       public: bool) -> list[str]:
    """Operators and admins; the agencies holding the case after the change; the reporter
    when the change is public to them (internal notes, recalls and overdue flags are not)."""
    keys = [*audience.roles(STAFF), *audience.skpds(skpd_ids)]
    if public and reporter_id is not None:
        keys.append(audience.user(reporter_id))
    return keys
