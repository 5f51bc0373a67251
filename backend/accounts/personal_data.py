"""Residents' rights over their data (UU 27/2022): what each part of BATT holds about a person.

Every part that keeps data about a person contributes a :class:`PersonalDataSection`:

- ``export`` — everything it holds about the person, JSON-ready, for ``myData``;
- ``staff_reads`` — when staff read the person's personal data in it (name, phone …), for the
  "who looked at my data" part of ``myData``; accounts adds who the staff member is;
- ``erase`` — what deleting the account must remove or anonymise there; it runs inside the
  deletion's transaction, after the account itself has been erased. Records other people rely
  on (complaints, orders) stay, detached from the person.

Sections register themselves when their module is imported. Which modules: each domain's
manifest names them (``Domain.personal_data``, dotted names imported with importlib, so
backend/ never imports a domain).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ExportContext:
    """What an export may need besides the person: settings and the app's services (photo
    storage builds URLs), and the language the person reads."""

    user_id: int
    settings: Any
    services: dict[str, Any] = field(default_factory=dict)
    language: str = "id"


@dataclass(frozen=True)
class StaffRead:
    """One read of the person's personal data by a staff member."""

    staff_id: int
    at: datetime
    fields: tuple[str, ...]
    # What was being looked at, e.g. {"type": "complaint", "ticketNumber": "BTU-2611-00042"}.
    subject: dict[str, Any]


@dataclass(frozen=True)
class PersonalDataSection:
    key: str  # the key in the myData document, e.g. "complaints"
    export: Callable[[ExportContext], Awaitable[Any]]
    staff_reads: Callable[[int], Awaitable[list[StaffRead]]] | None = None
    erase: Callable[[int], Awaitable[None]] | None = None


_SECTIONS: dict[str, PersonalDataSection] = {}
RESERVED_KEYS = frozenset(
    {"format", "generatedAt", "account", "roles", "sessions", "personalDataAccess"}
)


def register(section: PersonalDataSection) -> PersonalDataSection:
    if section.key in RESERVED_KEYS:
        raise ValueError(f"myData section key {section.key!r} is reserved")
    existing = _SECTIONS.get(section.key)
    if existing is not None and existing is not section:
        if existing.export.__qualname__ != section.export.__qualname__:
            raise ValueError(f"two myData sections named {section.key!r}")
    _SECTIONS[section.key] = section
    return section


def sections() -> list[PersonalDataSection]:
    from backend.domains import domains

    for domain in domains():
        for module in domain.personal_data:
            importlib.import_module(module)
    return list(_SECTIONS.values())
