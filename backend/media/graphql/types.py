from __future__ import annotations

import graphene

from backend.graphql.core import error_type
from backend.media import services
from backend.media.errors import MediaErrorCode
from backend.media.models import Photo
from backend.media.storage import storage_for

MediaError = error_type("MediaError", MediaErrorCode)


async def _may_see_exif(info: graphene.ResolveInfo, photo: Photo) -> bool:
    principal = await info.context.principal()
    if principal is None:
        return services.may_see_exif(photo, None, frozenset())
    return services.may_see_exif(photo, principal.user.id, principal.roles)


class PhotoLocation(graphene.ObjectType):
    class Meta:
        description = "Where the camera said the photo was taken (WGS84)."

    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class PhotoType(graphene.ObjectType):
    class Meta:
        name = "Photo"
        description = (
            "An uploaded photo. Only resized copies without any metadata are served; the "
            "original file is not kept. Photos anyone may see (on public reports) have "
            "permanent URLs; the others (confidential reports, photos not attached yet) "
            "short-lived signed ones: load them soon, and query again for fresh ones."
        )

    id = graphene.ID(required=True)
    url = graphene.String(required=True, description="Display size, about 1280 px long side.")
    thumbnail_url = graphene.String(required=True, description="About 320 px long side.")
    width = graphene.Int(required=True, description="Width of the photo as taken, upright.")
    height = graphene.Int(required=True, description="Height of the photo as taken, upright.")
    taken_at = graphene.DateTime(
        description="When the camera took it (EXIF); only for the uploader and the command "
        "center. Use it to flag old photos."
    )
    exif_location = graphene.Field(
        PhotoLocation,
        description="Where the camera says it was taken (EXIF GPS); only for the uploader and "
        "the command center. Use it to suggest the report's location.",
    )

    @staticmethod
    def resolve_url(photo: Photo, info) -> str:
        return services.display_url(_storage(info), photo, ttl_seconds=_ttl(info))

    @staticmethod
    def resolve_thumbnail_url(photo: Photo, info) -> str:
        return services.thumbnail_url(_storage(info), photo, ttl_seconds=_ttl(info))

    @staticmethod
    async def resolve_taken_at(photo: Photo, info):
        return photo.taken_at if await _may_see_exif(info, photo) else None

    @staticmethod
    async def resolve_exif_location(photo: Photo, info):
        if photo.exif_lat is None or photo.exif_lon is None:
            return None
        if not await _may_see_exif(info, photo):
            return None
        return PhotoLocation(lat=photo.exif_lat, lon=photo.exif_lon)


def _storage(info):
    return storage_for(info.context.services, info.context.settings)


def _ttl(info) -> int:
    return info.context.settings.media_url_ttl_seconds
