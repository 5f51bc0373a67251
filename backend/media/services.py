"""Photo rules: upload once (idempotently), reference by id, only your own.

Other domains attach photos with :func:`get_owned_photos`, publish those their privacy
policy shows to everyone with :func:`publish`, and show them with :func:`display_url` /
:func:`thumbnail_url`: public and immutable once published, short-lived and signed before
(so one photo has one kind of URL wherever it appears, and a client caching by photo id
never holds two).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Iterable

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from backend.accounts.models import Role
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.ids import parse_id
from backend.media.errors import MediaErrorCode
from backend.media.models import Photo
from backend.media.pipeline import (
    PhotoLimits,
    PhotoRejected,
    ProcessedPhoto,
    content_hash,
    process_photo_in_worker,
)
from backend.media.storage import Storage
from backend.settings import Settings

log = logging.getLogger(__name__)

INLINE_HASH_BYTES = 2 * 2**20
CLIENT_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def limits_for(settings: Settings) -> PhotoLimits:
    return PhotoLimits(max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels)


async def upload_photo(
    storage: Storage,
    *,
    owner_id: int,
    data: bytes,
    limits: PhotoLimits,
    client_key: str | None = None,
    filename: str | None = None,
    content_type: str | None = None,
    workers: int | None = None,
) -> Photo:
    """Store a photo for ``owner_id``; a retry (same client key, or the same bytes) returns the
    photo stored the first time. Refused files raise :class:`ServiceError` and leave nothing
    behind."""
    if client_key is not None and not CLIENT_KEY.fullmatch(client_key):
        raise ServiceError(MediaErrorCode.INVALID_CLIENT_KEY, "clientKey")
    if len(data) > limits.max_bytes:
        # Checked before hashing: the caller read at most one byte past the limit.
        raise ServiceError(
            MediaErrorCode.FILE_TOO_LARGE, "file", max_mb=limits.max_bytes // 2**20
        )
    # Hashing a phone photo takes a fraction of a millisecond; only a big file is worth the
    # trip to a thread (hashlib releases the GIL there).
    if len(data) <= INLINE_HASH_BYTES:
        digest = content_hash(data)
    else:
        digest = await asyncio.to_thread(content_hash, data)
    existing = await _earlier_upload(owner_id, digest, client_key)
    if existing is not None:
        return existing

    try:
        processed = await process_photo_in_worker(
            data, limits, filename=filename, content_type=content_type, workers=workers
        )
    except PhotoRejected as rejected:
        log.info("photo from user %s refused: %s", owner_id, rejected.code.value)
        raise ServiceError(rejected.code, "file", **rejected.params) from None

    written: list[str] = []
    try:
        written = await storage.put_missing(_variant_objects(processed))
        photo = await Photo.create(
            owner_id=owner_id,
            content_hash=digest,
            format=processed.format,
            byte_size=len(data),
            width=processed.width,
            height=processed.height,
            taken_at=processed.taken_at,
            exif_lat=processed.exif_lat,
            exif_lon=processed.exif_lon,
            display_key=processed.display.key,
            display_width=processed.display.width,
            display_height=processed.display.height,
            thumbnail_key=processed.thumbnail.key,
            client_key=client_key,
        )
    except IntegrityError:
        # A concurrent retry of the same upload won the insert: answer with its photo.
        await _discard_unreferenced(storage, written)
        existing = await _earlier_upload(owner_id, digest, client_key)
        if existing is None:
            raise
        return existing
    except BaseException:
        await _discard_unreferenced(storage, written)
        raise
    await _restore_missing(storage, processed)
    return photo


async def _earlier_upload(owner_id: int, digest: str, client_key: str | None) -> Photo | None:
    # One query for both ways a retry is recognised: its client key, or the same bytes.
    match = Q(content_hash=digest)
    if client_key is not None:
        match |= Q(client_key=client_key)
    candidates = await Photo.filter(Q(owner_id=owner_id) & match)
    by_key = next((p for p in candidates if client_key and p.client_key == client_key), None)
    if by_key is not None:
        if by_key.content_hash != digest:
            raise ServiceError(MediaErrorCode.CLIENT_KEY_REUSED, "clientKey")
        return by_key
    return next((p for p in candidates if p.content_hash == digest), None)


async def _discard_unreferenced(storage: Storage, keys: Iterable[str]) -> None:
    """Remove files this upload wrote, unless another photo (same bytes, another user)
    references them by now."""
    for key in keys:
        referenced = await Photo.filter(Q(display_key=key) | Q(thumbnail_key=key)).exists()
        if not referenced:
            await storage.delete(key)


async def _restore_missing(storage: Storage, processed: ProcessedPhoto) -> None:
    # Another upload of the same picture may have failed and discarded the shared file
    # between our existence check and our insert; the row now references it, so put it back.
    await storage.put_missing(_variant_objects(processed))


def _variant_objects(processed: ProcessedPhoto) -> dict[str, bytes]:
    return {variant.key: variant.data for variant in (processed.display, processed.thumbnail)}


async def get_owned_photos(
    owner_id: int, ids: Iterable[int | str], *, field: str = "photoIds"
) -> list[Photo]:
    """The photos ``ids`` (in that order, duplicates dropped), all uploaded by ``owner_id``.

    Raises ``ServiceError(PHOTO_NOT_FOUND, field)`` if any id is malformed, unknown or
    someone else's — the same answer for all three, so ids of other people's photos cannot be
    probed.
    """
    wanted: list[int] = []
    for raw in ids:
        photo_id = parse_id(raw)
        if photo_id is None:
            raise ServiceError(MediaErrorCode.PHOTO_NOT_FOUND, field)
        if photo_id not in wanted:
            wanted.append(photo_id)
    if not wanted:
        return []
    found = {p.id: p for p in await Photo.filter(id__in=wanted, owner_id=owner_id)}
    if len(found) != len(wanted):
        raise ServiceError(MediaErrorCode.PHOTO_NOT_FOUND, field)
    return [found[photo_id] for photo_id in wanted]


# Besides the uploader, the command center sees where and when a photo was taken: it checks
# reports against it. Everyone else sees only the pictures.
EXIF_READERS = frozenset({Role.OPERATOR, Role.ADMIN})


def may_see_exif(photo: Photo, viewer_id: int | None, viewer_roles: frozenset[Role]) -> bool:
    return viewer_id is not None and (
        viewer_id == photo.owner_id or bool(viewer_roles & EXIF_READERS)
    )


async def publish(photo_ids: Iterable[int]) -> None:
    """The photos are now shown to everyone (call inside the transaction that attaches them)."""
    ids = sorted(set(photo_ids))
    if ids:
        await Photo.filter(id__in=ids, published=False).update(published=True)


async def is_published(key: str) -> bool:
    return await Photo.filter(Q(display_key=key) | Q(thumbnail_key=key), published=True).exists()


def signed_expiry(ttl_seconds: int, now: float | None = None) -> int:
    """When a signed URL made now stops working: at least ``ttl_seconds`` from now, rounded
    up to a step of a quarter of it, so the URLs a client gets within one step are the same
    and its image cache keeps working."""
    now = utcnow().timestamp() if now is None else now
    step = max(60, ttl_seconds // 4)
    return int(math.ceil((now + ttl_seconds) / step) * step)


def _url(storage: Storage, photo: Photo, key: str, ttl_seconds: int) -> str:
    if photo.published:
        return storage.url(key)
    return storage.signed_url(key, signed_expiry(ttl_seconds))


def display_url(storage: Storage, photo: Photo, *, ttl_seconds: int = 900) -> str:
    return _url(storage, photo, photo.display_key, ttl_seconds)


def thumbnail_url(storage: Storage, photo: Photo, *, ttl_seconds: int = 900) -> str:
    return _url(storage, photo, photo.thumbnail_key, ttl_seconds)
