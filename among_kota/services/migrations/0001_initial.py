from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_kota.content.models import ContentStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_responder_supervisor'), ('accounts', '0003_session_index'), ('accounts', '0004_protected_identifiers'), ('accounts', '0005_content_editor_role')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PublicService',
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
                ('name_id', fields.CharField(max_length=200)),
                ('name_en', fields.CharField(null=True, max_length=200)),
                ('sort_name', fields.CharField(db_index=True, max_length=200)),
                ('cost', fields.BigIntField(default=0)),
                ('processing_days', fields.IntField(null=True)),
                ('complaint_category_code', fields.CharField(null=True, max_length=32)),
                ('demo', fields.BooleanField(default=False)),
                ('search_text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'kota_public_service', 'app': 'kota_services', 'pk_attr': 'id', 'table_description': 'A service the city provides: who is responsible (the owning SKPD), what to bring,'},
            bases=['Publishable'],
        ),
        ops.CreateModel(
            name='SurveyAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('kota_services.PublicService', source_field='service_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('accounts.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('month', fields.CharField(max_length=7)),
                ('u1', fields.SmallIntField()),
                ('u2', fields.SmallIntField()),
                ('u3', fields.SmallIntField()),
                ('u4', fields.SmallIntField()),
                ('u5', fields.SmallIntField()),
                ('u6', fields.SmallIntField()),
                ('u7', fields.SmallIntField()),
                ('u8', fields.SmallIntField()),
                ('u9', fields.SmallIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'kota_survey_answer', 'app': 'kota_services', 'unique_together': (('service', 'user', 'month'),), 'indexes': [Index(fields=['service_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "One resident's answer to the nine-element survey for one service, at most one per"},
            bases=['Model'],
        ),
    ]
