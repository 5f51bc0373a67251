"""The devices a person registered for pushes, and the pushes queued for them."""

from __future__ import annotations

from typing import Any

from backend.accounts.personal_data import ExportContext, PersonalDataSection, register
from backend.push.models import Device, PushMessage
from backend.push.topics import refresh_topics


async def export(context: ExportContext) -> dict[str, Any]:
    devices = await Device.filter(user_id=context.user_id).order_by("id")
    messages = await PushMessage.filter(user_id=context.user_id).order_by("id")
    return {
        "devices": [
            {"platform": d.platform.value, "token": d.token,
             "registeredAt": d.created_at.isoformat(), "lastSeenAt": d.last_seen_at.isoformat()}
            for d in devices
        ],
        "notifications": [
            {"title": m.title, "body": m.body, "status": m.status.value,
             "queuedAt": m.created_at.isoformat(),
             "finishedAt": m.finished_at.isoformat() if m.finished_at else None}
            for m in messages
        ],
    }


async def erase(user_id: int) -> None:
    await PushMessage.filter(user_id=user_id).delete()
    tokens = list(await Device.filter(user_id=user_id).values_list("token", flat=True))
    await Device.filter(user_id=user_id).delete()
    # Their phones leave every topic (FCM is told by the push job).
    await refresh_topics(tokens=tokens)


register(PersonalDataSection(key="push", export=export, erase=erase))
