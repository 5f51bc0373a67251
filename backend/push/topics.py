"""Pushes to topics: one FCM message reaches everyone who follows a topic (the whole city, a
village), the way FCM is meant to broadcast, instead of one outbox row and one send per person.

Who follows what is the domains' data (Among Kota's announcement follows, say): a domain
registers a *topic source* that answers "which topics do these users follow?", and calls
:func:`refresh_topics` after a change. The push platform keeps, per installation (FCM token)
and topic, whether the token should be in the topic and whether FCM has been told
(``push_topic_membership``), and changes that desired state in the caller's transaction when
a person follows or unfollows, when a phone is registered, moves to another account or is
signed out, and when an account is erased. The push job then tells FCM (``subscribe_to_topic``
/ ``unsubscribe_from_topic`` through firebase-admin, up to 1,000 tokens a call), retrying with
backoff, and sends due topic pushes (``push_topic_outbox``) after that, so a person who followed
a village before an announcement was queued is in the topic when it goes out.

A topic push is written in the transaction of the change it announces and is unique by its
dedupe key, so a retried publish never broadcasts twice. Up to five topics go in one message
as an FCM condition (``'a' in topics || 'b' in topics``): a phone following two of the
villages gets the announcement once.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend.clock import utcnow
from backend.push.models import Device, PushStatus, TopicMembership, TopicPush
from backend.push.sender import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    Outcome,
    build_topic_message,
    retry_delay,
)

log = logging.getLogger(__name__)

# FCM takes at most this many tokens per subscribe/unsubscribe call, and five topics per
# condition.
MAX_TOKENS_PER_CALL = 1000
MAX_TOPICS_PER_MESSAGE = 5
SYNC_BATCH = 5000
SEND_BATCH = 20
MAX_TOPIC_LENGTH = 200

TopicSource = Callable[[list[int]], Awaitable[dict[int, set[str]]]]
_sources: list[TopicSource] = []


def register_topic_source(source: TopicSource) -> TopicSource:
    """Register ``source(user_ids) -> {user_id: {topic, …}}``; the union of every source's
    answer is what a person's installations are subscribed to. Registering twice is a no-op."""
    if source not in _sources:
        _sources.append(source)
    return source


def fcm_topic_name(topic: str) -> str:
    """FCM's name for a BATT topic: FCM allows ``[a-zA-Z0-9-_.~%]`` only, so anything else is
    percent-encoded (``kota:city`` → ``batt.kota%3Acity``)."""
    return "batt." + quote(topic, safe="-_.~")


async def _topics_of(user_ids: list[int]) -> dict[int, set[str]]:
    wanted: dict[int, set[str]] = defaultdict(set)
    if not user_ids:
        return wanted
    for source in _sources:
        for user_id, topics in (await source(user_ids)).items():
            wanted[user_id] |= {t for t in topics if t and len(t) <= MAX_TOPIC_LENGTH}
    return wanted


async def refresh_topics(
    *, user_ids: Iterable[int] = (), tokens: Iterable[str] = (), now: datetime | None = None
) -> int:
    """Bring the desired topic memberships of these users' installations (and of these
    tokens, whoever holds them now, if anyone) in line with what their owners follow. Call it
    in the transaction of the change; returns how many memberships changed."""
    users, tokens = {int(u) for u in user_ids}, set(tokens)
    if not users and not tokens:
        return 0
    now = now or utcnow()
    async with in_transaction():
        devices = await Device.filter(Q(user_id__in=users) | Q(token__in=tokens)).values_list(
            "token", "user_id")
        follows = await _topics_of(sorted({user_id for _, user_id in devices}))
        desired = {(token, topic) for token, user_id in devices for topic in follows[user_id]}
        scope = tokens | {token for token, _ in devices}
        current = {
            (token, topic): (row_id, wanted)
            for row_id, token, topic, wanted in await TopicMembership.filter(
                token__in=scope).values_list("id", "token", "topic", "wanted")
        }
        leave = [row_id for key, (row_id, wanted) in current.items()
                 if wanted and key not in desired]
        rejoin = [row_id for key, (row_id, wanted) in current.items()
                  if not wanted and key in desired]
        join = [TopicMembership(token=token, topic=topic, wanted=True, next_attempt_at=now)
                for token, topic in sorted(desired - current.keys())]
        reset = {"synced": False, "attempts": 0, "next_attempt_at": now, "last_error": None}
        if leave:
            await TopicMembership.filter(id__in=leave).update(wanted=False, **reset)
        if rejoin:
            await TopicMembership.filter(id__in=rejoin).update(wanted=True, **reset)
        if join:
            await TopicMembership.bulk_create(join, ignore_conflicts=True)
    return len(leave) + len(rejoin) + len(join)


async def forget_token(token: str) -> None:
    """FCM says the token is dead: it has left every topic by itself."""
    await TopicMembership.filter(token=token).delete()


