"""The crop-problem help desk: a farmer asks (idempotent by clientRequestId), the question is
routed to the extension officers of the village at the point, the thread goes both ways, an
officer may hand it to a distan specialist and back, the first answer is due within a
deadline per problem type (3×24 h by default), a missed deadline is flagged once and escalated
to distan's supervisors, and the farmer closes and rates.

Every step is one unit of work: rows, the domain event (audience: the farmer, the officers,
the specialist, distan) and its pushes commit together. Status changes are conditional
updates, so of two concurrent actors only one wins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from among_tani import audience as tani_audience
from among_tani.farming import outbreaks
from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.events import FarmingEvent
from among_tani.farming.models import (
    AnswerDeadline,
    CropQuestion,
    MessageKind,
    Parcel,
    ProblemType,
    QuestionMessage,
    QuestionOfficer,
    QuestionStatus,
)
from among_tani.farming.visibility import FarmPolicy, QuestionAudience
from backend.accounts.models import Role, Skpd
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.geodesy import valid_lat_lon
from backend.geo.services import locate
from backend.media import services as media
from backend.text import TextRule

DEFAULT_ANSWER_HOURS = 72  # the Agriculture Office's promise: an answer within 3×24 hours
MAX_PHOTOS = 5
DESCRIPTION = TextRule(min=10, max=2000, too_long=Code.INVALID_TEXT,
                       too_short=Code.DESCRIPTION_REQUIRED, required=Code.DESCRIPTION_REQUIRED,
                       invalid=Code.INVALID_TEXT)
MESSAGE = TextRule(max=4000, too_long=Code.INVALID_TEXT, required=Code.INVALID_TEXT,
                   invalid=Code.INVALID_TEXT)
ACTION = TextRule(max=300, too_long=Code.INVALID_TEXT, invalid=Code.INVALID_TEXT,
                  single_line=True)
S = QuestionStatus
# The command-center wall hears of missed deadlines (overdueCropQuestions, farmingEvents).
OPERATORS = tani_audience.role_key(Role.OPERATOR)


@dataclass(frozen=True)
class AskInput:
    client_request_id: str
    commodity_code: str
    problem_type: ProblemType
    description: str
    photo_ids: list[Any]
    lat: float
    lon: float
    parcel_id: int | None = None

    def fingerprint(self) -> str:
        canonical = json.dumps(
            [self.commodity_code, self.problem_type.value, " ".join(self.description.split()),
             round(self.lat, 6), round(self.lon, 6), sorted(str(p) for p in self.photo_ids),
             self.parcel_id], separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


async def answer_hours(problem_type: ProblemType) -> int:
    row = await AnswerDeadline.get_or_none(problem_type=problem_type)
    return row.hours if row is not None else DEFAULT_ANSWER_HOURS


async def set_answer_hours(problem_type: ProblemType, hours: int) -> int:
    if not 1 <= hours <= 720:
        raise ServiceError(Code.INVALID_HOURS, "hours")
    updated = await AnswerDeadline.filter(problem_type=problem_type).update(hours=hours)
    if not updated:
        await AnswerDeadline.create(problem_type=problem_type, hours=hours)
    return hours


async def _photos(owner_id: int, photo_ids: list[Any]) -> list[int]:
    if not photo_ids:
        return []
    if len(photo_ids) > MAX_PHOTOS:
        raise ServiceError(Code.TOO_MANY_PHOTOS, "photoIds", max=MAX_PHOTOS)
    try:
        photos = await media.get_owned_photos(owner_id, photo_ids)
    except ServiceError as exc:
        raise ServiceError(Code.PHOTO_NOT_FOUND, "photoIds") from exc
    return [p.id for p in photos]


async def _distan_key() -> list[str]:
    skpd_id = await Skpd.filter(code=registry.DISTAN).values_list("id", flat=True)
    return [tani_audience.skpd_key(i) for i in skpd_id]


async def question_audience(question: CropQuestion, officer_ids: Iterable[int]) -> list[str]:
    """Who hears about a question: the farmer, its officers, the specialist holding it, and
    distan (as an SKPD)."""
    users = {question.asker_id, *officer_ids}
    if question.specialist_id:
        users.add(question.specialist_id)
    return sorted({tani_audience.user_key(u) for u in users} | set(await _distan_key()))


async def officer_ids(question: CropQuestion) -> list[int]:
    """The officers routed to it and those covering its village now (one query each)."""
    routed = set(await QuestionOfficer.filter(question_id=question.id)
                 .values_list("officer_id", flat=True))
    covering = (await registry.officers_of_villages([question.village_id])).get(
        question.village_id, [])
    return sorted(routed | set(covering))


def _event_payload(question: CropQuestion, **extra: Any) -> dict[str, Any]:
    # What the stream and pushes carry: no description, no point, no name.
    return {"questionId": question.id, "status": question.status.value,
            "commodityCode": question.commodity_code,
            "problemType": question.problem_type.value, "villageId": question.village_id,
            "dueAt": question.due_at.isoformat(), **extra}


async def _record(event: FarmingEvent, question: CropQuestion, actor_id: int | None,
                  *, extra_users: Iterable[int] = (), push_to: Iterable[int] | None = None,
                  extra_keys: Iterable[str] = (), **payload: Any) -> None:
    officers = await officer_ids(question)
    keys = set(await question_audience(question, officers))
    keys |= {tani_audience.user_key(u) for u in extra_users} | set(extra_keys)
    if question.overdue_flagged_at is not None:
        # Once overdue it is on the command-center wall: operators hear what happens next
        # (answered, closed), so it leaves the wall at once.
        keys.add(OPERATORS)
    # Who is pushed is decided now, with the audience; the push itself is an after-commit
    # handler (among_tani.farming.notify).
    recipients = sorted(set(push_to if push_to is not None else _users(keys)))
    await tani_audience.record(
        event, subject_type="crop_question", subject_id=question.id, audience=keys,
        actor_id=actor_id, payload=_event_payload(question, pushTo=recipients, **payload))


def _users(keys: Iterable[str]) -> list[int]:
    return sorted(int(k.split(":", 1)[1]) for k in keys if k.startswith("user:"))


# -- asking ---------------------------------------------------------------------------------


async def ask(policy: FarmPolicy, data: AskInput) -> CropQuestion:
    """Ask a question. Idempotent per (farmer, clientRequestId): a retry gets the question
    the first attempt created."""
    asker = policy.principal.user if policy.principal else None
    assert asker is not None
    client_id = (data.client_request_id or "").strip()
    if not 8 <= len(client_id) <= 64:
        raise ServiceError(Code.CLIENT_REQUEST_ID_REQUIRED, "clientRequestId")
    fingerprint = data.fingerprint()
    existing = await CropQuestion.get_or_none(asker_id=asker.id, client_request_id=client_id)
    if existing is not None:
        return _same(existing, fingerprint)

    problems: list[FieldError] = []
    if not (data.description or "").strip() and not data.photo_ids:
        raise ServiceError(Code.PHOTO_OR_DESCRIPTION_REQUIRED, "description")
    description = ""
    try:
        description = DESCRIPTION.clean(data.description, field="description",
                                        required=not data.photo_ids)
    except ServiceError as exc:
        problems += exc.errors
    if await registry.commodity((data.commodity_code or "").strip()) is None:
        problems.append(FieldError(Code.UNKNOWN_COMMODITY, "commodityCode",
                                   commodity=data.commodity_code))
    if not valid_lat_lon(data.lat, data.lon):
        problems.append(FieldError(Code.INVALID_COORDINATES, "lat"))
    if problems:
        raise ServiceError(problems)
    photo_ids = await _photos(asker.id, list(dict.fromkeys(data.photo_ids)))
    parcel = None
    if data.parcel_id is not None:
        parcel = await Parcel.get_or_none(id=data.parcel_id)
        if parcel is None or parcel.farmer_id != asker.id:
            raise ServiceError(Code.NOT_FOUND, "parcelId")
    location = await locate(float(data.lat), float(data.lon))
    if location is None or location.village is None:
        raise ServiceError(Code.OUTSIDE_CITY, "lat")
    village = location.village
    officers = (await registry.officers_of_villages([village.id])).get(village.id, [])
    now = utcnow()
    due = now + timedelta(hours=await answer_hours(data.problem_type))
    try:
        async with unit_of_work():
            question = await CropQuestion.create(
                asker_id=asker.id, client_request_id=client_id,
                request_fingerprint=fingerprint, commodity_code=data.commodity_code.strip(),
                parcel=parcel, problem_type=data.problem_type, description=description,
                photo_ids=photo_ids, lat=float(data.lat), lon=float(data.lon),
                village_id=village.id, status=S.OPEN, due_at=due,
            )
            await QuestionOfficer.bulk_create(
                [QuestionOfficer(question_id=question.id, officer_id=o) for o in officers])
            await QuestionMessage.create(question=question, author_id=asker.id,
                                         kind=MessageKind.QUESTION, text=description,
                                         photo_ids=photo_ids)
            await outbreaks.check(question)
            await _record(FarmingEvent.QUESTION_ASKED, question, asker.id,
                          villageName=village.name,
                          routedTo="officers" if officers else "distan")
    except IntegrityError:
        existing = await CropQuestion.get_or_none(asker_id=asker.id,
                                                  client_request_id=client_id)
        if existing is None:
            raise
        return _same(existing, fingerprint)
    return question


def _same(existing: CropQuestion, fingerprint: str) -> CropQuestion:
    if existing.request_fingerprint != fingerprint:
        raise ServiceError(Code.IDEMPOTENCY_CONFLICT, "clientRequestId")
    return existing


# -- the thread -----------------------------------------------------------------------------


async def _question_for(policy: FarmPolicy, question_id: int
                        ) -> tuple[CropQuestion, QuestionAudience]:
    question = await CropQuestion.get_or_none(id=question_id)
    if question is None:
        raise ServiceError(Code.NOT_FOUND, "questionId")
    routed = set(await QuestionOfficer.filter(question_id=question.id)
                 .values_list("officer_id", flat=True))
    audience = policy.question_audience(question, routed)
    if audience is None:
        principal = policy.principal
        if principal is not None and principal.has(Role.EXTENSION_OFFICER):
            raise ServiceError(Code.OUTSIDE_OFFICER_VILLAGES, "questionId")
        raise ServiceError(Code.NOT_FOUND, "questionId")
    return question, audience


def _refused(current: QuestionStatus, expected: Iterable[QuestionStatus]) -> ServiceError:
    return ServiceError(Code.INVALID_TRANSITION, "questionId", current=current.name,
                        expected=" / ".join(s.name for s in expected))


@dataclass(frozen=True)
class MessageInput:
    question_id: int
    text: str
    photo_ids: list[Any] = field(default_factory=list)
    recommended_actions: list[str] = field(default_factory=list)


async def answer(policy: FarmPolicy, data: MessageInput) -> CropQuestion:
    """An officer's (or the specialist's, or distan's) answer; the first one stops the
    deadline."""
    question, audience = await _question_for(policy, data.question_id)
    if not policy.answers_question(audience):
        raise ServiceError(Code.NOT_ALLOWED, "questionId")
    if question.status == S.CLOSED:
        raise _refused(question.status, (S.OPEN, S.ANSWERED))
    text = MESSAGE.clean(data.text, field="text", required=True)
    actions = [ACTION.clean(a, field="recommendedActions") for a in data.recommended_actions]
    actions = [a for a in actions if a][:10]
    author = policy.user_id
    assert author is not None
    photo_ids = await _photos(author, list(dict.fromkeys(data.photo_ids)))
    now = utcnow()
    async with unit_of_work():
        first = await CropQuestion.filter(id=question.id, status=S.OPEN).update(
            status=S.ANSWERED, first_answer_at=now, first_answer_by_id=author, updated_at=now)
        if not first and not await CropQuestion.filter(
                id=question.id, status=S.ANSWERED).update(updated_at=now):
            current = await CropQuestion.get(id=question.id)
            raise _refused(current.status, (S.OPEN, S.ANSWERED))
        await QuestionMessage.create(question_id=question.id, author_id=author,
                                     kind=MessageKind.ANSWER, text=text, photo_ids=photo_ids,
                                     recommended_actions=actions)
        await question.refresh_from_db()
        await _record(FarmingEvent.QUESTION_ANSWERED, question, author,
                      push_to=[question.asker_id], firstAnswer=bool(first))
    return question


async def reply(policy: FarmPolicy, data: MessageInput) -> CropQuestion:
    """The farmer's reply in the thread."""
    question, audience = await _question_for(policy, data.question_id)
    if audience != QuestionAudience.ASKER:
        raise ServiceError(Code.NOT_ALLOWED, "questionId")
    if question.status == S.CLOSED:
        raise _refused(question.status, (S.OPEN, S.ANSWERED))
    text = MESSAGE.clean(data.text, field="text", required=not data.photo_ids)
    photo_ids = await _photos(question.asker_id, list(dict.fromkeys(data.photo_ids)))
    async with unit_of_work():
        if not await CropQuestion.filter(id=question.id, status__in=(S.OPEN, S.ANSWERED)) \
                .update(updated_at=utcnow()):
            raise _refused(S.CLOSED, (S.OPEN, S.ANSWERED))
        await QuestionMessage.create(question_id=question.id, author_id=question.asker_id,
                                     kind=MessageKind.REPLY, text=text, photo_ids=photo_ids)
        await _record(FarmingEvent.QUESTION_REPLIED, question, question.asker_id)
    return question


