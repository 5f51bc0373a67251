"""Accounts: registration, sign-in, sessions (rotating refresh tokens), roles and SKPD."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import db, firebase
from backend.accounts.errors import AccountErrorCode as Code
from backend.accounts.identity import nik_problem, normalize_phone
from backend.accounts.models import (
    SKPD_ROLES,
    AuditLog,
    LoginFailure,
    RefreshToken,
    Role,
    Skpd,
    User,
    UserRole,
)
from backend.accounts.passwords import hash_password, verify_password
from backend.accounts.tokens import (
    AccessClaims,
    TokenInvalid,
    decode_access_token,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
)
from backend.clock import utcnow
from backend.crypto.keys import keyring
from backend.errors import FieldError, ServiceError
from backend.settings import Settings

SKPD_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
# A register call repeated within this window with the same password is a retry (the phone
# lost the first response), answered like a sign-in instead of "phone taken".
REGISTER_RETRY_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Session:
    user: User
    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class Principal:
    """The caller as the permission check sees it: a user with their roles (and SKPD)."""

    user: User
    roles: frozenset[Role]
    skpd: Skpd | None  # a responder's agency
    # From the access token: the session it belongs to and when it stops being valid.
    session: str | None = None
    expires_at: datetime | None = None
    # The agency of each SKPD role held (SKPD_ROLES): (role, Skpd) pairs.
    role_skpds: tuple[tuple[Role, Skpd], ...] = ()

    def has(self, role: Role) -> bool:
        return role in self.roles

    def skpd_for(self, role: Role) -> Skpd | None:
        """The agency ``role`` is held for (responder, content editor), or None."""
        return next((skpd for held, skpd in self.role_skpds if held == role), None)

    @property
    def rights(self) -> tuple[object, ...]:
        """What the permission checks and stream filters read: a change ends open sockets."""
        return (self.user.id, self.roles,
                tuple((role, skpd.id) for role, skpd in self.role_skpds))


# -- registration and sign-in -------------------------------------------------------------


def _check_password(password: str, phone: str | None, nik: str | None) -> list[FieldError]:
    if not password:
        return [FieldError(Code.REQUIRED, "password")]
    digits = "".join(c for c in password if c.isdigit())
    too_weak = (
        len(password) < 8
        or len(password) > 128
        or (phone and digits and phone.endswith(digits) and len(digits) == len(password))
        or (nik and password == nik)
    )
    return [FieldError(Code.WEAK_PASSWORD, "password")] if too_weak else []


async def register(
    settings: Settings, *, name: str, phone: str, password: str, nik: str | None
) -> Session:
    name = " ".join((name or "").split())
    nik = (nik or "").strip() or None
    problems: list[FieldError] = []
    if not 2 <= len(name) <= 120:
        problems.append(FieldError(Code.INVALID_NAME, "name"))
    e164 = normalize_phone(phone)
    if e164 is None:
        problems.append(FieldError(Code.INVALID_PHONE, "phone"))
    if nik is not None and (reason := nik_problem(nik)):
        problems.append(FieldError(Code.INVALID_NIK, "nik", reason=reason))
    problems += _check_password(password, e164, nik)
    if problems:
        raise ServiceError(problems)
    assert e164 is not None

    existing = await User.get_or_none(User.identified_by(phone=e164))
    if existing is not None:
        if (
            existing.created_at > utcnow() - REGISTER_RETRY_WINDOW
            and existing.nik == nik
            and await verify_password(password, existing.password_hash)
        ):
            return await _open_session(settings, existing)
        raise ServiceError(Code.PHONE_TAKEN, "phone")
    if nik is not None and await User.exists(User.identified_by(nik=nik)):
        raise ServiceError(Code.NIK_TAKEN, "nik")

    password_hash = await hash_password(password)
    try:
        async with in_transaction():
            user = await User.create(name=name, phone=e164, nik=nik, password_hash=password_hash)
            await UserRole.create(user=user, role=Role.CITIZEN)
    except IntegrityError as exc:
        # Lost a race with a concurrent registration of the same phone or NIK.
        if nik is not None and await User.exists(User.identified_by(nik=nik)):
            raise ServiceError(Code.NIK_TAKEN, "nik") from exc
        raise ServiceError(Code.PHONE_TAKEN, "phone") from exc
    return await _open_session(settings, user)


LOGIN_PURPOSE = "account_login_failure.identifier"


def _identifier_keys(identifier: str) -> list[str]:
    # Failures are keyed by a keyed hash (HMAC under the data keys): the throttling table must
    # not become a list of NIKs, and a plain SHA-256 of a phone number is reversed by trying
    # every number. One hash per data key, the current one first, so a key rotation does not
    # reset the counts.
    return keyring().lookup_hashes(identifier, LOGIN_PURPOSE)


async def _check_login_throttle(
    settings: Settings, keys: list[str], address: str, now: datetime
) -> None:
    """Refuse a sign-in while too many recent failures concern it. Three counts, from one
    query: this identifier from this address (small: stops guessing one account from one
    place), this address for any identifier (stops one place trying many accounts), and this
    identifier from everywhere (a high ceiling against guessing from many addresses). Failures
    from elsewhere therefore cannot lock the owner out, short of the ceiling."""
    window = timedelta(seconds=settings.login_window_seconds)
    failures = await LoginFailure.filter(
        Q(identifier__in=keys) | Q(address=address), created_at__gte=now - window
    ).values_list("identifier", "address", "created_at")
    checks = (
        (settings.login_max_failures,
         [at for i, a, at in failures if i in keys and a == address]),
        (settings.login_max_failures_per_address, [at for _, a, at in failures if a == address]),
        (settings.login_max_failures_per_identifier, [at for i, _, at in failures if i in keys]),
    )
    waits = [
        sorted(times)[len(times) - allowed] + window - now
        for allowed, times in checks
        if allowed > 0 and len(times) >= allowed
    ]
    if waits:
        seconds = max(1, math.ceil(max(waits).total_seconds()))
        raise ServiceError(Code.TOO_MANY_ATTEMPTS, "identifier", retry_after_seconds=seconds,
                           minutes=math.ceil(seconds / 60))


async def login(settings: Settings, *, identifier: str, password: str, address: str) -> Session:
    raw = (identifier or "").strip()
    if not raw:
        raise ServiceError(Code.REQUIRED, "identifier")
    if not password:
        raise ServiceError(Code.REQUIRED, "password")
    is_nik = len(raw) == 16 and raw.isdigit() and not raw.startswith(("08", "62"))
    normalized = raw if is_nik else (normalize_phone(raw) or raw)
    keys = _identifier_keys(normalized)

    now = utcnow()
    window_start = now - timedelta(seconds=settings.login_window_seconds)
    await _check_login_throttle(settings, keys, address, now)

    if is_nik:
        # 16 digits may also be a phone number written without its prefix: one query asks
        # both indexes, and the NIK wins.
        nik_hashes = set(User.lookup_hashes("nik", normalized))
        found = await User.filter(
            Q(User.identified_by(nik=normalized), User.identified_by(
                phone=normalize_phone(raw) or raw), join_type=Q.OR)
        ).limit(2)
        user = next((u for u in found if u.nik_hash in nik_hashes), found[0] if found else None)
    else:
        user = await User.get_or_none(User.identified_by(phone=normalized))
    ok = await verify_password(password, user.password_hash if user else None)
    if not ok or user is None:
        async with in_transaction():
            await LoginFailure.filter(created_at__lt=window_start).delete()
            await LoginFailure.create(identifier=keys[0], address=address)
        raise ServiceError(Code.INVALID_CREDENTIALS, "password")
    if not user.is_active:
        raise ServiceError(Code.ACCOUNT_DISABLED)
    # Only this address's failures: the owner signing in must not hand an attacker elsewhere
    # a fresh allowance.
    await LoginFailure.filter(identifier__in=keys, address=address).delete()
    return await _open_session(settings, user)


async def sign_in_with_firebase(settings: Settings, id_token: str) -> Session:
    if not id_token:
        raise ServiceError(Code.REQUIRED, "idToken")
    try:
        claims = await firebase.verify_id_token(settings, id_token)
    except firebase.FirebaseUnavailable as exc:
        raise ServiceError(Code.FIREBASE_NOT_CONFIGURED) from exc
    except firebase.FirebaseTokenRejected as exc:
        raise ServiceError(Code.INVALID_FIREBASE_TOKEN, "idToken") from exc
    phone = normalize_phone(claims.get("phone_number") or "")
    if phone is None:
        raise ServiceError(Code.FIREBASE_PHONE_MISSING, "idToken")
    uid = claims.get("uid") or claims.get("sub")

    async with in_transaction():
        user = await User.get_or_none(firebase_uid=uid) or await User.get_or_none(
            User.identified_by(phone=phone))
        if user is None:
            name = " ".join((claims.get("name") or "").split())[:120] or f"Warga {phone[-4:]}"
            user = await User.create(name=name, phone=phone, firebase_uid=uid)
            await UserRole.create(user=user, role=Role.CITIZEN)
        elif user.firebase_uid != uid:
            # The phone number was verified by SMS: link this Firebase identity to the account.
            user.firebase_uid = uid
            await user.save(update_fields=["firebase_uid", "updated_at"])
    if not user.is_active:
        raise ServiceError(Code.ACCOUNT_DISABLED)
    return await _open_session(settings, user)


# -- sessions -----------------------------------------------------------------------------


async def _open_session(settings: Settings, user: User, family: str | None = None) -> Session:
    token = new_refresh_token()
    family = family or secrets.token_hex(16)
    await RefreshToken.create(
        user=user,
        token_hash=hash_refresh_token(token),
        family=family,
        expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
    )
    return Session(
        user=user,
        access_token=issue_access_token(user.id, settings, session=family),
        refresh_token=token,
    )


async def refresh_session(settings: Settings, refresh_token: str) -> Session:
    """Spend a refresh token for a new pair. A token works once: presenting a spent one means
    it was copied, so its whole family (every session descended from one sign-in) is revoked."""
    now = utcnow()
    stored = await RefreshToken.get_or_none(
        token_hash=hash_refresh_token(refresh_token or "")
    ).select_related("user")
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise ServiceError(Code.INVALID_REFRESH_TOKEN, "refreshToken")
    if not stored.user.is_active:
        raise ServiceError(Code.ACCOUNT_DISABLED)
    async with in_transaction():
        # Conditional update: of two concurrent uses of the same token only one can win.
        spent = await RefreshToken.filter(id=stored.id, used_at=None).update(used_at=now)
        if spent:
            return await _open_session(settings, stored.user, family=stored.family)
    # Committed on its own, outside the transaction above: the revocation must stick even
    # though the call fails.
    await RefreshToken.filter(family=stored.family, revoked_at=None).update(revoked_at=now)
    raise ServiceError(Code.REFRESH_TOKEN_REUSED, "refreshToken")


async def logout(refresh_token: str) -> None:
    stored = await RefreshToken.get_or_none(token_hash=hash_refresh_token(refresh_token or ""))
    if stored is None:
        raise ServiceError(Code.INVALID_REFRESH_TOKEN, "refreshToken")
    await RefreshToken.filter(family=stored.family, revoked_at=None).update(revoked_at=utcnow())


# One statement per request: the user, each grant with its SKPD, and whether the session the
# token was issued for has been revoked (logout, refresh-token reuse). A user without grants
# still yields one row (LEFT JOIN); an unknown or deactivated user none.
_PRINCIPAL_SQL = """
SELECT {user_columns}, r.role AS grant_role, s.id AS skpd_id, s.code AS skpd_code,
       s.name AS skpd_name, s.created_at AS skpd_created_at{session_check}
