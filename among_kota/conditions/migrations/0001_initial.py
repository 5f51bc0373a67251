from tortoise import migrations
from tortoise.migrations import operations as ops
from among_kota.conditions.models import NoticeKind, NoticeSeverity, ValidityState
from among_kota.content.models import ContentStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_responder_supervisor'), ('accounts', '0003_session_index'), ('accounts', '0004_protected_identifiers'), ('accounts', '0005_content_editor_role')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ConditionNotice',
            fields=[
                ('skpd', fields.ForeignKeyField('accounts.Skpd', source_field='skpd_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ContentStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published\nWITHDRAWN: withdrawn', enum_type=ContentStatus, max_length=16)),
                ('content', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('draft', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('publish_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revision', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='ROAD_CLOSED: road_closed\nROADWORKS: roadworks\nLANDSLIDE: landslide\nFLOOD: flood\nFALLEN_TREE: fallen_tree\nEVENT_TRAFFIC: event_traffic\nPOWER_OUTAGE: power_outage\nWATER_OUTAGE: water_outage\nOTHER: other', enum_type=NoticeKind, max_length=24)),
                ('severity', fields.CharEnumField(description='INFO: info\nWARNING: warning\nSEVERE: severe', enum_type=NoticeSeverity, max_length=16)),
                ('title_id', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(null=True, max_length=200)),
                ('body_id', fields.TextField(default='', unique=False)),
                ('body_en', fields.TextField(null=True, unique=False)),
                ('geometry', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('min_lat', fields.FloatField()),
                ('min_lon', fields.FloatField()),
                ('max_lat', fields.FloatField()),
                ('max_lon', fields.FloatField()),
                ('valid_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('validity_state', fields.CharEnumField(default=ValidityState.PENDING, description='PENDING: pending\nCURRENT: current\nEXPIRED: expired', enum_type=ValidityState, max_length=16)),
            ],
            options={'table': 'kota_condition_notice', 'app': 'kota_conditions', 'indexes': [Index(fields=['status', 'valid_until']), Index(fields=['min_lat', 'max_lat'])], 'pk_attr': 'id'},
            bases=['Publishable'],
        ),
    ]
