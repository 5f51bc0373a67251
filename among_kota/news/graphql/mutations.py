from __future__ import annotations

import graphene

from among_kota.content import services as editorial
from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.content.rights import EDITOR
from among_kota.errors import KotaErrorCode as C
from among_kota.news import services
from among_kota.news.graphql.queries import AnnouncementFollowsType, follows_of
from among_kota.news.graphql.types import ArticleType, UrgencyEnum
from among_kota.news.models import Article
from backend.graphql.core import BaseMutation, parse_int_id
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


class ArticlePayload:
    article = graphene.Field(ArticleType)


class SaveArticle(ArticlePayload, BaseMutation):
    class Arguments:
        input = ArticleInput(required=True)

    class Meta:
        description = "Create a news article or announcement (a draft) or save edits to one."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, input):
        item_id = parse_int_id(input.id, C.NOT_FOUND, "id") if input.id else None
        content = await services.clean_article(input, item_id=item_id,
                                               owner_id=principal.user.id)
        article = await editorial.save_draft(services.NEWS, principal, item_id, content,
                                             skpd_code=input.skpd_code)
        return {"article": await Article.get(id=article.id)}


class PublishArticle(ArticlePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        at = graphene.DateTime()

    class Meta:
        description = "Publish an article now or at a set time (urgent ones are pushed then)."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, at=None):
        article = await editorial.publish(services.NEWS, principal,
                                          parse_int_id(id, C.NOT_FOUND, "id"), at)
        return {"article": await Article.get(id=article.id)}


class RollbackArticle(ArticlePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        revision = graphene.Int(required=True)

    class Meta:
        description = "Publish an earlier revision of an article again."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, revision):
        article = await editorial.rollback(services.NEWS, principal,
                                           parse_int_id(id, C.NOT_FOUND, "id"), revision)
        return {"article": await Article.get(id=article.id)}


class WithdrawArticle(ArticlePayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Take an article off the public pages."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id):
        article = await editorial.withdraw(services.NEWS, principal,
                                           parse_int_id(id, C.NOT_FOUND, "id"))
        return {"article": await Article.get(id=article.id)}


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
    save_article = SaveArticle.Field()
    publish_article = PublishArticle.Field()
    rollback_article = RollbackArticle.Field()
    withdraw_article = WithdrawArticle.Field()
    follow_announcements = FollowAnnouncements.Field()
