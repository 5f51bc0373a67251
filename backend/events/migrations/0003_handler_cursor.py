"""Cursors of the after-commit handlers. The handlers that replaced pushes sent inline start
at the end of the log as it is now: what happened before was notified the old way."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# The handler names of issue 10 (among_warga/handlers.py, command_center/handlers.py).
EXISTING_HANDLERS = (
    "among_warga.notify-reporter",
    "command_center.notify-dispatch",
    "command_center.notify-escalation",
)


async def start_at_the_end(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    rows = await client.execute_query_dict("SELECT MAX(id) AS last FROM domain_event", [])
    last = rows[0]["last"] if rows and rows[0]["last"] is not None else 0
    if not last:
        return
    for name in EXISTING_HANDLERS:
        marks = "$1, $2, CURRENT_TIMESTAMP" if postgres else "?, ?, CURRENT_TIMESTAMP"
        await client.execute_query(
            f"INSERT INTO event_handler_cursor (name, last_id, updated_at) VALUES ({marks})",
            [name, last])


async def nothing(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [("events", "0002_audience")]

    initial = False

    operations = [
        ops.CreateModel(
            name="HandlerCursor",
            fields=[
                ("name", fields.CharField(primary_key=True, max_length=100, unique=True,
                                          db_index=True)),
                ("last_id", fields.BigIntField(default=0)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "event_handler_cursor", "app": "events", "pk_attr": "name"},
            bases=["Model"],
        ),
        ops.RunPython(start_at_the_end, nothing),
    ]
