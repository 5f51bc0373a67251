from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    # RoutingRule refers to accounts.Skpd: without this the order of the two apps was luck
    # (a plan with more apps put this first when projecting a partly migrated database).
    dependencies = [("accounts", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name='RoutingRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category_code', fields.CharField(db_index=True, max_length=32)),
                ('area_code', fields.CharField(null=True, max_length=64)),
                ('skpd', fields.ForeignKeyField('accounts.Skpd', source_field='skpd_id', db_constraint=True, to_field='id', related_name='routing_rules', on_delete=OnDelete.CASCADE)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'routing_rule', 'app': 'command_center', 'unique_together': (('category_code', 'area_code', 'skpd'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
