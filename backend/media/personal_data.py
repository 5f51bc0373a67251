"""The photos a person uploaded, for ``myData``; deleting the account forgets where and when
they were taken (the metadata-free copies stay with the reports they illustrate)."""

from __future__ import annotations

from typing import Any

from backend.accounts.personal_data import ExportContext, PersonalDataSection, register
from backend.media import services
from backend.media.models import Photo
from backend.media.storage import storage_for


async def export(context: ExportContext) -> list[dict[str, Any]]:
    storage = storage_for(context.services, context.settings)
    return [
        {
            "id": str(photo.id),
            "uploadedAt": photo.created_at.isoformat(),
            "format": photo.format,
            "width": photo.width,
            "height": photo.height,
            "takenAt": photo.taken_at.isoformat() if photo.taken_at else None,
            "exifLocation": (
                {"lat": photo.exif_lat, "lon": photo.exif_lon}
                if photo.exif_lat is not None and photo.exif_lon is not None else None
            ),
            "url": services.display_url(storage, photo),
            "thumbnailUrl": services.thumbnail_url(storage, photo),
        }
        for photo in await Photo.filter(owner_id=context.user_id).order_by("id")
    ]


async def erase(user_id: int) -> None:
    # The camera's place and time, and the app's retry key, describe the person; the pixels
    # (stored without metadata) belong to the complaints they document.
    await Photo.filter(owner_id=user_id).update(
        taken_at=None, exif_lat=None, exif_lon=None, client_key=None
    )


register(PersonalDataSection(key="photos", export=export, erase=erase))
