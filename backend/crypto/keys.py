"""The data keys that protect personal identifiers at rest (phone numbers, NIK, …).

``BATT_DATA_KEYS`` lists one or more keys, newest first: ``<id>:<base64url of 32 random
bytes>`` separated by commas, e.g. ``2027a:Vq…,2026a:3x…``. The first key encrypts every new
value and makes every new look-up hash; all of them decrypt and find. Rotation is therefore:
put a new key first on every process, restart, run ``batt keys rotate`` (which rewrites the
rows still under older keys), then drop the old key once ``batt keys status`` shows none left.

Each key yields two sub-keys (HKDF-SHA256): one for AES-256-GCM, one for the HMAC-SHA256 look-up
hashes. A stored value reads ``<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``; its
additional authenticated data names the column and the key, so a ciphertext copied into another
column (a phone into the NIK column) or relabelled with another key id does not decrypt.
Without ``BATT_DATA_KEYS`` a development key is generated once into ``<var>/data_keys`` (mode
0600), as the secret key is; production refuses to start without the variable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
KEY_BYTES = 32
NONCE_BYTES = 12
DEVELOPMENT_FILE = "data_keys"


class DataKeyError(ValueError):
    """A key list that cannot be used (syntax, length, duplicate ids)."""


class UnknownDataKey(LookupError):
    """A stored value was written under a key this process does not have."""


class UndecryptableValue(ValueError):
    """A stored value is damaged, was moved from another column, or was tampered with."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


@dataclass(frozen=True)
class DataKey:
    id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not KEY_ID_RE.fullmatch(self.id):
            raise DataKeyError(
                f"data key id {self.id!r}: 1–16 letters, digits, '-' or '_'"
            )
        if len(self.secret) != KEY_BYTES:
            raise DataKeyError(f"data key {self.id!r} must be {KEY_BYTES} bytes (base64url)")

    def encoded(self) -> str:
        return f"{self.id}:{_b64encode(self.secret)}"


def new_key(key_id: str) -> DataKey:
    return DataKey(key_id, secrets.token_bytes(KEY_BYTES))


def parse_keys(text: str) -> tuple[DataKey, ...]:
    """``id:base64url,id:base64url`` (commas or newlines; newest first)."""
    keys: list[DataKey] = []
    for entry in re.split(r"[,\s]+", text.strip()):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep:
            raise DataKeyError("each data key reads <id>:<base64url of 32 bytes>")
        try:
            secret = _b64decode(encoded.strip())
        except (binascii.Error, ValueError) as exc:
            raise DataKeyError(f"data key {key_id!r} is not valid base64url") from exc
        keys.append(DataKey(key_id.strip(), secret))
    if not keys:
        raise DataKeyError("no data key given")
    ids = [k.id for k in keys]
    if len(set(ids)) != len(ids):
        raise DataKeyError("data key ids must be unique")
    return tuple(keys)


def development_keys(var_dir: Path) -> tuple[DataKey, ...]:
    """A key generated once under var/ (mode 0600), so encrypted rows survive restarts."""
    path = Path(var_dir) / DEVELOPMENT_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: read theirs
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(new_key("dev1").encoded() + "\n")
    return parse_keys(path.read_text())


class KeyRing:
    """Encrypts under the first key, decrypts and looks up under all of them."""

    def __init__(self, keys: Sequence[DataKey]) -> None:
        if not keys:
            raise DataKeyError("a key ring needs at least one key")
        self.keys = tuple(keys)
        self.current = self.keys[0]
        self._aead = {k.id: AESGCM(_derive(k.secret, b"batt:aes-256-gcm")) for k in self.keys}
        self._lookup = {k.id: _derive(k.secret, b"batt:lookup-hmac") for k in self.keys}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.keys)

    @staticmethod
    def _aad(context: str, key_id: str) -> bytes:
        return f"{context}|{key_id}".encode()

    def encrypt(self, plaintext: str, context: str) -> str:
        key_id = self.current.id
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead[key_id].encrypt(nonce, plaintext.encode(), self._aad(context, key_id))
        return f"{key_id}:{_b64encode(nonce + sealed)}"

    def decrypt(self, stored: str, context: str) -> str:
        key_id, sep, body = stored.partition(":")
        if not sep:
            raise UndecryptableValue(f"{context}: not an encrypted value")
        aead = self._aead.get(key_id)
        if aead is None:
            raise UnknownDataKey(
                f"{context} was encrypted under data key {key_id!r}, which is not in "
                f"BATT_DATA_KEYS (known: {', '.join(self.ids)})"
            )
        try:
            raw = _b64decode(body)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                self._aad(context, key_id)).decode()
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise UndecryptableValue(f"{context}: value damaged or moved") from exc

    @staticmethod
    def key_id_of(stored: str) -> str:
        return stored.partition(":")[0]

    def lookup_hash(self, value: str, purpose: str, key_id: str | None = None) -> str:
        """The keyed hash stored beside a value (under the current key unless told)."""
        key = self._lookup[key_id or self.current.id]
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def lookup_hashes(self, value: str, purpose: str) -> list[str]:
        """The hashes a value may be stored under: one per key, so finding it stays one
        indexed ``IN`` query while rows are being rotated."""
        return [self.lookup_hash(value, purpose, k.id) for k in self.keys]


_ring: KeyRing | None = None


def install(ring: KeyRing) -> KeyRing:
    """Make ``ring`` the process's key ring (done by :func:`backend.db.init_db`/``migrate``)."""
    global _ring
    _ring = ring
    return ring


def keyring() -> KeyRing:
    if _ring is None:
        raise RuntimeError("data keys are not installed: call backend.db.init_db(settings)")
    return _ring


def keyring_for(settings: object) -> KeyRing:
    """The key ring a deployment's settings describe (development: the key under var/)."""
    keys = getattr(settings, "data_keys", ())
    if not keys:
        if getattr(settings, "is_production", False):
            raise DataKeyError("BATT_DATA_KEYS is required in production")
        keys = development_keys(settings.var_dir)  # type: ignore[attr-defined]
    return KeyRing(keys)
