"""What each audience may learn about a complaint — decided here and nowhere else, for a whole
page of complaints at once.

- the reporter: everything about their own complaint except internal notes;
- operators (and admins): everything; every read of the reporter's personal data is logged;
- responders of an SKPD that holds the case now (an active dispatch): the case, the reporter's
  personal data (logged), and the internal notes their own SKPD wrote;
- responders of an SKPD that held it before (until a recall, a re-route or a return): the case
  as they worked it — description, exact place, photos, the public timeline and their own
  SKPD's notes — but no personal data, no other agency's notes, no dispatch details;
- everyone else: only PUBLIC and ANONYMOUS complaints, without phone or NIK ever, without a
  name for ANONYMOUS, and at the public point: for sensitive categories (Narkoba) the exact
  spot snapped to a ~110 m grid. Public queries select, measure and sort by that point only,
  so no filter or distance reveals more than the coordinates shown.

A complaint is one object per caller: every query resolves it through this policy, so the
same caller always gets the same values for the same id (API clients normalise by id).
"""

from __future__ import annotations

import datetime
import functools
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from among_warga.models import (
    PUBLIC_VISIBILITIES,
    Complaint,
    Dispatch,
    TimelineEntry,
    Visibility,
)
from backend import db
from backend.accounts.models import Role
from backend.accounts.services import Principal
from backend.clock import utcnow

# Sensitive categories show on public maps snapped to a ~110 m grid (3 decimals of a degree).
PUBLIC_ROUNDING_DECIMALS = 3
# Public distances are rounded too: to the metre, and to 10 m for sensitive categories.
PUBLIC_DISTANCE_STEP_M = 1.0
SENSITIVE_DISTANCE_STEP_M = 10.0


def public_point(lat: float, lon: float, sensitive: bool) -> tuple[float, float]:
    """The point the public may learn about a complaint at (lat, lon)."""
    if not sensitive:
        return (lat, lon)
    return (round(lat, PUBLIC_ROUNDING_DECIMALS), round(lon, PUBLIC_ROUNDING_DECIMALS))


def public_distance(meters: float, sensitive: bool) -> float:
    """A distance measured from a complaint's public point, as the public is told it."""
    step = SENSITIVE_DISTANCE_STEP_M if sensitive else PUBLIC_DISTANCE_STEP_M
    return float(round(meters / step) * step)


class Audience(Enum):
    REPORTER = "reporter"
    STAFF = "staff"  # operator or admin
    ASSIGNED = "assigned"  # responder of an SKPD holding the case now
    FORMER = "former"  # responder of an SKPD that held the case before
    PUBLIC = "public"


# Audiences that see the reporter's name, phone and NIK (reporter: their own).
_PERSONAL = frozenset({Audience.REPORTER, Audience.STAFF, Audience.ASSIGNED})
# Audiences whose reads of personal data go to the privacy log.
_LOGGED = frozenset({Audience.STAFF, Audience.ASSIGNED})
# Audiences that see who holds the case, the rating and similar case handling details.
_HANDLING = frozenset({Audience.REPORTER, Audience.STAFF, Audience.ASSIGNED})


@dataclass(frozen=True)
class View:
    complaint: Complaint
    audience: Audience
    viewer: Principal | None

    @property
    def sees_personal_data(self) -> bool:
        return self.audience in _PERSONAL

    @property
    def logs_personal_data(self) -> bool:
        return self.audience in _LOGGED and self.viewer is not None

    @property
    def sees_reporter_name(self) -> bool:
        return self.complaint.visibility == Visibility.PUBLIC or self.sees_personal_data

    @property
    def reporter_name_is_personal(self) -> bool:
        """Reading the name is a personal-data read (it is not shown to the public)."""
        return self.complaint.visibility != Visibility.PUBLIC

    @property
    def sees_handling(self) -> bool:
        """Which SKPD hold the case, the reporter's rating."""
        return self.audience in _HANDLING

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    def sees_note(self, entry: TimelineEntry) -> bool:
        if entry.public or self.audience == Audience.STAFF:
            return True
        if self.audience in (Audience.ASSIGNED, Audience.FORMER):
            skpd = self.viewer.skpd if self.viewer is not None else None
            return skpd is not None and entry.author_skpd_id == skpd.id
        return False

    def location(self) -> tuple[float, float]:
        c = self.complaint
        if self.audience != Audience.PUBLIC:
            return (c.lat, c.lon)
        if c.public_lat is not None and c.public_lon is not None:
            return (c.public_lat, c.public_lon)
        return public_point(c.lat, c.lon, True)  # not filled in yet: the coarse point


def photos_public(complaint: Complaint) -> bool:
    """Whether photos attached to the complaint (and to its public timeline entries) are shown
    to everyone: then they are published and get public, immutable URLs; every other photo is
    served through short-lived signed URLs (backend.media)."""
    return complaint.visibility in PUBLIC_VISIBILITIES


def is_operator(principal: Principal | None) -> bool:
    return principal is not None and bool(principal.roles & {Role.OPERATOR, Role.ADMIN})


def _responder_skpd_id(principal: Principal | None) -> int | None:
    if principal is not None and principal.has(Role.RESPONDER) and principal.skpd is not None:
        return principal.skpd.id
    return None


