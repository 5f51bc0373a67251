from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='UserRole',
            name='supervisor',
            field=fields.BooleanField(default=False),
        ),
    ]
