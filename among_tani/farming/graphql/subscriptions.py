"""``farmingEvents``: the help desk and pest alerts live — each event reaches the viewers in its
audience (the farmer, the officers of the village, the specialist, distan, the command center
for alerts), replayed from a cursor and then live like the command center's stream."""

from __future__ import annotations

from collections.abc import Callable

import graphene
from graphql import GraphQLError

from among_tani.farming.events import FarmingEvent
from among_tani.farming.graphql.queries import _questions_visible_to
from among_tani.farming.graphql.types import CropQuestionType, PestAlertType
from among_tani.farming.models import CropQuestion, PestAlert
from among_tani.farming.visibility import farm_policy
from backend.accounts.services import Principal
from backend.events.models import DomainEvent
from backend.graphql.core import guarded, stream_cursor
from backend.permissions import SIGNED_IN

SUBJECTS = frozenset({"crop_question", "pest_alert", "advisory"})
TYPES = frozenset(e.value for e in FarmingEvent)


def viewer_keys(principal: Principal) -> frozenset[str]:
    keys = {f"user:{principal.user.id}", "public"}
    keys |= {f"role:{r.value}" for r in principal.roles}
    if principal.skpd is not None:
        keys.add(f"skpd:{principal.skpd.id}")
    return frozenset(keys)


def audience_filter(principal: Principal) -> Callable[[DomainEvent], bool]:
    keys = viewer_keys(principal)

    def accept(event: DomainEvent) -> bool:
        if event.subject_type not in SUBJECTS or event.type not in TYPES:
            return False
        audience = getattr(event, "audience", None) or (event.payload or {}).get("audience")
        return bool(audience) and not keys.isdisjoint(audience)

    return accept


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
        return bus.stream(after, audience_filter(principal))

    @staticmethod
    def resolve_farming_events(event, info, **kwargs):
        return event