class Policy:
    """What one caller may see. ``views`` decides for a page of complaints with at most one
    query (a responder's dispatches), never one per row."""

    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal

    async def views(self, complaints: Sequence[Complaint]) -> list[View | None]:
        held = await self._dispatches(complaints)
        return [self._view(c, held.get(c.id)) for c in complaints]

    async def view(self, complaint: Complaint) -> View | None:
        return (await self.views([complaint]))[0]

    async def _dispatches(self, complaints: Sequence[Complaint]) -> dict[int, bool]:
        """complaint id → whether the caller's SKPD holds it now (absent: never held it)."""
        skpd_id = _responder_skpd_id(self.principal)
        if skpd_id is None or is_operator(self.principal):
            return {}
        user_id = self.principal.user.id if self.principal else None
        ids = [c.id for c in complaints if c.reporter_id != user_id]
        if not ids:
            return {}
        held: dict[int, bool] = {}
        for complaint_id, active in await Dispatch.filter(
            complaint_id__in=ids, skpd_id=skpd_id
        ).values_list("complaint_id", "active"):
            held[complaint_id] = held.get(complaint_id, False) or bool(active)
        return held

    def _view(self, complaint: Complaint, held: bool | None) -> View | None:
        audience = self._audience(complaint, held)
        return None if audience is None else View(complaint, audience, self.principal)

    def _audience(self, complaint: Complaint, held: bool | None) -> Audience | None:
        principal = self.principal
        if principal is not None:
            if complaint.reporter_id == principal.user.id:
                return Audience.REPORTER
            if is_operator(principal):
                return Audience.STAFF
            if held is not None:
                return Audience.ASSIGNED if held else Audience.FORMER
        if complaint.visibility in PUBLIC_VISIBILITIES:
            return Audience.PUBLIC
        return None


async def audience_for(complaint: Complaint, principal: Principal | None) -> Audience | None:
    """The viewer's audience for this complaint, or None if they may not see it at all."""
    view = await Policy(principal).view(complaint)
    return None if view is None else view.audience


async def view_of(complaint: Complaint, principal: Principal | None) -> View | None:
    return await Policy(principal).view(complaint)


def public_views(complaints: Iterable[Complaint]) -> list[View]:
    """The complaints as anyone may see them (feeds served to everyone alike)."""
    return [View(c, Audience.PUBLIC, None) for c in complaints]


# -- the privacy log ------------------------------------------------------------------------

_ACCESS_LOG_COLUMNS = ("staff_id", "complaint_id", "reporter_id", "fields_read", "created_at")


@functools.lru_cache(maxsize=64)
def _access_log_insert(dialect: str, rows: int) -> str:
    """The multi-row INSERT of the privacy log, built once per dialect and row count (a
    request's log is written on every staff read: SQLAlchemy compiling it each time was a
    tenth of a case queue's CPU)."""
    width = len(_ACCESS_LOG_COLUMNS)
    if dialect == "postgres":
        groups = ("(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")"
                  for r in range(rows))
    else:
        groups = ("(" + ", ".join("?" * width) + ")" for _ in range(rows))
    return (f"INSERT INTO personal_data_access ({', '.join(_ACCESS_LOG_COLUMNS)}) "
            f"VALUES {', '.join(groups)}")


_ROWS_PER_INSERT = 500  # SQLite caps bound parameters per statement


# On a WebSocket one connection runs many operations (a subscription per event, often several
# subscriptions asking for the same case): a staff member's repeat read of the same fields of
# the same complaint on the same connection within this window is the same access.
REPEAT_WINDOW_SECONDS = 60.0
_RECENT_MAX = 2000
_RECENT: weakref.WeakKeyDictionary[Any, dict[tuple[int, int], tuple[float, frozenset[str]]]] = \
    weakref.WeakKeyDictionary()


class PersonalDataReads:
    """The reads of personal data one request (or one event on a live stream) made: one row
    per staff member and complaint with every field read, written in one INSERT after the
    operation ran — not a row per field and per complaint while it runs."""

    COLLECTOR = "among_warga.personal_data_reads"

    def __init__(self, context: Any) -> None:
        self._context = context
        self._reads: dict[tuple[int, int], tuple[int, set[str]]] = {}

    def add(self, view: View, fields: Iterable[str]) -> None:
        if not view.logs_personal_data:
            return
        assert view.viewer is not None
        key = (view.viewer.user.id, view.complaint.id)
        _, seen = self._reads.setdefault(key, (view.complaint.reporter_id, set()))
        seen.update(fields)

    async def flush(self) -> None:
        reads, self._reads = self._reads, {}
        if not reads:
            return
        now = utcnow()
        # Decided before the first await, so concurrent flushes on one connection never
        # both write the same access.
        recent = _RECENT.setdefault(self._context.scope, {})
        if len(recent) > _RECENT_MAX:  # a wall display stays connected for days
            for key in [k for k, (t, _) in recent.items()
                        if now.timestamp() - t >= REPEAT_WINDOW_SECONDS]:
                del recent[key]
        rows = []
        for (staff_id, complaint_id), (reporter_id, fields) in reads.items():
            logged = recent.get((staff_id, complaint_id))
            if logged and now.timestamp() - logged[0] < REPEAT_WINDOW_SECONDS \
                    and fields <= logged[1]:
                continue
            recent[(staff_id, complaint_id)] = (now.timestamp(), frozenset(fields))
            rows.append((staff_id, complaint_id, reporter_id, ",".join(sorted(fields))))
        connection = db.connection()
        dialect = connection.capabilities.dialect
        # Written as Tortoise writes the column (SQLite: ISO text in UTC).
        stamp = now.astimezone(datetime.UTC).isoformat(" ") if dialect == "sqlite" else now
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start:start + _ROWS_PER_INSERT]
            values = [value for row in chunk for value in (*row, stamp)]
            await connection.execute_query(_access_log_insert(dialect, len(chunk)), values)


def log_personal_data_read(context: Any, view: View, fields: Iterable[str]) -> None:
    """Note that this request showed ``fields`` of the reporter's personal data to staff; the
    request writes its notes once, when it has run (``RequestContext.flush``)."""
    if view.logs_personal_data:
        context.collector(PersonalDataReads.COLLECTOR,
                          lambda: PersonalDataReads(context)).add(view, fields)
