from __future__ import annotations

from typing import Any

import graphene

from among_warga.errors import ComplaintErrorCode
from among_warga.graphql.dataloaders import (
    ActiveSkpdsByComplaintIdLoader,
    CategoryByIdLoader,
    DuplicateOriginalLoader,
    PhotosByComplaintIdLoader,
    SupportedByViewerLoader,
    TimelineByComplaintIdLoader,
    UserByIdLoader,
)
from among_warga.models import (
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintStatus,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from among_warga.visibility import View, log_personal_data_read
from backend.accounts.graphql.types import SkpdType
from backend.clock import utcnow
from backend.graphql.core import connection_for, error_type
from backend.graphql.execution import plain_resolver
from backend.graphql.prefetch import takes_selection, then
from backend.i18n import bilingual_field
from backend.media.graphql.dataloaders import PhotoByIdLoader
from backend.media.graphql.types import PhotoType
from backend.media.models import Photo

ComplaintStatusEnum = graphene.Enum.from_enum(ComplaintStatus, name="ComplaintStatus")
VisibilityEnum = graphene.Enum.from_enum(
    Visibility, name="ComplaintVisibility",
    description="PUBLIC: shown with your name; ANONYMOUS: public without a name; "
    "CONFIDENTIAL: never public.",
)
TimelineKindEnum = graphene.Enum.from_enum(TimelineKind, name="TimelineKind")
ComplaintError = error_type("ComplaintError", ComplaintErrorCode)


class ComplaintCategoryType(graphene.ObjectType):
    class Meta:
        name = "ComplaintCategory"

    id = graphene.ID(required=True)
    code = graphene.String(required=True)
    name = bilingual_field(required=True)
    name_id = graphene.String(required=True)
    name_en = graphene.String(required=True)
    description = bilingual_field(required=True)
    icon = graphene.String(required=True)
    active = graphene.Boolean(required=True)
    sensitive_location = graphene.Boolean(
        required=True, description="Public maps show these reports only approximately (~100 m)."
    )
    triage_minutes = graphene.Int(required=True)
    response_minutes = graphene.Int(required=True)
    resolution_minutes = graphene.Int(required=True)


class ComplaintAreaType(graphene.ObjectType):
    class Meta:
        name = "ComplaintArea"
        description = "Where the complaint is: desa/kelurahan and kecamatan."

    village_code = graphene.String()
    village_name = graphene.String()
    district_code = graphene.String()
    district_name = graphene.String()


class ReporterType(graphene.ObjectType):
    class Meta:
        name = "Reporter"
        description = "Personal data: only for the reporter, operators and the assigned SKPD."

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    phone = graphene.String(required=True)


class TimelineItem:
    """A timeline entry with the view of the complaint it belongs to (for its photos)."""

    __slots__ = ("entry", "view")

    def __init__(self, entry: TimelineEntry, view: View) -> None:
        self.entry, self.view = entry, view


@plain_resolver
def _from_entry(attname, default_value, item: TimelineItem, info, **args):
    return getattr(item.entry, attname, default_value)


class TimelineEntryType(graphene.ObjectType):
    class Meta:
        name = "TimelineEntry"
        default_resolver = _from_entry

    id = graphene.ID(required=True)
    kind = graphene.Field(TimelineKindEnum, required=True)
    from_status = graphene.Field(ComplaintStatusEnum)
    to_status = graphene.Field(ComplaintStatusEnum)
    note = graphene.String(required=True)
    public = graphene.Boolean(required=True)
    actor_label = graphene.String(required=True, description="e.g. Command Center, Dinas PUPR.")
    photo_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    photos = graphene.List(graphene.NonNull(PhotoType), required=True,
                           description="The photos of this step, e.g. the proof of a fix.")
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_from_status(item, info):
        return ComplaintStatus(item.entry.from_status) if item.entry.from_status else None

    @staticmethod
    def resolve_to_status(item, info):
        return ComplaintStatus(item.entry.to_status) if item.entry.to_status else None

    @staticmethod
    def resolve_photos(item, info):
        return _photos(info, item.entry.photo_ids or [])


def _photos(info, ids) -> list[Photo] | Any:
    """The photos, now if fetched ahead (see ComplaintType.PREFETCH), else later."""
    return then(info.context.loader(PhotoByIdLoader).many_now_or_later(list(ids)),
                lambda photos: [p for p in photos if p is not None])


@plain_resolver
def _from_complaint(attname, default_value, view: View, info, **args):
    # Plain columns read straight from the complaint; fields that depend on who is looking
    # have resolvers of their own below.
    return getattr(view.complaint, attname, default_value)


class ComplaintType(graphene.ObjectType):
    """Resolved from a :class:`View` — the complaint as this caller may see it."""

    class Meta:
        name = "Complaint"
        default_resolver = _from_complaint

    id = graphene.ID(required=True)
    ticket_number = graphene.String(required=True, description="e.g. BTU-2611-00042.")
    status = graphene.Field(ComplaintStatusEnum, required=True)
    visibility = graphene.Field(VisibilityEnum, required=True)
    category = graphene.Field(ComplaintCategoryType, required=True)
    description = graphene.String(required=True)
    lat = graphene.Float(
        required=True, description="Coarsened on public views of sensitive categories."
    )
    lon = graphene.Float(required=True)
    area = graphene.Field(ComplaintAreaType, required=True)
    sla_due_at = graphene.DateTime(description="Deadline of the current stage.")
    overdue = graphene.Boolean(required=True, description="Open and past its deadline.")
    dispatched_to = graphene.List(
        graphene.NonNull(SkpdType), required=True,
        description="The SKPD holding the case now (empty for the public).",
    )
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    resolved_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    support_count = graphene.Int(required=True)
    supported_by_me = graphene.Boolean(required=True)
    reporter_name = graphene.String(description="Null for ANONYMOUS and CONFIDENTIAL reports.")
    reporter = graphene.Field(
        ReporterType,
        description="Personal data; reads by staff are logged. Null once the reporter has "
        "erased their account.",
    )
    rejection_reason = graphene.String()
    duplicate_of = graphene.Field(
        lambda: DuplicateRefType,
        description="The original of a DUPLICATE — null when the caller may not see it.")
    rating = graphene.Int()
    photos = graphene.List(graphene.NonNull(PhotoType), required=True,
                           description="1–5 photos; only metadata-free copies are served.")
    timeline = graphene.List(graphene.NonNull(TimelineEntryType), required=True)
    is_mine = graphene.Boolean(required=True)

    @staticmethod
    def resolve_category(view, info):
        return info.context.loader(CategoryByIdLoader).now_or_later(view.complaint.category_id)

    @staticmethod
    def resolve_lat(view, info):
        return view.location()[0]

    @staticmethod
    def resolve_lon(view, info):
        return view.location()[1]

    @staticmethod
    def resolve_area(view, info):
        # The complaint itself: ComplaintArea's fields are its columns (no object per row).
        return view.complaint

    @staticmethod
    def resolve_overdue(view, info):
        c = view.complaint
        return bool(c.status in OPEN_STATUSES and c.sla_due_at and c.sla_due_at <= utcnow())

    @staticmethod
    def resolve_dispatched_to(view, info):
        if not view.sees_handling:
            return []
        return info.context.loader(ActiveSkpdsByComplaintIdLoader).now_or_later(
            view.complaint.id)

    @staticmethod
    def resolve_supported_by_me(view, info):
        return info.context.loader(SupportedByViewerLoader).now_or_later(view.complaint.id)

    @staticmethod
    def resolve_reporter_name(view, info):
        if not view.sees_reporter_name:
            return None

        def name(user):
            if user is None or user.erased_at is not None:
                return None
            if view.reporter_name_is_personal:
                log_personal_data_read(info.context, view, ("name",))
            return user.name

        return then(info.context.loader(UserByIdLoader).now_or_later(view.complaint.reporter_id),
                    name)

    @staticmethod
    def resolve_reporter(view, info):
        if not view.sees_personal_data:
            return None

        def reporter(user):
            if user is None or user.erased_at is not None:
                return None  # the reporter erased their account: an anonymous record now
            log_personal_data_read(info.context, view, ("name", "phone"))
            return user  # Reporter's fields (id, name, phone) are the user's own

        return then(info.context.loader(UserByIdLoader).now_or_later(view.complaint.reporter_id),
                    reporter)

    @staticmethod
    def resolve_duplicate_of(view, info):
        if view.complaint.duplicate_of_id is None:
            return None
        return then(info.context.loader(DuplicateOriginalLoader).now_or_later(
            view.complaint.duplicate_of_id),
            lambda original: None if original is None
            else DuplicateRefType(id=original.id, ticket_number=original.ticket_number))

    @staticmethod
    def resolve_rating(view, info):
        return view.complaint.rating if view.sees_handling else None

    @staticmethod
    def resolve_photos(view, info):
        return info.context.loader(PhotosByComplaintIdLoader).now_or_later(view.complaint.id)

    @staticmethod
    def resolve_timeline(view, info):
        return then(
            info.context.loader(TimelineByComplaintIdLoader).now_or_later(view.complaint.id),
            lambda entries: [TimelineItem(e, view) for e in entries if view.sees_note(e)])

    @staticmethod
    def resolve_is_mine(view, info):
        # The viewer every view was decided for (Policy): no second look-up.
        return view.viewer is not None and view.viewer.user.id == view.complaint.reporter_id


class DuplicateRefType(graphene.ObjectType):
    class Meta:
        name = "ComplaintRef"
        description = "The original a duplicate points at (null when you may not see it)."

    id = graphene.ID(required=True)
    ticket_number = graphene.String(required=True)


ComplaintConnection = connection_for(ComplaintType)


class SimilarComplaintType(graphene.ObjectType):
    class Meta:
        name = "SimilarComplaint"

    complaint = graphene.Field(ComplaintType, required=True)
    distance_meters = graphene.Float(
        required=True, description="To the complaint's public point: whole metres, tens of "
        "metres for sensitive categories.")


# -- fetched ahead for a page (backend/graphql/prefetch.py) ---------------------------------


async def _prefetch_categories(context, views) -> None:
    loader = context.loader(CategoryByIdLoader)
    for view in views:  # the lists fetch rows with their category (select_related)
        category = view.complaint.category
        if isinstance(category, ComplaintCategory):
            loader.ready.setdefault(category.id, category)
    await loader.prefetch(v.complaint.category_id for v in views)


async def _prefetch_reporters(context, views) -> None:
    loader = context.loader(UserByIdLoader)
    for view in views:
        # The caller's own complaints: their user is the principal already read.
        if view.viewer is not None and view.viewer.user.id == view.complaint.reporter_id:
            loader.ready.setdefault(view.viewer.user.id, view.viewer.user)
    await loader.prefetch(
        v.complaint.reporter_id for v in views
        if v.sees_reporter_name or v.sees_personal_data)


async def _prefetch_photos(context, views) -> None:
    await context.loader(PhotosByComplaintIdLoader).prefetch(v.complaint.id for v in views)


@takes_selection
async def _prefetch_timeline(context, views, selected) -> None:
    timelines = context.loader(TimelineByComplaintIdLoader)
    await timelines.prefetch(v.complaint.id for v in views)
    if "photos" not in selected:
        return
    photo_ids = [pid for v in views for e in timelines.ready[v.complaint.id]
                 for pid in e.photo_ids or ()]
    if photo_ids:
        await context.loader(PhotoByIdLoader).prefetch(photo_ids)


async def _prefetch_dispatches(context, views) -> None:
    await context.loader(ActiveSkpdsByComplaintIdLoader).prefetch(
        v.complaint.id for v in views if v.sees_handling)


async def _prefetch_supports(context, views) -> None:
    await context.loader(SupportedByViewerLoader).prefetch(v.complaint.id for v in views)


async def _prefetch_originals(context, views) -> None:
    ids = [v.complaint.duplicate_of_id for v in views if v.complaint.duplicate_of_id]
    if ids:
        await context.loader(DuplicateOriginalLoader).prefetch(ids)


# What each selected field needs fetched for a whole page before it resolves.
ComplaintType.PREFETCH = {
    "category": _prefetch_categories,
    "reporterName": _prefetch_reporters,
    "reporter": _prefetch_reporters,
    "photos": _prefetch_photos,
    "timeline": _prefetch_timeline,
    "dispatchedTo": _prefetch_dispatches,
    "supportedByMe": _prefetch_supports,
    "duplicateOf": _prefetch_originals,
}
