"""Reading complaints: lookups and the lists behind myComplaints and publicComplaints."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from among_warga import spatial
from among_warga.errors import ComplaintErrorCode as Code
from among_warga.models import Complaint, ComplaintCategory, ComplaintStatus
from among_warga.visibility import Policy, View
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
    category_ids = await category_ids_for(category_codes)

    async def fetch(before_id: int | None, limit: int) -> list[Complaint]:
        return await spatial.public_in_bbox(bbox, category_ids, statuses,
                                            before_id=before_id, limit=limit)

    async def count() -> int:
        return await spatial.count_public_in_bbox(bbox, category_ids, statuses)

    return await paginate_keyset(connection, first=first, after=after, fetch=fetch,
                                 count=count, nodes=nodes)


async def category_ids_for(codes: list[str] | None) -> list[int] | None:
    """The ids of the category codes a public list filters on (None: no filter). Unknown codes
    are refused, naming them — never a silently empty answer."""
    if not codes:
        return None
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    found = dict(await ComplaintCategory.filter(code__in=wanted).values_list("code", "id"))
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ServiceError(Code.UNKNOWN_CATEGORY, "categoryCodes", codes=", ".join(unknown))
    return [found[c] for c in wanted]


def viewer_nodes(
    principal: Principal | None,
) -> Callable[[list[Complaint]], Awaitable[list[View | None]]]:
    """Each complaint of a page as this caller may see it — the same way in every list, so a
    client caching complaints by id never holds two versions of one (the public map shows a
    reporter their own pin exactly, as myComplaints does). Decided for the page at once."""

    async def nodes(rows: list[Complaint]) -> list[View | None]:
        return await Policy(principal).views(rows)

    return nodes
