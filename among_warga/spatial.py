"""Where Among Warga meets the shared geo, media and dispatch parts: locating a report in
the city, photos owned by the reporter, nearby and in-bounds complaints, assigned agencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from among_warga.errors import ComplaintErrorCode as Code
from among_warga.models import OPEN_STATUSES, PUBLIC_VISIBILITIES, Complaint, ComplaintStatus
from backend.errors import ServiceError
from backend.geo import services as geo
from backend.geo import spatial
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import check_bbox
from backend.media import services as media
from command_center.models import Dispatch

COMPLAINTS = spatial.point_table(
    "complaint",
    sa.Column("category_id", sa.Integer),
    sa.Column("status", sa.String),
    sa.Column("visibility", sa.String),
)


@dataclass(frozen=True)
class Place:
    village_code: str | None
    village_name: str | None
    district_code: str | None
    district_name: str | None


async def place_in_city(lat: float, lon: float) -> Place:
    try:
        location = await geo.require_in_city(lat, lon, "lat")
    except ServiceError as exc:
        if exc.code == GeoErrorCode.OUTSIDE_CITY:
            raise ServiceError(Code.OUTSIDE_CITY, "lat") from exc
        raise ServiceError(Code.INVALID_COORDINATES, "lat") from exc
    village, district = location.village, location.district
    return Place(
        village_code=village.code if village else None,
        village_name=village.name if village else None,
        district_code=district.code if district else None,
        district_name=district.name if district else None,
    )


async def require_owned_photos(owner_id: int, photo_ids: list[int]) -> None:
    try:
        await media.get_owned_photos(owner_id, photo_ids)
    except ServiceError as exc:
        raise ServiceError(Code.PHOTO_NOT_FOUND, "photoIds") from exc


async def open_public_within(
    lat: float, lon: float, radius_m: float, *, category_id: int, since: datetime
) -> list[tuple[Complaint, float]]:
    hits = await spatial.within_radius(
        COMPLAINTS, lat, lon, radius_m,
        where=[
            COMPLAINTS.c.category_id == category_id,
            COMPLAINTS.c.status.in_([s.value for s in OPEN_STATUSES]),
            COMPLAINTS.c.visibility.in_([v.value for v in PUBLIC_VISIBILITIES]),
        ],
        limit=50,
    )
    if not hits:
        return []
    # Few candidates within tens of metres: the age filter is cheaper here than in SQL,
    # where datetime storage differs between the two databases.
    rows = {
        c.id: c
        for c in await Complaint.filter(id__in=[h.id for h in hits], created_at__gte=since)
        .select_related("category")
    }
    return [(rows[h.id], h.distance_m or 0.0) for h in hits if h.id in rows]


def _public_where(category_ids: list[int] | None, statuses: list[ComplaintStatus] | None) -> list:
    where = [COMPLAINTS.c.visibility.in_([v.value for v in PUBLIC_VISIBILITIES])]
    if category_ids is not None:
        where.append(COMPLAINTS.c.category_id.in_(category_ids))
    if statuses:
        where.append(COMPLAINTS.c.status.in_([s.value for s in statuses]))
    return where


def valid_bbox(south: float, west: float, north: float, east: float) -> bool:
    try:
        check_bbox(south, west, north, east)
    except ServiceError:
        return False
    return True


async def public_in_bbox(
    bbox: tuple[float, float, float, float], category_ids: list[int] | None,
    statuses: list[ComplaintStatus] | None, *, before_id: int | None, limit: int,
) -> list[Complaint]:
    hits = await spatial.in_bbox(COMPLAINTS, *bbox, where=_public_where(category_ids, statuses),
                                 limit=limit, before_id=before_id)
    rows = {c.id: c for c in await Complaint.filter(id__in=[h.id for h in hits])
            .select_related("category")}
    return [rows[h.id] for h in hits if h.id in rows]


async def count_public_in_bbox(
    bbox: tuple[float, float, float, float], category_ids: list[int] | None,
    statuses: list[ComplaintStatus] | None,
) -> int:
    return await spatial.count_in_bbox(COMPLAINTS, *bbox,
                                       where=_public_where(category_ids, statuses))


async def dispatched_skpd_ids(complaint_id: int, *, active_only: bool = True) -> list[int]:
    dispatches = Dispatch.filter(complaint_id=complaint_id)
    if active_only:
        dispatches = dispatches.filter(active=True)
    return sorted(set(await dispatches.values_list("skpd_id", flat=True)))
