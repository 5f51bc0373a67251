"""Topic pushes: which installation should be in which FCM topic (and whether FCM knows), and
the outbox of messages to topics."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.push.models import PushStatus

JSON = {"encoder": functools.partial(dumps, separators=(",", ":")), "decoder": loads}


class Migration(migrations.Migration):
    dependencies = [("push", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="TopicMembership",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True,
                                          db_index=True)),
                ("token", fields.CharField(max_length=1024)),
                ("topic", fields.CharField(max_length=200)),
                ("wanted", fields.BooleanField()),
                ("synced", fields.BooleanField(default=False)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(null=True, unique=False)),
            ],
            options={"table": "push_topic_membership", "app": "push",
                     "unique_together": (("token", "topic"),),
                     "indexes": [Index(fields=["synced", "next_attempt_at"])],
                     "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TopicPush",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True,
                                          db_index=True)),
                ("dedupe_key", fields.CharField(unique=True, max_length=200)),
                ("topics", fields.JSONField(**JSON)),
                ("title", fields.CharField(max_length=200)),
                ("body", fields.TextField(unique=False)),
                ("data", fields.JSONField(default=dict, **JSON)),
                ("status", fields.CharEnumField(
                    default=PushStatus.PENDING,
                    description="PENDING: pending\nSENT: sent\nNO_DEVICES: no_devices\n"
                                "LOGGED: logged\nFAILED: failed",
                    enum_type=PushStatus, max_length=16)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("claim", fields.CharField(null=True, max_length=32)),
                ("last_error", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("finished_at", fields.DatetimeField(null=True, auto_now=False,
                                                     auto_now_add=False)),
            ],
            options={"table": "push_topic_outbox", "app": "push",
                     "indexes": [Index(fields=["status", "next_attempt_at"])],
                     "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
