"""One rate limiter for every write, shared by all server processes.

Each *budget* (``write``, ``register``, ``upload_photo``, ``subscribe`` …) allows so many uses
per user and so many per client address within a fixed window (``per_user`` / ``per_address``
per ``window_seconds``). The counts live in the database — the one store every process
shares — as one row per key and window, bumped by a single conditional upsert::

    INSERT … VALUES (user key), (address key)
    ON CONFLICT (bucket) DO UPDATE SET hits = hits + 1 RETURNING bucket, hits

so a check is one round trip for both keys, and concurrent requests (threads, processes) can
never both take the last unit: the database serialises them on the row. Called inside a
transaction, the count commits or rolls back with the work it guards — that is how "10
complaints an hour" counts complaints *created*, not attempts.

Budgets have defaults (:data:`DEFAULT_BUDGETS`) and are overridden per deployment with
``BATT_RATE_LIMIT_<NAME>=<per user>:<per address>:<window seconds>`` (``-`` for no limit on
that key). Rows of finished windows are deleted at most once a minute per process.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from backend import db
from backend.errors import ErrorCode, messages
from backend.settings import Settings


@dataclass(frozen=True)
class Budget:
    name: str
    per_user: int | None
    per_address: int | None
    window_seconds: int


def _budget(name: str, per_user: int | None, per_address: int | None, window: int) -> Budget:
    return Budget(name, per_user, per_address, window)


MINUTE, HOUR = 60, 3600

# Sensible defaults for a city of ~215,000 people. Per-address allowances are generous on
# purpose: Indonesian mobile carriers put many phones behind one address (CGNAT).
DEFAULT_BUDGETS: dict[str, Budget] = {
    b.name: b
    for b in (
        # Every mutation without a budget of its own.
        _budget("write", 120, 1200, MINUTE),
        # Sign-in attempts (wrong passwords are throttled separately, see accounts.login).
        _budget("login", None, 120, MINUTE),
        _budget("register", None, 30, HOUR),
        _budget("refresh_token", None, 600, MINUTE),
        _budget("upload_photo", 60, 1200, HOUR),
        # Attempts, retries included; the complaints *created* are the next budget.
        _budget("submit_complaint", 60, 1200, HOUR),
        _budget("complaint", 10, None, HOUR),
        # Live stream: sockets opened and operations (subscriptions, queries) started on them.
        _budget("ws_connect", 60, 1200, 10 * MINUTE),
        _budget("subscribe", 120, 2400, 10 * MINUTE),
    )
}


class RateLimitCode(ErrorCode):
    RATE_LIMITED = "rate_limited"


messages({
    RateLimitCode.RATE_LIMITED: (
        "Terlalu banyak permintaan. Coba lagi dalam {retry_after_seconds} detik.",
        "Too many requests. Try again in {retry_after_seconds} seconds.",
    ),
})


class RateLimited(Exception):
    def __init__(self, budget: Budget, retry_after_seconds: int) -> None:
        super().__init__(f"{budget.name}: retry after {retry_after_seconds} s")
        self.budget = budget
        self.retry_after_seconds = retry_after_seconds


def budget(settings: Settings, name: str) -> Budget | None:
    """The budget in force (None: rate limiting is switched off for benchmarks)."""
    if settings.rate_limits_disabled:
        return None
    base = DEFAULT_BUDGETS[name]
    override = settings.rate_limits.get(name)
    if override is None:
        return base
    per_user, per_address, window = override
    return Budget(name, per_user, per_address, window)


_UPSERT = (
    "INSERT INTO rate_limit_counter (bucket, hits, expires_at) VALUES {rows} "
    "ON CONFLICT (bucket) DO UPDATE SET hits = rate_limit_counter.hits + 1 "
    "RETURNING bucket, hits"
)
CLEANUP_EVERY_SECONDS = 60.0
_next_cleanup = 0.0


async def hit(
    limit: Budget | None, *, user_id: int | None = None, address: str | None = None,
    now: float | None = None,
) -> None:
    """Count one use for the user and the address (one statement); raise :class:`RateLimited`
    when either is over its allowance. Uses over the allowance are counted too, so a client
    hammering a limit does not get a fresh allowance any sooner."""
    if limit is None:
        return
    now = time.time() if now is None else now
    start = int(now // limit.window_seconds) * limit.window_seconds
    expires = start + limit.window_seconds
    allowance: dict[str, int] = {}
    if user_id is not None and limit.per_user is not None:
        allowance[f"{limit.name}:u:{user_id}:{start}"] = limit.per_user
    if address and limit.per_address is not None:
        allowance[f"{limit.name}:a:{address[:120]}:{start}"] = limit.per_address
    if not allowance:
        return
    values: list[object] = []
    for bucket in allowance:
        values += [bucket, expires]
    sql = _UPSERT.format(rows=", ".join("(?, 1, ?)" for _ in allowance))
    rows = await db.connection().execute_query_dict(db.numbered(sql), values)
    if any(row["hits"] > allowance[row["bucket"]] for row in rows):
        raise RateLimited(limit, max(1, math.ceil(expires - now)))


async def forget_expired(now: float | None = None) -> int:
    """Delete the counters of finished windows (called now and then by :func:`hit`'s
    callers outside transactions; cheap, the column is indexed)."""
    global _next_cleanup
    now = time.time() if now is None else now
    if now < _next_cleanup:
        return 0
    _next_cleanup = now + CLEANUP_EVERY_SECONDS
    count, _ = await db.connection().execute_query(
        db.numbered("DELETE FROM rate_limit_counter WHERE expires_at <= ?"), [int(now)]
    )
    return count
