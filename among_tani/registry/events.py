from __future__ import annotations

from enum import Enum


class RegistryEvent(str, Enum):
    APPLICATION_SUBMITTED = "tani_application.submitted"
    APPLICATION_APPROVED = "tani_application.approved"
    APPLICATION_DECLINED = "tani_application.declined"
    OFFICER_VILLAGES_CHANGED = "tani_officer.villages_changed"
