"""Configuration, read once from the environment.

Every setting has a safe development default so that a fresh checkout runs with no setup;
production (``BATT_ENV=production``) refuses to start without an explicit secret key.
"""

from __future__ import annotations

import os
import re
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


def _env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if not minimum <= value <= maximum:  # also refuses nan
        raise ConfigurationError(f"{name} must be between {minimum:g} and {maximum:g}")
    return value


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
    # Login throttling: failed sign-ins allowed within the window before further attempts are
    # refused — for one identifier from one address, from one address for any identifier, and
    # for one identifier from everywhere (a ceiling against guessing from many addresses, set
    # high so that nobody can lock an owner out from a handful of addresses).
    login_window_seconds: int = 15 * 60
    login_max_failures: int = 5
    login_max_failures_per_address: int = 30
    login_max_failures_per_identifier: int = 100
    # Client addresses (IPs or CIDR networks) of reverse proxies whose X-Forwarded-For is
    # believed; empty: the peer address of the connection is the client's address.
    trusted_proxies: tuple[str, ...] = ()
    # Rate-limit budgets overridden by the deployment: name → (per user, per address, window
    # seconds), None for "no limit on that key" (see backend.ratelimit).
    rate_limits: dict[str, tuple[int | None, int | None, int]] = field(default_factory=dict)
    rate_limits_disabled: bool = False
    # The live stream re-reads the event log at least this often (seconds), beside the
    # wake-ups (PostgreSQL NOTIFY, SQLite's after-commit hook): a safety net for a lost NOTIFY.
    event_poll_seconds: float = 5.0
    # Open WebSocket sessions re-read their callers' rights this often (seconds), all of a
    # process's sockets in one query; operations started on a socket read them at once.
    ws_session_check_seconds: float = 5.0
    # Operations (subscriptions) running at once on one socket.
    ws_max_operations: int = 20
    firebase_credentials: str | None = None
    firebase_project_id: str | None = None
    public_base_url: str = ""
    # Photo uploads: bytes and pixels accepted per photo (a decompression bomb is refused
    # from its header), and threads decoding photos at once (0 = one per core but one).
    media_max_bytes: int = 20 * 1024 * 1024
    media_max_pixels: int = 64_000_000
    media_workers: int = 0
    # Keys protecting phone numbers and NIKs at rest (backend.crypto.keys), newest first;
    # empty: a development key under var/ (refused in production).
    data_keys: tuple = ()
    # /metrics: with a token, only `Authorization: Bearer <token>`; without, internal
    # addresses only (see backend.observability.metrics).
    metrics_token: str | None = None
    # `batt serve` logs JSON lines (one per request); "text" for a developer's terminal.
    log_format: str = "json"
    # Lifetime of the signed URLs of photos that are not public (confidential complaints,
    # photos not attached to anything public yet), seconds.
    media_url_ttl_seconds: int = 900
    # What one GraphQL request may ask (backend/graphql/limits.py): bytes of an HTTP body or
    # WebSocket message, bytes and tokens of the document, field depth, aliases, cost.
    graphql_max_request_bytes: int = 64 * 1024
    graphql_max_document_bytes: int = 32 * 1024
    graphql_max_tokens: int = 2_000
    graphql_max_depth: int = 15
    graphql_max_aliases: int = 30
    graphql_max_cost: int = 25_000
    # Memory held by the per-process cache of parsed documents (an estimate, bytes).
    graphql_cache_bytes: int = 32 * 1024 * 1024
    # Anonymous answers of public reads kept per process (0: off), and how long at most.
    read_cache_bytes: int = 64 * 1024 * 1024
    read_cache_max_age_seconds: float = 300.0
    # Cache-Control max-age of public GET answers (0: "no-cache", proxies revalidate).
    public_max_age_seconds: int = 0
    # Web apps of the city allowed to call the API from a browser (CORS), e.g.
    # ("https://lapor.batukota.go.id",); none by default.
    cors_origins: tuple[str, ...] = ()
    # Served behind a TLS-terminating proxy: tell browsers to use HTTPS only (HSTS).
    behind_tls: bool = False
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


def _rate_limits() -> dict[str, tuple[int | None, int | None, int]]:
    """``BATT_RATE_LIMIT_<BUDGET>=<per user>:<per address>:<window seconds>``; ``-`` means no
    limit on that key, e.g. ``BATT_RATE_LIMIT_REGISTER=-:30:3600``."""
    found: dict[str, tuple[int | None, int | None, int]] = {}
    for name, raw in os.environ.items():
        if not name.startswith("BATT_RATE_LIMIT_") or not raw.strip():
            continue
        parts = [p.strip() for p in raw.split(":")]
        try:
            if len(parts) != 3:
                raise ValueError(raw)
            per_user, per_address = (None if p == "-" else int(p) for p in parts[:2])
            window = int(parts[2])
            if window <= 0 or any(v is not None and v < 0 for v in (per_user, per_address)):
                raise ValueError(raw)
        except ValueError as exc:
            raise ConfigurationError(
                f"{name} must look like <per user>:<per address>:<window seconds> "
                f"(- for no limit), got {raw!r}"
            ) from exc
        found[name.removeprefix("BATT_RATE_LIMIT_").lower()] = (per_user, per_address, window)
    from backend.ratelimit import DEFAULT_BUDGETS

    if unknown := sorted(set(found) - set(DEFAULT_BUDGETS)):
        raise ConfigurationError(
            f"Unknown rate-limit budget(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(DEFAULT_BUDGETS))}"
        )
    return found


