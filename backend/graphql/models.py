from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PersistedQuery(Model):
    """A document registered by Automatic Persisted Queries: clients then send its SHA-256
    instead of the text. Shared by every worker (PostgreSQL)."""

    sha256 = fields.CharField(max_length=64, primary_key=True)
    document = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "persisted_query"