FROM account_user u
LEFT JOIN account_user_role r ON r.user_id = u.id
LEFT JOIN skpd s ON s.id = r.skpd_id
WHERE u.id {users} AND u.is_active
"""
_SESSION_CHECK = """,
       EXISTS (SELECT 1 FROM account_refresh_token t
               WHERE t.family = ? AND t.revoked_at IS NOT NULL) AS session_revoked"""


def _principal_sql(users: int, with_session: bool) -> str:
    columns = ", ".join(f'u."{c}"' for c in User._meta.fields_db_projection.values())
    return db.numbered(_PRINCIPAL_SQL.format(
        user_columns=columns,
        session_check=_SESSION_CHECK if with_session else "",
        users="= ?" if users == 1 else f"IN ({', '.join('?' * users)})",
    ))


async def principal_for_token(settings: Settings, token: str) -> Principal:
    """The signed-in caller behind an access token. Roles come from the database, so a
    revoked role stops working at once rather than when the token expires; so does a
    deactivated account and a revoked session (logout, refresh-token reuse)."""
    claims = decode_access_token(token, settings)
    rows = await db.connection().execute_query_dict(
        _principal_sql(1, with_session=True), [claims.session, claims.user_id]
    )
    if not rows:
        raise TokenInvalid("user_inactive")
    if rows[0]["session_revoked"]:
        raise TokenInvalid("session_revoked")
    return _principal_from_rows(rows, claims)


def _principal_from_rows(rows: list[dict], claims: AccessClaims | None = None) -> Principal:
    projection = User._meta.fields_db_projection.values()
    user = User._init_from_db(**{column: rows[0][column] for column in projection})
    roles: set[Role] = set()
    role_skpds: dict[Role, Skpd] = {}
    for row in rows:
        if row["grant_role"] is None:
            continue
        role = Role(row["grant_role"])
        roles.add(role)
        if role in SKPD_ROLES and row["skpd_id"] is not None:
            role_skpds[role] = Skpd._init_from_db(
                id=row["skpd_id"], code=row["skpd_code"], name=row["skpd_name"],
                created_at=row["skpd_created_at"])
    return Principal(
        user=user, roles=frozenset(roles), skpd=role_skpds.get(Role.RESPONDER),
        role_skpds=tuple(sorted(role_skpds.items(), key=lambda pair: pair[0].value)),
        session=claims.session if claims else None,
        expires_at=claims.expires_at if claims else None,
    )


_BATCH = 500


async def recheck_principals(principals: list[Principal]) -> dict[tuple[int, str], Principal]:
    """Read again the callers behind many open sessions (long-lived WebSocket connections):
    one statement for all their users and grants, one for the revoked sessions among them,
    however many there are. A session missing from the answer has ended (deactivated user,
    revoked session)."""
    keys = {(p.user.id, p.session) for p in principals if p.session is not None}
    expiry = {(p.user.id, p.session): p.expires_at for p in principals}
    user_ids = sorted({user_id for user_id, _ in keys})
    families = sorted({family for _, family in keys})
    conn = db.connection()
    rows_by_user: dict[int, list[dict]] = {}
    for start in range(0, len(user_ids), _BATCH):
        chunk = user_ids[start:start + _BATCH]
        sql = _principal_sql(len(chunk), with_session=False)
        for row in await conn.execute_query_dict(sql, chunk):
            rows_by_user.setdefault(row["id"], []).append(row)
    revoked: set[str] = set()
    for start in range(0, len(families), _BATCH):
        chunk = families[start:start + _BATCH]
        sql = ("SELECT DISTINCT family FROM account_refresh_token WHERE revoked_at IS NOT NULL "
               f"AND family IN ({', '.join('?' * len(chunk))})")
        revoked.update(row["family"] for row in await conn.execute_query_dict(
            db.numbered(sql), chunk))
    found: dict[tuple[int, str], Principal] = {}
    for user_id, family in keys:
        rows = rows_by_user.get(user_id)
        if rows and family not in revoked:
            claims = AccessClaims(user_id=user_id, session=family,
                                  expires_at=expiry[(user_id, family)])
            found[(user_id, family)] = _principal_from_rows(rows, claims)
    return found


async def principal_for(user: User) -> Principal:
    return _principal(user, await UserRole.filter(user_id=user.id).select_related("skpd"))


def _principal(user: User, grants: list[UserRole]) -> Principal:
    skpd = next((g.skpd for g in grants if g.role == Role.RESPONDER), None)
    role_skpds = tuple(sorted(((Role(g.role), g.skpd) for g in grants
                               if g.role in SKPD_ROLES and g.skpd is not None),
                              key=lambda pair: pair[0].value))
    return Principal(user=user, roles=frozenset(Role(g.role) for g in grants), skpd=skpd,
                     role_skpds=role_skpds)


# -- administration -----------------------------------------------------------------------


async def _audit(actor: User | None, action: str, target: object, **detail: object) -> None:
    await AuditLog.create(
        actor=actor,
        action=action,
        target_type=type(target).__name__,
        target_id=str(getattr(target, "id", target)),
        detail=detail,
    )


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ServiceError(Code.INVALID_ROLE, "role") from exc


async def grant_role(
    actor: User | None, *, user_id: int, role: Role, skpd_code: str | None
) -> User:
    user = await User.get_or_none(id=user_id, erased_at=None)  # an erased account is gone
    if user is None:
        raise ServiceError(Code.NOT_FOUND, "userId")
    skpd = None
    if role in SKPD_ROLES:
        if not skpd_code:
            raise ServiceError(Code.SKPD_REQUIRED, "skpdCode")
        skpd = await Skpd.get_or_none(code=skpd_code)
        if skpd is None:
            raise ServiceError(Code.SKPD_NOT_FOUND, "skpdCode")
    elif skpd_code:
        raise ServiceError(Code.SKPD_NOT_ALLOWED, "skpdCode")
    async with in_transaction():
        grant = await UserRole.get_or_none(user_id=user.id, role=role).select_for_update()
        if grant is None:
            await UserRole.create(user=user, role=role, skpd=skpd, granted_by=actor)
        elif grant.skpd_id != (skpd.id if skpd else None):
            grant.skpd = skpd
            await grant.save(update_fields=["skpd_id"])
        await _audit(actor, "grant_role", user, role=role.value, skpd=skpd_code)
    return user


async def revoke_role(actor: User | None, *, user_id: int, role: Role) -> User:
    user = await User.get_or_none(id=user_id, erased_at=None)  # an erased account is gone
    if user is None:
        raise ServiceError(Code.NOT_FOUND, "userId")
    async with in_transaction():
        if role == Role.ADMIN and await UserRole.filter(role=Role.ADMIN).count() <= 1:
            if await UserRole.exists(user_id=user.id, role=Role.ADMIN):
                raise ServiceError(Code.LAST_ADMIN, "role")
        deleted = await UserRole.filter(user_id=user.id, role=role).delete()
        if not deleted:
            raise ServiceError(Code.ROLE_NOT_HELD, "role")
        await _audit(actor, "revoke_role", user, role=role.value)
    return user


async def set_user_active(actor: User | None, *, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account. A deactivated account is refused at the next
    request, and its sessions are revoked, so reactivating it means signing in again; open
    WebSocket connections end within seconds (see backend.graphql.ws)."""
    user = await User.get_or_none(id=user_id, erased_at=None)  # an erased account is gone
    if user is None:
        raise ServiceError(Code.NOT_FOUND, "userId")
    if not active and actor is not None and actor.id == user.id:
        raise ServiceError(Code.OWN_ACCOUNT, "userId")
    async with in_transaction():
        if not active and await UserRole.exists(user_id=user.id, role=Role.ADMIN):
            others = await UserRole.filter(
                role=Role.ADMIN, user__is_active=True
            ).exclude(user_id=user.id).count()
            if not others:
                raise ServiceError(Code.LAST_ADMIN, "userId")
        if user.is_active != active:
            user.is_active = active
            await user.save(update_fields=["is_active", "updated_at"])
            if not active:
                await RefreshToken.filter(user_id=user.id, revoked_at=None).update(
                    revoked_at=utcnow()
                )
            await _audit(actor, "activate_user" if active else "deactivate_user", user)
    return user


