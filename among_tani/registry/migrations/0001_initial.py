from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_tani.registry.models import ApplicationKind, ApplicationStatus, BuyerType, CommodityGroup, FarmerGroupKind, Unit
from backend.crypto.fields import EncryptedField, LookupHashField
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_protected_identifiers'), ('geo', '0001_initial'), ('geo', '0002_spatial_index')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tani_applications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FARMER: farmer\nBUYER: buyer', enum_type=ApplicationKind, max_length=16)),
                ('status', fields.CharEnumField(default=ApplicationStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nDECLINED: declined', enum_type=ApplicationStatus, max_length=16)),
                ('village', fields.ForeignKeyField('geo.Area', source_field='village_id', null=True, db_constraint=True, to_field='id', related_name='tani_applications', on_delete=OnDelete.RESTRICT)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviewed_by', fields.ForeignKeyField('accounts.User', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='tani_reviews', on_delete=OnDelete.SET_NULL)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decline_reason', fields.CharField(default='', max_length=500)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_application', 'app': 'tani_registry', 'unique_together': (('user', 'kind'),), 'indexes': [Index(fields=['status', 'kind', 'village_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BuyerProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name='buyer_profile', on_delete=OnDelete.CASCADE)),
                ('application', fields.OneToOneField('tani_registry.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='buyer_profile', on_delete=OnDelete.CASCADE)),
                ('buyer_type', fields.CharEnumField(description='HOUSEHOLD: household\nRESTAURANT_HOTEL: restaurant_hotel\nRETAILER: retailer\nWHOLESALER: wholesaler\nPROCESSOR: processor', enum_type=BuyerType, max_length=24)),
                ('business_name', fields.CharField(default='', max_length=120)),
                ('verified', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_buyer_profile', 'app': 'tani_registry', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Commodity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('name_id', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(max_length=100)),
                ('group', fields.CharEnumField(db_index=True, description='FRUIT: fruit\nVEGETABLE: vegetable\nFLOWER: flower\nDAIRY: dairy\nPLANTATION: plantation', enum_type=CommodityGroup, max_length=16)),
                ('base_unit', fields.CharEnumField(description='KG: kg\nKUINTAL: kuintal\nTON: ton\nIKAT: ikat\nBUAH: buah\nTANGKAI: tangkai\nLITER: liter', enum_type=Unit, max_length=16)),
                ('units', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('synonyms', fields.CharField(default='', max_length=300)),
                ('active', fields.BooleanField(default=True)),
                ('sort_order', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_commodity', 'app': 'tani_registry', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FarmerGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharEnumField(default=FarmerGroupKind.POKTAN, description='POKTAN: poktan\nGAPOKTAN: gapoktan', enum_type=FarmerGroupKind, max_length=16)),
                ('village', fields.ForeignKeyField('geo.Area', source_field='village_id', db_constraint=True, to_field='id', related_name='farmer_groups', on_delete=OnDelete.RESTRICT)),
                ('parent', fields.ForeignKeyField('tani_registry.FarmerGroup', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='members_groups', on_delete=OnDelete.SET_NULL)),
                ('chair', fields.ForeignKeyField('accounts.User', source_field='chair_id', null=True, db_constraint=True, to_field='id', related_name='chaired_farmer_groups', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tani_farmer_group', 'app': 'tani_registry', 'unique_together': (('village', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FarmerProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name='farmer_profile', on_delete=OnDelete.CASCADE)),
                ('application', fields.OneToOneField('tani_registry.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='farmer_profile', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('geo.Area', source_field='village_id', db_constraint=True, to_field='id', related_name='farmer_profiles', on_delete=OnDelete.RESTRICT)),
                ('farmer_group', fields.ForeignKeyField('tani_registry.FarmerGroup', source_field='farmer_group_id', null=True, db_constraint=True, to_field='id', related_name='farmers', on_delete=OnDelete.SET_NULL)),
                ('farmer_group_name', fields.CharField(default='', max_length=120)),
                ('nik', EncryptedField(null=True, context='tani_farmer_profile.nik')),
                ('nik_hash', LookupHashField(null=True, unique=True, source='nik')),
                ('verified', fields.BooleanField(default=False, db_index=True)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_orders', fields.IntField(default=0)),
                ('rating_count', fields.IntField(default=0)),
                ('rating_total', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_farmer_profile', 'app': 'tani_registry', 'indexes': [Index(fields=['village_id', 'verified'])], 'pk_attr': 'id'},
            bases=['ProtectedModel'],
        ),
        ops.CreateModel(
            name='FarmerCommodity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('farmer', fields.ForeignKeyField('tani_registry.FarmerProfile', source_field='farmer_id', db_constraint=True, to_field='id', related_name='commodity_links', on_delete=OnDelete.CASCADE)),
                ('commodity', fields.ForeignKeyField('tani_registry.Commodity', source_field='commodity_id', db_constraint=True, to_field='id', related_name='farmer_links', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'tani_farmer_commodity', 'app': 'tani_registry', 'unique_together': (('farmer', 'commodity'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfficerVillage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('officer', fields.ForeignKeyField('accounts.User', source_field='officer_id', db_constraint=True, to_field='id', related_name='officer_villages', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('geo.Area', source_field='village_id', db_constraint=True, to_field='id', related_name='officer_links', on_delete=OnDelete.CASCADE)),
                ('assigned_by', fields.ForeignKeyField('accounts.User', source_field='assigned_by_id', null=True, db_constraint=True, to_field='id', related_name='officer_assignments', on_delete=OnDelete.SET_NULL)),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tani_officer_village', 'app': 'tani_registry', 'unique_together': (('officer', 'village'),), 'indexes': [Index(fields=['village_id', 'officer_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
