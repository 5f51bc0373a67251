from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.geo.indexes import add_point_index

# As among_warga.visibility had it when this was written: sensitive categories show on public
# maps snapped to a grid of 0.001°.
GRID_DECIMALS = 3


async def fill_public_points(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    mark = (lambda i: f"${i}") if postgres else (lambda i: "?")
    rows = await client.execute_query_dict(
        "SELECT c.id, c.lat, c.lon, k.sensitive_location FROM complaint c "
        "JOIN complaint_category k ON k.id = c.category_id", [])
    update = (f"UPDATE complaint SET public_lat = {mark(1)}, public_lon = {mark(2)} "
              f"WHERE id = {mark(3)}")
    for row in rows:
        lat, lon = float(row["lat"]), float(row["lon"])
        if row["sensitive_location"]:
            lat, lon = round(lat, GRID_DECIMALS), round(lon, GRID_DECIMALS)
        await client.execute_query(update, [lat, lon, row["id"]])


async def nothing(apps, schema_editor) -> None:
    pass


class Migration(migrations.Migration):
    dependencies = [("among_warga", "0003_overdue_flag")]

    initial = False

    operations = [
        ops.AddField(model_name="Complaint", name="public_lat",
                     field=fields.FloatField(null=True)),
        ops.AddField(model_name="Complaint", name="public_lon",
                     field=fields.FloatField(null=True)),
        ops.RunPython(fill_public_points, nothing),
        add_point_index("complaint", lat_column="public_lat", lon_column="public_lon",
                        index="public"),
    ]
