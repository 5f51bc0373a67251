from __future__ import annotations

import graphene

from among_kota.content.models import ContentStatus
from among_kota.content.rights import may_edit
from among_kota.events import KotaEvent
from among_kota.news import listing
from among_kota.news.graphql.types import ArticleConnection, ArticleType
from among_kota.news.models import AnnouncementFollow, Article
from backend import ids
from backend.clock import utcnow
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.pagination import tortoise_page
from backend.permissions import PUBLIC, SIGNED_IN
from backend.read_cache import public_read

NEWS_CHANGES = (KotaEvent.NEWS_PUBLISHED, KotaEvent.NEWS_UPDATED, KotaEvent.NEWS_WITHDRAWN)


class AnnouncementFollowsType(graphene.ObjectType):
    class Meta:
        name = "AnnouncementFollows"

    city = graphene.Boolean(required=True)
    village_codes = graphene.List(graphene.NonNull(graphene.String), required=True)


def follows_of(topics: list[str]) -> AnnouncementFollowsType:
    return AnnouncementFollowsType(
        city="city" in topics,
        village_codes=sorted(t.split(":", 1)[1] for t in topics if t.startswith("village:")))


class NewsQueries(graphene.ObjectType):
    news = graphene.Field(
        ArticleConnection, required=True, tag=graphene.String(), first=graphene.Int(),
        after=graphene.String(),
        description="Published news and announcements not expired: pinned first, then "
        "newest.")
    article = graphene.Field(ArticleType, id=graphene.ID(), slug=graphene.String())
    my_announcement_follows = graphene.Field(AnnouncementFollowsType, required=True)

    @staticmethod
    @public_read(invalidated_by=NEWS_CHANGES)
    @guarded(PUBLIC)
    async def resolve_news(root, info, tag=None, first=None, after=None):
        now = utcnow()
        queryset = listing.news_queryset(tag, now)
        await listing.answers_hold_until(now)

        async def fetch(position, limit):
            return await tortoise_page(queryset, listing.BY_FEED, position).limit(limit)

        return await paginate(ArticleConnection, first=first, after=after, sort=listing.BY_FEED,
                              fetch=fetch, count=queryset.count)

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_article(root, info, id=None, slug=None):
        if id is not None:
            article_id = ids.parse_id(id)
            article = await Article.get_or_none(id=article_id) if article_id else None
        elif slug:
            article = await Article.get_or_none(slug=slug[:80])
        else:
            return None
        if article is None:
            return None
        if article.status != ContentStatus.PUBLISHED and not may_edit(
                await info.context.principal(), article.skpd_id):
            return None
        return article

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_announcement_follows(root, info):
        principal = await info.context.principal()
        topics = await AnnouncementFollow.filter(user_id=principal.user.id).values_list(
            "topic", flat=True)
        return follows_of(list(topics))
