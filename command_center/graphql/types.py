from __future__ import annotations

from datetime import datetime

import graphene

from among_warga.api.types import ComplaintStatusEnum, ComplaintType
from among_warga.events import ComplaintEvent
from among_warga.listing import find_complaint
from among_warga.models import ComplaintStatus
from among_warga.visibility import view_of
from backend.graphql.subscriptions import per_viewer

EventTypeEnum = graphene.Enum.from_enum(ComplaintEvent, name="CaseEventKind")


class CaseSummaryType(graphene.ObjectType):
    class Meta:
        name = "CaseSummary"
        description = "The case as it was when the event happened (no personal data)."

    id = graphene.ID(required=True)
    ticket_number = graphene.String()
    status = graphene.Field(ComplaintStatusEnum)
    category_code = graphene.String()
    lat = graphene.Float()
    lon = graphene.Float()
    village_code = graphene.String()
    district_code = graphene.String()
    sla_due_at = graphene.DateTime()
    skpd_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    overdue = graphene.Boolean(required=True)


class CaseEventType(graphene.ObjectType):
    class Meta:
        name = "CaseEvent"

    cursor = graphene.String(required=True, description="Resume after this event with `after`.")
    type = graphene.Field(EventTypeEnum, required=True)
    occurred_at = graphene.DateTime(required=True)
    case = graphene.Field(CaseSummaryType, required=True)
    note = graphene.String(description="The public reason or note that came with the change.")
    # Shaped by who is looking: a document selecting it is rendered per viewer.
    complaint = per_viewer(graphene.Field(
        ComplaintType, description="The complaint now, as the subscriber may see it."
    ))

    @staticmethod
    def resolve_cursor(event, info):
        return str(event.id)

    @staticmethod
    def resolve_type(event, info):
        return ComplaintEvent(event.type)

    @staticmethod
    def resolve_occurred_at(event, info):
        return event.occurred_at

    @staticmethod
    def resolve_note(event, info):
        return event.payload.get("note") or event.payload.get("reason") or None

    @staticmethod
    def resolve_case(event, info):
        p = event.payload
        due = p.get("slaDueAt")
        return CaseSummaryType(
            id=event.subject_id,
            ticket_number=p.get("ticketNumber"),
            status=ComplaintStatus(p["status"]) if p.get("status") else None,
            category_code=p.get("categoryCode"),
            lat=p.get("lat"), lon=p.get("lon"),
            village_code=p.get("villageCode"), district_code=p.get("districtCode"),
            sla_due_at=datetime.fromisoformat(due) if due else None,
            skpd_codes=p.get("skpdCodes") or [],
            overdue=bool(p.get("overdue")),
        )

    @staticmethod
    async def resolve_complaint(event, info):
        complaint = await find_complaint(id=event.subject_id)
        if complaint is None:
            return None
        return await view_of(complaint, await info.context.principal())