async def enqueue_topic_push(
    topics: Iterable[str], *, title: str, body: str, data: dict[str, str], dedupe_key: str
) -> int:
    """Queue one push to everyone following any of ``topics``, in the caller's transaction;
    returns the FCM messages queued (one per five topics), 0 if this key was queued before."""
    from backend.push.services import (  # (services registers devices through this module)
        MAX_BODY_LENGTH,
        MAX_TITLE_LENGTH,
        check_payload,
        shorten,
        stored_dedupe_key,
    )

    check_payload(title, data)
    names = sorted({fcm_topic_name(t) for t in topics})
    if not names:
        return 0
    key = stored_dedupe_key(dedupe_key)
    now = utcnow()
    chunks = [names[i:i + MAX_TOPICS_PER_MESSAGE]
              for i in range(0, len(names), MAX_TOPICS_PER_MESSAGE)]
    rows = [
        TopicPush(dedupe_key=key if n == 0 else stored_dedupe_key(f"{dedupe_key}#{n}"),
                  topics=chunk, title=shorten(title, MAX_TITLE_LENGTH),
                  body=shorten(body, MAX_BODY_LENGTH), data=dict(data),
                  status=PushStatus.PENDING, next_attempt_at=now)
        for n, chunk in enumerate(chunks)
    ]
    async with in_transaction():
        keys = [row.dedupe_key for row in rows]
        already = set(await TopicPush.filter(dedupe_key__in=keys).values_list(
            "dedupe_key", flat=True))
        fresh = [row for row in rows if row.dedupe_key not in already]
        await TopicPush.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def condition(topics: list[str]) -> str:
    """FCM's condition for "in any of these topics"."""
    return " || ".join(f"'{name}' in topics" for name in topics)


async def sync_memberships(transport: Any, now: datetime | None = None) -> dict[str, int]:
    """Tell FCM about due membership changes: one call per topic and direction for up to
    1,000 tokens. Joined memberships are marked synced, left ones deleted, dead tokens
    forgotten with their device, failures retried with backoff."""
    now = now or utcnow()
    due = await TopicMembership.filter(synced=False, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id").limit(SYNC_BATCH)
    groups: dict[tuple[str, bool], list[TopicMembership]] = defaultdict(list)
    for row in due:
        groups[(row.topic, row.wanted)].append(row)
    report: dict[str, int] = defaultdict(int)
    for (topic, wanted), rows in groups.items():
        for start in range(0, len(rows), MAX_TOKENS_PER_CALL):
            batch = rows[start:start + MAX_TOKENS_PER_CALL]
            outcomes = await anyio.to_thread.run_sync(
                transport.manage_topic, [r.token for r in batch], fcm_topic_name(topic), wanted)
            for row, (outcome, error) in zip(batch, outcomes, strict=True):
                # Conditional on the desired state we sent: a follow or unfollow that came
                # in meanwhile has reset the row, and the next run sends that instead.
                mine = TopicMembership.filter(id=row.id, wanted=wanted, synced=False)
                if outcome is Outcome.DELIVERED:
                    if wanted:
                        await mine.update(synced=True, last_error=None)
                    else:
                        await mine.delete()
                    report["joined" if wanted else "left"] += 1
                elif outcome is Outcome.TOKEN_GONE:
                    await Device.filter(token=row.token).delete()
                    await forget_token(row.token)
                    report["token_gone"] += 1
                else:
                    await mine.update(attempts=F("attempts") + 1, last_error=error,
                                      next_attempt_at=now + retry_delay(row.attempts + 1))
                    report["retry"] += 1
    return dict(report)


async def _claim(row_id: int, now: datetime) -> str | None:
    claim = secrets.token_hex(16)
    taken = await TopicPush.filter(
        id=row_id, status=PushStatus.PENDING, next_attempt_at__lte=now,
    ).update(claim=claim, next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    return claim if taken else None


async def send_due_topic_pushes(transport: Any, now: datetime | None = None) -> dict[str, int]:
    """Send due topic pushes, one FCM message each (``transport`` None: log them instead)."""
    now = now or utcnow()
    report: dict[str, int] = defaultdict(int)
    due = await TopicPush.filter(status=PushStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id").limit(SEND_BATCH).values_list("id", flat=True)
    for row_id in due:
        claim = await _claim(row_id, now)
        if claim is None:
            continue  # another sender has it
        row = await TopicPush.get(id=row_id)
        mine = TopicPush.filter(id=row.id, claim=claim)
        if transport is None:
            log.info("topic push (Firebase not configured, not sent) to %s [%s]: %s — %s %s",
                     condition(row.topics), row.dedupe_key, row.title, row.body,
                     json.dumps(row.data, ensure_ascii=False))
            await mine.update(status=PushStatus.LOGGED, claim=None, finished_at=now)
            report[PushStatus.LOGGED.value] += 1
            continue
        delivery = await anyio.to_thread.run_sync(transport.send, build_topic_message(row))
        if delivery.outcome is Outcome.DELIVERED:
            await mine.update(status=PushStatus.SENT, claim=None, finished_at=now,
                              last_error=None)
            status = PushStatus.SENT
        elif delivery.outcome is Outcome.RETRY and row.attempts < MAX_ATTEMPTS:
            await mine.update(status=PushStatus.PENDING, claim=None, last_error=delivery.error,
                              next_attempt_at=now + retry_delay(row.attempts))
            status = PushStatus.PENDING
        else:
            log.warning("topic push %s to %s failed after %s attempt(s): %s",
                        row.id, condition(row.topics), row.attempts, delivery.error)
            await mine.update(status=PushStatus.FAILED, claim=None, finished_at=now,
                              last_error=delivery.error)
            status = PushStatus.FAILED
        report[status.value] += 1
    return dict(report)
