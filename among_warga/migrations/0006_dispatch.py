"""Dispatch moves here from command_center (see command_center.0003): the complaint's state
lives in one package. State only — the ``dispatch`` table, created by command_center.0002,
is neither dropped nor rebuilt."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.migration_ops import StateOnly


class Migration(migrations.Migration):
    dependencies = [("among_warga", "0005_privacy_between_audiences"),
                    ("command_center", "0003_dispatch_moves_to_among_warga")]

    initial = False

    operations = [
        StateOnly(ops.CreateModel(
            name="Dispatch",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True,
                                       db_index=True)),
                ("complaint", fields.ForeignKeyField(
                    "among_warga.Complaint", source_field="complaint_id", db_constraint=True,
                    to_field="id", related_name="dispatches", on_delete=OnDelete.CASCADE)),
                ("skpd", fields.ForeignKeyField(
                    "accounts.Skpd", source_field="skpd_id", db_constraint=True, to_field="id",
                    related_name="dispatches", on_delete=OnDelete.RESTRICT)),
                ("note", fields.CharField(default="", max_length=1000)),
                ("active", fields.BooleanField(default=True)),
                ("dispatched_by", fields.ForeignKeyField(
                    "accounts.User", source_field="dispatched_by_id", null=True,
                    db_constraint=True, to_field="id", related_name="dispatches_made",
                    on_delete=OnDelete.SET_NULL)),
                ("dispatched_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("accepted_at", fields.DatetimeField(null=True, auto_now=False,
                                                     auto_now_add=False)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False,
                                                  auto_now_add=False)),
            ],
            options={"table": "dispatch", "app": "among_warga",
                     "indexes": [Index(fields=["skpd_id", "active"]),
                                 Index(fields=["complaint_id", "active"])],
                     "pk_attr": "id"},
            bases=["Model"],
        )),
    ]
