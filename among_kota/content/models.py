"""What every kind of Among Kota content shares: an owner SKPD, a status, the values as
published (``content``) and pending edits (``draft``), a publishing time, and revisions."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class ContentStatus(str, Enum):
    DRAFT = "draft"  # never published: only editors see it
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # was public, taken down (revisions kept)


class RevisionAction(str, Enum):
    SAVED = "saved"  # a draft saved (on a published item: pending edits)
    SCHEDULED = "scheduled"  # publishing set for a later time
    PUBLISHED = "published"
    ROLLED_BACK = "rolled_back"  # an earlier revision published again
    WITHDRAWN = "withdrawn"


class Publishable(Model):
    """Columns of every publishable row. ``content`` holds the values in the shape the
    editor sent them (validated): what is public once published, and what revisions store;
    the row's other columns are derived from it for querying. While an item is published,
    edits wait in ``draft`` until they are published."""

    skpd_id: int
    skpd = fields.ForeignKeyField("accounts.Skpd", related_name=False,
                                  on_delete=fields.RESTRICT)
    status = fields.CharEnumField(ContentStatus, max_length=16, default=ContentStatus.DRAFT)
    content = fields.JSONField(default=dict)
    draft = fields.JSONField(null=True)
    publish_at = fields.DatetimeField(null=True, db_index=True)
    published_at = fields.DatetimeField(null=True)
    revision = fields.IntField(default=0)  # the number of the latest revision
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class Revision(Model):
    """One step in the history of a content item: who, when, what changed (``changes``:
    ``[{field, before, after}]``) and the whole item as it then was (``data``), so any
    revision can be published again."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)  # "place", "event"
    entity_id = fields.IntField()
    number = fields.IntField()
    action = fields.CharEnumField(RevisionAction, max_length=16)
    data = fields.JSONField()
    changes = fields.JSONField(default=list)
    author = fields.ForeignKeyField("accounts.User", related_name=False, null=True,
                                    on_delete=fields.SET_NULL)
    # SCHEDULED: when it is to be published; ROLLED_BACK: the revision restored.
    publish_at = fields.DatetimeField(null=True)
    restored = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kota_revision"
        unique_together = (("kind", "entity_id", "number"),)
