"""The UMKM directory: small businesses of Kota Batu (culinary, crafts, fashion, oleh-oleh,
agro-processing), applied for by their owner and verified by the city's UMKM office before
anyone else sees them."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class UmkmStatus(str, Enum):
    PENDING = "pending"  # applied (or changed after a decline): waiting for the UMKM office
    VERIFIED = "verified"  # public
    DECLINED = "declined"  # with a reason for the owner, who may change it and apply again
    WITHDRAWN = "withdrawn"  # taken down by its owner or the office


class UmkmCategory(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_id = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "kota_umkm_category"


class UmkmBusiness(Model):
    """A business as public (``content``: the values the office verified, in the shape the
    owner sent them) and, while verified, the owner's later edits waiting for the office
    (``pending``). The columns are derived from ``content`` for querying."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    owner = fields.ForeignKeyField("accounts.User", related_name=False, null=True,
                                   on_delete=fields.SET_NULL)
    status = fields.CharEnumField(UmkmStatus, max_length=16, default=UmkmStatus.PENDING)
    content = fields.JSONField(default=dict)
    pending = fields.JSONField(null=True)
    decline_reason = fields.CharField(max_length=500, null=True)
    decided_by = fields.ForeignKeyField("accounts.User", related_name=False, null=True,
                                        on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    verified_at = fields.DatetimeField(null=True)
    # The name the owner chose to show (e.g. "Bu Sri"), not their account's name.
    owner_public_name = fields.CharField(max_length=200)
    name_id = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, null=True)
    sort_name = fields.CharField(max_length=200, db_index=True)
    description_id = fields.TextField(default="")  # Markdown
    description_en = fields.TextField(null=True)
    category = fields.ForeignKeyField("kota_umkm.UmkmCategory", related_name=False,
                                      on_delete=fields.RESTRICT)
    # Where it sells: a published place (a market stall in Pasar Induk) or its own point.
    place_id = fields.IntField(null=True)
    address = fields.CharField(max_length=300, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    nib = fields.CharField(max_length=13, null=True)  # Nomor Induk Berusaha (OSS), public
    # The business's WhatsApp number the owner chose to publish (digits, 62…).
    whatsapp = fields.CharField(max_length=16, null=True)
    demo = fields.BooleanField(default=False)
    search_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "kota_umkm"
        indexes = (("status", "sort_name"), ("owner_id", "status"))


class UmkmProduct(Model):
    id = fields.IntField(primary_key=True)
    business = fields.ForeignKeyField("kota_umkm.UmkmBusiness", related_name="products",
                                      on_delete=fields.CASCADE)
    position = fields.IntField()
    name_id = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, null=True)
    price_min = fields.BigIntField(null=True)  # whole Rupiah
    price_max = fields.BigIntField(null=True)
    photo = fields.ForeignKeyField("media.Photo", related_name=False, null=True,
                                   on_delete=fields.SET_NULL)

    class Meta:
        table = "kota_umkm_product"
        indexes = (("business_id", "position"),)
