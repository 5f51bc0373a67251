from __future__ import annotations

import graphene

from backend.accounts import services
from backend.accounts.errors import AccountErrorCode
from backend.accounts.graphql.types import (
    AccountError,
    AuthPayloadFields,
    RoleEnum,
    SkpdType,
    UserType,
)
from backend.graphql.core import BaseMutation, parse_int_id
from backend.permissions import ADMIN, PUBLIC


class RegisterInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    phone = graphene.String(required=True, description="Indonesian mobile number, 08… or +62….")
    password = graphene.String(required=True)
    nik = graphene.String(description="Optional 16-digit NIK from the KTP.")


class LoginInput(graphene.InputObjectType):
    identifier = graphene.String(required=True, description="Phone number or NIK.")
    password = graphene.String(required=True)


class CreateSkpdInput(graphene.InputObjectType):
    code = graphene.String(required=True, description="e.g. dpupr")
    name = graphene.String(required=True, description="e.g. Dinas PUPR")


def _session_payload(info, session: services.Session) -> dict:
    settings = info.context.settings
    return {
        "access_token": session.access_token,
        "access_token_expires_at": services.access_token_expiry(settings),
        "refresh_token": session.refresh_token,
        "user": session.user,
    }


class Register(AuthPayloadFields, BaseMutation):
    class Arguments:
        input = RegisterInput(required=True)

    class Meta:
        description = "Create a resident account (role citizen) and sign in."
        need = PUBLIC
        error_type = AccountError
        rate_limit = "register"

    @classmethod
    async def perform(cls, root, info, principal, input):
        session = await services.register(
            info.context.settings,
            name=input.name,
            phone=input.phone,
            password=input.password,
            nik=input.get("nik"),
        )
        return _session_payload(info, session)


class Login(AuthPayloadFields, BaseMutation):
    class Arguments:
        input = LoginInput(required=True)

    class Meta:
        description = "Sign in with phone number or NIK and password."
        need = PUBLIC
        error_type = AccountError
        rate_limit = "login"

    @classmethod
    async def perform(cls, root, info, principal, input):
        session = await services.login(
            info.context.settings,
            identifier=input.identifier,
            password=input.password,
            address=info.context.address,
        )
        return _session_payload(info, session)


class RefreshToken(AuthPayloadFields, BaseMutation):
    class Arguments:
        refresh_token = graphene.String(required=True)

    class Meta:
        description = "Spend a refresh token for a new access/refresh pair."
        need = PUBLIC
        error_type = AccountError
        rate_limit = "refresh_token"

    @classmethod
    async def perform(cls, root, info, principal, refresh_token):
        session = await services.refresh_session(info.context.settings, refresh_token)
        return _session_payload(info, session)


class SignInWithFirebase(AuthPayloadFields, BaseMutation):
    class Arguments:
        id_token = graphene.String(required=True, description="Firebase ID token (phone auth).")

    class Meta:
        description = "Sign in with a Firebase phone-verified ID token; links by phone number."
        need = PUBLIC
        error_type = AccountError
        rate_limit = "login"

    @classmethod
    async def perform(cls, root, info, principal, id_token):
        session = await services.sign_in_with_firebase(info.context.settings, id_token)
        return _session_payload(info, session)


class Logout(BaseMutation):
    class Arguments:
        refresh_token = graphene.String(required=True)

    class Meta:
        description = "Revoke this session (the refresh token and every rotation of it)."
        need = PUBLIC
        error_type = AccountError

    ok = graphene.Boolean(required=True)

    @classmethod
    async def perform(cls, root, info, principal, refresh_token):
        await services.logout(refresh_token)
        return {"ok": True}


class GrantRole(BaseMutation):
    class Arguments:
        user_id = graphene.ID(required=True)
        role = RoleEnum(required=True)
        skpd_code = graphene.String(description="Required for the responder role.")

    class Meta:
        description = "Admin: give a user a role (responders belong to one SKPD)."
        need = ADMIN
        error_type = AccountError

    user = graphene.Field(UserType)

    @classmethod
    async def perform(cls, root, info, principal, user_id, role, skpd_code=None):
        user = await services.grant_role(
            principal.user,
            user_id=parse_int_id(user_id, AccountErrorCode.NOT_FOUND, "userId"),
            role=services.parse_role(getattr(role, "value", role)),
            skpd_code=skpd_code,
        )
        return {"user": user}


class RevokeRole(BaseMutation):
    class Arguments:
        user_id = graphene.ID(required=True)
        role = RoleEnum(required=True)

    class Meta:
        description = "Admin: take a role away from a user."
        need = ADMIN
        error_type = AccountError

    user = graphene.Field(UserType)

    @classmethod
    async def perform(cls, root, info, principal, user_id, role):
        user = await services.revoke_role(
            principal.user,
            user_id=parse_int_id(user_id, AccountErrorCode.NOT_FOUND, "userId"),
            role=services.parse_role(getattr(role, "value", role)),
        )
        return {"user": user}


class SetUserActive(BaseMutation):
    class Arguments:
        user_id = graphene.ID(required=True)
        active = graphene.Boolean(required=True)

    class Meta:
        description = (
            "Admin: deactivate an account (refused from its next request on, its sessions "
            "revoked, open live connections closed within seconds) or reactivate it."
        )
        need = ADMIN
        error_type = AccountError

    user = graphene.Field(UserType)

    @classmethod
    async def perform(cls, root, info, principal, user_id, active):
        user = await services.set_user_active(
            principal.user,
            user_id=parse_int_id(user_id, AccountErrorCode.NOT_FOUND, "userId"),
            active=active,
        )
        return {"user": user}


class CreateSkpd(BaseMutation):
    class Arguments:
        input = CreateSkpdInput(required=True)

    class Meta:
        description = "Admin: register a city agency."
        need = ADMIN
        error_type = AccountError

    skpd = graphene.Field(SkpdType)

    @classmethod
    async def perform(cls, root, info, principal, input):
        skpd = await services.create_skpd(principal.user, code=input.code, name=input.name)
        return {"skpd": skpd}


class AccountMutations(graphene.ObjectType):
    register = Register.Field()
    login = Login.Field()
    refresh_token = RefreshToken.Field()
    sign_in_with_firebase = SignInWithFirebase.Field()
    logout = Logout.Field()
    grant_role = GrantRole.Field()
    revoke_role = RevokeRole.Field()
    set_user_active = SetUserActive.Field()
    create_skpd = CreateSkpd.Field()

