from __future__ import annotations

import graphene

from among_kota.content.graphql.types import EditorialType, editorial_of
from among_kota.news.models import Urgency
from backend.graphql.connections import connection_for
from backend.i18n import localized
from backend.markdown import plain_text, render_markdown
from backend.media.graphql.dataloaders import PhotoByIdLoader
from backend.media.graphql.types import PhotoType

UrgencyEnum = graphene.Enum.from_enum(Urgency, name="AnnouncementUrgency")


class ArticleType(graphene.ObjectType):
    class Meta:
        name = "Article"
        description = "News or an announcement (urgent ones are pushed to their followers)."

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="Markdown as written.")
    body_html = graphene.String(required=True)
    summary = graphene.String(required=True, description="Plain text, one line.")
    cover_photo = graphene.Field(PhotoType)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    pinned = graphene.Boolean(required=True)
    published_at = graphene.DateTime()
    expires_at = graphene.DateTime()
    urgency = graphene.Field(UrgencyEnum)
    village_codes = graphene.List(graphene.NonNull(graphene.String), required=True,
                                  description="Villages an urgent announcement is for.")
    editorial = graphene.Field(EditorialType)

    @staticmethod
    def resolve_id(article, info):
        return str(article.id)

    @staticmethod
    def resolve_title(article, info):
        return localized(article, "title", info.context.language)

    @staticmethod
    def resolve_body(article, info):
        return localized(article, "body", info.context.language) or ""

    @staticmethod
    def resolve_body_html(article, info):
        return render_markdown(localized(article, "body", info.context.language))

    @staticmethod
    def resolve_summary(article, info):
        return plain_text(localized(article, "body", info.context.language), 200)

    @staticmethod
    async def resolve_cover_photo(article, info):
        if not article.cover_photo_id:
            return None
        return await info.context.loader(PhotoByIdLoader).load(article.cover_photo_id)

    @staticmethod
    def resolve_tags(article, info):
        return article.content.get("tags") or []

    @staticmethod
    async def resolve_editorial(article, info):
        return await editorial_of("news", article, info)


ArticleConnection = connection_for(ArticleType)
