from __future__ import annotations

import graphene

from backend.accounts.errors import AccountErrorCode
from backend.accounts.graphql.dataloaders import RoleGrantsByUserIdLoader
from backend.accounts.models import SKPD_ROLES, Role, Skpd
from backend.graphql.core import connection_for, error_type

RoleEnum = graphene.Enum.from_enum(Role, name="Role", description="What a user may do in BATT.")
AccountError = error_type("AccountError", AccountErrorCode)


class SkpdType(graphene.ObjectType):
    class Meta:
        name = "Skpd"
        description = "A city agency (SKPD/OPD) that acts on dispatched cases."

    id = graphene.ID(required=True)
    code = graphene.String(required=True, description="Stable code, e.g. dpupr, dishub.")
    name = graphene.String(required=True)


class UserType(graphene.ObjectType):
    class Meta:
        name = "User"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    phone = graphene.String(required=True, description="E.164, e.g. +6281234567890.")
    roles = graphene.List(graphene.NonNull(RoleEnum), required=True)
    skpd = graphene.Field(SkpdType, description="The agency of a responder or content editor; "
                          "null otherwise.")
    active = graphene.Boolean(
        required=True, description="False once an admin has deactivated the account."
    )

    @staticmethod
    def resolve_active(user, info) -> bool:
        return user.is_active

    @staticmethod
    async def resolve_roles(user, info):
        grants = await info.context.loader(RoleGrantsByUserIdLoader).load(user.id)
        return sorted((Role(g.role) for g in grants), key=list(Role).index)

    @staticmethod
    async def resolve_skpd(user, info) -> Skpd | None:
        grants = await info.context.loader(RoleGrantsByUserIdLoader).load(user.id)
        held = [g for g in grants if g.role in SKPD_ROLES]
        held.sort(key=lambda g: g.role != Role.RESPONDER)  # a responder's agency first
        return held[0].skpd if held else None


class MeType(UserType):
    class Meta:
        name = "Me"
        description = "The signed-in user, with the personal data only they may see."

    nik = graphene.String(description="The user's own NIK, if they gave one.")


UserConnection = connection_for(UserType)


class AuthPayloadFields:
    access_token = graphene.String(description="Send as `Authorization: Bearer …`.")
    access_token_expires_at = graphene.DateTime()
    refresh_token = graphene.String(
        description="Spend once with `refreshToken` for a new pair; keep it secret."
    )
    user = graphene.Field(MeType)
