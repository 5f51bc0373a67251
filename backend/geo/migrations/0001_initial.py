from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.geo.models import AreaLevel
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Area',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('level', fields.CharEnumField(db_index=True, description='CITY: city\nDISTRICT: district\nVILLAGE: village', enum_type=AreaLevel, max_length=16)),
                ('parent', fields.ForeignKeyField('geo.Area', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL)),
                ('properties', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('boundary', fields.TextField(unique=False)),
                ('boundary_hash', fields.CharField(max_length=64)),
                ('min_lat', fields.FloatField()),
                ('max_lat', fields.FloatField()),
                ('min_lon', fields.FloatField()),
                ('max_lon', fields.FloatField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'geo_area', 'app': 'geo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
