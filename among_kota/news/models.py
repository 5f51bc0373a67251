"""News and announcements; who follows the city's and their villages' urgent announcements."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from among_kota.content.models import Publishable


class Urgency(str, Enum):
    DISASTER = "DISASTER"
    ROAD_CLOSURE = "ROAD_CLOSURE"
    WATER_OUTAGE = "WATER_OUTAGE"
    POWER_OUTAGE = "POWER_OUTAGE"
    OTHER = "OTHER"


class Article(Publishable):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    title_id = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, null=True)
    body_id = fields.TextField(default="")  # Markdown
    body_en = fields.TextField(null=True)
    cover_photo = fields.ForeignKeyField("media.Photo", related_name=False, null=True,
                                         on_delete=fields.RESTRICT)
    pinned = fields.BooleanField(default=False)
    expires_at = fields.DatetimeField(null=True)
    # An urgent announcement is pushed when first published: to the followers of the
    # villages named (geo area codes), or of the whole city when it names none.
    urgency = fields.CharEnumField(Urgency, max_length=16, null=True)
    village_codes = fields.JSONField(default=list)
    # Pinned first, then newest: "1" or "0" + the publishing time (UTC, fixed width).
    feed_key = fields.CharField(max_length=40, default="", db_index=True)

    class Meta:
        table = "kota_news_article"


class ArticleTag(Model):
    id = fields.IntField(primary_key=True)
    article = fields.ForeignKeyField("kota_news.Article", related_name="tag_links",
                                     on_delete=fields.CASCADE)
    tag = fields.CharField(max_length=40)

    class Meta:
        table = "kota_news_tag"
        unique_together = (("article", "tag"),)
        indexes = (("tag", "article_id"),)


class AnnouncementFollow(Model):
    # A person following urgent announcements: topic "city", or "village:<area code>".
    # Personal data (it hints where they live): in myData, erased with the account.
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("accounts.User", related_name=False,
                                  on_delete=fields.CASCADE)
    topic = fields.CharField(max_length=80)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kota_announcement_follow"
        unique_together = (("user", "topic"),)
        indexes = (("topic", "user_id"),)
