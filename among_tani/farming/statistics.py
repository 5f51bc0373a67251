"""Dinas Pertanian's statistics: planted area and farmers per commodity and village, questions
per problem type and village, and answer times per officer. Aggregates, one query each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tortoise.functions import Count, Sum

from among_tani.farming.models import CropQuestion, Planting


@dataclass(frozen=True)
class PlantedArea:
    commodity_code: str
    village_id: int
    area_ha: Decimal
    farmers: int
    plantings: int


@dataclass(frozen=True)
class QuestionCount:
    problem_type: str
    village_id: int
    questions: int
    open: int
    overdue: int


@dataclass(frozen=True)
class AnswerTime:
    officer_id: int
    answered: int
    mean_hours: float
    max_hours: float


@dataclass(frozen=True)
class Statistics:
    planted: list[PlantedArea]
    questions: list[QuestionCount]
    answer_times: list[AnswerTime]


async def statistics(since: datetime | None = None) -> Statistics:
    plantings = Planting.all()
    asked = CropQuestion.all()
    if since is not None:
        if since.tzinfo is None:  # ISO 8601 without a zone: UTC
            since = since.replace(tzinfo=UTC)
        plantings = plantings.filter(expected_harvest_on__gte=since.date())
        asked = asked.filter(created_at__gte=since)
    planted_rows = await plantings.annotate(
        area=Sum("area_ha"), farmers=Count("farmer_id", distinct=True), n=Count("id"),
    ).group_by("commodity_code", "village_id").values(
        "commodity_code", "village_id", "area", "farmers", "n")
    planted = sorted((PlantedArea(r["commodity_code"], r["village_id"],
                                  Decimal(str(r["area"] or 0)), int(r["farmers"]), int(r["n"]))
                      for r in planted_rows), key=lambda p: (p.commodity_code, p.village_id))
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    times: dict[int, list[float]] = defaultdict(list)
    for row in await asked.values("problem_type", "village_id", "status",
                                  "overdue_flagged_at", "created_at", "first_answer_at",
                                  "first_answer_by_id"):
        kind = getattr(row["problem_type"], "value", row["problem_type"])
        bucket = counts[(kind, row["village_id"])]
        bucket[0] += 1
        bucket[1] += getattr(row["status"], "value", row["status"]) == "open"
        bucket[2] += row["overdue_flagged_at"] is not None
        if row["first_answer_at"] is not None and row["first_answer_by_id"] is not None:
            hours = (row["first_answer_at"] - row["created_at"]).total_seconds() / 3600
            times[row["first_answer_by_id"]].append(hours)
    questions = [QuestionCount(k, v, *n) for (k, v), n in sorted(counts.items())]
    answer_times = [AnswerTime(o, len(h), round(sum(h) / len(h), 2), round(max(h), 2))
                    for o, h in sorted(times.items())]
    return Statistics(planted, questions, answer_times)
