from __future__ import annotations

import graphene

from among_warga.api.types import ComplaintConnection, ComplaintStatusEnum
from among_warga.case_errors import CaseErrorCode
from among_warga.listing import viewer_nodes
from among_warga.models import OPEN_STATUSES, Complaint, ComplaintStatus, Dispatch
from backend.accounts.graphql.types import SkpdType
from backend.accounts.models import Skpd
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.events.bus import latest_event_id
from backend.graphql.core import guarded, paginate, parse_int_id
from backend.permissions import OPERATOR, SIGNED_IN
from command_center import services


class SkpdWorkloadType(graphene.ObjectType):
    class Meta:
        name = "SkpdWorkload"

    skpd = graphene.Field(SkpdType, required=True)
    open_cases = graphene.Int(required=True)
    overdue_cases = graphene.Int(required=True)
    awaiting_acceptance = graphene.Int(required=True)


class CommandCenterQueries(graphene.ObjectType):
    case_queue = graphene.Field(
        ComplaintConnection, required=True,
        statuses=graphene.List(graphene.NonNull(ComplaintStatusEnum)),
        overdue_only=graphene.Boolean(default_value=False),
        first=graphene.Int(), after=graphene.String(),
        description="Operator: cases by status (default: all open), newest first.",
    )
    routing_suggestion = graphene.List(
        graphene.NonNull(SkpdType), required=True, id=graphene.ID(required=True),
        description="Operator: the SKPD the routing table names for this case.",
    )
    skpd_workload = graphene.List(
        graphene.NonNull(SkpdWorkloadType), required=True,
        description="Operator: open, overdue and not-yet-accepted cases per SKPD.",
    )
    latest_event_cursor = graphene.String(
        required=True,
        description="The cursor of the newest event. Read it before a snapshot (caseQueue) and "
        "subscribe from it: every change after the snapshot's start is then replayed, none lost "
        "between the two.",
    )

    @staticmethod
    @guarded(OPERATOR)
    async def resolve_case_queue(root, info, statuses=None, overdue_only=False, first=None,
                                 after=None):
        wanted = [ComplaintStatus(getattr(s, "value", s)) for s in statuses or []]
        queryset = Complaint.filter(status__in=wanted or list(OPEN_STATUSES)).select_related(
            "category")
        if overdue_only:
            queryset = queryset.filter(sla_due_at__lte=utcnow())
        principal = await info.context.principal()
        return await paginate(queryset, ComplaintConnection, first=first, after=after,
                              nodes=viewer_nodes(principal))

    @staticmethod
    @guarded(OPERATOR)
    async def resolve_routing_suggestion(root, info, id):
        try:
            complaint = await services.load_case(parse_int_id(id, CaseErrorCode.NOT_FOUND, "id"))
        except ServiceError:
            return []
        return await services.routing_suggestion(complaint)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_latest_event_cursor(root, info):
        return str(await latest_event_id())

    @staticmethod
    @guarded(OPERATOR)
    async def resolve_skpd_workload(root, info):
        now = utcnow()
        rows = await Dispatch.filter(active=True, complaint__status__in=list(OPEN_STATUSES)) \
            .select_related("complaint")
        per: dict[int, list[int]] = {}
        for d in rows:
            counts = per.setdefault(d.skpd_id, [0, 0, 0])
            counts[0] += 1
            counts[1] += bool(d.complaint.sla_due_at and d.complaint.sla_due_at <= now)
            counts[2] += d.accepted_at is None
        return [SkpdWorkloadType(skpd=s, open_cases=per.get(s.id, [0, 0, 0])[0],
                                 overdue_cases=per.get(s.id, [0, 0, 0])[1],
                                 awaiting_acceptance=per.get(s.id, [0, 0, 0])[2])
                for s in await Skpd.all().order_by("code")]
