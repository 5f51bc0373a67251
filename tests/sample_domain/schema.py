from __future__ import annotations

import graphene

from backend.errors import ErrorCode
from backend.events.audience import viewer_keys
from backend.graphql.core import BaseMutation, error_type, guarded, stream_cursor
from backend.permissions import SIGNED_IN
from tests.sample_domain import services
from tests.sample_domain.models import SampleNote


class NoteErrorCode(ErrorCode):
    EMPTY = "empty"


class NoteQueries(graphene.ObjectType):
    sample_notes = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    async def resolve_sample_notes(root, info):
        return [n.text for n in await SampleNote.filter(private=False).order_by("id")]


class PostSampleNote(BaseMutation):
    class Arguments:
        text = graphene.String(required=True)
        private = graphene.Boolean(default_value=False)

    class Meta:
        need = SIGNED_IN
        error_type = error_type("SampleNoteError", NoteErrorCode)

    id = graphene.ID()

    @classmethod
    async def perform(cls, root, info, principal, text, private=False):
        note = await services.post(principal.user.id, text, private=private)
        return {"id": note.id}


class NoteMutations(graphene.ObjectType):
    post_sample_note = PostSampleNote.Field()


class NoteEventType(graphene.ObjectType):
    class Meta:
        name = "SampleNoteEvent"

    cursor = graphene.String(required=True)
    type = graphene.String(required=True)
    text = graphene.String()
    # Depends on who is looking, and declared nowhere: rendered per viewer by default.
    seen_by = graphene.String()

    @staticmethod
    async def resolve_seen_by(event, info):
        principal = await info.context.principal()
        return principal.user.name if principal else None

    @staticmethod
    def resolve_cursor(event, info):
        return str(event.id)

    @staticmethod
    def resolve_text(event, info):
        return event.payload.get("text")


class NoteSubscriptions(graphene.ObjectType):
    sample_note_events = graphene.Field(NoteEventType, required=True, after=graphene.String())

    @staticmethod
    @guarded(SIGNED_IN)
    async def subscribe_sample_note_events(root, info, after=None):
        principal = await info.context.principal()
        bus = info.context.services["event_bus"]
        return bus.stream(await stream_cursor(after), viewer_keys(principal))

    @staticmethod
    def resolve_sample_note_events(event, info, **kwargs):
        return event
