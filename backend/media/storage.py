"""Where photo variants live: a small interface, and a local-directory implementation.

Keys are content addresses (``<sha256 of the bytes>.jpg``), so a stored object never changes
and may be cached forever; the same bytes uploaded twice are stored once. An object store
(S3, GCS, MinIO) implements the same operations later (``signed_url`` as its presigned URL).

Two kinds of URL: ``url(key)`` is public and immutable, for photos anyone may see;
``signed_url(key, expires)`` is for the others (photos of confidential complaints, photos not
attached to anything public yet): it carries its expiry and an HMAC of key and expiry, so it
works for whoever holds it until then and for nobody after.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any, Protocol

# Public keys are exactly this shape; anything else is refused before it touches a path, so
# "../" and friends can never reach the filesystem.
KEY_PATTERN = re.compile(r"^[0-9a-f]{64}\.(jpg|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}
PUBLIC_PREFIX = "/media"
PRIVATE_PREFIX = "/media/private"
SERVICE_NAME = "media.storage"


class InvalidKey(ValueError):
    pass


def content_key(data: bytes, extension: str) -> str:
    key = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidKey(key)
    return key


def content_type_for(key: str) -> str:
    return CONTENT_TYPES[check_key(key).rsplit(".", 1)[1]]


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def exists(self, key: str) -> bool: ...

    async def put_missing(self, objects: dict[str, bytes]) -> list[str]:
        """Store each object not stored yet; the keys it wrote (one call for the variants
        of a photo)."""
        ...

    async def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...

    def signed_url(self, key: str, expires: int) -> str:
        """A URL that serves the object until ``expires`` (Unix time), and is refused after."""
        ...


class UrlSigner:
    """HMAC-SHA256 over ``key:expires`` with a key derived from the server's secret (so a
    photo signature can never stand in for a token signature, or the other way round)."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"batt media url v1", hashlib.sha256).digest()

    def signature(self, key: str, expires: int) -> str:
        mac = hmac.new(self._key, f"{key}:{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def valid(self, key: str, expires: int, signature: str) -> bool:
        return hmac.compare_digest(self.signature(key, expires), signature)


class LocalStorage:
    """Files under one directory, fanned out as ``ab/cd/<key>`` so no directory grows huge."""

    def __init__(self, root: Path, base_url: str = PUBLIC_PREFIX, *,
                 signer: UrlSigner | None = None, private_base_url: str | None = None) -> None:
        self.root = Path(root)
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.private_base_url = (private_base_url or f"{self.base_url}/private").rstrip("/")

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self.path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a temporary name and renamed: a reader or a crash never sees half a file.
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(temp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def put_missing(self, objects: dict[str, bytes]) -> list[str]:
        # One trip to the file thread for all of them, not two per object.
        paths = {key: self.path(key) for key in objects}
        return await asyncio.to_thread(self._put_missing, paths, objects)

    def _put_missing(self, paths: dict[str, Path], objects: dict[str, bytes]) -> list[str]:
        written: list[str] = []
        try:
            for key, path in paths.items():
                if not path.is_file():
                    self._put(path, objects[key])
                    written.append(key)
        except BaseException:  # all or nothing: the caller never learns of a partial write
            for key in written:
                self._delete(paths[key])
            raise
        return written

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, self.path(key))

    def _delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        # Drop the fan-out directories once empty, so a refused upload leaves no trace.
        for parent in (path.parent, path.parent.parent):
            try:
                parent.rmdir()
            except OSError:
                break

    def url(self, key: str) -> str:
        return f"{self.base_url}/{check_key(key)}"

    def signed_url(self, key: str, expires: int) -> str:
        if self.signer is None:
            raise RuntimeError("this storage was made without a URL signer")
        signature = self.signer.signature(check_key(key), expires)
        return f"{self.private_base_url}/{key}?expires={expires}&signature={signature}"


def storage_for(services: dict[str, Any], settings: Any) -> Storage:
    """The app's storage, created on first use and shared by every request (tests may put
    their own under ``services[SERVICE_NAME]`` first)."""
    storage = services.get(SERVICE_NAME)
    if storage is None:
        base = f"{settings.public_base_url}{PUBLIC_PREFIX}"
        storage = services.setdefault(SERVICE_NAME, LocalStorage(
            settings.media_dir, base, signer=url_signer(settings),
            private_base_url=f"{settings.public_base_url}{PRIVATE_PREFIX}"))
    return storage


def url_signer(settings: Any) -> UrlSigner:
    return UrlSigner(settings.secret_key)
