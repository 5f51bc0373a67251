from __future__ import annotations

from enum import Enum

from backend.demo import DemoContext, DemoLoader, DemoStep
from backend.events import audience, record_event, unit_of_work
from backend.events.handlers import Handler
from backend.jobs import Job
from backend.settings import Settings
from tests.sample_domain.models import SampleNote


class NoteEvent(str, Enum):
    POSTED = "note.posted"
    ARCHIVED = "note.archived"


async def post(author_id: int, text: str, *, private: bool = False) -> SampleNote:
    async with unit_of_work():
        note = await SampleNote.create(author_id=author_id, text=text, private=private)
        keys = [audience.user(author_id)] if private else [audience.PUBLIC]
        await record_event(NoteEvent.POSTED, subject_type="note", subject_id=note.id,
                           audience=keys, actor_id=author_id, payload={"text": text})
    return note


async def archive_all() -> int:
    """The domain's periodic job."""
    return await SampleNote.filter(archived=False).update(archived=True)


async def tell_author(event) -> None:
    """The domain's after-commit handler: the author hears their note is up (by push,
    idempotent by the event id)."""
    from backend.push.services import enqueue_push

    await enqueue_push([event.actor_id], title="Catatan terbit", body=event.payload["text"],
                       data={"noteId": str(event.subject_id)}, dedupe_key=f"event:{event.id}")


def jobs(settings: Settings) -> list[Job]:
    return [Job("sample-archive-notes", 3600.0, archive_all)]


async def _plan(context: DemoContext) -> list[DemoStep]:
    if await SampleNote.exists(text="Demo note"):
        return []
    author = context.shared["sample.author"]
    return [DemoStep(context.now, lambda: post(author, "Demo note"), "a demo note")]


demo = DemoLoader("sample.notes", _plan)
HANDLERS = [Handler("sample_notes.tell-author", (NoteEvent.POSTED,), tell_author)]
