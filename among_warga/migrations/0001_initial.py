from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_warga.models import ComplaintStatus, TimelineKind, Visibility
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('media', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ComplaintCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name_id', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(max_length=100)),
                ('description_id', fields.CharField(default='', max_length=500)),
                ('description_en', fields.CharField(default='', max_length=500)),
                ('icon', fields.CharField(default='report', max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('sensitive_location', fields.BooleanField(default=False)),
                ('triage_minutes', fields.IntField()),
                ('response_minutes', fields.IntField()),
                ('resolution_minutes', fields.IntField()),
                ('sort_order', fields.IntField(default=0)),
            ],
            options={'table': 'complaint_category', 'app': 'among_warga', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket_number', fields.CharField(unique=True, max_length=20)),
                ('reporter', fields.ForeignKeyField('accounts.User', source_field='reporter_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('category', fields.ForeignKeyField('among_warga.ComplaintCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('description', fields.TextField(unique=False)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('village_code', fields.CharField(null=True, max_length=64)),
                ('village_name', fields.CharField(null=True, max_length=120)),
                ('district_code', fields.CharField(null=True, max_length=64)),
                ('district_name', fields.CharField(null=True, max_length=120)),
                ('status', fields.CharEnumField(default=ComplaintStatus.SUBMITTED, description='SUBMITTED: submitted\nVERIFIED: verified\nDISPATCHED: dispatched\nIN_PROGRESS: in_progress\nRESOLVED: resolved\nCLOSED: closed\nREJECTED: rejected\nDUPLICATE: duplicate', enum_type=ComplaintStatus, max_length=16)),
                ('visibility', fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nANONYMOUS: anonymous\nCONFIDENTIAL: confidential', enum_type=Visibility, max_length=16)),
                ('client_request_id', fields.CharField(max_length=64)),
                ('request_fingerprint', fields.CharField(max_length=64)),
                ('sla_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('support_count', fields.IntField(default=0)),
                ('rejection_reason', fields.CharField(null=True, max_length=500)),
                ('duplicate_of', fields.ForeignKeyField('among_warga.Complaint', source_field='duplicate_of_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.SET_NULL)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rating', fields.SmallIntField(null=True)),
                ('rating_comment', fields.CharField(null=True, max_length=1000)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'complaint', 'app': 'among_warga', 'unique_together': (('reporter', 'client_request_id'),), 'indexes': [Index(fields=['status', 'category_id']), Index(fields=['reporter_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('among_warga.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='photo_links', on_delete=OnDelete.CASCADE)),
                ('photo', fields.ForeignKeyField('media.Photo', source_field='photo_id', db_constraint=True, to_field='id', related_name='complaint_links', on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField(default=0)),
            ],
            options={'table': 'complaint_photo', 'app': 'among_warga', 'unique_together': (('complaint', 'photo'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintSupport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('among_warga.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='supports', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name='complaint_supports', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'complaint_support', 'app': 'among_warga', 'unique_together': (('complaint', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonalDataAccess',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('accounts.User', source_field='staff_id', db_constraint=True, to_field='id', related_name='personal_data_reads', on_delete=OnDelete.CASCADE)),
                ('complaint', fields.ForeignKeyField('among_warga.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='personal_data_reads', on_delete=OnDelete.CASCADE)),
                ('reporter_id', fields.IntField()),
                ('fields_read', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'personal_data_access', 'app': 'among_warga', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(unique=True, max_length=4)),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'complaint_ticket_counter', 'app': 'among_warga', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TimelineEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('among_warga.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='timeline', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='STATUS: status\nRESPONSE: response\nNOTE: note', enum_type=TimelineKind, max_length=16)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(null=True, max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('public', fields.BooleanField(default=True)),
                ('actor', fields.ForeignKeyField('accounts.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='timeline_entries', on_delete=OnDelete.SET_NULL)),
                ('actor_label', fields.CharField(default='', max_length=120)),
                ('photo_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'complaint_timeline', 'app': 'among_warga', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
