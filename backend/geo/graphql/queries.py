from __future__ import annotations

import graphene

from backend.errors import ServiceError
from backend.geo import services
from backend.geo.graphql.types import AreaAtPayload, AreaLevelEnum, AreaType
from backend.geo.models import Area, AreaLevel
from backend.graphql.core import guarded
from backend.permissions import PUBLIC
from backend.read_cache import public_read


class GeoQueries(graphene.ObjectType):
    area_at = graphene.Field(
        AreaAtPayload,
        required=True,
        lat=graphene.Float(required=True, description="WGS84 latitude, degrees."),
        lon=graphene.Float(required=True, description="WGS84 longitude, degrees."),
        description="The desa/kelurahan (with kecamatan and city) at a point; `area` is null "
        "outside Kota Batu, invalid coordinates give `errors`.",
    )
    areas = graphene.List(
        graphene.NonNull(AreaType),
        required=True,
        level=graphene.Argument(AreaLevelEnum, required=True),
        description="All areas of one level, e.g. the 24 desa/kelurahan for a map layer.",
    )

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_area_at(root, info, lat: float, lon: float):
        try:
            location = await services.locate(lat, lon)
        except ServiceError as exc:
            return AreaAtPayload(
                area=None, errors=[e.as_payload(info.context.language) for e in exc.errors]
            )
        return AreaAtPayload(area=location.most_specific if location else None, errors=[])

    @staticmethod
    # Areas change only when a migration or `batt` loads boundaries: no event, kept for the
    # cache's max age.
    @public_read(invalidated_by=())
    @guarded(PUBLIC)
    async def resolve_areas(root, info, level):
        return await Area.filter(level=AreaLevel(level)).order_by("name")
