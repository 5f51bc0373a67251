from tortoise import migrations

from backend.search import add_search_index


class Migration(migrations.Migration):
    dependencies = [("kota_services", "0001_initial")]

    operations = [add_search_index("kota_public_service")]
