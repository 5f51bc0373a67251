"""The firebase-admin app, shared by sign-in (ID-token verification) and push (FCM).

Without credentials, Firebase is off: sign-in with Firebase answers with a clear error and
push messages are logged instead of sent. Against the Auth emulator
(``FIREBASE_AUTH_EMULATOR_HOST`` plus ``BATT_FIREBASE_PROJECT_ID``) firebase-admin accepts
the emulator's unsigned tokens, which is how the tests run it without a network.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import anyio.to_thread
import firebase_admin
from firebase_admin import auth, credentials

from backend.settings import Settings

log = logging.getLogger(__name__)

APP_NAME = "batt"
_lock = threading.Lock()


class FirebaseUnavailable(Exception):
    pass


class FirebaseTokenRejected(Exception):
    pass


def firebase_app(settings: Settings) -> firebase_admin.App:
    if not settings.firebase_enabled:
        raise FirebaseUnavailable("Firebase is not configured")
    with _lock:
        try:
            return firebase_admin.get_app(APP_NAME)
        except ValueError:
            pass
        options: dict[str, Any] = {}
        if settings.firebase_project_id:
            options["projectId"] = settings.firebase_project_id
        credential = (
            credentials.Certificate(settings.firebase_credentials)
            if settings.firebase_credentials
            else _NoCredential()
        )
        return firebase_admin.initialize_app(credential, options, name=APP_NAME)


def reset_firebase_app() -> None:
    """Forget the app (tests switch projects and emulators between cases)."""
    with _lock:
        try:
            firebase_admin.delete_app(firebase_admin.get_app(APP_NAME))
        except ValueError:
            pass


async def verify_id_token(settings: Settings, id_token: str) -> dict[str, Any]:
    app = firebase_app(settings)

    def verify() -> dict[str, Any]:
        try:
            return auth.verify_id_token(id_token, app=app, check_revoked=False)
        except (ValueError, auth.InvalidIdTokenError, auth.ExpiredIdTokenError,
                auth.RevokedIdTokenError, auth.CertificateFetchError,
                auth.UserDisabledError) as exc:
            raise FirebaseTokenRejected(str(exc)) from exc

    # Verification may fetch Google's public keys: keep it off the event loop.
    return await anyio.to_thread.run_sync(verify)


class _NoCredential(credentials.Base):
    """Used only with the emulator, where firebase-admin substitutes its own fake credential."""

    def get_credential(self) -> Any:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
