"""``farmingEvents``: the help desk and pest alerts live — each event reaches the viewers in its
audience (the farmer, the officers of the village, the specialist, distan, the command center
for alerts; the bus decides by the viewer's keys), replayed from a cursor, then live. Each
viewer's rendering goes through the farming policy (a question as that viewer may see it)."""

from __future__ import annotations

import graphene
from graphql import GraphQLError

from among_tani.farming.events import FarmingEvent
from among_tani.farming.graphql.queries import _questions_visible_to
from among_tani.farming.graphql.types import CropQuestionType, PestAlertType
from among_tani.farming.models import CropQuestion, PestAlert
from among_tani.farming.visibility import farm_policy
from backend.events.audience import viewer_keys
from backend.events.models import DomainEvent
from backend.graphql.core import guarded, stream_cursor
from backend.permissions import SIGNED_IN

SUBJECTS = frozenset({"crop_question", "pest_alert", "advisory"})
TYPES = frozenset(e.value for e in FarmingEvent)


def farming_only(event: DomainEvent) -> bool:
    """This domain's events (the audience filter is the bus's, for every subscription)."""
    return event.subject_type in SUBJECTS and event.type in TYPES


class FarmingEventType(graphene.ObjectType):
    class Meta:
        name = "FarmingEvent"

    cursor = graphene.String(required=True)
    type = graphene.String(required=True, description="e.g. question.asked, pest.alert")
    occurred_at = graphene.DateTime(required=True)
    question = graphene.Field(CropQuestionType, description="The question now, as the "
                              "subscriber may see it.")
    alert = graphene.Field(PestAlertType)

    @staticmethod
    def resolve_cursor(event, info):
        return str(event.id)

    @staticmethod
    async def resolve_question(event, info):
        if event.subject_type != "crop_question":
            return None
        policy = await farm_policy(info.context)
        query = CropQuestion.filter(id=event.subject_id)
        condition = _questions_visible_to(policy)
        return await (query.filter(condition) if condition is not None else query).first()

    @staticmethod
    async def resolve_alert(event, info):
        if event.subject_type != "pest_alert":
            return None
        return await PestAlert.get_or_none(id=event.subject_id)


class FarmingSubscriptions(graphene.ObjectType):
    farming_events = graphene.Field(
        FarmingEventType, required=True, after=graphene.String(),
        description="Crop-question steps, pest alerts and advisories for the caller's "
        "audience, replayed from `after`, then live.")

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_farming_events(root, info, after=None):
        principal = await info.context.principal()
        after = await stream_cursor(after)
        bus = info.context.services.get("event_bus")
        if bus is None:
            raise GraphQLError("The live stream is not running in this process.",
                               extensions={"code": "UNAVAILABLE"})
        return bus.stream(after, viewer_keys(principal), farming_only)

    @staticmethod
    def resolve_farming_events(event, info, **kwargs):
        return event
