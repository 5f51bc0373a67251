from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.geo.indexes import add_point_index
from backend.search import add_search_index


async def add_categories(apps, schema_editor) -> None:
    from among_kota.categories import EVENT_CATEGORIES

    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    marks = "$1, $2, $3, $4" if postgres else "?, ?, ?, ?"
    for order, (code, name_id, name_en) in enumerate(EVENT_CATEGORIES):
        await client.execute_query(
            "INSERT INTO kota_event_category (code, name_id, name_en, sort_order) "
            f"VALUES ({marks}) ON CONFLICT (code) DO NOTHING", [code, name_id, name_en, order])


async def remove_categories(apps, schema_editor) -> None:
    await schema_editor.client.execute_query("DELETE FROM kota_event_category", [])


class Migration(migrations.Migration):
    dependencies = [("kota_events", "0001_initial"), ("geo", "0002_spatial_index")]

    operations = [
        add_point_index("kota_event"),
        add_search_index("kota_event"),
        ops.RunPython(add_categories, remove_categories),
    ]
