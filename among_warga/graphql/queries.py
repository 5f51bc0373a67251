from __future__ import annotations

import graphene

from among_warga import listing, services
from among_warga.api.types import (
    ComplaintCategoryType,
    ComplaintConnection,
    ComplaintStatusEnum,
    ComplaintType,
    SimilarComplaintType,
)
from among_warga.events import CategoryEvent, ComplaintEvent
from among_warga.models import ComplaintCategory, ComplaintStatus
from among_warga.visibility import public_distance, view_of
from backend.accounts.events import AccountEvent
from backend.geo.graphql.types import BboxInput
from backend.graphql.core import guarded, paginate
from backend.permissions import PUBLIC, SIGNED_IN
from backend.read_cache import public_read

# What changes a public answer about complaints: any complaint event (status, support count,
# overdue flag, a new one), a category saved by an admin (names, the sensitive flag), a
# reporter who erased their account (their name).
COMPLAINT_CHANGES = (*ComplaintEvent, CategoryEvent.SAVED, AccountEvent.ERASED,
                     AccountEvent.RENAMED)


def _statuses(values) -> list[ComplaintStatus] | None:
    return [ComplaintStatus(getattr(v, "value", v)) for v in values] if values else None


class ComplaintQueries(graphene.ObjectType):
    complaint_categories = graphene.List(
        graphene.NonNull(ComplaintCategoryType), required=True,
        include_inactive=graphene.Boolean(default_value=False),
        description="Categories a resident can pick, in display order.",
    )
    complaint = graphene.Field(
        ComplaintType, id=graphene.ID(), ticket_number=graphene.String(),
        description="One complaint by id or ticket number, as the caller may see it (null "
        "when it does not exist or is not visible to the caller).",
    )
    my_complaints = graphene.Field(
        ComplaintConnection, required=True, status=graphene.Argument(ComplaintStatusEnum),
        first=graphene.Int(), after=graphene.String(),
        description="The caller's own complaints, newest first.",
    )
    public_complaints = graphene.Field(
        ComplaintConnection, required=True, bbox=graphene.Argument(BboxInput, required=True),
        category_codes=graphene.List(graphene.NonNull(graphene.String)),
        statuses=graphene.List(graphene.NonNull(ComplaintStatusEnum)),
        first=graphene.Int(), after=graphene.String(),
        description="PUBLIC and ANONYMOUS complaints whose public point is inside the map "
        "bounds, newest first; each shown as the caller may see it (a reporter sees their own "
        "exactly). Unknown category codes are refused (BAD_USER_INPUT, unknown_category).",
    )
    similar_complaints = graphene.List(
        graphene.NonNull(SimilarComplaintType), required=True,
        category_code=graphene.String(required=True), lat=graphene.Float(required=True),
        lon=graphene.Float(required=True), radius_meters=graphene.Float(),
        description="Open public complaints of the category nearby from the last 14 days — "
        "offer 'is this the same problem?' before submitting. Measured to each complaint's "
        "public point (coarse for sensitive categories), like the public map.",
    )

    @staticmethod
    @public_read(invalidated_by=(CategoryEvent.SAVED,))
    @guarded(PUBLIC)
    async def resolve_complaint_categories(root, info, include_inactive=False):
        categories = ComplaintCategory.all()
        if not include_inactive:
            categories = categories.filter(active=True)
        return await categories.order_by("sort_order", "code")

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_complaint(root, info, id=None, ticket_number=None):
        complaint = await listing.find_complaint(id=id, ticket_number=ticket_number)
        if complaint is None:
            return None
        return await view_of(complaint, await info.context.principal())

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_complaints(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        queryset = listing.my_complaints(principal.user, _statuses([status] if status else None))
        return await paginate(queryset, ComplaintConnection, first=first, after=after,
                              nodes=listing.viewer_nodes(principal))

    @staticmethod
    @public_read(invalidated_by=COMPLAINT_CHANGES)
    @guarded(PUBLIC)
    async def resolve_public_complaints(
        root, info, bbox, category_codes=None, statuses=None, first=None, after=None
    ):
        principal = await info.context.principal()
        return await listing.public_complaints_page(
            (bbox.south, bbox.west, bbox.north, bbox.east), category_codes,
            _statuses(statuses), first=first, after=after, connection=ComplaintConnection,
            nodes=listing.viewer_nodes(principal),
        )

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_similar_complaints(root, info, category_code, lat, lon, radius_meters=None):
        found = await services.similar_complaints(
            category_code, lat, lon, radius_meters or services.SIMILAR_RADIUS_M
        )
        principal = await info.context.principal()
        views = await listing.viewer_nodes(principal)([c for c, _ in found])
        # A public search: distances are to the public point, rounded like it.
        return [SimilarComplaintType(
                    complaint=v,
                    distance_meters=public_distance(d, c.category.sensitive_location))
                for v, (c, d) in zip(views, found, strict=True)]
