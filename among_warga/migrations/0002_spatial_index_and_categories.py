from tortoise import migrations

from backend.geo.indexes import add_point_index
from tortoise.migrations import operations as ops


async def add_default_categories(apps, schema_editor) -> None:
    # Every deployment starts with the paper's categories; admins edit them afterwards.
    from among_warga.categories import DEFAULT_CATEGORIES

    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    columns = ("code", "name_id", "name_en", "description_id", "description_en", "icon",
               "active", "sensitive_location", "triage_minutes", "response_minutes",
               "resolution_minutes", "sort_order")
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, len(columns) + 1))
    sql = (f"INSERT INTO complaint_category ({', '.join(columns)}) VALUES ({marks}) "
           "ON CONFLICT (code) DO NOTHING")
    for order, c in enumerate(DEFAULT_CATEGORIES):
        await client.execute_query(sql, [
            c.code, c.name_id, c.name_en, c.description_id, c.description_en, c.icon, True,
            c.sensitive_location, c.triage, c.response, c.resolution, order,
        ])


async def remove_default_categories(apps, schema_editor) -> None:
    await schema_editor.client.execute_query("DELETE FROM complaint_category", [])


class Migration(migrations.Migration):
    dependencies = [("among_warga", "0001_initial"), ("geo", "0002_spatial_index")]

    operations = [
        add_point_index("complaint"),
        ops.RunPython(add_default_categories, remove_default_categories),
    ]
