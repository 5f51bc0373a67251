from tortoise import migrations
from tortoise.migrations import operations as ops
from among_kota.umkm.models import UmkmStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_responder_supervisor'), ('accounts', '0003_session_index'), ('accounts', '0004_protected_identifiers'), ('accounts', '0005_content_editor_role'), ('media', '0001_initial'), ('media', '0002_published')]

    initial = True

    operations = [
        ops.CreateModel(
            name='UmkmCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name_id', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(max_length=100)),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'kota_umkm_category', 'app': 'kota_umkm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UmkmBusiness',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('owner', fields.ForeignKeyField('accounts.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=UmkmStatus.PENDING, description='PENDING: pending\nVERIFIED: verified\nDECLINED: declined\nWITHDRAWN: withdrawn', enum_type=UmkmStatus, max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('pending', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('decline_reason', fields.CharField(null=True, max_length=500)),
                ('decided_by', fields.ForeignKeyField('accounts.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('owner_public_name', fields.CharField(max_length=200)),
                ('name_id', fields.CharField(max_length=200)),
                ('name_en', fields.CharField(null=True, max_length=200)),
                ('sort_name', fields.CharField(db_index=True, max_length=200)),
                ('description_id', fields.TextField(default='', unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
                ('category', fields.ForeignKeyField('kota_umkm.UmkmCategory', source_field='category_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('place_id', fields.IntField(null=True)),
                ('address', fields.CharField(default='', max_length=300)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('nib', fields.CharField(null=True, max_length=13)),
                ('whatsapp', fields.CharField(null=True, max_length=16)),
                ('demo', fields.BooleanField(default=False)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'kota_umkm', 'app': 'kota_umkm', 'indexes': [Index(fields=['status', 'sort_name']), Index(fields=['owner_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A business as public (``content``: the values the office verified, in the shape the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UmkmProduct',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('business', fields.ForeignKeyField('kota_umkm.UmkmBusiness', source_field='business_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('name_id', fields.CharField(max_length=200)),
                ('name_en', fields.CharField(null=True, max_length=200)),
                ('price_min', fields.BigIntField(null=True)),
                ('price_max', fields.BigIntField(null=True)),
                ('photo', fields.ForeignKeyField('media.Photo', source_field='photo_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'kota_umkm_product', 'app': 'kota_umkm', 'indexes': [Index(fields=['business_id', 'position'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
