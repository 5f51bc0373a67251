"""Command center: who gets which report (routing is data, FixMyStreet's "contacts")."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import Skpd


class RoutingRule(Model):
    # Reports of ``category_code`` in ``area_code`` (a kecamatan or desa; null = the whole
    # city) go to ``skpd``. The most specific area wins; several rules at the same level mean
    # several agencies (e.g. a fallen tree: DLH, and BPBD when it blocks a road).

    id = fields.IntField(primary_key=True)
    category_code = fields.CharField(max_length=32, db_index=True)
    area_code = fields.CharField(max_length=64, null=True)
    skpd: fields.ForeignKeyRelation[Skpd] = fields.ForeignKeyField(
        "accounts.Skpd", related_name="routing_rules", on_delete=fields.CASCADE
    )
    note = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "routing_rule"
        unique_together = (("category_code", "area_code", "skpd"),)


class Dispatch(Model):
    # A complaint handed to an agency. Active while the agency holds the case; a recall or
    # re-dispatch ends it (``ended_at``) but keeps the row for the record.
    id = fields.IntField(primary_key=True)
    complaint = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="dispatches", on_delete=fields.CASCADE
    )
    skpd: fields.ForeignKeyRelation[Skpd] = fields.ForeignKeyField(
        "accounts.Skpd", related_name="dispatches", on_delete=fields.RESTRICT
    )
    note = fields.CharField(max_length=1000, default="")
    active = fields.BooleanField(default=True)
    dispatched_by = fields.ForeignKeyField(
        "accounts.User", related_name="dispatches_made", null=True, on_delete=fields.SET_NULL
    )
    dispatched_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "dispatch"
        indexes = (("skpd_id", "active"), ("complaint_id", "active"))
