"""News and announcements: an editor's input checked into the article's content, written to
the row and its tags; urgent announcements pushed to their followers when first published."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from among_kota.content.models import Publishable
from among_kota.content.services import ContentKind, register_kind
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent
from among_kota.news.models import AnnouncementFollow, Article, ArticleTag, Urgency
from among_kota.photos import owned_photos
from among_kota.text import MARKDOWN, NAME, bilingual, slugify
from among_kota.times import aware, plausible
from backend.errors import FieldError, ServiceError
from backend.geo.models import Area, AreaLevel
from backend.markdown import plain_text
from backend.media.services import publish as publish_photos
from backend.push.topics import enqueue_topic_push, refresh_topics, register_topic_source

CITY_TOPIC = "city"
MAX_TAGS = 10
MAX_VILLAGES = 24
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _get(data: Any, name: str, default: Any = None) -> Any:
    if isinstance(data, dict):
        return data.get(name, default)
    return getattr(data, name, default)


def village_topic(code: str) -> str:
    return f"village:{code}"


async def village_codes(codes: list[str], field: str = "villageCodes") -> list[str]:
    wanted = list(dict.fromkeys(str(c)[:64] for c in codes))
    known = set(await Area.filter(code__in=wanted, level=AreaLevel.VILLAGE).values_list(
        "code", flat=True))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ServiceError(C.UNKNOWN_VILLAGE, field, codes=", ".join(unknown))
    return wanted


async def clean_article(data: Any, *, item_id: int | None, owner_id: int | None
                        ) -> dict[str, Any]:
    problems: list[FieldError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            problems.extend(exc.errors)
            return None

    title = check(bilingual, _get(data, "title"), NAME, "title", required=True)
    body = check(bilingual, _get(data, "body"), MARKDOWN, "body")
    tags = [str(t).strip().lower() for t in (_get(data, "tags") or [])]
    if len(tags) > MAX_TAGS:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "tags", max=MAX_TAGS))
    elif any(not _TAG.match(t) for t in tags):
        problems.append(FieldError(C.INVALID_SLUG, "tags"))
    urgency = _get(data, "urgency")
    urgency = getattr(urgency, "value", urgency)
    if urgency is not None and urgency not in {u.value for u in Urgency}:
        problems.append(FieldError(C.INVALID_TEXT, "urgency"))
    villages: list[str] = []
    raw_villages = list(_get(data, "village_codes") or [])
    if len(raw_villages) > MAX_VILLAGES:
        problems.append(FieldError(C.TOO_MANY_ITEMS, "villageCodes", max=MAX_VILLAGES))
    elif raw_villages:
        try:
            villages = await village_codes(raw_villages)
        except ServiceError as exc:
            problems.extend(exc.errors)
    expires_at = aware(_get(data, "expires_at"))
    if expires_at is not None and not plausible(expires_at):
        problems.append(FieldError(C.INVALID_DATE, "expiresAt"))
    cover = None
    cover_id = _get(data, "cover_photo_id")
    if cover_id is not None:
        try:
            cover = (await owned_photos(owner_id or 0, [cover_id], "coverPhotoId"))[0]
        except ServiceError as exc:
            problems.extend(exc.errors)
    if problems:
        raise ServiceError(problems)
    return {
        "slug": await _slug(title["id"], item_id),
        "title": title, "body": body,
        "tags": list(dict.fromkeys(tags)),
        "pinned": bool(_get(data, "pinned")),
        "expiresAt": expires_at.astimezone(UTC).isoformat() if expires_at else None,
        "urgency": urgency, "villageCodes": villages,
        "coverPhotoId": cover.id if cover else None,
    }


async def _slug(title: str, item_id: int | None) -> str:
    if item_id is not None:
        current = await Article.filter(id=item_id).values_list("slug", flat=True)
        if current:
            return current[0]
    base = slugify(title)[:72]
    taken = set(await Article.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _feed_key(pinned: bool, published_at: datetime | None) -> str:
    moment = (published_at or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    return f"{int(pinned)}{moment.strftime('%Y%m%d%H%M%S%f')}"


async def apply_article(item: Publishable, content: dict[str, Any]) -> None:
    article: Article = item  # type: ignore[assignment]
    article.content = content
    article.slug = content["slug"]
    article.title_id, article.title_en = content["title"]["id"], content["title"]["en"]
    article.body_id, article.body_en = content["body"]["id"], content["body"]["en"]
    article.pinned = content["pinned"]
    article.expires_at = (datetime.fromisoformat(content["expiresAt"])
                          if content["expiresAt"] else None)
    article.urgency = Urgency(content["urgency"]) if content["urgency"] else None
    article.village_codes = content["villageCodes"]
    article.cover_photo_id = content["coverPhotoId"]
    article.feed_key = _feed_key(article.pinned, article.published_at)
    await article.save()
    await ArticleTag.filter(article_id=article.id).delete()
    if content["tags"]:
        await ArticleTag.bulk_create([ArticleTag(article_id=article.id, tag=t)
                                      for t in content["tags"]])


async def on_publish(item: Publishable, first: bool) -> None:
    article: Article = item  # type: ignore[assignment]
    article.feed_key = _feed_key(article.pinned, article.published_at)
    await Article.filter(id=article.id).update(feed_key=article.feed_key)
    if article.cover_photo_id:
        await publish_photos([article.cover_photo_id])
    if first and article.urgency is not None:
        await push_announcement(article)


async def push_announcement(article: Article) -> int:
    """Queue the push of an urgent announcement to its followers — the villages named, or the
    whole city — as one FCM topic message (per five villages), once per article."""
    topics = ([village_topic(c) for c in article.village_codes] if article.village_codes
              else [CITY_TOPIC])
    return await enqueue_topic_push(
        [PUSH_TOPIC_PREFIX + t for t in topics], title=article.title_id,
        body=plain_text(article.body_id, 180) or article.title_id,
        data={"type": "announcement", "articleId": str(article.id),
              "urgency": article.urgency.value if article.urgency else ""},
        dedupe_key=f"kota-announcement:{article.id}")


# Announcement follows as push topics ("kota:city", "kota:village:bumiaji-tulungrejo"): the
# push platform keeps every installation of a follower in the topic.
PUSH_TOPIC_PREFIX = "kota:"


@register_topic_source
async def announcement_topics(user_ids: list[int]) -> dict[int, set[str]]:
    topics: dict[int, set[str]] = {}
    for user_id, topic in await AnnouncementFollow.filter(user_id__in=user_ids).values_list(
            "user_id", "topic"):
        topics.setdefault(user_id, set()).add(PUSH_TOPIC_PREFIX + topic)
    return topics


async def follow_announcements(user_id: int, *, city: bool, villages: list[str]) -> list[str]:
    """Replace what the person follows; returns the topics now followed."""
    codes = await village_codes(villages) if villages else []
    topics = ([CITY_TOPIC] if city else []) + [village_topic(c) for c in codes]
    async with in_transaction():
        await AnnouncementFollow.filter(user_id=user_id).exclude(topic__in=topics).delete()
        have = set(await AnnouncementFollow.filter(user_id=user_id).values_list(
            "topic", flat=True))
        await AnnouncementFollow.bulk_create([AnnouncementFollow(user_id=user_id, topic=t)
                                              for t in topics if t not in have])
        await refresh_topics(user_ids=[user_id])
    return topics


NEWS = register_kind(ContentKind(
    name="news", model=Article, apply=apply_article,
    published=KotaEvent.NEWS_PUBLISHED, updated=KotaEvent.NEWS_UPDATED,
    withdrawn=KotaEvent.NEWS_WITHDRAWN, on_publish=on_publish,
))
