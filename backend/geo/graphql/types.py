from __future__ import annotations

import graphene

from backend.geo import services
from backend.geo.errors import GeoErrorCode
from backend.geo.graphql.dataloaders import AreaByIdLoader
from backend.geo.models import Area, AreaLevel
from backend.graphql.core import error_type

AreaLevelEnum = graphene.Enum.from_enum(
    AreaLevel, name="AreaLevel",
    description="CITY = Kota Batu, DISTRICT = kecamatan, VILLAGE = desa/kelurahan.",
)
GeoError = error_type("GeoError", GeoErrorCode)


async def _ancestor(area: Area, info, level: AreaLevel) -> Area | None:
    current: Area | None = area
    while current is not None and current.level != level:
        if current.parent_id is None:
            return None
        current = await info.context.loader(AreaByIdLoader).load(current.parent_id)
    return current


class AreaType(graphene.ObjectType):
    class Meta:
        name = "Area"
        description = "An administrative area of Kota Batu: the city, a kecamatan or a desa."

    id = graphene.ID(required=True)
    code = graphene.String(required=True, description="Stable code, e.g. bumiaji-punten.")
    name = graphene.String(required=True)
    level = graphene.Field(AreaLevelEnum, required=True)
    approximate = graphene.Boolean(
        required=True, description="True when the boundary is an approximation (demo data)."
    )
    parent = graphene.Field(lambda: AreaType)
    district = graphene.Field(lambda: AreaType, description="The kecamatan (itself if one).")
    city = graphene.Field(lambda: AreaType)
    geojson = graphene.JSONString(
        required=True,
        description="The area as an RFC 7946 GeoJSON Feature (lon/lat order), for map layers.",
    )

    @staticmethod
    def resolve_approximate(area: Area, info) -> bool:
        return bool((area.properties or {}).get("approximate", False))

    @staticmethod
    async def resolve_parent(area: Area, info) -> Area | None:
        if area.parent_id is None:
            return None
        return await info.context.loader(AreaByIdLoader).load(area.parent_id)

    @staticmethod
    async def resolve_district(area: Area, info) -> Area | None:
        return await _ancestor(area, info, AreaLevel.DISTRICT)

    @staticmethod
    async def resolve_city(area: Area, info) -> Area | None:
        return await _ancestor(area, info, AreaLevel.CITY)

    @staticmethod
    def resolve_geojson(area: Area, info) -> dict:
        return services.area_feature(area)


class AreaAtPayload(graphene.ObjectType):
    area = graphene.Field(
        AreaType,
        description="The most specific area at the point — the desa/kelurahan, with its "
        "`district` and `city` — or null outside Kota Batu.",
    )
    errors = graphene.List(graphene.NonNull(GeoError), required=True)


class BboxInput(graphene.InputObjectType):
    """A map's bounds (WGS84 degrees), as every domain's map query takes them."""

    south = graphene.Float(required=True)
    west = graphene.Float(required=True)
    north = graphene.Float(required=True)
    east = graphene.Float(required=True)
