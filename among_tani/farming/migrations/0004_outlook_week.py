from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from among_tani.farming.outlook_weeks import migration_operation


class Migration(migrations.Migration):
    dependencies = [("tani_farming", "0003_advisory_search")]

    initial = False

    # The expected harvest per commodity, village and ISO week, kept by triggers on
    # farming_planting and rebuilt here from the existing plantings (outlook_weeks).
    operations = [
        ops.CreateModel(
            name="OutlookWeek",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("commodity_code", fields.CharField(max_length=32)),
                ("village_id", fields.IntField()),
                ("week_start", fields.DateField()),
                (
                    "expected_quantity",
                    fields.DecimalField(default=0, max_digits=18, decimal_places=3),
                ),
                ("area_ha", fields.DecimalField(default=0, max_digits=14, decimal_places=4)),
                ("plantings", fields.IntField(default=0)),
                ("yield_plantings", fields.IntField(default=0)),
                ("base_unit", fields.CharField(null=True, max_length=16)),
            ],
            options={
                "table": "farming_outlook_week",
                "app": "tani_farming",
                "unique_together": (("commodity_code", "village_id", "week_start"),),
                "indexes": [Index(fields=["week_start", "commodity_code"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        migration_operation(),
    ]
