"""Public services: an editor's input checked into the service's content and written to the
row; the satisfaction survey (IKM) — answers, and the index by the regulation's formula."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from among_kota.content.models import ContentStatus, Publishable
from among_kota.content.services import ContentKind, register_kind
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent, record_public_change
from among_kota.places.models import Place
from among_kota.services.models import PublicService, SurveyAnswer
from among_kota.text import LINE, MARKDOWN, NAME, TAG, bilingual, slugify
from among_warga.models import ComplaintCategory
from backend.accounts.services import Principal
from backend.clock import WIB, utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.sql import fetch_all
from backend.graphql.scalars import RUPIAH_MAX
from backend.markdown import plain_text
from backend.search import search_document

MAX_LIST = 30
# The nine elements of Permenpan RB 14/2017, in the regulation's order (U1 … U9).
ELEMENTS = ("REQUIREMENTS", "PROCEDURE", "TIME", "COST", "PRODUCT", "STAFF_COMPETENCE",
            "STAFF_BEHAVIOUR", "COMPLAINT_HANDLING", "FACILITIES")
MIN_PUBLIC_ANSWERS = 30
# (lowest index, grade), from the regulation's table of conversion.
GRADES = ((88.31, "A"), (76.61, "B"), (65.00, "C"), (25.00, "D"))


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


async def clean_service(data: Any, *, item_id: int | None) -> dict[str, Any]:
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    def texts(name: str, field: str) -> list[dict[str, Any]]:
        items = list(_get(data, name) or [])
        if len(items) > MAX_LIST:
            problems.append(FieldError(C.TOO_MANY_ITEMS, field, max=MAX_LIST))
            return []
        found = [check(bilingual, item, LINE.with_max(500), f"{field}[{i}]", required=True)
                 for i, item in enumerate(items)]
        return [f for f in found if f]

    name = check(bilingual, _get(data, "name"), NAME, "name", required=True)
    description = check(bilingual, _get(data, "description"), MARKDOWN, "description")
    requirements = texts("requirements", "requirements")
    steps = texts("steps", "steps")
    processing_time = check(bilingual, _get(data, "processing_time"), LINE, "processingTime")
    product = check(bilingual, _get(data, "product"), LINE, "product")
    complaint_channel = check(bilingual, _get(data, "complaint_channel"), LINE,
                              "complaintChannel")
    cost_note = check(bilingual, _get(data, "cost_note"), LINE, "costNote")
    cost = _get(data, "cost") or 0
    if isinstance(cost, bool) or not isinstance(cost, int) or not 0 <= cost <= RUPIAH_MAX:
        problems.append(FieldError(C.INVALID_PRICE, "cost", max=RUPIAH_MAX))
    days = _get(data, "processing_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 0 <= days <= 3650):
        problems.append(FieldError(C.INVALID_RANGE, "processingDays", days=3650))
    legal = [check(LINE.clean, item, field=f"legalBasis[{i}]")
             for i, item in enumerate(list(_get(data, "legal_basis") or [])[:MAX_LIST])]
    category = check(TAG.clean, _get(data, "complaint_category_code"),
                     field="complaintCategoryCode")
    if category and not await ComplaintCategory.filter(code=category, active=True).exists():
        # The complaint channel links to Among Warga: a code it does not know leads nowhere.
        problems.append(FieldError(C.UNKNOWN_COMPLAINT_CATEGORY, "complaintCategoryCode",
                                   category=category))
    point_ids = [int(p) for p in (_get(data, "service_point_ids") or [])]
    if point_ids:
        found = set(await Place.filter(id__in=point_ids, status=ContentStatus.PUBLISHED)
                    .values_list("id", flat=True))
        if len(found) != len(set(point_ids)):
            problems.append(FieldError(C.NOT_FOUND, "servicePointIds"))
    if problems:
        raise ServiceError(problems)
    return {
        "slug": await _slug(name["id"], item_id),
        "name": name, "description": description, "requirements": requirements,
        "steps": steps, "processingTime": processing_time, "processingDays": days,
        "cost": cost, "costNote": cost_note, "product": product,
        "complaintChannel": complaint_channel, "complaintCategoryCode": category or None,
        "legalBasis": [item for item in legal if item],
        "servicePointIds": list(dict.fromkeys(point_ids)),
        "demo": bool(_get(data, "demo")),
    }


async def _slug(name: str, item_id: int | None) -> str:
    if item_id is not None:
        current = await PublicService.filter(id=item_id).values_list("slug", flat=True)
        if current:
            return current[0]
    base = slugify(name)[:72]
    taken = set(await PublicService.filter(slug__startswith=base).values_list("slug",
                                                                              flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def apply_service(item: Publishable, content: dict[str, Any]) -> None:
    service: PublicService = item  # type: ignore[assignment]
    name = content["name"]
    service.content = content
    service.slug = content["slug"]
    service.name_id, service.name_en = name["id"], name["en"]
    service.sort_name = name["id"].lower()[:200]
    service.cost = content["cost"]
    service.processing_days = content["processingDays"]
    service.complaint_category_code = content["complaintCategoryCode"]
    service.demo = content["demo"]
    service.search_text = search_document(
        name["id"], name["en"], plain_text(content["description"]["id"], 2000),
        plain_text(content["description"]["en"], 2000),
        *(r["id"] for r in content["requirements"]),
        *(r["en"] for r in content["requirements"]),
        content["product"]["id"], content["product"]["en"])
    await service.save()


SERVICES = register_kind(ContentKind(
    name="service", model=PublicService, apply=apply_service,
    published=KotaEvent.SERVICE_PUBLISHED, updated=KotaEvent.SERVICE_UPDATED,
    withdrawn=KotaEvent.SERVICE_WITHDRAWN,
))


# -- the satisfaction survey ------------------------------------------------------------------


def check_scores(scores: Any) -> list[int]:
    values = list(scores or [])
    if len(values) != len(ELEMENTS):
        raise ServiceError(C.SCORE_COUNT, "scores", count=len(values))
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise ServiceError(C.INVALID_SCORE, f"scores[{i}]")
    return values


async def submit_answer(principal: Principal, service_id: int, scores: Any) -> SurveyAnswer:
    values = check_scores(scores)
    now = utcnow()
    month = now.astimezone(WIB).strftime("%Y-%m")
    async with unit_of_work():
        service = await PublicService.get_or_none(id=service_id,
                                                  status=ContentStatus.PUBLISHED)
        if service is None:
            raise ServiceError(C.NOT_FOUND, "serviceId")
        if await SurveyAnswer.exists(service_id=service.id, user_id=principal.user.id,
                                     month=month):
            raise ServiceError(C.ALREADY_ANSWERED, "serviceId")
        answer = await SurveyAnswer.create(
            service_id=service.id, user_id=principal.user.id, month=month, created_at=now,
            **{f"u{i + 1}": v for i, v in enumerate(values)})
        # The index everyone sees changes: no one's scores in the event, only the count.
        await record_public_change(KotaEvent.SURVEY_ANSWERED, subject_type="service",
                                   subject_id=service.id, actor_id=None, payload={})
        return answer


@dataclass(frozen=True)
class Satisfaction:
    answers: int
    element_means: tuple[float, ...]  # U1 … U9, empty without answers
    index: float | None
    grade: str | None


def grade_of(index: float) -> str:
    return next((grade for lowest, grade in GRADES if index >= lowest), "D")


ANSWERS = sa.table("kota_survey_answer", sa.column("service_id"),
                   sa.column("created_at", sa.DateTime(timezone=True)),
                   *(sa.column(f"u{i}") for i in range(1, 10)))


async def satisfaction(service_id: int, start: datetime, end: datetime) -> Satisfaction:
    """The IKM of answers given in [start, end): each element's mean, and the index — the
    mean of the nine means × 25 (the regulation's weighted average, every weight 1/9) —
    with its grade. One statement."""
    row = (await fetch_all(sa.select(
        sa.func.count().label("n"),
        *(sa.func.avg(sa.cast(ANSWERS.c[f"u{i}"], sa.Float)).label(f"m{i}")
          for i in range(1, 10)),
    ).where(ANSWERS.c.service_id == service_id, ANSWERS.c.created_at >= start,
            ANSWERS.c.created_at < end)))[0]
    count = int(row["n"])
    if not count:
        return Satisfaction(0, (), None, None)
    means = tuple(float(row[f"m{i}"]) for i in range(1, 10))
    index = round(sum(means) / len(means) * 25, 2)
    return Satisfaction(count, means, index, grade_of(index))
