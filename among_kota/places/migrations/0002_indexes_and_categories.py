from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.geo.indexes import add_point_index
from backend.search import add_search_index


async def add_categories(apps, schema_editor) -> None:
    from among_kota.categories import seed_categories

    await seed_categories(schema_editor)


async def remove_categories(apps, schema_editor) -> None:
    await schema_editor.client.execute_query("DELETE FROM kota_place_category", [])


class Migration(migrations.Migration):
    dependencies = [("kota_places", "0001_initial"), ("geo", "0002_spatial_index")]

    operations = [
        add_point_index("kota_place"),
        add_search_index("kota_place"),
        ops.RunPython(add_categories, remove_categories),
    ]
