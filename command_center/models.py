"""Command center: who gets which report (routing is data, FixMyStreet's "contacts").

Which agency holds a case (``Dispatch``) is part of the complaint's state and lives with it
in among_warga.models."""

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
