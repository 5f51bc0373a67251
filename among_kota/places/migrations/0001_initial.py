from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_kota.content.models import ContentStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_protected_identifiers')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Holiday',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('name_id', fields.CharField(max_length=120)),
                ('name_en', fields.CharField(null=True, max_length=120)),
            ],
            options={'table': 'kota_holiday', 'app': 'kota_places', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Place',
            fields=[
                ('skpd', fields.ForeignKeyField('accounts.Skpd', source_field='skpd_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ContentStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published\nWITHDRAWN: withdrawn', enum_type=ContentStatus, max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('draft', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('publish_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revision', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('external_id', fields.CharField(null=True, unique=True, max_length=120)),
                ('name_id', fields.CharField(max_length=200)),
                ('name_en', fields.CharField(null=True, max_length=200)),
                ('sort_name', fields.CharField(db_index=True, max_length=200)),
                ('description_id', fields.TextField(default='', unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
                ('address', fields.CharField(default='', max_length=300)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('location_approximate', fields.BooleanField(default=False)),
                ('phone', fields.CharField(null=True, max_length=32)),
                ('website', fields.CharField(null=True, max_length=300)),
                ('has_hours', fields.BooleanField(default=False)),
                ('closed_on_holidays', fields.BooleanField(default=False)),
                ('search_text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'kota_place', 'app': 'kota_places', 'pk_attr': 'id'},
            bases=['Publishable'],
        ),
        ops.CreateModel(
            name='OpeningPeriod',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('place', fields.ForeignKeyField('kota_places.Place', source_field='place_id', db_constraint=True, to_field='id', related_name='periods', on_delete=OnDelete.CASCADE)),
                ('start_minute', fields.IntField()),
                ('end_minute', fields.IntField()),
            ],
            options={'table': 'kota_place_period', 'app': 'kota_places', 'indexes': [Index(fields=['place_id', 'start_minute'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlaceCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name_id', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(max_length=100)),
                ('group_code', fields.CharField(null=True, max_length=32)),
                ('icon', fields.CharField(default='place', max_length=64)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'kota_place_category', 'app': 'kota_places', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlaceCategoryLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('place', fields.ForeignKeyField('kota_places.Place', source_field='place_id', db_constraint=True, to_field='id', related_name='category_links', on_delete=OnDelete.CASCADE)),
                ('category', fields.ForeignKeyField('kota_places.PlaceCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='place_links', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'kota_place_category_link', 'app': 'kota_places', 'unique_together': (('place', 'category'),), 'indexes': [Index(fields=['category_id', 'place_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpecialHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('place', fields.ForeignKeyField('kota_places.Place', source_field='place_id', db_constraint=True, to_field='id', related_name='special_hours', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('start_minute', fields.IntField(null=True)),
                ('end_minute', fields.IntField(null=True)),
            ],
            options={'table': 'kota_place_special', 'app': 'kota_places', 'indexes': [Index(fields=['place_id', 'day'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
