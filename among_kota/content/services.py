"""The editorial workflow every kind of content shares: save a draft, publish now or at a
set time, roll back to any revision, withdraw. Each step writes a :class:`Revision` (who,
when, what changed, the whole item) and, when what the public sees changes, a domain event —
all in one unit of work.

A kind of content plugs in with a :class:`ContentKind`: its model (a
:class:`~among_kota.content.models.Publishable`), how to write a validated item to the row
and its child rows (``apply``), and its three events. The values travel as the JSON-ready
dict the kind's service validated (``content``); the row's columns are derived from it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from among_kota.content.models import ContentStatus, Publishable, Revision, RevisionAction
from among_kota.content.rights import check_may_edit, owner_for_new
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent, record_public_change
from among_kota.times import plausible
from backend.accounts.models import Skpd
from backend.accounts.services import Principal
from backend.clock import WIB, utcnow
from backend.errors import ServiceError
from backend.events import unit_of_work

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContentKind:
    name: str  # "place": Revision.kind and the events' subject type
    model: type[Publishable]
    # Write a validated item to the row (columns derived from it) and its child rows; the
    # row is saved (created when new). May raise ServiceError (e.g. a slug taken meanwhile).
    apply: Callable[[Publishable, dict[str, Any]], Awaitable[None]]
    published: KotaEvent
    updated: KotaEvent
    withdrawn: KotaEvent
    # After an item is published (first: never public before), in the same unit of work —
    # e.g. queue the pushes of an urgent announcement.
    on_publish: Callable[[Publishable, bool], Awaitable[None]] | None = None


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed, field by field (the item's top-level fields)."""
    return [
        {"field": key, "before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


async def _revise(kind: ContentKind, item: Publishable, action: RevisionAction,
                  data: dict[str, Any], before: dict[str, Any] | None, actor_id: int | None,
                  **extra: Any) -> Revision:
    item.revision += 1
    await kind.model.filter(id=item.id).update(revision=item.revision)
    return await Revision.create(
        kind=kind.name, entity_id=item.id, number=item.revision, action=action, data=data,
        changes=changes_between(before or {}, data), author_id=actor_id, **extra)


async def _last_published(kind: ContentKind, item_id: int) -> dict[str, Any] | None:
    revision = await Revision.filter(
        kind=kind.name, entity_id=item_id,
        action__in=[RevisionAction.PUBLISHED, RevisionAction.ROLLED_BACK],
    ).order_by("-number").first()
    return revision.data if revision else None


async def _for_edit(kind: ContentKind, principal: Principal | None, item_id: int,
                    as_system: bool = False) -> Publishable:
    """The item, locked for the change; the caller must be one of its editors (unless the
    system acts: an import run by an operator, the scheduled-publishing job)."""
    item = await kind.model.filter(id=item_id).select_for_update().first()
    if item is None:
        raise ServiceError(C.NOT_FOUND, "id")
    if not as_system:
        check_may_edit(principal, item.skpd_id)
    return item


def _actor(principal: Principal | None) -> int | None:
    return principal.user.id if principal is not None else None


async def save_draft(kind: ContentKind, principal: Principal | None, item_id: int | None,
                     data: dict[str, Any], *, skpd_code: str | None = None,
                     owner: Skpd | None = None, as_system: bool = False) -> Publishable:
    """Create an item (a draft of the caller's SKPD — or of ``owner`` when the system
    creates it) or save edits to one: a draft changes in place; a published item keeps
    showing what was published until the edits are."""
    async with unit_of_work():
        if item_id is None:
            skpd = owner if owner is not None else await owner_for_new(principal, skpd_code)
            item = kind.model(skpd_id=skpd.id, status=ContentStatus.DRAFT)
            await kind.apply(item, data)
            await _revise(kind, item, RevisionAction.SAVED, data, None, _actor(principal))
            return item
        item = await _for_edit(kind, principal, item_id, as_system)
        if item.status == ContentStatus.PUBLISHED:
            before = item.draft if item.draft is not None else item.content
            if data == before:
                return item
            item.draft = data
            await item.save(update_fields=["draft", "updated_at"])
        else:
            before = item.content
            if data == before:
                return item
            await kind.apply(item, data)
        await _revise(kind, item, RevisionAction.SAVED, data, before, _actor(principal))
        return item


async def publish(kind: ContentKind, principal: Principal | None, item_id: int,
                  at: datetime | None = None, *, as_system: bool = False) -> Publishable:
    """Publish the item's pending values now, or schedule them for ``at`` (the
    ``publish-scheduled-content`` job publishes them then)."""
    now = utcnow()
    if at is not None:
        if at.tzinfo is None:  # a wall-clock time in Batu
            at = at.replace(tzinfo=WIB)
        # Stored in UTC like every time (SQLite compares the text).
        at = at.astimezone(UTC)
        if at <= now or not plausible(at):
            raise ServiceError(C.PUBLISH_AT_IN_PAST, "at")
    async with unit_of_work():
        item = await _for_edit(kind, principal, item_id, as_system)
        if item.status == ContentStatus.PUBLISHED and item.draft is None:
            raise ServiceError(C.NOTHING_TO_PUBLISH, "id")
        if at is not None:
            item.publish_at = at
            await item.save(update_fields=["publish_at", "updated_at"])
            pending = item.draft if item.draft is not None else item.content
            await _revise(kind, item, RevisionAction.SCHEDULED, pending, pending,
                          _actor(principal), publish_at=at)
            return item
        await _publish_now(kind, item, _actor(principal))
        return item


async def _publish_now(kind: ContentKind, item: Publishable, actor_id: int | None) -> None:
    data = item.draft if item.draft is not None else item.content
    previous = await _last_published(kind, item.id)
    first = item.status != ContentStatus.PUBLISHED
    if item.draft is not None:
        await kind.apply(item, data)
    item.status = ContentStatus.PUBLISHED
    item.draft = None
    item.publish_at = None
    item.published_at = item.published_at or utcnow()
    await item.save(update_fields=["status", "draft", "publish_at", "published_at",
                                   "updated_at"])
    await _revise(kind, item, RevisionAction.PUBLISHED, data, previous, actor_id)
    if kind.on_publish is not None:
        await kind.on_publish(item, first)
    await record_public_change(kind.published if first else kind.updated,
                               subject_type=kind.name, subject_id=item.id, actor_id=actor_id,
                               payload={"revision": item.revision})


async def rollback(kind: ContentKind, principal: Principal | None, item_id: int,
                   number: int) -> Publishable:
    """Publish revision ``number``'s values again (pending edits are dropped; they stay in
    their own revision)."""
    async with unit_of_work():
        item = await _for_edit(kind, principal, item_id)
        revision = await Revision.get_or_none(kind=kind.name, entity_id=item.id, number=number)
        if revision is None:
            raise ServiceError(C.REVISION_NOT_FOUND, "revision", number=number)
        before = item.content
        first = item.status != ContentStatus.PUBLISHED
        await kind.apply(item, revision.data)
        item.status = ContentStatus.PUBLISHED
        item.draft = None
        item.publish_at = None
        item.published_at = item.published_at or utcnow()
        await item.save(update_fields=["status", "draft", "publish_at", "published_at",
                                       "updated_at"])
        await _revise(kind, item, RevisionAction.ROLLED_BACK, revision.data, before,
                      _actor(principal), restored=number)
        await record_public_change(kind.published if first else kind.updated,
                                   subject_type=kind.name, subject_id=item.id,
                                   actor_id=_actor(principal),
                                   payload={"revision": item.revision, "restored": number})
        return item


async def withdraw(kind: ContentKind, principal: Principal | None, item_id: int
                   ) -> Publishable:
    """Take an item off the public pages (its revisions stay; publishing brings it back)."""
    async with unit_of_work():
        item = await _for_edit(kind, principal, item_id)
        if item.status != ContentStatus.PUBLISHED:
            raise ServiceError(C.NOTHING_TO_PUBLISH, "id")
        item.status = ContentStatus.WITHDRAWN
        item.publish_at = None
        await item.save(update_fields=["status", "publish_at", "updated_at"])
        await _revise(kind, item, RevisionAction.WITHDRAWN, item.content, item.content,
                      _actor(principal))
        await record_public_change(kind.withdrawn, subject_type=kind.name, subject_id=item.id,
                                   actor_id=_actor(principal),
                                   payload={"revision": item.revision})
        return item


# -- the scheduled-publishing job -------------------------------------------------------------

KINDS: list[ContentKind] = []


def register_kind(kind: ContentKind) -> ContentKind:
    if all(k.name != kind.name for k in KINDS):
        KINDS.append(kind)
    return kind


async def publish_due(kinds: list[ContentKind] | None = None) -> int:
    """Publish every item whose time has come; each in its own unit of work, re-checked
    under a row lock so two runs never publish the same item twice."""
    published = 0
    for kind in kinds if kinds is not None else list(KINDS):
        now = utcnow()
        due = await kind.model.filter(publish_at__lte=now).order_by("publish_at", "id"
                                                                   ).values_list("id", flat=True)
        for item_id in due:
            try:
                async with unit_of_work():
                    item = await kind.model.filter(
                        id=item_id, publish_at__lte=now).select_for_update().first()
                    if item is None:
                        continue
                    if item.status == ContentStatus.PUBLISHED and item.draft is None:
                        await kind.model.filter(id=item_id).update(publish_at=None)
                        continue
                    await _publish_now(kind, item, None)
                    published += 1
            except ServiceError as exc:
                # The scheduled values no longer fit (a slug taken since): leave it to an
                # editor, and stop retrying it every round.
                log.warning("scheduled %s %s not published: %s", kind.name, item_id, exc)
                await kind.model.filter(id=item_id).update(publish_at=None)
    return published
