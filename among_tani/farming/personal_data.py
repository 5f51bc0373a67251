"""Farming's part of ``myData``: the person's parcels (with their boundaries), plantings and
harvests, and the crop questions they asked with the whole thread. Deleting the account
deletes the farm records (personal data nobody else relies on) and strips the questions of
the farmer's words and exact place; the questions stay as anonymous records for statistics."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from among_tani.farming.models import CropQuestion, Harvest, Parcel, Planting, QuestionMessage
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _num(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")


async def export(context: ExportContext) -> dict[str, Any]:
    parcels = await Parcel.filter(farmer_id=context.user_id).order_by("id") \
        .select_related("village")
    plantings = await Planting.filter(farmer_id=context.user_id).order_by("id")
    harvests = await Harvest.filter(farmer_id=context.user_id).order_by("id")
    questions = await CropQuestion.filter(asker_id=context.user_id).order_by("id")
    messages = await QuestionMessage.filter(question_id__in=[q.id for q in questions]) \
        .order_by("id")
    by_planting: dict[int, list] = defaultdict(list)
    for h in harvests:
        by_planting[h.planting_id].append({
            "harvestedOn": _iso(h.harvested_on), "quantity": _num(h.quantity), "unit": h.unit,
            "grade": h.grade, "enteredBy": h.entered_by_id})
    by_parcel: dict[int, list] = defaultdict(list)
    for p in plantings:
        by_parcel[p.parcel_id].append({
            "commodityCode": p.commodity_code, "variety": p.variety, "areaHa": _num(p.area_ha),
            "plantedOn": _iso(p.planted_on), "expectedHarvestOn": _iso(p.expected_harvest_on),
            "expectedYield": _num(p.expected_yield), "yieldUnit": p.yield_unit,
            "enteredBy": p.entered_by_id, "harvests": by_planting[p.id]})
    thread: dict[int, list] = defaultdict(list)
    for m in messages:
        thread[m.question_id].append({"kind": m.kind.value, "text": m.text,
                                      "photoIds": m.photo_ids, "authorId": m.author_id,
                                      "at": _iso(m.created_at)})
    return {
        "parcels": [{
            "name": p.name, "village": p.village.code, "tenure": p.tenure.value,
            "areaHa": _num(p.area_ha), "lat": p.lat, "lon": p.lon,
            "geometry": json.loads(p.geometry) if p.geometry else None,
            "enteredBy": p.entered_by_id, "createdAt": _iso(p.created_at),
            "plantings": by_parcel[p.id]} for p in parcels],
        "cropQuestions": [{
            "commodityCode": q.commodity_code, "problemType": q.problem_type.value,
            "status": q.status.value, "lat": q.lat, "lon": q.lon,
            "askedAt": _iso(q.created_at), "dueAt": _iso(q.due_at), "solved": q.solved,
            "rating": q.rating, "messages": thread[q.id]} for q in questions],
    }


async def erase(user_id: int) -> None:
    await Parcel.filter(farmer_id=user_id).delete()  # plantings and harvests go with them
    ids = list(await CropQuestion.filter(asker_id=user_id).values_list("id", flat=True))
    for question in await CropQuestion.filter(id__in=ids):
        # The village stays (statistics); the exact field does not.
        await CropQuestion.filter(id=question.id).update(
            description="", photo_ids=[], parcel_id=None, lat=round(question.lat, 2),
            lon=round(question.lon, 2))
    await QuestionMessage.filter(question_id__in=ids, author_id=user_id).update(
        text="", photo_ids=[])


SECTION = register(PersonalDataSection(key="farming", export=export, erase=erase))
