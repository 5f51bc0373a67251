"""Reading news: published, not expired, pinned first then newest, optionally by tag — one
statement per page (a keyset over ``feed_key``)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from among_kota.content.models import ContentStatus
from among_kota.news.models import Article
from backend.clock import utcnow
from backend.pagination import KeyKind, SortKey

BY_FEED = SortKey("feed_key", KeyKind.STR, descending=True)


def news_queryset(tag: str | None) -> Any:
    queryset = Article.filter(status=ContentStatus.PUBLISHED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=utcnow()))
    if tag:
        queryset = queryset.filter(tag_links__tag=tag.strip().lower()[:40])
    return queryset
