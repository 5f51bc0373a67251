"""Exceptions shared by every domain.

    BattError
    ├── ServiceError        a business rule refused the input; the GraphQL layer turns it
    │                       into payload ``errors`` ({field, message, code}), never HTTP 500
    └── AccessError         raised by the permission check; becomes a top-level GraphQL error
        ├── Unauthenticated    extensions.code = UNAUTHENTICATED (no, bad or expired token,
        │                      ended session, deactivated account: extensions.reason)
        └── Forbidden          extensions.code = FORBIDDEN (signed in, lacks the role)

Error codes are per-domain ``ErrorCode`` enums (``NOT_FOUND = "not_found"``). Their
user-facing messages, in Indonesian and English, are registered next to the enum with
:func:`messages`, so a service raises ``ServiceError(Code.X, field="phone")`` and the client
gets text it can show in the language it asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from graphql import GraphQLError

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

# Keyed by (enum class, value): codes are str-valued, so members of two domains' enums with
# the same value ("not_found") compare and hash equal and would overwrite each other.
_MESSAGES: dict[tuple[type, str], tuple[str, str]] = {}


class ErrorCode(str, Enum):
    """Base for the domains' error-code enums; values are stable snake_case strings."""

    def message(self, language: str = DEFAULT_LANGUAGE, **params: Any) -> str:
        texts = _MESSAGES.get((type(self), self.value))
        if texts is None:
            return self.value.replace("_", " ")
        text = texts[1] if language == "en" else texts[0]
        try:
            return text.format(**params)
        except (KeyError, IndexError):
            return text


def messages(table: Mapping[ErrorCode, tuple[str, str]]) -> None:
    """Register (Indonesian, English) message texts for error codes."""
    _MESSAGES.update({(type(code), code.value): texts for code, texts in table.items()})


class BattError(Exception):
    pass


class FieldError:
    __slots__ = ("code", "field", "params")

    def __init__(self, code: ErrorCode, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params

    def as_payload(self, language: str) -> dict[str, Any]:
        return {
            "field": self.field,
            "code": self.code.value,
            "message": self.code.message(language, **self.params),
            # Set on RATE_LIMITED: when the client may try again.
            "retry_after_seconds": self.params.get("retry_after_seconds"),
        }

    def __repr__(self) -> str:
        return f"FieldError({self.code!s}, field={self.field!r})"


class ServiceError(BattError):
    """One or more problems with the caller's input; nothing was written."""

    def __init__(
        self, code: ErrorCode | list[FieldError], field: str | None = None, **params: Any
    ) -> None:
        if isinstance(code, list):
            self.errors = code
        else:
            self.errors = [FieldError(code, field, **params)]
        super().__init__(", ".join(f"{e.code.value}({e.field})" for e in self.errors))

    @property
    def code(self) -> ErrorCode:
        return self.errors[0].code


class AccessErrorCode(ErrorCode):
    """Why the permission check refused a request (``extensions.reason``)."""

    TOKEN_MISSING = "token_missing"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    USER_INACTIVE = "user_inactive"
    SESSION_REVOKED = "session_revoked"
    FORBIDDEN = "forbidden"


messages({
    AccessErrorCode.TOKEN_MISSING: ("Silakan masuk terlebih dahulu.", "Sign in required."),
    AccessErrorCode.TOKEN_EXPIRED: (
        "Token akses kedaluwarsa; perbarui dengan refreshToken.",
        "Access token expired; refresh it.",
    ),
    AccessErrorCode.TOKEN_INVALID: (
        "Token akses tidak valid. Silakan masuk lagi.",
        "Invalid access token. Sign in again.",
    ),
    AccessErrorCode.USER_INACTIVE: (
        "Akun ini dinonaktifkan. Hubungi Diskominfo Kota Batu.",
        "This account is disabled. Contact Diskominfo Kota Batu.",
    ),
    AccessErrorCode.SESSION_REVOKED: (
        "Sesi ini sudah berakhir (keluar atau dicabut). Silakan masuk lagi.",
        "This session has ended (signed out or revoked). Sign in again.",
    ),
    AccessErrorCode.FORBIDDEN: (
        "Anda tidak berwenang: tindakan ini hanya untuk peran {roles}.",
        "This operation needs one of the roles: {roles}.",
    ),
})


class AccessError(GraphQLError, BattError):
    code = "FORBIDDEN"

    def __init__(self, message: str, reason: str | None = None) -> None:
        extensions: dict[str, Any] = {"code": self.code}
        if reason:
            extensions["reason"] = reason
        super().__init__(message, extensions=extensions)

    @classmethod
    def coded(cls, reason: ErrorCode, language: str, **params: Any) -> AccessError:
        """The error with its text in the client's language (Indonesian by default)."""
        return cls(reason.message(language, **params), reason=reason.value)


class Unauthenticated(AccessError):
    code = "UNAUTHENTICATED"


class Forbidden(AccessError):
    code = "FORBIDDEN"

    @classmethod
    def coded(cls, reason: ErrorCode, language: str, **params: Any) -> AccessError:
        # FORBIDDEN says all there is to say; no reason in the extensions.
        return cls(reason.message(language, **params))
