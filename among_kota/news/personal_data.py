"""Among Kota's part of ``myData``: which announcements the person follows (the villages hint
where they live). Deleting the account removes them."""

from __future__ import annotations

from typing import Any

from among_kota.news.models import AnnouncementFollow
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


async def export(context: ExportContext) -> dict[str, Any]:
    follows = await AnnouncementFollow.filter(user_id=context.user_id).order_by("topic")
    return {"announcementFollows": [
        {"topic": f.topic, "since": f.created_at.isoformat()} for f in follows]}


async def erase(user_id: int) -> None:
    await AnnouncementFollow.filter(user_id=user_id).delete()


register(PersonalDataSection(key="amongKota", export=export, erase=erase))
