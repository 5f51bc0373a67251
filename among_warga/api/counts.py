"""Open-report counts for other domains' public pages (Among Kota's city conditions): how many
reports are open, per village and category — numbers only, never a report, its reporter or
its point.

Only reports the public may already see (PUBLIC and ANONYMOUS, the ones ``publicComplaints``
lists) are counted: a CONFIDENTIAL report stays out even of a count, since "one open report of
drugs in this village" can point at a person. The box, when given, is tested against each
report's *public* point, the same one the public map shows."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.functions import Count

from among_warga.events import CategoryEvent, ComplaintEvent
from among_warga.models import OPEN_STATUSES, PUBLIC_VISIBILITIES, Complaint
from backend.geo.geodesy import Bbox

# The events after which the counts may differ: a report opens (submitted, reopened), leaves
# the open statuses (rejected, duplicate, resolved, closed), changes category, or a category
# is renamed. Verifying, dispatching, accepting and progress keep a report open.
COUNT_CHANGES = (
    ComplaintEvent.COMPLAINT_SUBMITTED, ComplaintEvent.COMPLAINT_REOPENED,
    ComplaintEvent.COMPLAINT_REJECTED, ComplaintEvent.COMPLAINT_DUPLICATE,
    ComplaintEvent.COMPLAINT_RESOLVED, ComplaintEvent.COMPLAINT_CLOSED,
    ComplaintEvent.COMPLAINT_CONFIRMED, ComplaintEvent.COMPLAINT_RECATEGORISED,
    CategoryEvent.SAVED,
)


@dataclass(frozen=True)
class OpenReportCount:
    village_code: str | None  # None: a report outside every known village
    village_name: str | None
    category_code: str
    category_name_id: str
    category_name_en: str
    count: int


async def open_report_counts(bbox: Bbox | None = None) -> list[OpenReportCount]:
    """Open public reports grouped by village and category, largest first (one statement)."""
    reports = Complaint.filter(status__in=OPEN_STATUSES, visibility__in=PUBLIC_VISIBILITIES)
    if bbox is not None:
        reports = reports.filter(public_lat__gte=bbox.south, public_lat__lte=bbox.north,
                                 public_lon__gte=bbox.west, public_lon__lte=bbox.east)
    columns = ("village_code", "village_name", "category__code", "category__name_id",
               "category__name_en")
    rows = await reports.annotate(n=Count("id")).group_by(*columns).values(*columns, "n")
    counts = [
        OpenReportCount(r["village_code"], r["village_name"], r["category__code"],
                        r["category__name_id"], r["category__name_en"], r["n"])
        for r in rows
    ]
    counts.sort(key=lambda c: (-c.count, c.village_name or "~", c.category_code))
    return counts
