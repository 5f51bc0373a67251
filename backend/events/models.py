"""The durable event log: one row per domain event, written inside the transaction of the
change it describes; the primary key is the stream cursor."""

from __future__ import annotations

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model


class DomainEvent(Model):
    # Cursor: ids are handed out in commit order (see backend.events.log.record_event).
    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=64)
    # What the event is about, e.g. ("complaint", 42).
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    # Who may hear of it: keys such as "user:12", "role:operator", "skpd:3", "area:7",
    # "public", computed by the recording domain (see backend.events.audience).
    # (A database default too, so the column could be added to a log already in use.)
    audience = fields.JSONField(default=list, db_default=SqlDefault("'[]'"))
    actor_id = fields.IntField(null=True)
    payload = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_event"
        indexes = (("subject_type", "subject_id"),)


class HandlerCursor(Model):
    # How far one after-commit handler (backend.events.handlers) has read the log: every
    # event up to ``last_id`` has been handled. Advanced in the transaction of the handling.
    name = fields.CharField(max_length=100, primary_key=True)
    last_id = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "event_handler_cursor"
