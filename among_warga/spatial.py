"""Where Among Warga meets the shared geo, media and dispatch parts: locating a report in
the city, photos owned by the reporter, nearby and in-bounds complaints, assigned agencies.

Public queries (the map, the feed, "similar" reports) select, measure and sort complaints by
their *public* point (``public_lat``/``public_lon``, with its own spatial index), never by the
exact one: for a sensitive category no answer then depends on more than the coarse point the
public is shown anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from tortoise.signals import pre_save

from among_warga.errors import ComplaintErrorCode as Code
from among_warga.models import (
    OPEN_STATUSES,
    PUBLIC_VISIBILITIES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    Dispatch,
)
from among_warga.visibility import public_point
from backend.errors import ServiceError
from backend.geo import services as geo
from backend.geo import spatial
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import check_bbox
from backend.media import services as media

PUBLIC_POINTS = spatial.point_table(
    "complaint",
    sa.Column("category_id", sa.Integer),
    sa.Column("status", sa.String),
    sa.Column("visibility", sa.String),
    lat_column="public_lat", lon_column="public_lon", index="public",
)
# Batch of complaints re-pointed at once when a category's sensitive flag changes.
_REPOINT_BATCH = 500


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


async def publish_photos(photo_ids: list[int]) -> None:
    await media.publish(photo_ids)


async def open_public_within(
    lat: float, lon: float, radius_m: float, *, category_id: int, since: datetime
) -> list[tuple[Complaint, float]]:
    """Open public complaints of the category whose public point is within ``radius_m``,
    with the distance to that point, nearest first."""
    points = PUBLIC_POINTS
    hits = await spatial.within_radius(
        points, lat, lon, radius_m,
        where=[
            points.c.category_id == category_id,
            points.c.status.in_([s.value for s in OPEN_STATUSES]),
            points.c.visibility.in_([v.value for v in PUBLIC_VISIBILITIES]),
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
    columns = PUBLIC_POINTS.c
    where = [columns.visibility.in_([v.value for v in PUBLIC_VISIBILITIES])]
    if category_ids is not None:
        where.append(columns.category_id.in_(category_ids))
    if statuses:
        where.append(columns.status.in_([s.value for s in statuses]))
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
    hits = await spatial.in_bbox(PUBLIC_POINTS, *bbox,
                                 where=_public_where(category_ids, statuses),
                                 limit=limit, before_id=before_id)
    rows = {c.id: c for c in await Complaint.filter(id__in=[h.id for h in hits])
            .select_related("category")}
    return [rows[h.id] for h in hits if h.id in rows]


async def count_public_in_bbox(
    bbox: tuple[float, float, float, float], category_ids: list[int] | None,
    statuses: list[ComplaintStatus] | None,
) -> int:
    return await spatial.count_in_bbox(PUBLIC_POINTS, *bbox,
                                       where=_public_where(category_ids, statuses))


async def dispatched_skpd_ids(complaint_id: int, *, active_only: bool = True) -> list[int]:
    dispatches = Dispatch.filter(complaint_id=complaint_id)
    if active_only:
        dispatches = dispatches.filter(active=True)
    return sorted(set(await dispatches.values_list("skpd_id", flat=True)))


# -- keeping the public point right ----------------------------------------------------------


@pre_save(Complaint)
async def _never_without_a_public_point(sender: type, instance: Complaint, using_db: object,
                                        update_fields: list[str] | None) -> None:
    """A safety net for code that writes complaints without submit_complaint (imports, demo
    data): a complaint without a public point would be missing from every public list."""
    if instance.public_lat is not None and instance.public_lon is not None:
        return
    if update_fields and not {"lat", "lon", "public_lat", "public_lon"} & set(update_fields):
        return
    flag = await ComplaintCategory.filter(id=instance.category_id).values_list(
        "sensitive_location", flat=True)
    sensitive = bool(flag[0]) if flag else True  # unknown: the coarse point
    instance.public_lat, instance.public_lon = public_point(instance.lat, instance.lon, sensitive)


async def follow_category_flag(complaint: Complaint, category_id: int, used: bool) -> None:
    """After writing ``complaint``'s public point for a category whose ``sensitive_location``
    was ``used``: read the flag again and follow it if an admin changed it meanwhile.

    Inside the caller's transaction, after the row is written: on PostgreSQL the write holds
    a key-share lock on the category row, which an admin's flag change (SELECT … FOR UPDATE
    in categories_admin) waits for — so either this re-read sees the new flag, or the admin's
    re-pointing of the category's complaints sees this row. SQLite has one writer at a time."""
    current = await ComplaintCategory.filter(id=category_id).values_list(
        "sensitive_location", flat=True)
    if current and bool(current[0]) != used:
        await _set_public_point(complaint, bool(current[0]))


async def _set_public_point(complaint: Complaint, sensitive: bool) -> None:
    lat, lon = public_point(complaint.lat, complaint.lon, sensitive)
    await Complaint.filter(id=complaint.id).update(public_lat=lat, public_lon=lon)
    complaint.public_lat, complaint.public_lon = lat, lon


async def repoint_category(category_id: int, sensitive: bool) -> int:
    """Recompute the public point of every complaint of the category (its sensitive flag
    changed); run inside the flag change's transaction. Returns how many were moved."""
    moved, after = 0, 0
    while True:
        batch = await Complaint.filter(category_id=category_id, id__gt=after).order_by(
            "id").limit(_REPOINT_BATCH).only("id", "lat", "lon", "public_lat", "public_lon")
        if not batch:
            return moved
        after = batch[-1].id
        changed = []
        for row in batch:
            point = public_point(row.lat, row.lon, sensitive)
            if (row.public_lat, row.public_lon) != point:
                row.public_lat, row.public_lon = point
                changed.append(row)
        if changed:
            await Complaint.bulk_update(changed, fields=["public_lat", "public_lon"],
                                        batch_size=200)
            moved += len(changed)
