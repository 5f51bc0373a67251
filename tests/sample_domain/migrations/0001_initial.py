from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="SampleNote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True,
                                       db_index=True)),
                ("author", fields.ForeignKeyField(
                    "accounts.User", source_field="author_id", db_constraint=True, to_field="id",
                    related_name="sample_notes", on_delete=OnDelete.CASCADE)),
                ("text", fields.CharField(max_length=200)),
                ("private", fields.BooleanField(default=False)),
                ("archived", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "sample_note", "app": "sample_notes", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
