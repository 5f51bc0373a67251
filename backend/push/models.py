"""Devices that receive pushes, and the durable outbox of pushes waiting to be delivered."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import User


class Platform(str, Enum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


class Device(Model):
    # One app installation that can receive pushes: its FCM registration token. A token
    # belongs to whoever registered it last (a shared phone changes hands), so it is unique.

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="push_devices", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=1024, unique=True)
    platform = fields.CharEnumField(Platform, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Apps re-register on every start and token refresh; the oldest devices are dropped first.
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "push_device"


class PushStatus(str, Enum):
    PENDING = "pending"
    SENT = "sent"  # delivered to FCM for at least one device
    NO_DEVICES = "no_devices"  # the user has no (live) device: nothing to send
    LOGGED = "logged"  # Firebase is not configured on this server: written to the log instead
    FAILED = "failed"  # gave up: attempts exhausted, or FCM refused the message itself


class _Outbox(Model):
    # What every push waiting to be sent carries, to a person or to topics.

    title = fields.CharField(max_length=200)
    body = fields.TextField()
    data = fields.JSONField(default=dict)
    status = fields.CharEnumField(PushStatus, max_length=16, default=PushStatus.PENDING)
    # Claims so far; a sender claims a row by moving next_attempt_at past its lease, so a
    # crashed sender's rows come back by themselves.
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True


class PushMessage(_Outbox):
    # One push for one user, written in the transaction of the change it announces (so a
    # rolled-back change never notifies). (user, dedupe_key) is unique: a retried caller
    # cannot queue the same push twice.

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="push_messages", on_delete=fields.CASCADE
    )
    dedupe_key = fields.CharField(max_length=200)
    claim = fields.CharField(max_length=32, null=True, db_index=True)
    # Devices already reached, so a retry after a partial failure does not repeat them.
    delivered_device_ids = fields.JSONField(default=list)

    class Meta:
        table = "push_outbox"
        unique_together = (("user", "dedupe_key"),)
        indexes = (("status", "next_attempt_at"),)


class TopicMembership(Model):
    # Whether one installation (by FCM token) should be in one topic, and whether FCM has been
    # told. Desired state is written in the transaction of the change (a follow, a device
    # registered or removed); the push job brings FCM in line afterwards. Keyed by token, not
    # by device: an unsubscription must still reach FCM after the device row is gone.

    id = fields.BigIntField(primary_key=True)
    token = fields.CharField(max_length=1024)
    # BATT's topic name ("kota:village:bumiaji-tulungrejo"); FCM's is derived from it.
    topic = fields.CharField(max_length=200)
    wanted = fields.BooleanField()
    synced = fields.BooleanField(default=False)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)

    class Meta:
        table = "push_topic_membership"
        unique_together = (("token", "topic"),)
        indexes = (("synced", "next_attempt_at"),)


class TopicPush(_Outbox):
    # One push to everyone in up to five topics (one FCM message with a topic condition),
    # written in the transaction of the change it announces, sent by the push job. A city-wide
    # warning is one request to FCM, not one row and one request per person.

    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    topics = fields.JSONField()
    claim = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "push_topic_outbox"
        indexes = (("status", "next_attempt_at"),)
