"""Advisories and knowledge: Dinas Pertanian publishes advisories (bilingual Markdown, commodity
tags, target villages or a drawn area, severity, validity) that are pushed to the farmers who
grow a tagged commodity in the target according to the registry — and to nobody else; an
answered question can become a knowledge article with the farmer's identity removed; both are
searched together, typo-tolerant, in both languages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from shapely.geometry import Point, shape
from shapely.prepared import prep
from tortoise.expressions import Q

from among_tani import audience as tani_audience
from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.events import FarmingEvent
from among_tani.farming.models import (
    Advisory,
    CropQuestion,
    MessageKind,
    Parcel,
    Planting,
    ProblemType,
    QuestionMessage,
    QuestionStatus,
    Severity,
)
from among_tani.farming.records import parse_polygon
from among_tani.registry import services as registry_services
from backend.clock import WIB, utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.sql import fetch_all
from backend.markdown import plain_text
from backend.push.services import enqueue_push_many
from backend.search import matches, parse_search, relevance, search_document
from backend.text import TextRule

TITLE = TextRule(max=200, too_long=Code.INVALID_TEXT, required=Code.INVALID_TEXT,
                 invalid=Code.INVALID_TEXT, single_line=True)
BODY = TextRule(max=20_000, too_long=Code.INVALID_TEXT, required=Code.INVALID_TEXT,
                invalid=Code.INVALID_TEXT)
# A planting counts as "grown" until a month after its expected harvest.
GROWING_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class AdvisoryInput:
    title_id: str
    body_id: str
    commodity_codes: list[str]
    title_en: str = ""
    body_en: str = ""
    village_codes: list[str] = field(default_factory=list)
    area: Any = None
    severity: Severity = Severity.INFO
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def _aware(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC (the API's DateTime is ISO 8601)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def recipients(commodity_codes: list[str], village_ids: list[int],
                     area: str | None) -> list[int]:
    """Farmers growing a tagged commodity in the target: registered plantings on parcels in
    the target villages (or inside the drawn area), and farmers whose registry profile names
    the commodity in those villages. Three queries whatever the number of farmers."""
    today = utcnow().astimezone(WIB).date()
    growing = Planting.filter(commodity_code__in=commodity_codes,
                              expected_harvest_on__gte=today - GROWING_GRACE)
    users: set[int] = set()
    if village_ids:
        users |= set(await growing.filter(village_id__in=village_ids)
                     .values_list("farmer_id", flat=True))
        users |= await registry.farmers_growing(commodity_codes, village_ids)
    if area:
        drawn = shape(json.loads(area))
        west, south, east, north = drawn.bounds
        inside = prep(drawn)
        rows = await Parcel.filter(
            lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east,
            plantings__commodity_code__in=commodity_codes,
            plantings__expected_harvest_on__gte=today - GROWING_GRACE,
        ).distinct().values_list("farmer_id", "lat", "lon")
        users |= {f for f, lat, lon in rows if inside.covers(Point(lon, lat))}
    return sorted(users)


async def publish(principal: Any, data: AdvisoryInput) -> Advisory:
    if not registry.is_distan_staff(principal):
        raise ServiceError(Code.NOT_ALLOWED)
    problems: list[FieldError] = []

    def clean(rule: TextRule, value: str, name: str, required: bool) -> str:
        try:
            return rule.clean(value, field=name, required=required)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return ""

    title_id = clean(TITLE, data.title_id, "titleId", True)
    title_en = clean(TITLE, data.title_en, "titleEn", False)
    body_id = clean(BODY, data.body_id, "bodyId", True)
    body_en = clean(BODY, data.body_en, "bodyEn", False)
    commodities = []
    try:
        commodities = await registry_services.commodities_by_codes(data.commodity_codes)
        if not commodities:
            problems.append(FieldError(Code.UNKNOWN_COMMODITY, "commodityCodes",
                                       commodity="—"))
    except ServiceError as exc:
        problems.extend(exc.errors)
    villages = []
    try:
        villages = await registry_services.villages_by_codes(data.village_codes)
    except ServiceError as exc:
        problems.extend(exc.errors)
    area = None
    if data.area is not None:
        try:
            area = json.dumps(parse_polygon(data.area).__geo_interface__, separators=(",", ":"))
        except ServiceError as exc:
            problems.extend(FieldError(e.code, "area", **e.params) for e in exc.errors)
    if not data.village_codes and data.area is None:
        problems.append(FieldError(Code.TARGET_REQUIRED, "villageCodes"))
    valid_from = _aware(data.valid_from) or utcnow()
    valid_until = _aware(data.valid_until)
    if valid_until is not None and valid_until <= valid_from:
        problems.append(FieldError(Code.INVALID_PERIOD, "validUntil"))
    if problems:
        raise ServiceError(problems)
    codes = sorted(c.code for c in commodities)
    village_ids = sorted(v.id for v in villages)
    async with unit_of_work():
        users = await recipients(codes, village_ids, area)
        advisory = await Advisory.create(
            title_id=title_id, title_en=title_en, body_id=body_id, body_en=body_en,
            commodity_codes=codes, village_ids=village_ids, area=area,
            severity=data.severity, valid_from=valid_from, valid_until=valid_until,
            published_by_id=principal.user.id, recipient_count=len(users),
            search_text=search_document(title_id, title_en, plain_text(body_id, 2000),
                                        plain_text(body_en, 2000),
                                        *(c.name_id for c in commodities),
                                        *(c.name_en for c in commodities)),
        )
        await tani_audience.record(
            FarmingEvent.ADVISORY_PUBLISHED, subject_type="advisory", subject_id=advisory.id,
            audience=["public"], actor_id=principal.user.id,
            payload={"advisoryId": advisory.id, "commodityCodes": codes,
                     "severity": advisory.severity.value, "recipients": len(users)})
    return advisory


async def push_advisory(event: Any) -> int:
    """After commit (a handler): push the advisory to the farmers growing its commodities in
    its target, keyed by the advisory so a repeat never pushes twice."""
    advisory = await Advisory.get_or_none(id=event.subject_id)
    if advisory is None or advisory.is_article:
        return 0
    users = await recipients(advisory.commodity_codes, advisory.village_ids, advisory.area)
    return await enqueue_push_many(
        users, title=advisory.title_id, body=plain_text(advisory.body_id, 180),
        data={"kind": FarmingEvent.ADVISORY_PUBLISHED.value, "advisoryId": str(advisory.id),
              "severity": advisory.severity.value},
        dedupe_key=f"advisory:{advisory.id}")


async def publish_article(principal: Any, question_id: int, *, title_id: str,
                          title_en: str = "") -> Advisory:
    """An answered question as a knowledge article: the problem and the answers, without the
    farmer's name, place, parcel or photos."""
    if not registry.is_distan_staff(principal):
        raise ServiceError(Code.NOT_ALLOWED)
    question = await CropQuestion.get_or_none(id=question_id)
    if question is None:
        raise ServiceError(Code.NOT_FOUND, "questionId")
    if question.status == QuestionStatus.OPEN or question.first_answer_at is None:
        raise ServiceError(Code.NOT_ANSWERED, "questionId")
    title = TITLE.clean(title_id, field="titleId", required=True)
    title_en = TITLE.clean(title_en, field="titleEn")
    answers = await QuestionMessage.filter(question_id=question.id, kind=MessageKind.ANSWER) \
        .order_by("id")
    body = "**Masalah:** " + question.description + "\n\n" + "\n\n".join(
        "**Jawaban:** " + a.text + "".join(f"\n- {x}" for x in a.recommended_actions)
        for a in answers)
    commodity = await registry.commodity(question.commodity_code)
    async with unit_of_work():
        existing = await Advisory.get_or_none(source_question_id=question.id)
        if existing is not None:
            return existing
        article = await Advisory.create(
            title_id=title, title_en=title_en, body_id=body, commodity_codes=[
                question.commodity_code], village_ids=[], valid_from=utcnow(),
            published_by_id=principal.user.id, source_question_id=question.id,
            is_article=True, problem_type=question.problem_type,
            search_text=search_document(title, title_en, plain_text(body, 4000),
                                        commodity.name_id if commodity else None,
                                        commodity.name_en if commodity else None))
        await tani_audience.record(
            FarmingEvent.ARTICLE_PUBLISHED, subject_type="advisory", subject_id=article.id,
            audience=["public"], actor_id=principal.user.id,
            payload={"advisoryId": article.id, "commodityCodes": article.commodity_codes})
    return article


