"""Pushes for farming events. Each call queues rows in the push outbox inside the caller's
transaction (keyed by the event id, so a retry never notifies twice); the push job sends
them. Shaped as an after-commit handler of one event (the platform's
``backend.events.handlers``), which it becomes when that lands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from among_tani.farming.events import FarmingEvent
from backend.push.services import enqueue_push

TITLES: dict[FarmingEvent, tuple[str, str]] = {
    FarmingEvent.QUESTION_ASKED: ("Pertanyaan tanaman baru",
                                  "Petani di {village} bertanya tentang {commodity}."),
    FarmingEvent.QUESTION_ANSWERED: ("Pertanyaan Anda dijawab",
                                     "Penyuluh menjawab pertanyaan {commodity} Anda."),
    FarmingEvent.QUESTION_REPLIED: ("Balasan petani", "Petani membalas di pertanyaan "
                                    "{commodity}."),
    FarmingEvent.QUESTION_HANDED_OFF: ("Pertanyaan diteruskan ke Anda",
                                       "Pertanyaan {commodity} perlu pendapat spesialis."),
    FarmingEvent.QUESTION_HANDED_BACK: ("Pertanyaan dikembalikan",
                                        "Spesialis mengembalikan pertanyaan {commodity}."),
    FarmingEvent.QUESTION_OVERDUE: ("Terlambat: pertanyaan petani",
                                    "Pertanyaan {commodity} belum dijawab dalam batas waktu."),
    FarmingEvent.QUESTION_CLOSED: ("Pertanyaan ditutup", "Pertanyaan {commodity} ditutup."),
    FarmingEvent.QUESTION_RATED: ("Penilaian petani", "Petani menilai bantuan {commodity}."),
}


async def question_event(event: Any, question: Any, *, actor_id: int | None,
                         recipients: Iterable[int]) -> int:
    kind = FarmingEvent(event.type)
    title, body = TITLES[kind]
    users = sorted(set(recipients) - {actor_id})
    payload = event.payload or {}
    return await enqueue_push(
        users, title=title,
        body=body.format(village=payload.get("villageName", "desa"),
                         commodity=question.commodity_code.replace("_", " ")),
        data={"kind": kind.value, "questionId": str(question.id),
              "status": question.status.value},
        dedupe_key=f"farming:{event.id}",
    )


async def push_many(users: Iterable[int], *, title: str, body: str, data: dict[str, str],
                    dedupe_key: str) -> int:
    return await enqueue_push(users, title=title, body=body, data=data, dedupe_key=dedupe_key)