async def create_skpd(actor: User | None, *, code: str, name: str) -> Skpd:
    code = (code or "").strip().lower()
    name = " ".join((name or "").split())
    problems = []
    if not SKPD_CODE_RE.match(code):
        problems.append(FieldError(Code.INVALID_SKPD_CODE, "code"))
    if not 2 <= len(name) <= 200:
        problems.append(FieldError(Code.INVALID_NAME, "name"))
    if problems:
        raise ServiceError(problems)
    if await Skpd.exists(code=code):
        raise ServiceError(Code.SKPD_CODE_TAKEN, "code")
    try:
        async with in_transaction():
            skpd = await Skpd.create(code=code, name=name)
            await _audit(actor, "create_skpd", skpd, code=code, name=name)
    except IntegrityError as exc:
        raise ServiceError(Code.SKPD_CODE_TAKEN, "code") from exc
    return skpd


async def create_user(
    *, name: str, phone: str, password: str, roles: list[Role], skpd_code: str | None = None,
    nik: str | None = None,
) -> User:
    """An account with the given roles, for the CLI and demo data (no session opened)."""
    name = " ".join((name or "").split())
    e164 = normalize_phone(phone)
    problems: list[FieldError] = []
    if not 2 <= len(name) <= 120:
        problems.append(FieldError(Code.INVALID_NAME, "name"))
    if e164 is None:
        problems.append(FieldError(Code.INVALID_PHONE, "phone"))
    if nik is not None and (reason := nik_problem(nik)):
        problems.append(FieldError(Code.INVALID_NIK, "nik", reason=reason))
    problems += _check_password(password, e164, nik)
    if problems:
        raise ServiceError(problems)
    if await User.exists(User.identified_by(phone=e164)):
        raise ServiceError(Code.PHONE_TAKEN, "phone")
    if nik is not None and await User.exists(User.identified_by(nik=nik)):
        raise ServiceError(Code.NIK_TAKEN, "nik")
    skpd = None
    if SKPD_ROLES & set(roles):
        if not skpd_code:
            raise ServiceError(Code.SKPD_REQUIRED, "skpdCode")
        skpd = await Skpd.get_or_none(code=skpd_code)
        if skpd is None:
            raise ServiceError(Code.SKPD_NOT_FOUND, "skpdCode")
    password_hash = await hash_password(password)
    async with in_transaction():
        user = await User.create(name=name, phone=e164, nik=nik, password_hash=password_hash)
        for role in dict.fromkeys(roles):
            await UserRole.create(
                user=user, role=role, skpd=skpd if role in SKPD_ROLES else None
            )
    return user


def access_token_expiry(settings: Settings, issued: datetime | None = None) -> datetime:
    return (issued or utcnow()) + timedelta(seconds=settings.access_token_ttl_seconds)
