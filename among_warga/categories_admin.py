"""Admins edit complaint categories: names, icons, active flag, the sensitive-location flag
(which moves the public point of the category's complaints) and service targets."""

from __future__ import annotations

import re
from typing import Any

from among_warga import spatial
from among_warga.errors import ComplaintErrorCode as Code
from among_warga.events import CategoryEvent
from among_warga.models import ComplaintCategory
from backend.accounts.models import AuditLog, User
from backend.errors import FieldError, ServiceError
from backend.events import audience, record_event, unit_of_work

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
TEXT_LIMITS = {"name_id": 100, "name_en": 100, "description_id": 500, "description_en": 500,
               "icon": 64}
TARGETS = ("triage_minutes", "response_minutes", "resolution_minutes")
_CAMEL = {"name_id": "nameId", "name_en": "nameEn", "description_id": "descriptionId",
          "description_en": "descriptionEn", "triage_minutes": "triageMinutes",
          "response_minutes": "responseMinutes", "resolution_minutes": "resolutionMinutes"}


async def save_category(actor: User, code: str, changes: dict[str, Any]) -> ComplaintCategory:
    code = (code or "").strip().lower()
    problems: list[FieldError] = []
    if not CODE_RE.match(code):
        problems.append(FieldError(Code.UNKNOWN_CATEGORY, "code", codes=code))
    for key, limit in TEXT_LIMITS.items():
        if key in changes:
            changes[key] = " ".join(str(changes[key]).split())
            if key.startswith("name") and not 2 <= len(changes[key]) <= limit:
                problems.append(FieldError(Code.INVALID_NAME, _CAMEL.get(key, key)))
            elif len(changes[key]) > limit:
                problems.append(FieldError(Code.DESCRIPTION_TOO_LONG, _CAMEL.get(key, key),
                                           max=limit))
    for key in TARGETS:
        if key in changes and changes[key] <= 0:
            problems.append(FieldError(Code.INVALID_TARGET, _CAMEL[key]))
    if problems:
        raise ServiceError(problems)

    async with unit_of_work():
        category = await ComplaintCategory.get_or_none(code=code).select_for_update()
        if category is None:
            missing = [k for k in ("name_id", "name_en", *TARGETS) if k not in changes]
            if missing:
                raise ServiceError([FieldError(Code.INVALID_NAME if k.startswith("name")
                                               else Code.INVALID_TARGET, _CAMEL[k])
                                    for k in missing])
            category = await ComplaintCategory.create(code=code, **changes)
            action = "create_category"
        else:
            was_sensitive = category.sensitive_location
            for key, value in changes.items():
                setattr(category, key, value)
            await category.save()
            action = "update_category"
            if category.sensitive_location != was_sensitive:
                # Its complaints' public points follow at once, in this transaction: the
                # public map never shows a sensitive report exactly, not even for a moment.
                await spatial.repoint_category(category.id, category.sensitive_location)
        await AuditLog.create(actor=actor, action=action, target_type="ComplaintCategory",
                              target_id=str(category.id), detail={"code": code, **changes})
        # Public lists and feeds show category names and follow the sensitive flag.
        await record_event(CategoryEvent.SAVED, subject_type="category",
                           subject_id=category.id, audience=[audience.user(actor.id)],
                           actor_id=actor.id,
                           payload={"code": code})
    return category
