"""City conditions ("kondisi kota"): notices an SKPD publishes about what is happening on the
ground now — a road closed, a landslide, a flood, event traffic, an outage — each with a
geometry on the map and a validity (from … until)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields

from among_kota.content.models import Publishable


class NoticeKind(str, Enum):
    ROAD_CLOSED = "road_closed"
    ROADWORKS = "roadworks"
    LANDSLIDE = "landslide"
    FLOOD = "flood"
    FALLEN_TREE = "fallen_tree"
    EVENT_TRAFFIC = "event_traffic"
    POWER_OUTAGE = "power_outage"
    WATER_OUTAGE = "water_outage"
    OTHER = "other"


class NoticeSeverity(str, Enum):
    INFO = "info"  # good to know (event traffic, a planned outage)
    WARNING = "warning"  # plan around it (one lane closed, slow traffic)
    SEVERE = "severe"  # danger or no way through (landslide, road closed)


class ValidityState(str, Enum):
    """Where the validity stood when the conditions job last looked: the public answer
    filters on the times themselves; the job records an event when an item starts or
    expires so that cached answers are dropped then (nothing else changes at that moment)."""

    PENDING = "pending"
    CURRENT = "current"
    EXPIRED = "expired"


class ConditionNotice(Publishable):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(NoticeKind, max_length=24)
    severity = fields.CharEnumField(NoticeSeverity, max_length=16)
    title_id = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, null=True)
    body_id = fields.TextField(default="")  # Markdown
    body_en = fields.TextField(null=True)
    # RFC 7946 geometry (Point, LineString or Polygon; lon, lat order), and its bounding
    # box: the map's question "what lies in this box" compares four indexed numbers.
    geometry = fields.JSONField()
    min_lat = fields.FloatField()
    min_lon = fields.FloatField()
    max_lat = fields.FloatField()
    max_lon = fields.FloatField()
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)  # null: until withdrawn
    validity_state = fields.CharEnumField(ValidityState, max_length=16,
                                          default=ValidityState.PENDING)

    class Meta:
        table = "kota_condition_notice"
        indexes = (("status", "valid_until"), ("min_lat", "max_lat"))