async def hand_off(policy: FarmPolicy, question_id: int, specialist_id: int,
                   note: str = "") -> CropQuestion:
    """An officer hands the question to a distan specialist (a pest and disease observer)."""
    question, audience = await _question_for(policy, question_id)
    if audience not in (QuestionAudience.OFFICER, QuestionAudience.DISTAN,
                        QuestionAudience.SPECIALIST):
        raise ServiceError(Code.NOT_ALLOWED, "questionId")
    if question.status == S.CLOSED:
        raise _refused(question.status, (S.OPEN, S.ANSWERED))
    if not await registry.is_distan_user(specialist_id):
        raise ServiceError(Code.NOT_A_SPECIALIST, "specialistId")
    text = MESSAGE.clean(note, field="note")
    async with unit_of_work():
        if not await CropQuestion.filter(id=question.id, status__in=(S.OPEN, S.ANSWERED)) \
                .update(specialist_id=specialist_id, updated_at=utcnow()):
            raise _refused(S.CLOSED, (S.OPEN, S.ANSWERED))
        await QuestionMessage.create(question_id=question.id, author_id=policy.user_id,
                                     kind=MessageKind.HANDOFF, text=text)
        await question.refresh_from_db()
        await _record(FarmingEvent.QUESTION_HANDED_OFF, question, policy.user_id,
                      push_to=[specialist_id])
    return question


