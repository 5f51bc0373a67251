"""Who takes part in Among Tani, and what they grow: the commodity catalogue, farmer and buyer
profiles with their review, farmer groups, and which extension officer (PPL) serves which
village. Read by the market and the farming help desk; written only through
:mod:`among_tani.registry.services`."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.crypto.fields import EncryptedField, LookupHashField, ProtectedModel


class CommodityGroup(str, Enum):
    FRUIT = "fruit"
    VEGETABLE = "vegetable"
    FLOWER = "flower"
    DAIRY = "dairy"
    PLANTATION = "plantation"


class Unit(str, Enum):
    KG = "kg"
    KUINTAL = "kuintal"
    TON = "ton"
    IKAT = "ikat"  # a bunch (leek, mustard greens, flowers)
    BUAH = "buah"  # a piece
    TANGKAI = "tangkai"  # a stem (cut flowers)
    LITER = "liter"


class Commodity(Model):
    # A product of Batu's farms, as data: the catalogue grows without a release.
    # ``units`` lists the units it may be sold or recorded in, each with its factor to
    # ``base_unit`` (e.g. {"unit": "kuintal", "factor": "100"} for base kg) or ``null`` when
    # the unit has no fixed weight (an ``ikat`` of leek): prices then compare only within the
    # unit. The base unit is kg, liter, or for flowers the stem.

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=48, unique=True)
    name_id = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    group = fields.CharEnumField(CommodityGroup, max_length=16, db_index=True)
    base_unit = fields.CharEnumField(Unit, max_length=16)
    units = fields.JSONField(default=list)
    # Other names people search by ("apel malang", "jeruk batu").
    synonyms = fields.CharField(max_length=300, default="")
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_commodity"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class ApplicationKind(str, Enum):
    FARMER = "farmer"
    BUYER = "buyer"


class ApplicationStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Application(Model):
    # The review of one person's request to take part as a farmer or as a buyer: one row per
    # (user, kind), re-opened when a declined person applies again. The profile holds what
    # they told us; this row holds what the reviewer decided. One id space for both kinds,
    # so ``reviewApplication(id)`` needs nothing else.

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_applications", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ApplicationKind, max_length=16)
    status = fields.CharEnumField(ApplicationStatus, max_length=16,
                                  default=ApplicationStatus.PENDING)
    # Farmers only: the village whose extension officers may review (and later serve) them.
    village: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "geo.Area", related_name="tani_applications", null=True, on_delete=fields.RESTRICT
    )
    submitted_at = fields.DatetimeField()
    reviewed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="tani_reviews", null=True, on_delete=fields.SET_NULL
    )
    reviewed_at = fields.DatetimeField(null=True)
    decline_reason = fields.CharField(max_length=500, default="")
    # When first approved: "member since" on the public profile.
    approved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_application"
        unique_together = (("user", "kind"),)
        indexes = (("status", "kind", "village_id"),)


class FarmerGroupKind(str, Enum):
    POKTAN = "poktan"  # kelompok tani
    GAPOKTAN = "gapoktan"  # gabungan kelompok tani


class FarmerGroup(Model):
    # A kelompok tani (or a gapoktan, the federation of a village's poktan). Farmers name
    # theirs when they apply; a named group unknown here is kept as text on the profile until
    # distan (or the farming registry) records the group.

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharEnumField(FarmerGroupKind, max_length=16, default=FarmerGroupKind.POKTAN)
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="farmer_groups", on_delete=fields.RESTRICT
    )
    parent: fields.ForeignKeyNullableRelation[FarmerGroup] = fields.ForeignKeyField(
        "tani_registry.FarmerGroup", related_name="members_groups", null=True,
        on_delete=fields.SET_NULL,
    )
    chair: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="chaired_farmer_groups", null=True,
        on_delete=fields.SET_NULL,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tani_farmer_group"
        unique_together = (("village", "name"),)


class FarmerProfile(ProtectedModel):
    # What a farmer told us when applying. The NIK is optional personal data: encrypted at
    # rest, found through its keyed hash, never shown to anyone but the farmer, the PPL of
    # the village and distan.

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.User", related_name="farmer_profile", on_delete=fields.CASCADE
    )
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "tani_registry.Application", related_name="farmer_profile", on_delete=fields.CASCADE
    )
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="farmer_profiles", on_delete=fields.RESTRICT
    )
    farmer_group: fields.ForeignKeyNullableRelation[FarmerGroup] = fields.ForeignKeyField(
        "tani_registry.FarmerGroup", related_name="farmers", null=True,
        on_delete=fields.SET_NULL,
    )
    # The group as the farmer named it (always kept: shown when no FarmerGroup matches).
    farmer_group_name = fields.CharField(max_length=120, default="")
    nik = EncryptedField(context="tani_farmer_profile.nik", null=True)
    nik_hash = LookupHashField(source="nik", unique=True, null=True)
    # Copied from the application so lists filter on one table ("verified farmers of X").
    verified = fields.BooleanField(default=False, db_index=True)
    # "Member since" on the public profile: when first verified.
    verified_at = fields.DatetimeField(null=True)
    # Kept by the market in the same transaction as the order or rating that changes them,
    # so a public profile reads them from this row (no aggregate per profile shown).
    completed_orders = fields.IntField(default=0)
    rating_count = fields.IntField(default=0)
    rating_total = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    commodity_links: fields.ReverseRelation[FarmerCommodity]

    class Meta:
        table = "tani_farmer_profile"
        indexes = (("village_id", "verified"),)


class FarmerCommodity(Model):
    # A farmer's main commodities (a table, not a list: "farmers growing X in village Y").
    id = fields.IntField(primary_key=True)
    farmer: fields.ForeignKeyRelation[FarmerProfile] = fields.ForeignKeyField(
        "tani_registry.FarmerProfile", related_name="commodity_links", on_delete=fields.CASCADE
    )
    commodity: fields.ForeignKeyRelation[Commodity] = fields.ForeignKeyField(
        "tani_registry.Commodity", related_name="farmer_links", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "tani_farmer_commodity"
        unique_together = (("farmer", "commodity"),)


class BuyerType(str, Enum):
    HOUSEHOLD = "household"
    RESTAURANT_HOTEL = "restaurant_hotel"
    RETAILER = "retailer"
    WHOLESALER = "wholesaler"
    PROCESSOR = "processor"


class BuyerProfile(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.User", related_name="buyer_profile", on_delete=fields.CASCADE
    )
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "tani_registry.Application", related_name="buyer_profile", on_delete=fields.CASCADE
    )
    buyer_type = fields.CharEnumField(BuyerType, max_length=24)
    business_name = fields.CharField(max_length=120, default="")
    verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tani_buyer_profile"


class OfficerVillage(Model):
    # Which extension officer (PPL) serves which village: an officer covers one or more
    # villages, a village has one or more officers. Data that distan admins edit; the help
    # desk routes questions by it and the registry lets these officers review farmers.

    id = fields.IntField(primary_key=True)
    officer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="officer_villages", on_delete=fields.CASCADE
    )
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="officer_links", on_delete=fields.CASCADE
    )
    assigned_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="officer_assignments", null=True,
        on_delete=fields.SET_NULL,
    )
    assigned_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tani_officer_village"
        unique_together = (("officer", "village"),)
        indexes = (("village_id", "officer_id"),)
