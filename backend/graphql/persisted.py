"""Automatic Persisted Queries, the convention Apollo, urql and graphql-request clients speak:
a request may carry ``extensions.persistedQuery = {version: 1, sha256Hash}`` instead of the
document. Unknown hash: the answer is the error ``PERSISTED_QUERY_NOT_FOUND`` and the client
sends the hash again with the document, which is stored (once it passed the gate: only valid
documents are kept) for every later request from any worker. A document whose SHA-256 is not
the hash it came with is refused. Works over POST and GET alike; with GET a phone sends a
short URL and a proxy can cache the public answers.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any

from tortoise.exceptions import IntegrityError

from backend.graphql.models import PersistedQuery

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # Apollo's clients look for this exact text
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
UNSUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
MEMORY_ENTRIES = 2048
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def requested_hash(extensions: Any) -> str | None:
    """The hash a request asks for, None if it does not use persisted queries; a malformed
    ``persistedQuery`` is a :class:`PersistedQueryError`."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(UNSUPPORTED, "Only persistedQuery version 1 is supported.",
                                  400)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX64.match(digest.lower()):
        raise PersistedQueryError(HASH_MISMATCH,
                                  "`sha256Hash` must be 64 hexadecimal characters.", 400)
    return digest.lower()


class PersistedQueries:
    """The stored documents: the database table, with the recently used ones in memory."""

    def __init__(self, memory_entries: int = MEMORY_ENTRIES) -> None:
        self.memory_entries = memory_entries
        self._memory: OrderedDict[str, str] = OrderedDict()

    async def find(self, digest: str) -> str | None:
        document = self._memory.get(digest)
        if document is not None:
            self._memory.move_to_end(digest)
            return document
        found = await PersistedQuery.filter(sha256=digest).values_list("document", flat=True)
        if not found:
            return None
        self._remember(digest, found[0])
        return found[0]

    def check(self, digest: str, document: str) -> None:
        if sha256_of(document) != digest:
            raise PersistedQueryError(HASH_MISMATCH,
                                      "The document does not match its sha256Hash.", 400)

    async def register(self, digest: str, document: str) -> None:
        """Keep a document that passed the gate (idempotent; concurrent workers may race)."""
        if digest in self._memory:
            return
        if not await PersistedQuery.exists(sha256=digest):
            try:
                await PersistedQuery.create(sha256=digest, document=document)
            except IntegrityError:
                pass  # another worker stored it first: the same text
        self._remember(digest, document)

    def _remember(self, digest: str, document: str) -> None:
        self._memory[digest] = document
        self._memory.move_to_end(digest)
        while len(self._memory) > self.memory_entries:
            self._memory.popitem(last=False)
