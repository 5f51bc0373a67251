"""Signed short-lived access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from backend.clock import utcnow
from backend.settings import Settings

ALGORITHM = "HS256"
ISSUER = "batt"


class TokenInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    # The session (refresh-token family) the token was issued for: every request checks it
    # has not been revoked, so logout and refresh-token reuse end the access token too.
    session: str
    expires_at: datetime


def issue_access_token(
    user_id: int, settings: Settings, now: datetime | None = None, *, session: str
) -> str:
    now = now or utcnow()
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "sid": session,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.access_token_ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str, settings: Settings) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenInvalid("token_expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid("token_invalid") from exc
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit():
        raise TokenInvalid("token_invalid")
    session = claims.get("sid")
    if not isinstance(session, str) or not session:
        # Issued before access tokens carried their session: the client refreshes, as it
        # does for an expired one, and gets a token that can be revoked.
        raise TokenInvalid("token_expired")
    return AccessClaims(
        user_id=int(claims["sub"]),
        session=session,
        expires_at=datetime.fromtimestamp(claims["exp"]).astimezone(),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # Refresh tokens are 256 random bits, so a plain SHA-256 (no salt, no stretching) is enough
    # to make a leaked table useless while keeping lookups by hash possible.
    return hashlib.sha256(token.encode()).hexdigest()