_ADVISORY = sa.table("farming_advisory", sa.column("id"), sa.column("search_text"),
                     sa.column("commodity_codes"), sa.column("problem_type"),
                     sa.column("created_at"))


async def knowledge(text: str | None, *, commodity_code: str | None = None,
                    problem_type: ProblemType | None = None, limit: int = 20
                    ) -> list[Advisory]:
    """Articles and advisories, best match first (newest first without text)."""
    query = parse_search(text)
    rows = Advisory.all()
    if problem_type is not None:
        rows = rows.filter(problem_type=problem_type)
    if query is None:
        found = await rows.order_by("-id").limit(limit * 5)
    else:
        score = relevance(_ADVISORY, query)
        ids = [int(r["id"]) for r in await fetch_all(
            sa.select(_ADVISORY.c.id, score).where(matches(_ADVISORY, query))
            .order_by(score.desc(), _ADVISORY.c.id).limit(limit * 5))]
        by_id = {a.id: a for a in await rows.filter(id__in=ids)}
        found = [by_id[i] for i in ids if i in by_id]
    if commodity_code:
        found = [a for a in found if commodity_code in (a.commodity_codes or [])]
    return found[:limit]


async def current(commodity_code: str | None = None, limit: int = 50) -> list[Advisory]:
    now = utcnow()
    rows = await Advisory.filter(is_article=False, valid_from__lte=now).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)).order_by("-id").limit(limit * 2)
    if commodity_code:
        rows = [a for a in rows if commodity_code in (a.commodity_codes or [])]
    return rows[:limit]
