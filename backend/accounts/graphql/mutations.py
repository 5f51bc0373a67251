from __future__ import annotations

import graphene

from backend.accounts import rights, services
from backend.accounts.errors import AccountErrorCode
from backend.accounts.graphql.types import (
    AccountError,
    AuthPayloadFields,
    RoleEnum,
    SkpdType,
    UserType,
)
from backend.graphql.core import BaseMutation, parse_int_id
from backend.permissions import ADMIN, PUBLIC, SIGNED_IN


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


class UpdateMyProfileInput(graphene.InputObjectType):
    name = graphene.String(description="The corrected name; omit to keep it.")
    phone = graphene.String(
        description="A new phone number (08… or +62…); omit to keep it. Needs `password`, a "
        "sign-in of the last 5 minutes, or `firebaseIdToken` verifying the new number."
    )
    password = graphene.String(description="The current password, to confirm a phone change.")
    firebase_id_token = graphene.String(
        description="A Firebase phone-auth ID token for the NEW number (where configured)."
    )


class UpdateMyProfile(AuthPayloadFields, BaseMutation):
    class Arguments:
        input = UpdateMyProfileInput(required=True)

    class Meta:
        description = (
            "Correct your name or phone number. A phone change ends every session and "
            "returns a fresh one (accessToken, refreshToken) — the other devices sign in again."
        )
        need = SIGNED_IN
        error_type = AccountError

    @classmethod
    async def perform(cls, root, info, principal, input):
        update = await rights.update_my_profile(
            info.context.settings, principal,
            name=input.get("name"), phone=input.get("phone"), password=input.get("password"),
            firebase_id_token=input.get("firebase_id_token"), address=info.context.address,
        )
        if update.session is not None:
            return _session_payload(info, update.session)
        return {"user": update.user}


class DeleteMyAccount(BaseMutation):
    class Arguments:
        password = graphene.String(
            description="Your password; without it, the sign-in must be under 5 minutes old."
        )

    class Meta:
        description = (
            "Erase your account: name, phone, NIK, password, devices and sessions are deleted "
            "and you cannot sign in again. Your complaints stay as anonymous records. Final."
        )
        need = SIGNED_IN
        error_type = AccountError

    ok = graphene.Boolean(required=True)

    @classmethod
    async def perform(cls, root, info, principal, password=None):
        await rights.delete_my_account(info.context.settings, principal, password=password,
                                       address=info.context.address)
        return {"ok": True}


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
    update_my_profile = UpdateMyProfile.Field()
    delete_my_account = DeleteMyAccount.Field()

