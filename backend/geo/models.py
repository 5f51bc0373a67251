"""Administrative areas of Kota Batu: the city, its kecamatan and its desa/kelurahan."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class AreaLevel(str, Enum):
    CITY = "city"
    DISTRICT = "district"  # kecamatan
    VILLAGE = "village"  # desa / kelurahan


class Area(Model):
    # An administrative area with its boundary. ``boundary`` is the RFC 7946 GeoJSON geometry
    # (always a MultiPolygon, lon/lat, exterior rings counter-clockwise) — the portable source
    # of truth. The spatial index is not a Tortoise field: on PostgreSQL a generated PostGIS
    # geometry column with a GiST index, on SQLite an R*Tree over the bounding-box columns
    # (see migrations/0002_spatial_index.py).

    id = fields.IntField(primary_key=True)
    # Stable across re-imports (official code or slug, e.g. "bumiaji-punten"); routing rules
    # and complaints refer to areas by this code.
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    level = fields.CharEnumField(AreaLevel, max_length=16, db_index=True)
    parent: fields.ForeignKeyNullableRelation[Area] = fields.ForeignKeyField(
        "geo.Area", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    # Whatever the source file said about the area, e.g. {"approximate": true, "kind": "desa"}.
    properties = fields.JSONField(default=dict)
    boundary = fields.TextField()
    # SHA-256 of ``boundary``: keys the prepared-geometry cache, so a re-import is seen at once.
    boundary_hash = fields.CharField(max_length=64)
    min_lat = fields.FloatField()
    max_lat = fields.FloatField()
    min_lon = fields.FloatField()
    max_lon = fields.FloatField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    children: fields.ReverseRelation[Area]

    class Meta:
        table = "geo_area"
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return f"{self.level.value} {self.code}"
