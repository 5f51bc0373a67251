"""Accounts: people, the roles they hold, the agencies (SKPD) responders belong to."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.crypto.fields import EncryptedField, LookupHashField, ProtectedModel


class Role(str, Enum):
    CITIZEN = "citizen"
    FARMER = "farmer"
    BUYER = "buyer"
    EXTENSION_OFFICER = "extension_officer"
    RESPONDER = "responder"
    OPERATOR = "operator"
    ADMIN = "admin"
    # Writes Among Kota's public content (places, events, news …) for one SKPD.
    CONTENT_EDITOR = "content_editor"


# Roles held for one agency: the grant names the SKPD (responders work its cases, content
# editors write its public pages).
SKPD_ROLES: frozenset[Role] = frozenset({Role.RESPONDER, Role.CONTENT_EDITOR})


class Skpd(Model):
    # A city agency (Satuan Kerja Perangkat Daerah), e.g. ``dpupr`` — Dinas PUPR.

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "skpd"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class User(ProtectedModel):
    id = fields.IntField(primary_key=True)
    # Null only once the account is erased (deleteMyAccount).
    name = fields.CharField(max_length=120, null=True)
    # E.164, e.g. +6281234567890. Personal data: shown to the person and to staff who need it;
    # encrypted at rest, found through its keyed hash (User.identified_by(phone=…)).
    phone = EncryptedField(context="account_user.phone", null=True)
    phone_hash = LookupHashField(source="phone", unique=True, null=True)
    # 16-digit national ID (NIK), optional. Personal data under UU 27/2022; likewise.
    nik = EncryptedField(context="account_user.nik", null=True)
    nik_hash = LookupHashField(source="nik", unique=True, null=True)
    password_hash = fields.CharField(max_length=255, null=True)
    firebase_uid = fields.CharField(max_length=128, unique=True, null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # When the person erased the account: name, phone, NIK and credentials are gone, the id
    # stays so their complaints remain as anonymous records.
    erased_at = fields.DatetimeField(null=True)

    roles: fields.ReverseRelation[UserRole]

    class Meta:
        table = "account_user"

    def __str__(self) -> str:
        # Never the phone or NIK: this ends up in logs.
        return f"User {self.id}"


class UserRole(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="roles", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=32)
    # Only for the SKPD roles (SKPD_ROLES): the agency the grant is for.
    skpd: fields.ForeignKeyNullableRelation[Skpd] = fields.ForeignKeyField(
        "accounts.Skpd", related_name="members", null=True, on_delete=fields.RESTRICT
    )
    # A responder who supervises the SKPD's work: told when its cases miss deadlines.
    supervisor = fields.BooleanField(default=False)
    granted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="granted_roles", null=True, on_delete=fields.SET_NULL
    )
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_user_role"
        unique_together = (("user", "role"),)


class RefreshToken(Model):
    # A rotating refresh token. Only its SHA-256 is stored; the family ties rotations
    # together so that reuse of a spent token revokes every descendant.

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=32, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_refresh_token"
        # Every request asks "has this session been revoked?": an index range on
        # (family, revoked_at IS NOT NULL) answers without reading the family's rotations.
        indexes = (("family", "revoked_at"),)


class LoginFailure(Model):
    # One failed sign-in, kept for the throttling window (per identifier and per address).

    id = fields.IntField(primary_key=True)
    identifier = fields.CharField(max_length=64, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "account_login_failure"


class AuditLog(Model):
    # Who did what to which record — staff and admin actions across every domain.

    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=64)
    target_id = fields.CharField(max_length=64)
    detail = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_log"
        indexes = (("target_type", "target_id"),)
