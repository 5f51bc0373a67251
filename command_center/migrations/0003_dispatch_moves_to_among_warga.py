"""Dispatch (which agency holds a case) is part of the complaint's state: it moves to the
among_warga app (among_warga.0006, which runs after this). State only: the ``dispatch`` table stays as it is."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.migration_ops import StateOnly


class Migration(migrations.Migration):
    dependencies = [("command_center", "0002_dispatch")]

    initial = False

    operations = [
        StateOnly(ops.DeleteModel(name="Dispatch")),
    ]
