"""enqueue_push: the one function other domains call, inside their unit of work."""

from __future__ import annotations

import asyncio

import pytest

from backend.accounts.models import Role, User
from backend.events import unit_of_work
from backend.push.models import PushMessage, PushStatus
from backend.push.services import MAX_BODY_LENGTH, enqueue_push

DATA = {"kind": "dispatch", "complaintId": "7"}


async def push(user_ids, key: str = "dispatch:7:1", **overrides) -> int:
    arguments = {"title": "Kasus baru BT-0007", "body": "Sampah di Sisir.", "data": DATA,
                 "dedupe_key": key, **overrides}
    async with unit_of_work():
        return await enqueue_push(user_ids, **arguments)


async def test_one_row_per_user_committed_with_the_change(make_user):
    a, _ = await make_user(Role.CITIZEN)
    b, _ = await make_user(Role.OPERATOR)

    assert await push([a.id, b.id, a.id]) == 2

    rows = await PushMessage.all().order_by("user_id")
    assert [r.user_id for r in rows] == sorted([a.id, b.id])
    assert all(r.status == PushStatus.PENDING and r.attempts == 0 for r in rows)
    assert rows[0].data == DATA and rows[0].title == "Kasus baru BT-0007"


async def test_a_retried_caller_does_not_queue_twice(make_user):
    a, _ = await make_user()
    b, _ = await make_user()
    assert await push([a.id]) == 1

    # The caller retries (e.g. the same dispatch replayed) and now includes another user.
    assert await push([a.id, b.id]) == 1
    assert await push([a.id, b.id]) == 0
    assert await PushMessage.filter(user_id=a.id).count() == 1
    # Another key is another push.
    assert await push([a.id], key="dispatch:7:2") == 1


async def test_concurrent_callers_with_the_same_key_queue_once(make_user):
    user, _ = await make_user()

    results = await asyncio.gather(*(push([user.id]) for _ in range(4)))

    assert sum(results) == 1
    assert await PushMessage.filter(user_id=user.id).count() == 1


async def test_rows_of_a_rolled_back_change_never_exist(make_user):
    user, _ = await make_user()
    with pytest.raises(RuntimeError):
        async with unit_of_work():
            await enqueue_push([user.id], title="t", body="b", data={}, dedupe_key="k")
            raise RuntimeError("the change failed")
    assert await PushMessage.all().count() == 0


async def test_inactive_and_unknown_users_are_skipped(make_user):
    active, _ = await make_user()
    disabled, _ = await make_user()
    await User.filter(id=disabled.id).update(is_active=False)

    assert await push([active.id, disabled.id, 999_999]) == 1
    assert await push([]) == 0


async def test_long_keys_and_bodies_fit(make_user):
    user, _ = await make_user()
    long_key = "complaint:1:" + "x" * 500

    assert await push([user.id], key=long_key, body="panjang " * 400) == 1
    assert await push([user.id], key=long_key) == 0  # still deduplicated

    row = await PushMessage.get(user_id=user.id)
    assert row.dedupe_key.startswith("sha256:") and len(row.dedupe_key) <= 200
    assert len(row.body) == MAX_BODY_LENGTH and row.body.endswith("…")


async def test_data_must_be_strings(make_user):
    user, _ = await make_user()
    with pytest.raises(TypeError):
        await push([user.id], data={"complaintId": 7})
    with pytest.raises(ValueError):
        await push([user.id], dedupe_key="")
