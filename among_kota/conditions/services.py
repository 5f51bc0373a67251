"""City-condition notices: an editor's input checked into the notice's content (geometry,
validity, kind, severity, bilingual text), that content written to the row (the
:class:`ContentKind` the editorial workflow publishes), the public read of what is current in
a box, and the job that marks when a notice starts and expires."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from among_kota.conditions.models import (
    ConditionNotice,
    NoticeKind,
    NoticeSeverity,
    ValidityState,
)
from among_kota.content.models import ContentStatus, Publishable
from among_kota.content.services import ContentKind, register_kind
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent, record_public_change
from among_kota.text import MAP_BOUNDS, MARKDOWN, NAME, bilingual
from among_kota.times import client_time
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.geodesy import Bbox

GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
MAX_POSITIONS = 2000  # a road or an area drawn by hand, not a survey
MAX_RINGS = 20
# The most a public answer lists: the city rarely has more than a handful at once.
MAX_NOTICES = 500
SEVERITY_ORDER = {NoticeSeverity.SEVERE: 0, NoticeSeverity.WARNING: 1, NoticeSeverity.INFO: 2}


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


def _enum(enum: type, value: Any, field: str) -> Any:
    value = getattr(value, "value", value)
    try:
        return enum(value)
    except ValueError:
        raise ServiceError(C.UNKNOWN_CATEGORY, field, codes=str(value)[:32]) from None


# -- geometry (RFC 7946) ----------------------------------------------------------------------


def _position(value: Any, field: str) -> list[float]:
    if (not isinstance(value, list | tuple) or len(value) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool)
                       and math.isfinite(v) for v in value)):
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail="a position is [longitude, latitude]")
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail="a position is [longitude, latitude]")
    if not MAP_BOUNDS.contains(lat, lon):
        raise ServiceError(C.OUTSIDE_MAP, field, south=MAP_BOUNDS.south,
                           north=MAP_BOUNDS.north, west=MAP_BOUNDS.west, east=MAP_BOUNDS.east)
    # Seven decimals: about a centimetre; altitude dropped (the map is flat).
    return [round(lon, 7), round(lat, 7)]


def _positions(value: Any, field: str, least: int) -> list[list[float]]:
    if not isinstance(value, list | tuple) or len(value) < least:
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail=f"at least {least} positions are needed")
    if len(value) > MAX_POSITIONS:
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail=f"at most {MAX_POSITIONS} positions")
    return [_position(p, field) for p in value]


def clean_geometry(value: Any, field: str = "geometry") -> dict[str, Any]:
    """A Point, LineString or Polygon (RFC 7946: lon, lat; a polygon's rings closed, the
    outer one first) wholly within the city's map; coordinates rounded, altitude dropped."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ServiceError(C.INVALID_GEOMETRY, field, detail="not JSON") from None
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail="the type must be Point, LineString or Polygon")
    kind, coordinates = value["type"], value.get("coordinates")
    if kind == "Point":
        return {"type": kind, "coordinates": _position(coordinates, field)}
    if kind == "LineString":
        line = _positions(coordinates, field, 2)
        if all(p == line[0] for p in line):
            raise ServiceError(C.INVALID_GEOMETRY, field, detail="a line needs two places")
        return {"type": kind, "coordinates": line}
    if not isinstance(coordinates, list | tuple) or not 1 <= len(coordinates) <= MAX_RINGS:
        raise ServiceError(C.INVALID_GEOMETRY, field,
                           detail=f"a polygon has 1 to {MAX_RINGS} rings")
    rings = [_positions(ring, field, 4) for ring in coordinates]
    if sum(len(r) for r in rings) > MAX_POSITIONS:
        raise ServiceError(C.INVALID_GEOMETRY, field, detail=f"at most {MAX_POSITIONS} positions")
    for ring in rings:
        if ring[0] != ring[-1]:
            raise ServiceError(C.INVALID_GEOMETRY, field,
                               detail="each ring must end where it starts")
        if len({tuple(p) for p in ring}) < 3:
            raise ServiceError(C.INVALID_GEOMETRY, field, detail="a ring needs three corners")
    return {"type": kind, "coordinates": rings}


