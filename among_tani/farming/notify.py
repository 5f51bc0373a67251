"""Pushes for farming events, as after-commit handlers (the manifest's ``handlers``): they
run from the durable log after the change committed, once per event and user (the outbox's
``dedupe_key`` is the event id), so a retried handler never notifies twice.

Who gets a push is decided when the event is recorded and carried in its payload
(``pushTo``): the officers for a new question, the farmer for an answer, the specialist for a
hand-off, distan's supervisors for a missed deadline. An advisory's recipients are the farmers
growing its commodities in its target (among_tani.farming.advisories.recipients)."""

from __future__ import annotations

from among_tani.farming.events import FarmingEvent as E
from backend.events.handlers import Handler
from backend.events.models import DomainEvent
from backend.push.services import enqueue_push

TITLES: dict[str, tuple[str, str]] = {
    E.QUESTION_ASKED.value: ("Pertanyaan tanaman baru",
                             "Petani di {village} bertanya tentang {commodity}."),
    E.QUESTION_ANSWERED.value: ("Pertanyaan Anda dijawab",
                                "Penyuluh menjawab pertanyaan {commodity} Anda."),
    E.QUESTION_REPLIED.value: ("Balasan petani", "Petani membalas di pertanyaan {commodity}."),
    E.QUESTION_HANDED_OFF.value: ("Pertanyaan diteruskan ke Anda",
                                  "Pertanyaan {commodity} perlu pendapat spesialis."),
    E.QUESTION_HANDED_BACK.value: ("Pertanyaan dikembalikan",
                                   "Spesialis mengembalikan pertanyaan {commodity}."),
    E.QUESTION_OVERDUE.value: ("Terlambat: pertanyaan petani",
                               "Pertanyaan {commodity} belum dijawab dalam batas waktu."),
    E.QUESTION_CLOSED.value: ("Pertanyaan ditutup", "Pertanyaan {commodity} ditutup."),
    E.QUESTION_RATED.value: ("Penilaian petani", "Petani menilai bantuan {commodity}."),
}


async def push_question_step(event: DomainEvent) -> None:
    payload = event.payload or {}
    users = sorted(set(payload.get("pushTo") or []) - {event.actor_id})
    if not users:
        return
    title, body = TITLES[event.type]
    await enqueue_push(
        users, title=title,
        body=body.format(village=payload.get("villageName") or "desa",
                         commodity=str(payload.get("commodityCode", "")).replace("_", " ")),
        data={"kind": event.type, "questionId": str(event.subject_id),
              "status": str(payload.get("status", ""))},
        dedupe_key=f"farming:{event.id}")


async def push_advisory(event: DomainEvent) -> None:
    from among_tani.farming.advisories import push_advisory as push

    await push(event)


HANDLERS = [
    Handler("tani_farming.push-question-steps", tuple(E(t) for t in TITLES),
            push_question_step),
    Handler("tani_farming.push-advisory", (E.ADVISORY_PUBLISHED,), push_advisory),
]
