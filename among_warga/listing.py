"""Reading complaints: lookups and the lists behind myComplaints and publicComplaints."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from among_warga import spatial
from among_warga.errors import ComplaintErrorCode as Code
from among_warga.models import Complaint, ComplaintCategory, ComplaintStatus
from among_warga.visibility import Audience, View, audience_for
from backend.accounts.models import User
from backend.accounts.services import Principal
from backend.errors import ServiceError
from backend.graphql.core import paginate_keyset
from backend.ids import parse_id

TICKET_NUMBER_MAX_LENGTH = Complaint._meta.fields_map["ticket_number"].max_length


async def find_complaint(*, id: Any = None, ticket_number: str | None = None) -> Complaint | None:
    if id is not None:
        complaint_id = parse_id(id)
        if complaint_id is None:
            return None
        return await Complaint.get_or_none(id=complaint_id).select_related("category")
    ticket_number = (ticket_number or "").strip().upper()
    if ticket_number and len(ticket_number) <= TICKET_NUMBER_MAX_LENGTH:
        return await Complaint.get_or_none(ticket_number=ticket_number).select_related("category")
    return None


def my_complaints(user: User, statuses: list[ComplaintStatus] | None) -> Any:
    queryset = Complaint.filter(reporter_id=user.id).select_related("category")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


async def public_complaints_page(
    bbox: tuple[float, float, float, float],
    category_codes: list[str] | None,
    statuses: list[ComplaintStatus] | None,
    *,
    first: int | None,
    after: str | None,
    connection: Any,
    nodes: Callable[[list[Complaint]], Awaitable[list[View]]],
) -> Any:
    """PUBLIC and ANONYMOUS complaints in the map bounds, newest first, through the spatial
    index (GiST / R*Tree) — never a scan of every complaint in the city."""
    if not spatial.valid_bbox(*bbox):
        raise ServiceError(Code.INVALID_BBOX, "bbox")
    category_ids = None
    if category_codes:
        category_ids = list(
            await ComplaintCategory.filter(code__in=category_codes).values_list("id", flat=True)
        )

    async def fetch(before_id: int | None, limit: int) -> list[Complaint]:
        return await spatial.public_in_bbox(bbox, category_ids, statuses,
                                            before_id=before_id, limit=limit)

    async def count() -> int:
        return await spatial.count_public_in_bbox(bbox, category_ids, statuses)

    return await paginate_keyset(connection, first=first, after=after, fetch=fetch,
                                 count=count, nodes=nodes)


def viewer_nodes(principal: Principal | None) -> Callable[[list[Complaint]], Awaitable[list[View]]]:
    async def nodes(rows: list[Complaint]) -> list[View]:
        views = []
        for row in rows:
            audience = await audience_for(row, principal) or Audience.PUBLIC
            views.append(View(row, audience, principal))
        return views

    return nodes


def public_nodes(principal: Principal | None) -> Callable[[list[Complaint]], Awaitable[list[View]]]:
    """The public map shows every complaint the public way, whoever is looking."""

    async def nodes(rows: list[Complaint]) -> list[View]:
        return [View(row, Audience.PUBLIC, principal) for row in rows]

    return nodes
