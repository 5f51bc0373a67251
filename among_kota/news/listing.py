"""Reading news: published, not expired, pinned first then newest, optionally by tag — one
statement per page (a keyset over ``feed_key``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from among_kota.content.models import ContentStatus
from among_kota.news.models import Article
from backend.clock import utcnow
from backend.pagination import KeyKind, SortKey
from backend.read_cache import collecting, valid_until

BY_FEED = SortKey("feed_key", KeyKind.STR, descending=True)


def news_queryset(tag: str | None, now: datetime | None = None) -> Any:
    queryset = Article.filter(status=ContentStatus.PUBLISHED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now or utcnow()))
    if tag:
        queryset = queryset.filter(tag_links__tag=tag.strip().lower()[:40])
    return queryset


async def answers_hold_until(now: datetime) -> None:
    """Tell the read cache when a news answer computed at ``now`` stops being true by the
    clock alone: when the first published article still shown expires (one statement, only
    for answers that may be cached)."""
    if not collecting():
        return
    first = await Article.filter(status=ContentStatus.PUBLISHED, expires_at__gt=now).order_by(
        "expires_at").limit(1).values_list("expires_at", flat=True)
    if first:
        valid_until(first[0])
