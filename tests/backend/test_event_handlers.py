"""After-commit handlers run from the durable log: only for committed events, in order, each
database effect once (it commits with the handler's cursor), resumable after a crash, a
failing handler retried without holding up the others; on PostgreSQL once per cluster."""

from __future__ import annotations

import pytest

from among_warga.events import ComplaintEvent
from backend.accounts.models import Role
from backend.events import handlers as handlers_module
from backend.events import record_event, unit_of_work
from backend.events.handlers import Handler, HandlerFailed, drain, run_handlers
from backend.events.models import HandlerCursor
from backend.jobs import JobLocks, job_locks, registered_jobs, run_job
from backend.push.models import PushMessage
from backend.push.services import enqueue_push
from tests.conftest import USING_POSTGRES


async def event(n: int, audience=("role:operator",)) -> int:
    recorded = await record_event(ComplaintEvent.COMPLAINT_PROGRESS, subject_type="test",
                                  subject_id=n, audience=audience, payload={"n": n})
    return recorded.id


@pytest.fixture
def installed(monkeypatch):
    """Run with these handlers instead of the domains' own."""

    def install(*handlers: Handler) -> None:
        monkeypatch.setattr(handlers_module, "handlers", lambda: handlers)

    return install


async def test_handlers_see_committed_events_in_order_and_once(installed):
    seen: list[int] = []

    async def remember(e):
        seen.append(e.payload["n"])

    installed(Handler("test.remember", (ComplaintEvent.COMPLAINT_PROGRESS,), remember),
              Handler("test.other-type", (ComplaintEvent.COMPLAINT_CLOSED,), remember))
    for n in range(3):
        await event(n)
    with pytest.raises(RuntimeError):
        async with unit_of_work():
            await event(99)
            raise RuntimeError("rolled back")  # its event never reaches a handler
    await event(3)

    assert await drain() == 4
    assert seen == [0, 1, 2, 3]
    assert await drain() == 0  # caught up: nothing twice
    last = (await HandlerCursor.get(name="test.remember")).last_id
    # A handler of other types moved past them too (its next read starts after them).
    assert (await HandlerCursor.get(name="test.other-type")).last_id == last


async def test_a_crash_resumes_where_the_handler_stopped_and_effects_happen_once(
    installed, make_user
):
    user, _ = await make_user(Role.CITIZEN)
    calls: list[int] = []
    crash_on = {2}

    async def push(e):
        n = e.payload["n"]
        calls.append(n)
        # The effect first, idempotent by the event id — then the "crash".
        await enqueue_push([user.id], title=f"n={n}", body="b", data={},
                           dedupe_key=f"event:{e.id}")
        if n in crash_on:
            raise ConnectionError("the process died here")

    installed(Handler("test.push", (ComplaintEvent.COMPLAINT_PROGRESS,), push))
    for n in range(5):
        await event(n)

    with pytest.raises(HandlerFailed):
        await run_handlers()
    assert calls == [0, 1, 2]
    # Events 0 and 1 are done for good; event 2's transaction rolled back with the cursor.
    assert await PushMessage.filter(user_id=user.id).count() == 2

    crash_on.clear()  # "restarted"
    assert await drain() == 3
    assert calls == [0, 1, 2, 2, 3, 4]  # event 2 again (at least once), nothing else twice
    titles = sorted(await PushMessage.filter(user_id=user.id).values_list("title", flat=True))
    assert titles == [f"n={n}" for n in range(5)]


async def test_a_failing_handler_does_not_hold_up_the_others(installed):
    good: list[int] = []

    async def broken(e):
        raise ValueError("bug")

    async def fine(e):
        good.append(e.payload["n"])

    installed(Handler("test.broken", (ComplaintEvent.COMPLAINT_PROGRESS,), broken),
              Handler("test.fine", (ComplaintEvent.COMPLAINT_PROGRESS,), fine))
    await event(1)
    with pytest.raises(HandlerFailed, match="test.broken"):
        await run_handlers()
    assert good == [1]
    assert (await HandlerCursor.get(name="test.broken")).last_id == 0


async def test_the_domains_handlers_are_declared_in_their_manifests():
    names = [h.name for h in handlers_module.handlers()]
    # The complaint flow's, in domain order; other domains add theirs (each name once).
    assert [n for n in names if n.startswith(("among_warga.", "command_center."))] == [
        "among_warga.notify-reporter", "command_center.notify-dispatch",
        "command_center.notify-escalation"]
    assert len(set(names)) == len(names)
    assert "event-handlers" in {j.name for j in registered_jobs(_settings())}


def _settings():
    from backend.settings import Settings
    from tests.conftest import PROJECT_ROOT

    return Settings(env="test", var_dir=PROJECT_ROOT, database_url="sqlite://x",
                    media_dir=PROJECT_ROOT, secret_key="k" * 40)


@pytest.mark.skipif(not USING_POSTGRES, reason="advisory locks are PostgreSQL's")
async def test_on_postgresql_the_handlers_run_in_one_process_at_a_time(settings, installed):
    calls: list[int] = []

    async def remember(e):
        calls.append(e.id)

    installed(Handler("test.once", (ComplaintEvent.COMPLAINT_PROGRESS,), remember))
    await event(1)
    [job] = [j for j in registered_jobs(settings) if j.name == "event-handlers"]
    other = JobLocks(settings.database_url)  # "another process" holds the job
    locks = job_locks(settings)
    try:
        assert await other.try_acquire(job.name)
        assert (await run_job(job, locks)).outcome == "skipped"
        assert calls == []
        await other.release(job.name)
        run = await run_job(job, locks)
        assert (run.outcome, run.result, len(calls)) == ("done", 1, 1)
    finally:
        await other.close()
        await locks.close()

