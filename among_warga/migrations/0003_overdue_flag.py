from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_responder_supervisor'), ('among_warga', '0002_spatial_index_and_categories'), ('media', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Complaint',
            name='overdue_flagged_for',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
