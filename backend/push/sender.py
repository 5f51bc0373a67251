"""The push job: delivers due outbox rows to FCM through firebase-admin.

Several server processes run this job at once. A sender *claims* a batch by moving the
rows' ``next_attempt_at`` past a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; one
UPDATE on SQLite, which has a single writer), then sends outside any transaction, so no database
lock is held while FCM is slow. A sender that dies mid-batch leaves its rows to come back
when the lease ends: delivery is at least once, and a row already delivered to a device
skips that device on its next attempt.

firebase-admin itself retries HTTP 500/503 a few times within one send; what still fails
comes back here and is retried with exponential backoff across runs, up to a cap.
"""

from __future__ import annotations

import json
import logging
import secrets
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

import anyio
import anyio.to_thread
import firebase_admin
from firebase_admin import exceptions, messaging
from google.auth.exceptions import GoogleAuthError
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from backend import db
from backend.clock import utcnow
from backend.firebase import firebase_app
from backend.observability.metrics import PUSH_MESSAGES
from backend.push.models import Device, PushMessage, PushStatus, TopicPush
from backend.settings import Settings

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Long enough for the slowest send firebase-admin can make (its own retries included);
# a crashed sender's rows wait this long before another process takes them.
CLAIM_LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 8
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
# Sends run in threads (firebase-admin's send is blocking); this many at once per process.
SEND_CONCURRENCY = 8
# Finished rows are kept this long (for dedupe and for support questions), then purged.
RETENTION = timedelta(days=30)


# What FCM's topic API answers for a token that can never be in a topic (uninstalled app,
# token from another project, not a token at all); anything else is worth retrying.
TOPIC_TOKEN_GONE = frozenset({"NOT_FOUND", "UNREGISTERED", "INVALID_ARGUMENT",
                              "SENDER_ID_MISMATCH", "registration-token-not-registered",
                              "invalid-argument"})


class Outcome(Enum):
    DELIVERED = "delivered"
    TOKEN_GONE = "token_gone"  # FCM says the token is dead: forget the device
    RETRY = "retry"  # FCM or the network failed; try again later
    REJECTED = "rejected"  # FCM refused the message itself; retrying cannot help


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    error: str | None = None


class Transport(Protocol):
    def send(self, message: messaging.Message) -> Delivery:
        """Send one message to one device or topic (blocking; called in a worker thread)."""
        ...

    def manage_topic(
        self, tokens: list[str], topic: str, subscribe: bool
    ) -> list[tuple[Outcome, str | None]]:
        """Add these tokens to an FCM topic or remove them; one outcome per token, in order
        (blocking; called in a worker thread)."""
        ...


def build_message(token: str, push: PushMessage) -> messaging.Message:
    """The FCM v1 message for one device. Call it on the event loop thread (see below)."""
    with warnings.catch_warnings():
        # firebase-admin 7.5 deprecates ``token`` for ``fid`` (Firebase Installation ID)
        # targeting, but what the apps hand us is the FCM registration token, which FCM still
        # accepts; switching needs the apps to register FIDs. Silenced for this one call only,
        # and only from the loop thread, because catch_warnings is process-global state.
        warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
        return messaging.Message(token=token, **_content(push))


def build_topic_message(push: TopicPush) -> messaging.Message:
    """The FCM v1 message for everyone in the push's topics (an FCM condition for several)."""
    from backend.push.topics import condition

    if len(push.topics) == 1:
        return messaging.Message(topic=push.topics[0], **_content(push))
    return messaging.Message(condition=condition(push.topics), **_content(push))


def _content(push: PushMessage | TopicPush) -> dict[str, Any]:
    return {
        "notification": messaging.Notification(title=push.title, body=push.body),
        "data": {str(k): str(v) for k, v in (push.data or {}).items()},
        # Status changes and warnings are what people wait for: wake the device, show it now.
        "android": messaging.AndroidConfig(priority="high"),
        "apns": messaging.APNSConfig(
            headers={"apns-priority": "10", "apns-push-type": "alert"},
            payload=messaging.APNSPayload(aps=messaging.Aps(sound="default")),
        ),
        "webpush": messaging.WebpushConfig(headers={"Urgency": "high"}),
    }


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = f"{type(exc).__name__}: {exc}"
    return f"{code} {text}" if code else text


def _about_the_token(exc: exceptions.InvalidArgumentError) -> bool:
    """INVALID_ARGUMENT means a bad token or a bad message; only the former is the device's
    fault. FCM names the field in a BadRequest detail, or says so in the message."""
    if "registration token" in str(exc).lower():
        return True
    response = exc.http_response
    try:
        details = response.json()["error"].get("details", []) if response is not None else []
    except (ValueError, KeyError, AttributeError, TypeError):
        return False
    return any(
        violation.get("field") == "message.token"
        for detail in details
        if isinstance(detail, dict)
        for violation in detail.get("fieldViolations", [])
        if isinstance(violation, dict)
    )


