from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("media", "0001_initial")]

    initial = False

    # Every photo starts unpublished; the domains that show photos publish theirs (see
    # among_warga 0005 for the complaints' photos already public).
    operations = [
        ops.AddField(model_name="Photo", name="published",
                     field=fields.BooleanField(default=False, db_default=False)),
    ]
