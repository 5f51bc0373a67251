"""The durable event log: one row per domain event, written inside the transaction of the
change it describes; the primary key is the stream cursor."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DomainEvent(Model):
    # Cursor: ids are handed out in commit order (see backend.events.log.record_event).
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=64)
    # What the event is about, e.g. ("complaint", 42).
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    # Who may see it: the case owner, and the SKPDs the case is dispatched to at the time.
    owner_id = fields.IntField(null=True)
    skpd_ids = fields.JSONField(default=list)
    actor_id = fields.IntField(null=True)
    payload = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_event"
        indexes = (("subject_type", "subject_id"),)
