"""Fixtures for push: the real firebase-admin talking to a fake FCM on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import messaging
from google.auth import _regional_access_boundary_utils

from backend import firebase
from backend.settings import Settings
from tests.backend.push.fake_fcm import FakeFcm
from tests.conftest import replace_settings

PROJECT_ID = "batt-push-test"


def write_service_account(path: Path, key: rsa.RSAPrivateKey, fake_fcm: FakeFcm) -> Path:
    """A real service-account file whose ``token_uri`` is the fake."""
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(json.dumps({
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": "fake-key-1",
        "private_key": private_pem,
        "client_email": f"batt-push@{PROJECT_ID}.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": f"{fake_fcm.url}/token",
    }))
    return path


@pytest.fixture(scope="session")
def service_account_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake_fcm(service_account_key: rsa.RSAPrivateKey) -> Iterator[FakeFcm]:
    public_pem = service_account_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fake = FakeFcm(public_pem).start()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def fcm_settings(
    settings: Settings, fake_fcm: FakeFcm, service_account_key: rsa.RSAPrivateKey, tmp_path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """Settings with a real service-account file whose ``token_uri`` is the fake, and FCM's
    send URL pointed at the fake.

    firebase-admin has no supported way to change the FCM endpoint (no FCM emulator, no
    option; the Java, Go and .NET SDKs' maintainers declined the same request), so this
    fixture patches the class constant its messaging service formats the send URL from.
    Everything after that — message encoding, OAuth, HTTP, retries, error mapping — is
    firebase-admin's and google-auth's own code.

    One more URL has to move: after a token refresh, google-auth (2.4x and later) looks up the
    service account's Regional Access Boundary at iamcredentials.googleapis.com in a
    background thread. Pointed at the fake, that lookup stays on this machine too.
    """
    monkeypatch.setattr(
        messaging._MessagingService, "FCM_URL", f"{fake_fcm.url}/v1/projects/{{0}}/messages:send"
    )
    monkeypatch.setattr(
        _regional_access_boundary_utils,
        "get_service_account_rab_endpoint",
        lambda email: f"{fake_fcm.url}/v1/projects/-/serviceAccounts/{email}/allowedLocations",
    )
    # Topic management (FCM v1 registrations API) builds its URL from a fixed host in the
    # messaging service's constructor; the same kind of patch moves it here.
    original_init = messaging._MessagingService.__init__

    def init_with_fake_topics(service: messaging._MessagingService, app) -> None:
        original_init(service, app)
        service._fcm_topic_url = service._fcm_topic_url.replace(
            "https://fcm.googleapis.com", fake_fcm.url)

    monkeypatch.setattr(messaging._MessagingService, "__init__", init_with_fake_topics)
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    path = write_service_account(tmp_path / "service-account.json", service_account_key,
                                 fake_fcm)
    # The firebase-admin App (and its messaging service) is cached per process: start fresh
    # so it reads this credential and the patched URL, and leave nothing behind.
    firebase.reset_firebase_app()
    try:
        yield replace_settings(settings, firebase_credentials=str(path))
        if fake_fcm.issued_tokens:
            # Let google-auth's background lookup finish while the URL still points here.
            assert fake_fcm.boundary_looked_up.wait(5), (
                "google-auth made no allowedLocations lookup; if it no longer does, drop the "
                "get_service_account_rab_endpoint patch above"
            )
    finally:
        firebase.reset_firebase_app()
