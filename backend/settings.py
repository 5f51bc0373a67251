"""Configuration, read once from the environment.

Every setting has a safe development default so that a fresh checkout runs with no setup;
production (``BATT_ENV=production``) refuses to start without an explicit secret key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable server."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    env: str
    var_dir: Path
    database_url: str
    media_dir: Path
    secret_key: str
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # Login throttling: failures allowed within the window before further attempts are refused.
    login_window_seconds: int = 15 * 60
    login_max_failures_per_identifier: int = 5
    login_max_failures_per_address: int = 30
    firebase_credentials: str | None = None
    firebase_project_id: str | None = None
    public_base_url: str = ""
    # Photo uploads: bytes and pixels accepted per photo (a decompression bomb is refused
    # from its header), and threads decoding photos at once (0 = one per core but one).
    media_max_bytes: int = 20 * 1024 * 1024
    media_max_pixels: int = 64_000_000
    media_workers: int = 0
    # Lifetime of the signed URLs of photos that are not public (confidential complaints,
    # photos not attached to anything public yet), seconds.
    media_url_ttl_seconds: int = 900
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def database_dialect(self) -> str:
        return "postgres" if self.database_url.startswith(("postgres", "asyncpg")) else "sqlite"

    @property
    def firebase_enabled(self) -> bool:
        """Firebase is usable with credentials, or against the Auth emulator (tests, dev)."""
        return bool(
            self.firebase_credentials
            or (self.firebase_project_id and os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"))
        )


def _development_secret(var_dir: Path) -> str:
    """A random key generated once and kept under var/, so tokens survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written with 0600 from the start: the key signs every access token.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings() -> Settings:
    env = _env("BATT_ENV", "development") or "development"
    var_dir = Path(_env("BATT_VAR_DIR", str(PROJECT_ROOT / "var")) or "var").resolve()
    database_url = _env("BATT_DATABASE_URL") or f"sqlite://{var_dir / 'batt.sqlite3'}"
    if database_url.startswith("postgresql://"):
        # Tortoise speaks "postgres://"; accept the libpq spelling operators paste in.
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    media_dir = Path(_env("BATT_MEDIA_DIR", str(var_dir / "media")) or "").resolve()

    secret_key = _env("BATT_SECRET_KEY")
    if secret_key is None:
        if env == "production":
            raise ConfigurationError(
                "BATT_SECRET_KEY is required when BATT_ENV=production "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        secret_key = _development_secret(var_dir)
    elif len(secret_key) < 32:
        raise ConfigurationError("BATT_SECRET_KEY must be at least 32 characters long")

    media_url_ttl_seconds = _env_int("BATT_MEDIA_URL_TTL", 900)
    if not 60 <= media_url_ttl_seconds <= 7 * 24 * 3600:
        raise ConfigurationError("BATT_MEDIA_URL_TTL must be between 60 seconds and 7 days")

    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=database_url,
        media_dir=media_dir,
        secret_key=secret_key,
        access_token_ttl_seconds=_env_int("BATT_ACCESS_TOKEN_TTL", 15 * 60),
        refresh_token_ttl_seconds=_env_int("BATT_REFRESH_TOKEN_TTL", 30 * 24 * 3600),
        login_max_failures_per_identifier=_env_int("BATT_LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_address=_env_int("BATT_LOGIN_MAX_FAILURES_PER_ADDRESS", 30),
        firebase_credentials=_env("BATT_FIREBASE_CREDENTIALS")
        or _env("GOOGLE_APPLICATION_CREDENTIALS"),
        firebase_project_id=_env("BATT_FIREBASE_PROJECT_ID"),
        public_base_url=(_env("BATT_PUBLIC_BASE_URL", "") or "").rstrip("/"),
        media_max_bytes=_env_int("BATT_MEDIA_MAX_BYTES", 20 * 1024 * 1024),
        media_max_pixels=_env_int("BATT_MEDIA_MAX_PIXELS", 64_000_000),
        media_workers=_env_int("BATT_MEDIA_WORKERS", 0),
        media_url_ttl_seconds=media_url_ttl_seconds,
    )