async def hand_back(policy: FarmPolicy, question_id: int, note: str = "") -> CropQuestion:
    """The specialist (or distan) gives the question back to the village officers."""
    question, audience = await _question_for(policy, question_id)
    if audience not in (QuestionAudience.SPECIALIST, QuestionAudience.DISTAN):
        raise ServiceError(Code.NOT_ALLOWED, "questionId")
    if question.status == S.CLOSED or question.specialist_id is None:
        raise _refused(question.status, (S.OPEN, S.ANSWERED))
    text = MESSAGE.clean(note, field="note")
    previous = question.specialist_id
    async with unit_of_work():
        if not await CropQuestion.filter(id=question.id, specialist_id=previous,
                                         status__in=(S.OPEN, S.ANSWERED)) \
                .update(specialist_id=None, updated_at=utcnow()):
            raise _refused(S.CLOSED, (S.OPEN, S.ANSWERED))
        await QuestionMessage.create(question_id=question.id, author_id=policy.user_id,
                                     kind=MessageKind.HANDBACK, text=text)
        await question.refresh_from_db()
        await _record(FarmingEvent.QUESTION_HANDED_BACK, question, policy.user_id,
                      extra_users=[previous], push_to=await officer_ids(question))
    return question


async def close(policy: FarmPolicy, question_id: int, *, solved: bool | None,
                rating: int | None) -> CropQuestion:
    """The officer (or specialist, or distan) closes; the farmer closes too, saying whether
    it is solved and rating the help — also after an officer closed it, once."""
    question, audience = await _question_for(policy, question_id)
    if rating is not None and not 1 <= rating <= 5:
        raise ServiceError(Code.INVALID_RATING, "rating")
    now = utcnow()
    if audience == QuestionAudience.ASKER:
        guard = CropQuestion.filter(id=question.id, rating__isnull=True)
        if question.status == S.CLOSED and rating is None:
            raise _refused(question.status, (S.OPEN, S.ANSWERED))
        updates: dict[str, Any] = {"rating": rating, "updated_at": now}
        if solved is not None:
            updates["solved"] = solved
        if question.status != S.CLOSED:
            updates.update(status=S.CLOSED, closed_at=now, closed_by_id=policy.user_id)
        event = FarmingEvent.QUESTION_RATED if question.status == S.CLOSED \
            else FarmingEvent.QUESTION_CLOSED
    else:
        if rating is not None:
            raise ServiceError(Code.NOT_ALLOWED, "rating")
        if question.status == S.CLOSED:
            raise _refused(question.status, (S.OPEN, S.ANSWERED))
        guard = CropQuestion.filter(id=question.id, status__in=(S.OPEN, S.ANSWERED))
        updates = {"status": S.CLOSED, "closed_at": now, "closed_by_id": policy.user_id,
                   "updated_at": now}
        if solved is not None:
            updates["solved"] = solved
        event = FarmingEvent.QUESTION_CLOSED
    async with unit_of_work():
        if not await guard.update(**updates):
            current = await CropQuestion.get(id=question.id)
            raise _refused(current.status, (S.OPEN, S.ANSWERED))
        await QuestionMessage.create(question_id=question.id, author_id=policy.user_id,
                                     kind=MessageKind.SYSTEM,
                                     text="rated" if event == FarmingEvent.QUESTION_RATED
                                     else "closed")
        await question.refresh_from_db()
        await _record(event, question, policy.user_id, solved=question.solved,
                      rating=question.rating)
    return question


