from tortoise import migrations

from backend.geo.indexes import add_area_index


class Migration(migrations.Migration):
    # Areas are found by point: PostGIS geometry + GiST on PostgreSQL, R*Tree on SQLite.
    dependencies = [("geo", "0001_initial")]

    operations = [add_area_index("geo_area")]
