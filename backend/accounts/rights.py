"""Residents' rights (UU 27/2022): see what is held about you, correct it, erase it.

- ``export_my_data``: one JSON document — the account, roles, sessions, every section the
  parts of BATT contribute (backend.accounts.personal_data) and who among the staff read the
  person's personal data, when, and what.
- ``update_my_profile``: name at once; a new phone number only when the person confirms it is
  them by signing in again — the current password with the change, a sign-in of the last
  few minutes, or, where Firebase is configured, an SMS verification of the new number (the
  only proof that the number is theirs). Every session then ends and a fresh one is returned:
  the identifier people sign in with changed.
- ``delete_my_account``: with the password or within minutes of signing in. Erases name,
  phone, NIK, credentials, devices and sessions; keeps the records others rely on
  (complaints, later orders) attached to an account that no longer names anyone. Final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Min

from backend import firebase
from backend.accounts import personal_data
from backend.accounts.errors import AccountErrorCode as Code
from backend.accounts.events import AccountEvent
from backend.accounts.identity import normalize_phone
from backend.accounts.models import AuditLog, LoginFailure, RefreshToken, Role, User, UserRole
from backend.accounts.passwords import verify_password
from backend.accounts.services import (
    Principal,
    Session,
    _check_login_throttle,
    _identifier_keys,
    _open_session,
)
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import audience, record_event, unit_of_work
from backend.settings import Settings

DOCUMENT_FORMAT = "batt.mydata/1"
# deleteMyAccount without a password: the session must have started this recently.
FRESH_SIGN_IN = timedelta(minutes=5)


# -- myData -------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export_my_data(principal: Principal, context: personal_data.ExportContext
                         ) -> dict[str, Any]:
    user = await User.get(id=principal.user.id)
    grants = await UserRole.filter(user_id=user.id).select_related("skpd").order_by("id")
    tokens = await RefreshToken.filter(user_id=user.id).order_by("id")
    sessions: dict[str, dict[str, Any]] = {}
    for token in tokens:  # one entry per sign-in, however often it was refreshed
        entry = sessions.setdefault(token.family, {
            "signedInAt": _iso(token.created_at), "lastRefreshedAt": None, "expiresAt": None,
            "endedAt": None, "current": token.family == principal.session,
        })
        entry["lastRefreshedAt"] = _iso(token.created_at)
        entry["expiresAt"] = _iso(token.expires_at)
        entry["endedAt"] = _iso(token.revoked_at) or entry["endedAt"]
    document: dict[str, Any] = {
        "format": DOCUMENT_FORMAT,
        "generatedAt": _iso(utcnow()),
        "account": {
            "id": str(user.id), "name": user.name, "phone": user.phone, "nik": user.nik,
            "createdAt": _iso(user.created_at), "updatedAt": _iso(user.updated_at),
            "signInWith": [m for m, on in (("password", user.password_hash is not None),
                                           ("firebasePhone", user.firebase_uid is not None)) if on],
        },
        "roles": [
            {"role": g.role.value if hasattr(g.role, "value") else g.role,
             "skpd": {"code": g.skpd.code, "name": g.skpd.name} if g.skpd else None,
             "grantedAt": _iso(g.granted_at)}
            for g in grants
        ],
        "sessions": list(sessions.values()),
    }
    reads: list[personal_data.StaffRead] = []
    for section in personal_data.sections():
        document[section.key] = await section.export(context)
        if section.staff_reads is not None:
            reads += await section.staff_reads(user.id)
    document["personalDataAccess"] = await _describe_reads(reads)
    await AuditLog.create(actor_id=user.id, action="export_my_data", target_type="User",
                          target_id=str(user.id), detail={})
    return document


async def _describe_reads(reads: list[personal_data.StaffRead]) -> list[dict[str, Any]]:
    staff_ids = {r.staff_id for r in reads}
    names = dict(await User.filter(id__in=staff_ids).values_list("id", "name"))
    roles: dict[int, list[str]] = {}
    skpds: dict[int, dict[str, str]] = {}
    for grant in await UserRole.filter(user_id__in=staff_ids).select_related("skpd"):
        role = grant.role.value if hasattr(grant.role, "value") else grant.role
        if role == Role.CITIZEN.value:
            continue
        roles.setdefault(grant.user_id, []).append(role)
        if grant.skpd is not None:
            skpds[grant.user_id] = {"code": grant.skpd.code, "name": grant.skpd.name}
    return [
        {
            "at": _iso(r.at),
            "staff": {"name": names.get(r.staff_id), "roles": sorted(roles.get(r.staff_id, [])),
                      "skpd": skpds.get(r.staff_id)},
            "fields": list(r.fields),
            "subject": r.subject,
        }
        for r in sorted(reads, key=lambda r: r.at, reverse=True)
    ]


# -- re-authentication --------------------------------------------------------------------


async def _check_password(settings: Settings, user: User, password: str, address: str) -> None:
    """The password of the signed-in person, counted against the sign-in throttle like a
    sign-in (a stolen access token must not become a password oracle)."""
    keys = _identifier_keys(user.phone or f"user:{user.id}")
    now = utcnow()
    await _check_login_throttle(settings, keys, address, now)
    if not await verify_password(password, user.password_hash):
        await LoginFailure.create(identifier=keys[0], address=address)
        raise ServiceError(Code.INVALID_CREDENTIALS, "password")


async def _reauthenticate(settings: Settings, user: User, principal: Principal,
                          password: str | None, address: str) -> None:
    """The person proves it is them: the password, or a sign-in of the last few minutes (the
    way for accounts that sign in by SMS only)."""
    if password:
        await _check_password(settings, user, password, address)
        return
    started = await _signed_in_at(principal)
    if started is None or started < utcnow() - FRESH_SIGN_IN:
        raise ServiceError(Code.REAUTHENTICATION_REQUIRED, "password",
                           minutes=int(FRESH_SIGN_IN.total_seconds() // 60))


async def _signed_in_at(principal: Principal):
    if principal.session is None:
        return None
    rows = await RefreshToken.filter(family=principal.session).annotate(
        first=Min("created_at")).values_list("first", flat=True)
    return rows[0] if rows else None


# -- updateMyProfile ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileUpdate:
    user: User
    session: Session | None  # a fresh session when the phone number changed


async def update_my_profile(
    settings: Settings, principal: Principal, *, name: str | None, phone: str | None,
    password: str | None, firebase_id_token: str | None, address: str,
) -> ProfileUpdate:
    user = await User.get(id=principal.user.id)
    problems: list[FieldError] = []
    new_name = None if name is None else " ".join(name.split())
    if new_name is not None and not 2 <= len(new_name) <= 120:
        problems.append(FieldError(Code.INVALID_NAME, "name"))
    new_phone = None
    if phone is not None:
        new_phone = normalize_phone(phone)
        if new_phone is None:
            problems.append(FieldError(Code.INVALID_PHONE, "phone"))
    if problems:
        raise ServiceError(problems)
    changing_phone = new_phone is not None and new_phone != user.phone
    if changing_phone:
        await _prove_new_phone(settings, user, principal, new_phone, password,
                               firebase_id_token, address)
        if await User.filter(User.identified_by(phone=new_phone)).exclude(id=user.id).exists():
            raise ServiceError(Code.PHONE_TAKEN, "phone")

    changed: list[str] = []
    if new_name is not None and new_name != user.name:
        user.name = new_name
        changed.append("name")
    if changing_phone:
        user.phone = new_phone
        changed.append("phone")
    if not changed:
        return ProfileUpdate(user=user, session=None)
    session = None
    try:
        async with unit_of_work():  # the rename's event is published once committed
            await user.save(update_fields=[*changed, "updated_at"])
            await AuditLog.create(actor_id=user.id, action="update_my_profile",
                                  target_type="User", target_id=str(user.id),
                                  detail={"fields": changed})
            if "name" in changed:
                await record_event(AccountEvent.RENAMED, subject_type="user",
                                   subject_id=user.id, audience=[audience.user(user.id)],
                                   actor_id=user.id)
            if changing_phone:
                # The identifier people sign in with changed: every session ends (open live
                # connections close), and this caller continues in a fresh one.
                await RefreshToken.filter(user_id=user.id, revoked_at=None).update(
                    revoked_at=utcnow())
                session = await _open_session(settings, user)
    except IntegrityError as exc:  # lost a race for the number
        raise ServiceError(Code.PHONE_TAKEN, "phone") from exc
    return ProfileUpdate(user=user, session=session)


async def _prove_new_phone(settings: Settings, user: User, principal: Principal,
                           new_phone: str, password: str | None, firebase_id_token: str | None,
                           address: str) -> None:
    if firebase_id_token:
        try:
            claims = await firebase.verify_id_token(settings, firebase_id_token)
        except firebase.FirebaseUnavailable as exc:
            raise ServiceError(Code.FIREBASE_NOT_CONFIGURED, "firebaseIdToken") from exc
        except firebase.FirebaseTokenRejected as exc:
            raise ServiceError(Code.INVALID_FIREBASE_TOKEN, "firebaseIdToken") from exc
        if normalize_phone(claims.get("phone_number") or "") != new_phone:
            raise ServiceError(Code.PHONE_NOT_VERIFIED, "firebaseIdToken")
        return
    await _reauthenticate(settings, user, principal, password, address)


# -- deleteMyAccount ----------------------------------------------------------------------


async def delete_my_account(settings: Settings, principal: Principal, *,
                            password: str | None, address: str) -> None:
    user = await User.get(id=principal.user.id)
    await _reauthenticate(settings, user, principal, password, address)
    sections = personal_data.sections()
    login_keys = _identifier_keys(user.phone) if user.phone else []
    if user.nik:
        login_keys += _identifier_keys(user.nik)
    async with unit_of_work():
        if await UserRole.filter(user_id=user.id, role=Role.ADMIN).exists():
            others = await UserRole.filter(role=Role.ADMIN, user__is_active=True).exclude(
                user_id=user.id).count()
            if not others:
                raise ServiceError(Code.LAST_ADMIN)
        now = utcnow()
        erased = await User.filter(id=user.id, erased_at=None).update(
            name=None, phone=None, phone_hash=None, nik=None, nik_hash=None,
            password_hash=None, firebase_uid=None, is_active=False, erased_at=now,
            updated_at=now,
        )
        if not erased:  # a concurrent deletion won
            return
        # Sessions go (open sockets close: the account is inactive), so do grants and the
        # throttle's records of this person's identifiers.
        await RefreshToken.filter(user_id=user.id).delete()
        await UserRole.filter(user_id=user.id).delete()
        if login_keys:
            await LoginFailure.filter(identifier__in=login_keys).delete()
        for section in sections:
            if section.erase is not None:
                await section.erase(user.id)
        await AuditLog.create(actor_id=user.id, action="delete_my_account", target_type="User",
                              target_id=str(user.id), detail={"sections": [
                                  s.key for s in sections if s.erase is not None]})
        await record_event(AccountEvent.ERASED, subject_type="user", subject_id=user.id,
                           audience=[audience.user(user.id)], actor_id=user.id)