# -- the deadline ---------------------------------------------------------------------------


async def flag_overdue(now: datetime | None = None) -> int:
    """Flag every open question past its first-answer deadline, once: a conditional update
    on ``overdue_flagged_at``, so restarts and concurrent runs never flag twice. The event
    goes to the question's audience and distan's supervisors, who get a push."""
    now = now or utcnow()
    due = await CropQuestion.filter(status=S.OPEN, due_at__lte=now,
                                    overdue_flagged_at__isnull=True) \
        .order_by("due_at").limit(500)
    flagged = 0
    supervisors = await registry.distan_staff_ids(supervisors_only=True)
    for question in due:
        async with unit_of_work():
            if not await CropQuestion.filter(id=question.id, status=S.OPEN,
                                             overdue_flagged_at__isnull=True) \
                    .update(overdue_flagged_at=now):
                continue  # answered meanwhile, or another process flagged it
            await QuestionMessage.create(question_id=question.id, kind=MessageKind.SYSTEM,
                                         text="overdue")
            question.overdue_flagged_at = now
            await _record(FarmingEvent.QUESTION_OVERDUE, question, None,
                          extra_users=supervisors, push_to=supervisors, overdue=True,
                          escalatedTo=len(supervisors), extra_keys=[OPERATORS])
        flagged += 1
    return flagged
