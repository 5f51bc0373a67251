"""The shared store of the rate limiter: one counter row per key and window."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RateLimitCounter(Model):
    # "<budget>:<u|a>:<user id or address>:<window start>" — one row per window, bumped by
    # an atomic upsert; rows are deleted once their window has passed.

    bucket = fields.CharField(max_length=200, primary_key=True)
    hits = fields.IntField(default=0)
    # Epoch seconds at which the window ends (plain integers: the same on both databases).
    expires_at = fields.BigIntField(db_index=True)

    class Meta:
        table = "rate_limit_counter"
