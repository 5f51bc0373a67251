from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_kota.content.models import ContentStatus
from among_kota.news.models import Urgency
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0005_content_editor_role'), ('media', '0001_initial'), ('media', '0002_published')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AnnouncementFollow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('accounts.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'kota_announcement_follow', 'app': 'kota_news', 'unique_together': (('user', 'topic'),), 'indexes': [Index(fields=['topic', 'user_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Article',
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
                ('body_id', fields.TextField(default='', unique=False)),
                ('body_en', fields.TextField(null=True, unique=False)),
                ('cover_photo', fields.ForeignKeyField('media.Photo', source_field='cover_photo_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('pinned', fields.BooleanField(default=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('urgency', fields.CharEnumField(null=True, description='DISASTER: DISASTER\nROAD_CLOSURE: ROAD_CLOSURE\nWATER_OUTAGE: WATER_OUTAGE\nPOWER_OUTAGE: POWER_OUTAGE\nOTHER: OTHER', enum_type=Urgency, max_length=16)),
                ('village_codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('feed_key', fields.CharField(default='', db_index=True, max_length=40)),
            ],
            options={'table': 'kota_news_article', 'app': 'kota_news', 'pk_attr': 'id'},
            bases=['Publishable'],
        ),
        ops.CreateModel(
            name='ArticleTag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('article', fields.ForeignKeyField('kota_news.Article', source_field='article_id', db_constraint=True, to_field='id', related_name='tag_links', on_delete=OnDelete.CASCADE)),
                ('tag', fields.CharField(max_length=40)),
            ],
            options={'table': 'kota_news_tag', 'app': 'kota_news', 'unique_together': (('article', 'tag'),), 'indexes': [Index(fields=['tag', 'article_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
