"""Places of Kota Batu: categories (data, not code), the places, their opening hours as rows
SQL can query, and the city's public holidays."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from among_kota.content.models import Publishable


class PlaceCategory(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_id = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    # A broader category this one belongs to (hospital, puskesmas, pharmacy → health):
    # asking for the group finds its members too.
    group_code = fields.CharField(max_length=32, null=True)
    icon = fields.CharField(max_length=64, default="place")
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "kota_place_category"


class Place(Publishable):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    # Where an imported place came from ("osm:node/123"): re-imports update it.
    external_id = fields.CharField(max_length=120, unique=True, null=True)
    name_id = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, null=True)
    sort_name = fields.CharField(max_length=200, db_index=True)  # lower-case, for NAME order
    description_id = fields.TextField(default="")  # Markdown
    description_en = fields.TextField(null=True)
    address = fields.CharField(max_length=300, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    # Demo data and rough imports: the point is only roughly right.
    location_approximate = fields.BooleanField(default=False)
    phone = fields.CharField(max_length=32, null=True)  # the place's public number
    website = fields.CharField(max_length=300, null=True)
    has_hours = fields.BooleanField(default=False)
    closed_on_holidays = fields.BooleanField(default=False)
    search_text = fields.TextField(default="")

    class Meta:
        table = "kota_place"


class PlaceCategoryLink(Model):
    id = fields.IntField(primary_key=True)
    place = fields.ForeignKeyField("kota_places.Place", related_name="category_links",
                                   on_delete=fields.CASCADE)
    category = fields.ForeignKeyField("kota_places.PlaceCategory", related_name="place_links",
                                      on_delete=fields.RESTRICT)

    class Meta:
        table = "kota_place_category_link"
        unique_together = (("place", "category"),)
        indexes = (("category_id", "place_id"),)


class OpeningPeriod(Model):
    # A weekly interval in week minutes (Monday 00:00 = 0), end exclusive, at most 10080.
    id = fields.IntField(primary_key=True)
    place = fields.ForeignKeyField("kota_places.Place", related_name="periods",
                                   on_delete=fields.CASCADE)
    start_minute = fields.IntField()
    end_minute = fields.IntField()

    class Meta:
        table = "kota_place_period"
        indexes = (("place_id", "start_minute"),)


class SpecialHours(Model):
    # A special day: one row per interval (day minutes), or one row without minutes: closed.
    id = fields.IntField(primary_key=True)
    place = fields.ForeignKeyField("kota_places.Place", related_name="special_hours",
                                   on_delete=fields.CASCADE)
    day = fields.DateField()
    start_minute = fields.IntField(null=True)
    end_minute = fields.IntField(null=True)

    class Meta:
        table = "kota_place_special"
        indexes = (("place_id", "day"),)


class Holiday(Model):
    # A public holiday in Kota Batu (national holidays and the city's own).
    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    name_id = fields.CharField(max_length=120)
    name_en = fields.CharField(max_length=120, null=True)

    class Meta:
        table = "kota_holiday"
