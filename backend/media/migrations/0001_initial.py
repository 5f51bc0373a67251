from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('accounts.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT)),
                ('content_hash', fields.CharField(max_length=64)),
                ('format', fields.CharField(max_length=8)),
                ('byte_size', fields.IntField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('exif_lat', fields.FloatField(null=True)),
                ('exif_lon', fields.FloatField(null=True)),
                ('display_key', fields.CharField(db_index=True, max_length=80)),
                ('display_width', fields.IntField()),
                ('display_height', fields.IntField()),
                ('thumbnail_key', fields.CharField(db_index=True, max_length=80)),
                ('client_key', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'media_photo', 'app': 'media', 'unique_together': (('owner', 'client_key'), ('owner', 'content_hash')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
