"""Photos uploaded by users, referenced by id from complaints, listings and reports."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import User


class Photo(Model):
    # One uploaded photo. Only metadata-free variants are stored (content-addressed keys);
    # the original bytes are not kept — they carry the uploader's GPS trail and camera
    # details, and nothing in BATT needs more than the display size. What the original said
    # about place and time is kept here, visible to the uploader and staff only.

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="photos", on_delete=fields.RESTRICT
    )
    # SHA-256 of the uploaded bytes: the same file from the same user is the same photo.
    content_hash = fields.CharField(max_length=64)
    format = fields.CharField(max_length=8)
    byte_size = fields.IntField()
    # As seen, after EXIF orientation.
    width = fields.IntField()
    height = fields.IntField()
    taken_at = fields.DatetimeField(null=True)
    exif_lat = fields.FloatField(null=True)
    exif_lon = fields.FloatField(null=True)
    display_key = fields.CharField(max_length=80, db_index=True)
    display_width = fields.IntField()
    display_height = fields.IntField()
    thumbnail_key = fields.CharField(max_length=80, db_index=True)
    # Chosen by the app per upload attempt, so a retry on a flaky network finds its photo.
    client_key = fields.CharField(max_length=64, null=True)
    # Attached to something anyone may see (a public complaint, a public progress report):
    # its variants are served at public, immutable URLs. Others only through signed URLs.
    # Never goes back: what was public has been cached by then.
    published = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media_photo"
        unique_together = (("owner", "client_key"), ("owner", "content_hash"))

    def __str__(self) -> str:
        return f"Photo {self.id} ({self.format} {self.width}x{self.height})"
