"""Registering devices, and queueing pushes in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import db
from backend.accounts.models import User
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.push.errors import PushErrorCode
from backend.push.models import Device, Platform, PushMessage, PushStatus
from backend.push.topics import refresh_topics

MAX_TOKEN_LENGTH = 1024
# Enough for a phone, a tablet and a browser or two; the least recently seen goes first, so
# stale installations the apps never unregistered do not pile up fan-out.
MAX_DEVICES_PER_USER = 10
MAX_TITLE_LENGTH = 200
# FCM refuses a message over 4 KB in all; a long body is cut here rather than refused there.
MAX_BODY_LENGTH = 1000
MAX_DEDUPE_KEY_LENGTH = 200


def _clean_token(token: str) -> str:
    token = (token or "").strip()
    # FCM tokens are printable ASCII without spaces; anything else is not a token we could use.
    if not token or len(token) > MAX_TOKEN_LENGTH or not all(33 <= ord(c) <= 126 for c in token):
        raise ServiceError(PushErrorCode.INVALID_DEVICE_TOKEN, "token")
    return token


async def register_device(
    user: User, *, token: str, platform: Platform, now: datetime | None = None
) -> Device:
    """Register (or refresh) this installation for ``user``. Idempotent; a token registered
    by someone else moves to ``user`` — whoever signed in on the phone last gets its pushes."""
    token = _clean_token(token)
    now = now or utcnow()
    async with in_transaction():
        updated = await Device.filter(token=token).update(
            user_id=user.id, platform=platform, last_seen_at=now
        )
        if not updated:
            try:
                async with in_transaction():  # a savepoint: a lost race must not abort the rest
                    await Device.create(
                        user_id=user.id, token=token, platform=platform, last_seen_at=now
                    )
            except IntegrityError:  # registered concurrently: take it over like above
                await Device.filter(token=token).update(
                    user_id=user.id, platform=platform, last_seen_at=now
                )
        surplus = (
            await Device.filter(user_id=user.id)
            .order_by("-last_seen_at", "-id")
            .offset(MAX_DEVICES_PER_USER)
            .values_list("id", flat=True)
        )
        dropped: list[str] = []
        if surplus:
            dropped = list(await Device.filter(id__in=list(surplus)).values_list(
                "token", flat=True))
            await Device.filter(id__in=list(surplus)).delete()
        # The installation now takes its new owner's topics (and leaves the last owner's);
        # the ones dropped leave theirs.
        await refresh_topics(tokens=[token, *dropped], now=now)
        return await Device.get(token=token)


async def unregister_device(user: User, *, token: str) -> bool:
    """Stop pushes to this installation (sign-out). Idempotent; only the caller's own device
    is removed, so knowing someone's token does not let you silence them. True if removed."""
    token = _clean_token(token)
    async with in_transaction():
        removed = bool(await Device.filter(token=token, user_id=user.id).delete())
        if removed:
            await refresh_topics(tokens=[token])  # a signed-out phone leaves its topics
    return removed


def stored_dedupe_key(dedupe_key: str) -> str:
    if not dedupe_key:
        raise ValueError("enqueue_push needs a dedupe_key")
    if len(dedupe_key) <= MAX_DEDUPE_KEY_LENGTH:
        return dedupe_key
    # Still unique per key, and short enough for the unique index.
    return "sha256:" + hashlib.sha256(dedupe_key.encode()).hexdigest()


def check_payload(title: str, data: dict[str, str]) -> None:
    # FCM data values must be strings; catching it here points at the caller, not the job.
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise TypeError("push data must map strings to strings")
    if not title.strip():
        raise ValueError("a push needs a title")


def shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def enqueue_push(
    user_ids: Iterable[int], *, title: str, body: str, data: dict[str, str], dedupe_key: str
) -> int:
    """Queue one push per user in the caller's current transaction; returns rows created.

    Call it inside the ``unit_of_work()`` of the change it announces: the rows commit with
    the change or not at all, and the push job sends them afterwards. A user who already has
    a push with this ``dedupe_key`` is skipped, so a retried caller never notifies twice.
    Inactive and unknown users are skipped too.
    """
    check_payload(title, data)
    key = stored_dedupe_key(dedupe_key)
    wanted = {int(user_id) for user_id in user_ids}
    if not wanted:
        return 0
    now = utcnow()
    created = 0
    async with in_transaction():  # joins the caller's transaction (as a savepoint) if any
        recipients = set(
            await User.filter(id__in=wanted, is_active=True).values_list("id", flat=True)
        )
        already = set(
            await PushMessage.filter(user_id__in=recipients, dedupe_key=key).values_list(
                "user_id", flat=True
            )
        )
        for user_id in sorted(recipients - already):
            try:
                # One savepoint per row: a concurrent caller that queued the same push first
                # costs us only that row, not the caller's whole transaction.
                async with in_transaction():
                    await PushMessage.create(
                        user_id=user_id,
                        dedupe_key=key,
                        title=shorten(title, MAX_TITLE_LENGTH),
                        body=shorten(body, MAX_BODY_LENGTH),
                        data=dict(data),
                        status=PushStatus.PENDING,
                        next_attempt_at=now,
                    )
            except IntegrityError:
                continue
            created += 1
    return created


_BULK_CHUNK = 500  # SQLite caps the bound parameters of one statement


async def enqueue_push_many(
    user_ids: Iterable[int], *, title: str, body: str, data: dict[str, str], dedupe_key: str
) -> int:
    """:func:`enqueue_push` for many recipients at once (an advisory to thousands of
    farmers): the same rows and the same rules — active users only, one push per user and
    ``dedupe_key`` — written by one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per 500
    users instead of a savepoint per row. Call it in the caller's transaction."""
    check_payload(title, data)
    wanted = sorted({int(user_id) for user_id in user_ids})
    if not wanted:
        return 0
    key = stored_dedupe_key(dedupe_key)
    when = PushMessage._meta.fields_map["next_attempt_at"].to_db_value(utcnow(), PushMessage)
    values = [key, shorten(title, MAX_TITLE_LENGTH), shorten(body, MAX_BODY_LENGTH),
              json.dumps(dict(data)), PushStatus.PENDING.value, when]
    connection = db.connection()
    postgres = db.dialect() == "postgres"
    created = 0
    for start in range(0, len(wanted), _BULK_CHUNK):
        chunk = wanted[start:start + _BULK_CHUNK]
        if postgres:
            sql = ("INSERT INTO push_outbox (user_id, dedupe_key, title, body, data, status, "
                   "attempts, next_attempt_at, delivered_device_ids, created_at) "
                   "SELECT id, $1, $2, $3, $4::jsonb, $5, 0, $6, '[]'::jsonb, $6 "
                   "FROM account_user WHERE id = ANY($7::int[]) AND is_active "
                   "ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id")
            params = [*values, chunk]
        else:
            marks = ", ".join("?" for _ in chunk)
            sql = ("INSERT INTO push_outbox (user_id, dedupe_key, title, body, data, status, "
                   "attempts, next_attempt_at, delivered_device_ids, created_at) "
                   "SELECT id, ?, ?, ?, ?, ?, 0, ?, '[]', ? "
                   f"FROM account_user WHERE id IN ({marks}) AND is_active "
                   "ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id")
            params = [*values, when, *chunk]
        # (execute_query_dict: the rows RETURNING gives, on both drivers.)
        created += len(await connection.execute_query_dict(sql, params))
    return created