def _trusted_proxies() -> tuple[str, ...]:
    import ipaddress

    raw = _env("BATT_TRUSTED_PROXIES", "") or ""
    proxies = tuple(p.strip() for p in raw.split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError as exc:
            raise ConfigurationError(
                f"BATT_TRUSTED_PROXIES must list IP addresses or networks, got {proxy!r}"
            ) from exc
    return proxies


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


def _data_keys(env: str) -> tuple:
    from backend.crypto.keys import DataKeyError, parse_keys

    raw = _env("BATT_DATA_KEYS")
    if raw is None:
        if env == "production":
            raise ConfigurationError(
                "BATT_DATA_KEYS is required when BATT_ENV=production (generate one with: "
                "batt keys new-key <id>)"
            )
        return ()
    try:
        return parse_keys(raw)
    except DataKeyError as exc:
        raise ConfigurationError(f"BATT_DATA_KEYS: {exc}") from exc


def _log_format() -> str:
    value = (_env("BATT_LOG_FORMAT", "json") or "json").lower()
    if value not in ("json", "text"):
        raise ConfigurationError(f"BATT_LOG_FORMAT must be json or text, got {value!r}")
    return value
def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0, got {raw!r}")


def _origins(name: str) -> tuple[str, ...]:
    """Comma-separated browser origins: scheme://host[:port], nothing after."""
    origins = []
    for part in (_env(name, "") or "").split(","):
        origin = part.strip().rstrip("/")
        if not origin:
            continue
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?", origin):
            raise ConfigurationError(
                f"{name}: {origin!r} is not an origin like https://lapor.batukota.go.id "
                "(scheme and host, optional port, no path; no wildcard)"
            )
        origins.append(origin.lower())
    return tuple(origins)


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

    data_keys = _data_keys(env)

    rate_limits_disabled = (_env("BATT_RATE_LIMITS", "on") or "on").lower() == "off"
    if rate_limits_disabled and env == "production":
        raise ConfigurationError("BATT_RATE_LIMITS=off is for benchmarks, not production")
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
        login_max_failures=_env_int("BATT_LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_address=_env_int("BATT_LOGIN_MAX_FAILURES_PER_ADDRESS", 30),
        login_max_failures_per_identifier=_env_int("BATT_LOGIN_MAX_FAILURES_PER_IDENTIFIER", 100),
        trusted_proxies=_trusted_proxies(),
        rate_limits=_rate_limits(),
        rate_limits_disabled=rate_limits_disabled,
        event_poll_seconds=_env_float("BATT_EVENT_POLL_SECONDS", 5.0, minimum=0.05,
                                      maximum=3600.0),
        ws_session_check_seconds=float(_env_int("BATT_WS_SESSION_CHECK_SECONDS", 5)),
        ws_max_operations=_env_int("BATT_WS_MAX_OPERATIONS", 20),
        firebase_credentials=_env("BATT_FIREBASE_CREDENTIALS")
        or _env("GOOGLE_APPLICATION_CREDENTIALS"),
        firebase_project_id=_env("BATT_FIREBASE_PROJECT_ID"),
        public_base_url=(_env("BATT_PUBLIC_BASE_URL", "") or "").rstrip("/"),
        media_max_bytes=_env_int("BATT_MEDIA_MAX_BYTES", 20 * 1024 * 1024),
        media_max_pixels=_env_int("BATT_MEDIA_MAX_PIXELS", 64_000_000),
        media_workers=_env_int("BATT_MEDIA_WORKERS", 0),
        data_keys=data_keys,
        metrics_token=_env("BATT_METRICS_TOKEN"),
        log_format=_log_format(),
        media_url_ttl_seconds=media_url_ttl_seconds,
        graphql_max_request_bytes=_env_int("BATT_GRAPHQL_MAX_REQUEST_BYTES", 64 * 1024),
        graphql_max_document_bytes=_env_int("BATT_GRAPHQL_MAX_DOCUMENT_BYTES", 32 * 1024),
        graphql_max_tokens=_env_int("BATT_GRAPHQL_MAX_TOKENS", 2_000),
        graphql_max_depth=_env_int("BATT_GRAPHQL_MAX_DEPTH", 15),
        graphql_max_aliases=_env_int("BATT_GRAPHQL_MAX_ALIASES", 30),
        graphql_max_cost=_env_int("BATT_GRAPHQL_MAX_COST", 25_000),
        graphql_cache_bytes=_env_int("BATT_GRAPHQL_CACHE_BYTES", 32 * 1024 * 1024),
        read_cache_bytes=_env_int("BATT_READ_CACHE_BYTES", 64 * 1024 * 1024),
        read_cache_max_age_seconds=_env_float("BATT_READ_CACHE_MAX_AGE", 300.0, minimum=0.0,
                                              maximum=24 * 3600.0),
        public_max_age_seconds=_env_int("BATT_PUBLIC_MAX_AGE", 0),
        cors_origins=_origins("BATT_CORS_ORIGINS"),
        behind_tls=_env_bool("BATT_BEHIND_TLS", False),
    )
