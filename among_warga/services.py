"""Among Warga business rules: submitting, finding similar reports, supporting, following,
the public view, and closing the loop with the reporter."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from among_warga import spatial
from among_warga.errors import ComplaintErrorCode as Code
from among_warga.events import ComplaintEvent, complaint_audience
from among_warga.models import (
    OPEN_STATUSES,
    PUBLIC_VISIBILITIES,
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    ComplaintStatus,
    ComplaintSupport,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from among_warga.tickets import next_ticket_number
from among_warga.transitions import Change, change_status, event_payload, refused, sla_due
from among_warga.visibility import photos_public, public_point
from backend import ratelimit
from backend.accounts.models import User
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import record_event, unit_of_work

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MAX_PHOTOS = 5
SIMILAR_RADIUS_M = 50.0
SIMILAR_WINDOW = timedelta(days=14)
CONFIRMATION_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SubmitComplaint:
    client_request_id: str
    category_code: str
    description: str
    lat: float
    lon: float
    photo_ids: list[int]
    visibility: Visibility

    def fingerprint(self) -> str:
        canonical = json.dumps(
            [self.category_code, " ".join(self.description.split()), round(self.lat, 6),
             round(self.lon, 6), sorted(self.photo_ids), self.visibility.value],
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def check_coordinates(lat: float, lon: float) -> None:
    if (
        lat is None or lon is None
        or not (math.isfinite(lat) and math.isfinite(lon))
        or not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        raise ServiceError(Code.INVALID_COORDINATES, "lat")


async def active_category(code: str) -> ComplaintCategory:
    category = await ComplaintCategory.get_or_none(code=(code or "").strip())
    if category is None:
        raise ServiceError(Code.UNKNOWN_CATEGORY, "categoryCode", codes=code)
    if not category.active:
        raise ServiceError(Code.CATEGORY_INACTIVE, "categoryCode")
    return category


def _check_description(text: str) -> str:
    description = (text or "").strip()
    if not description:
        raise ServiceError(Code.DESCRIPTION_REQUIRED, "description")
    if len(description) < DESCRIPTION_MIN:
        raise ServiceError(Code.DESCRIPTION_TOO_SHORT, "description", min=DESCRIPTION_MIN)
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(Code.DESCRIPTION_TOO_LONG, "description", max=DESCRIPTION_MAX)
    return description


async def submit_complaint(
    reporter: User, request: SubmitComplaint,
    limit: ratelimit.Budget | None = ratelimit.DEFAULT_BUDGETS["complaint"],
) -> Complaint:
    """File a complaint. Idempotent per (reporter, clientRequestId): a retry returns the
    complaint the first attempt created, whatever happened to that attempt's response.

    At most ``limit.per_user`` complaints per reporter and window (default 10 an hour),
    counted in the transaction that creates the complaint: concurrent submissions cannot
    all slip under it, and a retry (or an attempt that fails) does not count."""
    client_id = (request.client_request_id or "").strip()
    if not 8 <= len(client_id) <= 64:
        raise ServiceError(Code.CLIENT_REQUEST_ID_REQUIRED, "clientRequestId")
    fingerprint = request.fingerprint()
    # One query answers both "is this a retry?" and "how many in the last window?".
    now = utcnow()
    window = timedelta(seconds=limit.window_seconds if limit else 3600)
    window_start = now - window
    recent = await Complaint.filter(
        Q(reporter_id=reporter.id)
        & (Q(client_request_id=client_id) | Q(created_at__gte=window_start))
    )
    existing = next((c for c in recent if c.client_request_id == client_id), None)
    if existing is not None:
        return _same_request(existing, fingerprint)

    category = await active_category(request.category_code)
    description = _check_description(request.description)
    check_coordinates(request.lat, request.lon)
    photo_ids = list(dict.fromkeys(request.photo_ids))
    if not photo_ids:
        raise ServiceError(Code.PHOTO_REQUIRED, "photoIds")
    if len(photo_ids) > MAX_PHOTOS:
        raise ServiceError(Code.TOO_MANY_PHOTOS, "photoIds", max=MAX_PHOTOS)
    await spatial.require_owned_photos(reporter.id, photo_ids)
    place = await spatial.place_in_city(request.lat, request.lon)

    # The sliding window, read from the rows above (racy on its own: concurrent requests all
    # see the same count; the counter taken inside the transaction below is not).
    in_window = sorted(c.created_at for c in recent if c.created_at >= window_start)
    if limit is not None and limit.per_user is not None and len(in_window) >= limit.per_user:
        wait = in_window[len(in_window) - limit.per_user] + window - now
        raise _rate_limited(wait.total_seconds())

    sensitive = category.sensitive_location
    public_lat, public_lon = public_point(request.lat, request.lon, sensitive)
    try:
        async with unit_of_work():
            try:
                await ratelimit.hit(limit, user_id=reporter.id)
            except ratelimit.RateLimited as exc:
                raise _rate_limited(exc.retry_after_seconds) from exc
            complaint = await Complaint.create(
                ticket_number=await next_ticket_number(now),
                reporter=reporter,
                category=category,
                description=description,
                lat=request.lat,
                lon=request.lon,
                public_lat=public_lat,
                public_lon=public_lon,
                village_code=place.village_code,
                village_name=place.village_name,
                district_code=place.district_code,
                district_name=place.district_name,
                status=ComplaintStatus.SUBMITTED,
                visibility=request.visibility,
                client_request_id=client_id,
                request_fingerprint=fingerprint,
                sla_due_at=sla_due(category, ComplaintStatus.SUBMITTED, now),
            )
            await spatial.follow_category_flag(complaint, category.id, sensitive)
            await ComplaintPhoto.bulk_create(
                [ComplaintPhoto(complaint=complaint, photo_id=pid, position=i)
                 for i, pid in enumerate(photo_ids)]
            )
            if photos_public(complaint):
                await spatial.publish_photos(photo_ids)
            await TimelineEntry.create(
                complaint=complaint, kind=TimelineKind.STATUS, to_status=complaint.status.value,
                actor=reporter, actor_label="Pelapor", public=True,
            )
            await record_event(
                ComplaintEvent.COMPLAINT_SUBMITTED, subject_type="complaint",
                subject_id=complaint.id, actor_id=reporter.id,
                audience=complaint_audience(reporter.id, (), public=True),
                payload=event_payload(complaint, category),
            )
    except IntegrityError:
        # Two copies of the same request raced; the loser answers with the winner's result.
        existing = await Complaint.get_or_none(reporter_id=reporter.id, client_request_id=client_id)
        if existing is None:
            raise
        return _same_request(existing, fingerprint)
    complaint.category = category
    return complaint


def _rate_limited(seconds: float) -> ServiceError:
    seconds = max(1, math.ceil(seconds))
    return ServiceError(Code.RATE_LIMITED, retry_after_seconds=seconds,
                        minutes=math.ceil(seconds / 60))


def _same_request(existing: Complaint, fingerprint: str) -> Complaint:
    if existing.request_fingerprint != fingerprint:
        raise ServiceError(Code.IDEMPOTENCY_CONFLICT, "clientRequestId")
    return existing


# -- before submitting: similar reports and support ----------------------------------------


async def similar_complaints(
    category_code: str, lat: float, lon: float, radius_m: float = SIMILAR_RADIUS_M
) -> list[tuple[Complaint, float]]:
    """Open, publicly visible complaints of the category near the point, nearest first."""
    category = await ComplaintCategory.get_or_none(code=category_code)
    if category is None:
        raise ServiceError(Code.UNKNOWN_CATEGORY, "categoryCode", codes=category_code)
    check_coordinates(lat, lon)
    radius_m = min(max(radius_m, 1.0), 500.0)
    return await spatial.open_public_within(
        lat, lon, radius_m, category_id=category.id, since=utcnow() - SIMILAR_WINDOW
    )


async def support_complaint(user: User, complaint_id: int) -> Complaint:
    complaint = await Complaint.get_or_none(id=complaint_id).select_related("category")
    if complaint is None or complaint.visibility not in PUBLIC_VISIBILITIES:
        raise ServiceError(Code.NOT_FOUND, "id")
    if complaint.reporter_id == user.id:
        raise ServiceError(Code.OWN_COMPLAINT, "id")
    if complaint.status not in OPEN_STATUSES:
        raise ServiceError(Code.NOT_SUPPORTABLE, "id")
    if await ComplaintSupport.exists(complaint_id=complaint.id, user_id=user.id):
        return complaint  # counted once per user; a repeat is not an error
    try:
        async with unit_of_work():
            await ComplaintSupport.create(complaint=complaint, user=user)
            count = await ComplaintSupport.filter(complaint_id=complaint.id).count()
            await Complaint.filter(id=complaint.id).update(support_count=count)
            await record_event(
                ComplaintEvent.COMPLAINT_SUPPORTED, subject_type="complaint",
                subject_id=complaint.id, actor_id=user.id,
                audience=complaint_audience(complaint.reporter_id, (), public=True),
                payload={"supportCount": count, "ticketNumber": complaint.ticket_number},
            )
    except IntegrityError:
        pass  # a concurrent retry of the same support already counted it
    await complaint.refresh_from_db(fields=["support_count"])
    return complaint


# -- closing the loop -------------------------------------------------------------------------


async def confirm_resolution(
    reporter: User, complaint_id: int, *, resolved: bool, rating: int | None,
    comment: str | None,
) -> Complaint:
    complaint = await Complaint.get_or_none(id=complaint_id).select_related("category")
    if complaint is None or complaint.reporter_id != reporter.id:
        raise ServiceError(Code.NOT_FOUND, "id")
    if complaint.status != ComplaintStatus.RESOLVED:
        raise refused(complaint.status, [ComplaintStatus.RESOLVED])
    if complaint.resolved_at is None or utcnow() - complaint.resolved_at > CONFIRMATION_WINDOW:
        raise ServiceError(Code.CONFIRMATION_CLOSED, "id")
    problems = []
    if rating is not None and not 1 <= rating <= 5:
        problems.append(FieldError(Code.INVALID_RATING, "rating"))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        problems.append(FieldError(Code.COMMENT_TOO_LONG, "comment"))
    if problems:
        raise ServiceError(problems)

    fields = {"rating": rating, "rating_comment": comment or None}
    if resolved:
        change = Change(ComplaintStatus.CLOSED, ComplaintEvent.COMPLAINT_CONFIRMED, reporter,
                        "Pelapor", note=comment, fields=fields, payload={"rating": rating})
    else:
        # Not fixed: back to the agency that resolved it, with the reporter's reason.
        change = Change(ComplaintStatus.DISPATCHED, ComplaintEvent.COMPLAINT_REOPENED, reporter,
                        "Pelapor", note=f"Pelapor: belum selesai. {comment}".strip(),
                        fields={**fields, "resolved_at": None}, payload={"reason": comment})
    async with unit_of_work():
        return await change_status(complaint, change, expected=ComplaintStatus.RESOLVED)


async def close_unconfirmed(now: datetime | None = None) -> int:
    """Close resolved complaints nobody confirmed within 7 days. Safe to run from several
    processes at once: each close is a conditional update that only one can win."""
    cutoff = (now or utcnow()) - CONFIRMATION_WINDOW
    closed = 0
    stale = await Complaint.filter(
        status=ComplaintStatus.RESOLVED, resolved_at__lte=cutoff
    ).select_related("category").limit(500)
    for complaint in stale:
        change = Change(ComplaintStatus.CLOSED, ComplaintEvent.COMPLAINT_CLOSED, None, "Sistem",
                        note="Ditutup otomatis: tidak ada konfirmasi pelapor dalam 7 hari.",
                        payload={"automatic": True})
        try:
            async with unit_of_work():
                await change_status(complaint, change, expected=ComplaintStatus.RESOLVED)
        except ServiceError:
            continue  # confirmed or closed by someone else meanwhile
        closed += 1
    return closed
