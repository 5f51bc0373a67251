from __future__ import annotations

import graphene

from among_kota.content.graphql.mutations import EditorialMutations
from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.news import services
from among_kota.news.graphql.queries import AnnouncementFollowsType, follows_of
from among_kota.news.graphql.types import ArticleType, UrgencyEnum
from among_kota.news.models import Article
from backend.accounts.services import Principal
from backend.graphql.core import BaseMutation
from backend.permissions import SIGNED_IN


class ArticleInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new article (a draft of your SKPD).")
    skpd_code = graphene.String()
    title = TextInput(required=True)
    body = TextInput(description="Markdown.")
    cover_photo_id = graphene.ID(description="A photo you uploaded (uploadPhoto).")
    tags = graphene.List(graphene.NonNull(graphene.String))
    pinned = graphene.Boolean()
    expires_at = graphene.DateTime()
    urgency = UrgencyEnum(description="Set for an urgent announcement: pushed to the "
                          "followers of its villages (or of the city) when first published.")
    village_codes = graphene.List(graphene.NonNull(graphene.String))


async def _load(article_id: int) -> Article:
    return await Article.get(id=article_id)


async def _clean(input: ArticleInput, item_id: int | None, principal: Principal) -> dict:
    return await services.clean_article(input, item_id=item_id, owner_id=principal.user.id)


ARTICLE_EDITING = EditorialMutations(
    services.NEWS, "Article", ArticleInput, "article", ArticleType, _load, _clean,
    descriptions={
        "save": "Create a news article or announcement (a draft) or save edits to one.",
        "publish": "Publish an article now or at a set time (urgent ones are pushed then).",
        "withdraw": "Take an article off the public pages.",
    })


class FollowAnnouncements(BaseMutation):
    class Arguments:
        city = graphene.Boolean(required=True, description="Urgent announcements for the "
                                "whole city.")
        village_codes = graphene.List(graphene.NonNull(graphene.String),
                                      description="Villages (desa/kelurahan area codes) whose "
                                      "urgent announcements you want.")

    class Meta:
        description = ("Choose which urgent announcements are pushed to your devices "
                       "(replaces the earlier choice).")
        need = SIGNED_IN
        error_type = KotaError

    follows = graphene.Field(AnnouncementFollowsType)

    @classmethod
    async def perform(cls, root, info, principal, city, village_codes=None):
        topics = await services.follow_announcements(principal.user.id, city=city,
                                                     villages=list(village_codes or []))
        return {"follows": follows_of(topics)}


class NewsMutations(graphene.ObjectType):
    save_article, publish_article, rollback_article, withdraw_article = ARTICLE_EDITING.fields()
    follow_announcements = FollowAnnouncements.Field()
