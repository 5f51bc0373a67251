"""Events in Kota Batu: one-off or recurring (weekly, monthly), at a place or a point; each
occurrence is a row, so "what is on between these dates" is one indexed range query."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from among_kota.content.models import Publishable


class Frequency(str, Enum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"  # the same day of the month (months without that day are skipped)


class EventCategory(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_id = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "kota_event_category"


class Event(Publishable):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    title_id = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, null=True)
    description_id = fields.TextField(default="")  # Markdown
    description_en = fields.TextField(null=True)
    starts_at = fields.DatetimeField()  # the first occurrence
    ends_at = fields.DatetimeField()
    all_day = fields.BooleanField(default=False)
    frequency = fields.CharEnumField(Frequency, max_length=8, null=True)
    repeat_until = fields.DateField(null=True)
    place = fields.ForeignKeyField("kota_places.Place", related_name=False, null=True,
                                   on_delete=fields.SET_NULL)
    venue_name = fields.CharField(max_length=200, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    category = fields.ForeignKeyField("kota_events.EventCategory", related_name="events",
                                      on_delete=fields.RESTRICT)
    price_min = fields.BigIntField(null=True)  # null: free
    price_max = fields.BigIntField(null=True)
    organiser = fields.CharField(max_length=200, default="")
    search_text = fields.TextField(default="")

    class Meta:
        table = "kota_event"


class EventOccurrence(Model):
    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("kota_events.Event", related_name="occurrences",
                                   on_delete=fields.CASCADE)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()

    class Meta:
        table = "kota_event_occurrence"
        indexes = (("starts_at", "id"), ("event_id", "starts_at"))