class FcmTransport:
    """The real FCM, through firebase-admin's v1 ``messaging.send``."""

    def __init__(self, app: firebase_admin.App) -> None:
        self.app = app

    def send(self, message: messaging.Message) -> Delivery:
        try:
            messaging.send(message, app=self.app)
        except (messaging.UnregisteredError, messaging.SenderIdMismatchError) as exc:
            return Delivery(Outcome.TOKEN_GONE, _describe(exc))
        except exceptions.InvalidArgumentError as exc:
            outcome = Outcome.TOKEN_GONE if _about_the_token(exc) else Outcome.REJECTED
            return Delivery(outcome, _describe(exc))
        except (exceptions.FirebaseError, GoogleAuthError) as exc:
            # Unavailable, internal, quota, deadline, credentials that would not refresh…
            return Delivery(Outcome.RETRY, _describe(exc))
        except ValueError as exc:  # firebase-admin refused to encode the message
            return Delivery(Outcome.REJECTED, _describe(exc))
        return Delivery(Outcome.DELIVERED)

    def manage_topic(
        self, tokens: list[str], topic: str, subscribe: bool
    ) -> list[tuple[Outcome, str | None]]:
        call = messaging.subscribe_to_topic if subscribe else messaging.unsubscribe_from_topic
        try:
            response = call(tokens, topic, app=self.app)
        except (exceptions.FirebaseError, GoogleAuthError) as exc:
            return [(Outcome.RETRY, _describe(exc))] * len(tokens)
        outcomes: list[tuple[Outcome, str | None]] = [(Outcome.DELIVERED, None)] * len(tokens)
        for error in response.errors:
            reason = str(error.reason)
            gone = reason in TOPIC_TOKEN_GONE
            outcomes[error.index] = (Outcome.TOKEN_GONE if gone else Outcome.RETRY, reason)
        return outcomes


