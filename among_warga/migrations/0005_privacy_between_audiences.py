import json

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

# As command_center.services had it when this was written.
HIDDEN_ORIGINAL_NOTE = "Sama dengan laporan lain yang sudah ditangani."


def _marks(schema_editor):
    postgres = schema_editor.DIALECT == "postgres"
    return (lambda i: f"${i}") if postgres else (lambda i: "?")


async def fill_author_skpd(apps, schema_editor) -> None:
    # Entries written by a responder in the name of their SKPD (the label is the SKPD's name).
    await schema_editor.client.execute_query(
        "UPDATE complaint_timeline SET author_skpd_id = ("
        " SELECT r.skpd_id FROM account_user_role r JOIN skpd s ON s.id = r.skpd_id"
        " WHERE r.user_id = complaint_timeline.actor_id AND r.role = 'responder'"
        " AND s.name = complaint_timeline.actor_label LIMIT 1)"
        " WHERE actor_id IS NOT NULL AND author_skpd_id IS NULL", [])


async def unbake_confidential_tickets(apps, schema_editor) -> None:
    """Duplicates of a CONFIDENTIAL original named its ticket in a public note (and in the
    event the reporter's stream replays): say only that there is an original."""
    client, mark = schema_editor.client, _marks(schema_editor)
    rows = await client.execute_query_dict(
        "SELECT d.id, o.ticket_number FROM complaint d JOIN complaint o ON o.id = d.duplicate_of_id"
        " WHERE o.visibility = 'confidential'", [])
    for row in rows:
        baked = f"Sama dengan laporan {row['ticket_number']}."
        await client.execute_query(
            f"UPDATE complaint_timeline SET note = {mark(1)} WHERE complaint_id = {mark(2)}"
            f" AND note = {mark(3)}", [HIDDEN_ORIGINAL_NOTE, row["id"], baked])
        events = await client.execute_query_dict(
            f"SELECT id, payload FROM domain_event WHERE subject_type = 'complaint'"
            f" AND subject_id = {mark(1)} AND type = 'complaint.duplicate'", [row["id"]])
        for event in events:
            payload = event["payload"]
            payload = json.loads(payload) if isinstance(payload, str) else dict(payload)
            if payload.get("note") != baked:
                continue
            payload["note"] = HIDDEN_ORIGINAL_NOTE
            cast = "::jsonb" if schema_editor.DIALECT == "postgres" else ""
            await client.execute_query(
                f"UPDATE domain_event SET payload = {mark(1)}{cast} WHERE id = {mark(2)}",
                [json.dumps(payload, separators=(",", ":")), event["id"]])


async def publish_public_photos(apps, schema_editor) -> None:
    # Photos of PUBLIC and ANONYMOUS complaints, and those of their public timeline entries,
    # keep their public URLs; every other photo is served through signed URLs from now on.
    client, mark = schema_editor.client, _marks(schema_editor)
    public = "('public', 'anonymous')"
    await client.execute_query(
        "UPDATE media_photo SET published = TRUE WHERE id IN (SELECT p.photo_id FROM"
        " complaint_photo p JOIN complaint c ON c.id = p.complaint_id"
        f" WHERE c.visibility IN {public})", [])
    entries = await client.execute_query_dict(
        "SELECT t.photo_ids FROM complaint_timeline t JOIN complaint c ON c.id = t.complaint_id"
        f" WHERE t.public = TRUE AND c.visibility IN {public}", [])
    ids: set[int] = set()
    for entry in entries:
        value = entry["photo_ids"]
        ids.update(int(i) for i in (json.loads(value) if isinstance(value, str) else value or []))
    for photo_id in sorted(ids):
        await client.execute_query(
            f"UPDATE media_photo SET published = TRUE WHERE id = {mark(1)}", [photo_id])


async def nothing(apps, schema_editor) -> None:
    pass


class Migration(migrations.Migration):
    dependencies = [("among_warga", "0004_public_point"), ("accounts", "0002_responder_supervisor"),
                    ("media", "0002_published"), ("events", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="TimelineEntry",
            name="author_skpd",
            field=fields.ForeignKeyField("accounts.Skpd", source_field="author_skpd_id", null=True,
                                         db_constraint=True, to_field="id",
                                         related_name="timeline_entries",
                                         on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(fill_author_skpd, nothing),
        ops.RunPython(unbake_confidential_tickets, nothing),
        ops.RunPython(publish_public_photos, nothing),
    ]
