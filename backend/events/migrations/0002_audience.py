"""Events carry an audience (keys, see backend.events.audience) instead of the complaint's
``owner_id``/``skpd_ids``. Existing events keep being heard by the same people: operators
and admins (who saw every event), the SKPDs the case was dispatched to, and the reporter for
the events that were public to them."""

import json

from tortoise import fields, migrations
from tortoise.fields.db_defaults import SqlDefault
from tortoise.migrations import operations as ops


def _load(value, default):
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


async def fill_audience(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    mark = (lambda i: f"${i}") if postgres else (lambda i: "?")
    cast = "::jsonb" if postgres else ""
    last = 0
    while True:
        rows = await client.execute_query_dict(
            f"SELECT id, owner_id, skpd_ids, payload FROM domain_event WHERE id > {mark(1)}"
            " ORDER BY id LIMIT 1000", [last])
        if not rows:
            return
        for row in rows:
            last = row["id"]
            payload = _load(row["payload"], {})
            keys = {"role:admin", "role:operator"}
            keys |= {f"skpd:{int(i)}" for i in _load(row["skpd_ids"], [])}
            if row["owner_id"] is not None and payload.get("public", True):
                keys.add(f"user:{int(row['owner_id'])}")
            await client.execute_query(
                f"UPDATE domain_event SET audience = {mark(1)}{cast} WHERE id = {mark(2)}",
                [json.dumps(sorted(keys), separators=(",", ":")), row["id"]])


async def nothing(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="DomainEvent",
            name="audience",
            field=fields.JSONField(default=list, db_default=SqlDefault("'[]'")),
        ),
        ops.RunPython(fill_audience, nothing),
        ops.RemoveField(model_name="DomainEvent", name="owner_id"),
        ops.RemoveField(model_name="DomainEvent", name="skpd_ids"),
    ]
