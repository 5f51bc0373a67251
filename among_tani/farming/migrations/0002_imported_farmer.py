from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_responder_supervisor'), ('accounts', '0003_session_index'), ('accounts', '0004_protected_identifiers'), ('geo', '0001_initial'), ('geo', '0002_spatial_index'), ('tani_farming', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportedFarmer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name='farming_imports', on_delete=OnDelete.CASCADE)),
                ('row_hash', fields.CharField(max_length=64)),
                ('source', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'farming_imported_farmer', 'app': 'tani_farming', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
