"""Photos attached to Among Kota content (a news cover, a UMKM product): the uploader's own,
refused with Among Kota's PHOTO_NOT_FOUND (the media domain's code is not in Among Kota's
error enum, and a payload can only carry codes of its own enum)."""

from __future__ import annotations

from collections.abc import Iterable

from among_kota.errors import KotaErrorCode as C
from backend.errors import ServiceError
from backend.media.models import Photo
from backend.media.services import get_owned_photos


async def owned_photos(owner_id: int, ids: Iterable[int | str], field: str) -> list[Photo]:
    try:
        return await get_owned_photos(owner_id, ids, field=field)
    except ServiceError as exc:
        raise ServiceError(C.PHOTO_NOT_FOUND, field) from exc
