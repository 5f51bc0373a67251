from __future__ import annotations

import graphene

from backend.graphql.core import BaseMutation, Upload
from backend.media import services
from backend.media.graphql.types import MediaError, PhotoType
from backend.media.storage import storage_for
from backend.permissions import SIGNED_IN


class UploadPhoto(BaseMutation):
    class Arguments:
        file = Upload(required=True, description="JPEG, PNG, WebP or HEIC, as a multipart file.")
        client_key = graphene.String(
            description="Chosen by the app for this photo (e.g. a UUID); sending the same key "
            "again returns the same photo instead of a copy."
        )

    class Meta:
        description = (
            "Upload one photo; attach it to a report, listing or progress update by its id. "
            "Retry freely: the same file or client key gives back the same photo."
        )
        need = SIGNED_IN
        error_type = MediaError
        rate_limit = "upload_photo"

    photo = graphene.Field(PhotoType)

    @classmethod
    async def perform(cls, root, info, principal, file, client_key=None):
        settings = info.context.settings
        # One byte past the limit is enough to know the file is too large.
        data = await file.read(settings.media_max_bytes + 1)
        photo = await services.upload_photo(
            storage_for(info.context.services, settings),
            owner_id=principal.user.id,
            data=data,
            limits=services.limits_for(settings),
            client_key=client_key,
            filename=file.filename,
            content_type=file.content_type,
            workers=settings.media_workers or None,
        )
        return {"photo": photo}


class MediaMutations(graphene.ObjectType):
    upload_photo = UploadPhoto.Field()