def fcm_transport(settings: Settings) -> FcmTransport | None:
    """FCM when a service account is configured; None means "log instead of sending".

    The Auth emulator alone (tests, development) enables Firebase sign-in but not push: there
    is no FCM emulator, and anonymous credentials would only be refused by Google.
    """
    if not settings.firebase_credentials:
        return None
    return FcmTransport(firebase_app(settings))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour, after the ``attempts``-th failed attempt."""
    delay = FIRST_RETRY_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


async def claim_due(now: datetime, limit: int = BATCH_SIZE) -> tuple[str, list[PushMessage]]:
    """Take up to ``limit`` due rows for this sender; no other sender gets them until the
    lease ends."""
    claim = secrets.token_hex(16)
    due = PushMessage.filter(status=PushStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    ).limit(limit)
    changes: dict[str, Any] = {
        "claim": claim, "next_attempt_at": now + CLAIM_LEASE, "attempts": F("attempts") + 1,
    }
    if db.dialect() == "postgres":
        # Rows another sender is claiming right now are skipped, not waited for.
        async with in_transaction():
            ids = [row.id for row in await due.select_for_update(skip_locked=True).only("id")]
            if not ids:
                return claim, []
            await PushMessage.filter(id__in=ids).update(**changes)
    else:
        # One UPDATE: SQLite takes the write lock at once, where a read followed by a write
        # would meet WAL's immediate busy error if another process wrote in between.
        claimed = await PushMessage.filter(
            id__in=Subquery(due.values("id")),
            status=PushStatus.PENDING,
            next_attempt_at__lte=now,
        ).update(**changes)
        if not claimed:
            return claim, []
    return claim, await PushMessage.filter(claim=claim).order_by("id")


async def _finish(push: PushMessage, claim: str, **changes: Any) -> None:
    # Conditional on our claim: if our lease ran out and another sender took the row over,
    # its outcome wins.
    await PushMessage.filter(id=push.id, claim=claim).update(claim=None, **changes)


async def _deliver(
    rows: list[PushMessage], transport: Transport
) -> dict[int, list[tuple[Device, Delivery]]]:
    devices: dict[int, list[Device]] = {}
    for device in await Device.filter(user_id__in={row.user_id for row in rows}).order_by("id"):
        devices.setdefault(device.user_id, []).append(device)
    results: dict[int, list[tuple[Device, Delivery]]] = {row.id: [] for row in rows}
    limiter = anyio.CapacityLimiter(SEND_CONCURRENCY)

    async def send(row: PushMessage, device: Device) -> None:
        message = build_message(device.token, row)
        delivery = await anyio.to_thread.run_sync(transport.send, message, limiter=limiter)
        results[row.id].append((device, delivery))

    async with anyio.create_task_group() as group:
        for row in rows:
            done = set(row.delivered_device_ids or [])
            for device in devices.get(row.user_id, []):
                if device.id not in done:
                    group.start_soon(send, row, device)
    return results


async def _settle(
    row: PushMessage, claim: str, deliveries: list[tuple[Device, Delivery]], now: datetime
) -> PushStatus:
    delivered = list(row.delivered_device_ids or [])
    delivered += [d.id for d, r in deliveries if r.outcome is Outcome.DELIVERED]
    from backend.push.topics import forget_token

    gone = [d for d, r in deliveries if r.outcome is Outcome.TOKEN_GONE]
    for device in gone:
        # By id and token: the row may already be gone, or the token re-registered since.
        await Device.filter(id=device.id, token=device.token).delete()
        await forget_token(device.token)
        log.info("push: removed device %s of user %s (%s)", device.id, device.user_id,
                 next(r.error for d, r in deliveries if d is device))
    retry = [r.error for _, r in deliveries if r.outcome is Outcome.RETRY]
    rejected = [r.error for _, r in deliveries if r.outcome is Outcome.REJECTED]
    error = "; ".join(e for e in retry + rejected if e) or None

    if retry and row.attempts < MAX_ATTEMPTS:
        await _finish(
            row, claim, status=PushStatus.PENDING, delivered_device_ids=delivered,
            last_error=error, next_attempt_at=now + retry_delay(row.attempts),
        )
        return PushStatus.PENDING
    if delivered:
        status = PushStatus.SENT
    elif retry or rejected:
        status = PushStatus.FAILED
        log.warning("push %s to user %s failed after %s attempt(s): %s",
                    row.id, row.user_id, row.attempts, error)
    else:
        status = PushStatus.NO_DEVICES
    await _finish(
        row, claim, status=status, delivered_device_ids=delivered, last_error=error,
        finished_at=now,
    )
    return status


async def send_due(
    settings: Settings,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
    limit: int = BATCH_SIZE,
) -> dict[str, int]:
    """Deliver one batch of due pushes; returns how many rows ended in which state
    (``pending`` = will be retried). ``transport`` defaults to FCM from ``settings``."""
    now = now or utcnow()
    # Resolve FCM before claiming: a broken configuration fails the run, not the rows.
    transport = transport if transport is not None else fcm_transport(settings)
    claim, rows = await claim_due(now, limit)
    if not rows:
        return {}
    report: Counter[str] = Counter()
    if transport is None:
        for row in rows:
            log.info("push (Firebase not configured, not sent) to user %s [%s]: %s — %s %s",
                     row.user_id, row.dedupe_key, row.title, row.body,
                     json.dumps(row.data, ensure_ascii=False))
            await _finish(row, claim, status=PushStatus.LOGGED, finished_at=now)
        report[PushStatus.LOGGED.value] += len(rows)
        PUSH_MESSAGES.labels(PushStatus.LOGGED.value).inc(len(rows))
        return dict(report)
    deliveries = await _deliver(rows, transport)
    for row in rows:
        report[(await _settle(row, claim, deliveries[row.id], now)).value] += 1
    for outcome, count in report.items():
        PUSH_MESSAGES.labels("retry" if outcome == PushStatus.PENDING.value else outcome).inc(count)
    return dict(report)


async def purge_finished(now: datetime | None = None, limit: int = 1000) -> int:
    """Forget finished rows past the retention period (a bounded batch per run, per outbox)."""
    cutoff = (now or utcnow()) - RETENTION
    purged = 0
    for model in (PushMessage, TopicPush):
        old = (
            model.filter(status__not=PushStatus.PENDING, finished_at__lt=cutoff)
            .order_by("id")
            .limit(limit)
            .values("id")
        )
        purged += await model.filter(id__in=Subquery(old)).delete()
    return purged


async def run_push_job(settings: Settings) -> dict[str, int]:
    """The periodic ``push-outbox`` job (see :mod:`backend.jobs`): pushes to people, then
    topic memberships, then pushes to topics (so a new follower is in before a broadcast)."""
    from backend.push.topics import send_due_topic_pushes, sync_memberships

    report = await send_due(settings)
    transport = fcm_transport(settings)
    if transport is not None:
        for outcome, count in (await sync_memberships(transport)).items():
            report[f"topic_{outcome}"] = count
    for outcome, count in (await send_due_topic_pushes(transport)).items():
        report[f"topic_push_{outcome}"] = report.get(f"topic_push_{outcome}", 0) + count
    purged = await purge_finished()
    if purged:
        report["purged"] = purged
    return report


def jobs(settings: Settings) -> list[Any]:
    """The push domain's periodic jobs (its manifest names this)."""
    from functools import partial

    from backend.jobs import Job

    # Pushes queued by committed changes go out within a couple of seconds. Shorter than
    # the outbox's claim lease, so a cancelled run's rows are not yet anyone else's.
    return [Job("push-outbox", 2.0, partial(run_push_job, settings), timeout_seconds=600.0)]
