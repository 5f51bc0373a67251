from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_kota.content.models import RevisionAction
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_protected_identifiers')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Revision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('entity_id', fields.IntField()),
                ('number', fields.IntField()),
                ('action', fields.CharEnumField(description='SAVED: saved\nSCHEDULED: scheduled\nPUBLISHED: published\nROLLED_BACK: rolled_back\nWITHDRAWN: withdrawn', enum_type=RevisionAction, max_length=16)),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('changes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('author', fields.ForeignKeyField('accounts.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('publish_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('restored', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'kota_revision', 'app': 'kota_content', 'unique_together': (('kind', 'entity_id', 'number'),), 'pk_attr': 'id', 'table_description': 'One step in the history of a content item: who, when, what changed (``changes``:'},
            bases=['Model'],
        ),
    ]
