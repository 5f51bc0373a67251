from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_kota.agenda.models import Frequency
from among_kota.content.models import ContentStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_protected_identifiers'), ('kota_places', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='EventCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name_id', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(max_length=100)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'kota_event_category', 'app': 'kota_events', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
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
                ('title_id', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(null=True, max_length=200)),
                ('description_id', fields.TextField(default='', unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('all_day', fields.BooleanField(default=False)),
                ('frequency', fields.CharEnumField(null=True, description='WEEKLY: WEEKLY\nMONTHLY: MONTHLY', enum_type=Frequency, max_length=8)),
                ('repeat_until', fields.DateField(null=True)),
                ('place', fields.ForeignKeyField('kota_places.Place', source_field='place_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('venue_name', fields.CharField(default='', max_length=200)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('category', fields.ForeignKeyField('kota_events.EventCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('price_min', fields.BigIntField(null=True)),
                ('price_max', fields.BigIntField(null=True)),
                ('organiser', fields.CharField(default='', max_length=200)),
                ('search_text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'kota_event', 'app': 'kota_events', 'pk_attr': 'id'},
            bases=['Publishable'],
        ),
        ops.CreateModel(
            name='EventOccurrence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('kota_events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='occurrences', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'kota_event_occurrence', 'app': 'kota_events', 'indexes': [Index(fields=['starts_at', 'id']), Index(fields=['event_id', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
