"""Among Warga's data loaders: each fetches what a page of complaints needs in one query
(keys collected across the page), so a list costs the same statements for 2 rows or 50."""

from __future__ import annotations

from types import SimpleNamespace

from among_warga.models import (
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    ComplaintSupport,
    Dispatch,
    TimelineEntry,
)
from among_warga.visibility import Policy
from backend.accounts.models import User
from backend.graphql.core import BaseLoader


class CategoryByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {c.id: c for c in await ComplaintCategory.filter(id__in=keys)}


class UserByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {u.id: u for u in await User.filter(id__in=keys)}


class PhotosByComplaintIdLoader(BaseLoader):
    """A complaint's photos in order, links and photos in one statement (a batch of its own,
    never merged with the timeline's photos: the count per request does not depend on
    timing)."""

    default: list = []

    async def fetch(self, keys):
        found: dict[int, list] = {}
        links = ComplaintPhoto.filter(complaint_id__in=keys).select_related("photo")
        for link in await links.order_by("complaint_id", "position"):
            found.setdefault(link.complaint_id, []).append(link.photo)
        return found


class ActiveSkpdsByComplaintIdLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list] = {}
        for d in await Dispatch.filter(complaint_id__in=keys, active=True).select_related("skpd"):
            found.setdefault(d.complaint_id, []).append(d.skpd)
        return {k: sorted(v, key=lambda s: s.code) for k, v in found.items()}


_TIMELINE_COLUMNS = ("id", "complaint_id", "kind", "from_status", "to_status", "note",
                     "public", "actor_id", "actor_label", "author_skpd_id", "photo_ids",
                     "created_at")


class TimelineRow(SimpleNamespace):
    """A timeline entry as plain values, read like the model (``entry.note``): a page holds
    hundreds, and a model instance each cost more than the fields they show."""


class TimelineByComplaintIdLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[TimelineRow]] = {}
        rows = TimelineEntry.filter(complaint_id__in=keys).order_by("id")
        for row in await rows.values(*_TIMELINE_COLUMNS):
            found.setdefault(row["complaint_id"], []).append(TimelineRow(**row))
        return found


class DuplicateOriginalLoader(BaseLoader):
    """The original of a duplicate, as a reference — only if this caller may see it (a
    PUBLIC duplicate of a CONFIDENTIAL original must not name it); decided for every
    original the page points at with one policy call."""

    async def fetch(self, keys):
        originals = await Complaint.filter(id__in=keys)
        views = await Policy(await self.context.principal()).views(originals)
        return {v.complaint.id: v.complaint for v in views if v is not None}


class SupportedByViewerLoader(BaseLoader):
    default = False

    async def fetch(self, keys):
        principal = await self.context.principal()
        if principal is None:
            return {}
        supported = await ComplaintSupport.filter(
            complaint_id__in=keys, user_id=principal.user.id
        ).values_list("complaint_id", flat=True)
        return {cid: True for cid in supported}
