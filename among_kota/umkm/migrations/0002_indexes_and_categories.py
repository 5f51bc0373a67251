from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.geo.indexes import add_point_index
from backend.search import add_search_index


async def add_categories(apps, schema_editor) -> None:
    from among_kota.categories import seed_umkm_categories

    await seed_umkm_categories(schema_editor)


async def remove_categories(apps, schema_editor) -> None:
    await schema_editor.client.execute_query("DELETE FROM kota_umkm_category", [])


class Migration(migrations.Migration):
    dependencies = [("kota_umkm", "0001_initial"), ("geo", "0002_spatial_index")]

    operations = [
        add_point_index("kota_umkm"),
        add_search_index("kota_umkm"),
        ops.RunPython(add_categories, remove_categories),
    ]
