from __future__ import annotations

import graphene
from graphql import GraphQLError

from among_warga.listing import find_complaint
from backend.errors import Forbidden
from backend.events.audience import viewer_keys
from backend.graphql.core import guarded, stream_cursor
from backend.graphql.subscriptions import shared_rendering
from backend.permissions import SIGNED_IN
from command_center.graphql.types import CaseEventType
from command_center.streams import case_filter


def _bus(info):
    bus = info.context.services.get("event_bus")
    if bus is None:
        raise GraphQLError("The live stream is not running in this process.",
                           extensions={"code": "UNAVAILABLE"})
    return bus


class CommandCenterSubscriptions(graphene.ObjectType):
    # The event as the payload recorded it is the same for everyone the audience let it
    # through to (its `complaint` is declared per viewer).
    command_center_events = shared_rendering(graphene.Field(
        CaseEventType, required=True, after=graphene.String(),
        description="Every event the caller may see — operators all, responders their SKPD's "
        "cases, residents their own — replayed from `after` (a cursor), then live; none "
        "missed or repeated at the seam. Omit `after` to start at the live edge.",
    ))
    case_updates = shared_rendering(graphene.Field(
        CaseEventType, required=True, id=graphene.ID(required=True),
        after=graphene.String(),
        description="Live events of one complaint (the reporter's app, the assigned SKPD).",
    ))

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_command_center_events(root, info, after=None):
        principal = await info.context.principal()
        after = await stream_cursor(after)
        # Case events only: other events the viewer may hear of (a category saved, another
        # domain's) are not cases to render.
        return _bus(info).stream(after, viewer_keys(principal),
                                 lambda event: event.subject_type == "complaint")

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_case_updates(root, info, id, after=None):
        principal = await info.context.principal()
        after = await stream_cursor(after)
        complaint = await find_complaint(id=id)
        accept = await case_filter(principal, complaint) if complaint else None
        if accept is None:
            raise Forbidden("You cannot follow this complaint.")
        # Default: from the beginning of the case — the app shows its whole history.
        return _bus(info).stream(after or 0, viewer_keys(principal), accept)

    @staticmethod
    def resolve_command_center_events(event, info, **kwargs):
        return event

    @staticmethod
    def resolve_case_updates(event, info, **kwargs):
        return event
