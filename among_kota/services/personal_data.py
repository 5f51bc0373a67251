"""Survey answers in ``myData``; erasing the account keeps them in the statistics, detached
from the person."""

from __future__ import annotations

from typing import Any

from among_kota.services.models import SurveyAnswer
from among_kota.services.services import ELEMENTS
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


async def export(context: ExportContext) -> dict[str, Any]:
    answers = await SurveyAnswer.filter(user_id=context.user_id).select_related(
        "service").order_by("id")
    english = context.language == "en"
    return {"satisfactionSurveys": [
        {"service": (a.service.name_en or a.service.name_id) if english else a.service.name_id,
         "month": a.month, "answeredAt": a.created_at.isoformat(),
         "scores": {e: getattr(a, f"u{i + 1}") for i, e in enumerate(ELEMENTS)}}
        for a in answers]}


async def erase(user_id: int) -> None:
    await SurveyAnswer.filter(user_id=user_id).update(user_id=None)


register(PersonalDataSection(key="satisfactionSurveys", export=export, erase=erase))