def geometry_box(geometry: dict[str, Any]) -> Bbox:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Point":
        points = [coordinates]
    elif geometry["type"] == "LineString":
        points = coordinates
    else:
        points = [p for ring in coordinates for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return Bbox(south=min(lats), west=min(lons), north=max(lats), east=max(lons))


# -- the editor's input -----------------------------------------------------------------------


async def clean_notice(data: Any, *, now: datetime | None = None) -> dict[str, Any]:
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    title = check(bilingual, _get(data, "title"), NAME, "title", required=True)
    body = check(bilingual, _get(data, "body"), MARKDOWN, "body")
    kind = check(_enum, NoticeKind, _get(data, "kind"), "kind")
    severity = check(_enum, NoticeSeverity, _get(data, "severity"), "severity")
    geometry = check(clean_geometry, _get(data, "geometry"), "geometry")
    valid_from = check(client_time, _get(data, "valid_from"), "validFrom")
    raw_until = _get(data, "valid_until")
    valid_until = check(client_time, raw_until, "validUntil") if raw_until is not None else None
    if valid_from and valid_until:
        if valid_until <= valid_from:
            problems.append(FieldError(C.VALIDITY_ENDS_BEFORE_START, "validUntil"))
        elif valid_until <= (now or utcnow()):
            problems.append(FieldError(C.ALREADY_EXPIRED, "validUntil"))
    if problems:
        raise ServiceError(problems)
    return {
        "kind": kind.value, "severity": severity.value, "title": title, "body": body,
        "geometry": geometry, "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat() if valid_until else None,
    }


def validity_state(valid_from: datetime, valid_until: datetime | None, now: datetime
                   ) -> ValidityState:
    if valid_until is not None and valid_until <= now:
        return ValidityState.EXPIRED
    return ValidityState.CURRENT if valid_from <= now else ValidityState.PENDING


async def apply_notice(item: Publishable, content: dict[str, Any]) -> None:
    notice: ConditionNotice = item  # type: ignore[assignment]
    box = geometry_box(content["geometry"])
    notice.content = content
    notice.kind = NoticeKind(content["kind"])
    notice.severity = NoticeSeverity(content["severity"])
    notice.title_id, notice.title_en = content["title"]["id"], content["title"]["en"]
    notice.body_id, notice.body_en = content["body"]["id"], content["body"]["en"]
    notice.geometry = content["geometry"]
    notice.min_lat, notice.min_lon, notice.max_lat, notice.max_lon = (
        box.south, box.west, box.north, box.east)
    # Stored in UTC like every time (SQLite compares the text).
    notice.valid_from = datetime.fromisoformat(content["validFrom"]).astimezone(UTC)
    notice.valid_until = (datetime.fromisoformat(content["validUntil"]).astimezone(UTC)
                          if content["validUntil"] else None)
    notice.validity_state = validity_state(notice.valid_from, notice.valid_until, utcnow())
    await notice.save()


NOTICES = register_kind(ContentKind(
    name="condition_notice", model=ConditionNotice, apply=apply_notice,
    published=KotaEvent.CONDITION_PUBLISHED, updated=KotaEvent.CONDITION_UPDATED,
    withdrawn=KotaEvent.CONDITION_WITHDRAWN,
))

NOTICE_EVENTS = (KotaEvent.CONDITION_PUBLISHED, KotaEvent.CONDITION_UPDATED,
                 KotaEvent.CONDITION_WITHDRAWN, KotaEvent.CONDITION_STARTED,
                 KotaEvent.CONDITION_EXPIRED)


# -- reading ----------------------------------------------------------------------------------


async def current_notices(bbox: Bbox | None, now: datetime | None = None
                          ) -> list[ConditionNotice]:
    """Published notices valid now whose geometry's box meets ``bbox`` (one statement),
    the most severe first, then the newest."""
    now = now or utcnow()
    notices = ConditionNotice.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now),
        status=ContentStatus.PUBLISHED, valid_from__lte=now)
    if bbox is not None:
        notices = notices.filter(min_lat__lte=bbox.north, max_lat__gte=bbox.south,
                                 min_lon__lte=bbox.east, max_lon__gte=bbox.west)
    rows = await notices.order_by("-valid_from", "-id").limit(MAX_NOTICES).select_related(
        "skpd")
    return sorted(rows, key=lambda n: SEVERITY_ORDER[n.severity])


# -- the job: validity starts and ends --------------------------------------------------------


async def track_validity() -> int:
    """Mark notices whose validity began or ended since the last round, and record an event
    for each published one: cached public answers (which filter on the times) are dropped
    exactly then. Returns how many notices changed state."""
    now = utcnow()
    changed = 0
    started = ConditionNotice.filter(validity_state=ValidityState.PENDING, valid_from__lte=now)
    expired = ConditionNotice.filter(validity_state__in=[ValidityState.PENDING,
                                                         ValidityState.CURRENT],
                                     valid_until__lte=now)
    for rows, event in ((await expired.values("id", "status", "validity_state"),
                         KotaEvent.CONDITION_EXPIRED),
                        (await started.values("id", "status", "validity_state"),
                         KotaEvent.CONDITION_STARTED)):
        for row in rows:
            async with unit_of_work():
                state = (ValidityState.EXPIRED if event == KotaEvent.CONDITION_EXPIRED
                         else ValidityState.CURRENT)
                # Conditional: of two job runs (two workers), one wins.
                won = await ConditionNotice.filter(
                    id=row["id"], validity_state=row["validity_state"]).update(
                        validity_state=state)
                if not won:
                    continue
                changed += 1
                if row["status"] == ContentStatus.PUBLISHED:
                    await record_public_change(event, subject_type=NOTICES.name,
                                               subject_id=row["id"], actor_id=None)
    return changed
