"""Periodic jobs: on PostgreSQL each job runs in one process of the cluster at a time (an
advisory lock held on a connection of the job loop's own), released when the run ends however
it ends — and when its holder crashes. On SQLite jobs run as they always did."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap

import asyncpg
import pytest

from backend import jobs
from backend.jobs import JOB_LOCK_SPACE, Job, JobLocks, lock_key, run_job
from backend.settings import Settings
from tests.conftest import PROJECT_ROOT, USING_POSTGRES

postgres_only = pytest.mark.postgres_only


def asyncpg_url(settings: Settings) -> str:
    return settings.database_url.replace("postgres://", "postgresql://", 1)


class Counting:
    """A job body that counts its runs."""

    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self) -> int:
        self.runs += 1
        return 1


async def lock_is_free(settings: Settings, name: str) -> bool:
    """Whether another session could take the job's lock now (taken and given back)."""
    connection = await asyncpg.connect(asyncpg_url(settings))
    try:
        taken = await connection.fetchval("SELECT pg_try_advisory_lock($1, $2)",
                                          JOB_LOCK_SPACE, lock_key(name))
        if taken:
            await connection.fetchval("SELECT pg_advisory_unlock($1, $2)",
                                      JOB_LOCK_SPACE, lock_key(name))
        return taken
    finally:
        await connection.close()


@pytest.fixture
async def locks(settings: Settings):
    locks = JobLocks(settings.database_url)
    yield locks
    await locks.close()


def test_lock_keys_are_stable_signed_32_bit_and_distinct():
    names = [job.name for job in jobs.registered_jobs(Settings(
        env="test", var_dir=PROJECT_ROOT, database_url="sqlite://x", media_dir=PROJECT_ROOT,
        secret_key="k" * 40))]
    keys = [lock_key(name) for name in names]
    assert len(set(keys)) == len(keys)
    assert all(-2**31 <= key < 2**31 for key in keys)
    assert lock_key("flag-overdue-cases") == lock_key("flag-overdue-cases")


@pytest.mark.skipif(USING_POSTGRES, reason="the SQLite behaviour")
async def test_on_sqlite_jobs_run_without_a_lock(settings):
    assert jobs.job_locks(settings) is None
    body = Counting()
    run = await run_job(Job("sqlite-job", 1.0, body), None)
    assert (run.outcome, run.result, body.runs) == ("done", 1, 1)


@postgres_only
async def test_a_job_another_process_is_running_is_skipped_here(settings, locks):
    assert isinstance(jobs.job_locks(settings), JobLocks)
    body = Counting()
    job = Job("cluster-job", 1.0, body)
    other = await asyncpg.connect(asyncpg_url(settings))  # another worker, mid-run
    try:
        assert await other.fetchval("SELECT pg_try_advisory_lock($1, $2)", JOB_LOCK_SPACE,
                                    lock_key(job.name))
        skipped = await run_job(job, locks)
        assert skipped.outcome == "skipped" and body.runs == 0
        await other.fetchval("SELECT pg_advisory_unlock($1, $2)", JOB_LOCK_SPACE,
                             lock_key(job.name))
    finally:
        await other.close()

    done = await run_job(job, locks)
    assert (done.outcome, done.result, body.runs) == ("done", 1, 1)
    assert await lock_is_free(settings, job.name)  # given back after the run


@postgres_only
async def test_the_lock_is_held_during_the_run_and_released_however_it_ends(settings, locks):
    inside = asyncio.Event()
    finish = asyncio.Event()

    async def body() -> str:
        inside.set()
        await finish.wait()
        return "ok"

    job = Job("held-job", 1.0, body)
    running = asyncio.create_task(run_job(job, locks))
    await inside.wait()
    assert not await lock_is_free(settings, job.name)
    finish.set()
    assert (await running).outcome == "done"
    assert await lock_is_free(settings, job.name)

    async def broken() -> None:
        raise RuntimeError("the job broke")

    failed = await run_job(Job("broken-job", 1.0, broken), locks)
    assert failed.outcome == "failed"
    assert await lock_is_free(settings, "broken-job")

    async def stuck() -> None:
        await asyncio.Event().wait()

    timed_out = await run_job(Job("stuck-job", 1.0, stuck, timeout_seconds=0.05), locks)
    assert timed_out.outcome == "timeout"
    assert await lock_is_free(settings, "stuck-job")


@postgres_only
async def test_a_lost_lock_connection_is_replaced_on_the_next_run(settings, locks, caplog):
    async def lose_the_lock_connection() -> str:
        admin = await asyncpg.connect(asyncpg_url(settings))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)",
                                        locks._connection.get_server_pid())
        finally:
            await admin.close()
        return "ran"

    job = Job("lost-connection-job", 1.0, lose_the_lock_connection)
    with caplog.at_level(logging.WARNING, logger="backend.jobs"):
        first = await run_job(job, locks)
    assert first.outcome == "done"
    assert "lock connection was lost" in caplog.text or "could not release" in caplog.text
    assert await lock_is_free(settings, job.name)  # the server let go with the connection
    body = Counting()
    again = await run_job(Job("after-reconnect", 1.0, body), locks)
    assert again.outcome == "done" and body.runs == 1


HOLDER = textwrap.dedent("""
    import asyncio, sys
    from backend.jobs import Job, JobLocks, run_job

    async def main():
        locks = JobLocks(sys.argv[1])

        async def forever():
            print(locks._connection.get_server_pid(), flush=True)
            await asyncio.Event().wait()

        await run_job(Job("crash-job", 1.0, forever), locks)

    asyncio.run(main())
""")


@postgres_only
async def test_a_crashed_holder_releases_the_job(settings, locks):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, settings.database_url], cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(holder.stdout.readline), 30)
        backend_pid = int(line)  # the holder is inside its run, holding the lock
        body = Counting()
        job = Job("crash-job", 1.0, body)
        assert (await run_job(job, locks)).outcome == "skipped"

        holder.kill()  # no goodbye: the connection just drops
        await asyncio.to_thread(holder.wait, 10)
        # PostgreSQL ends the holder's session when it notices the dropped connection, and
        # releases its locks with it: wait for that session to be gone.
        admin = await asyncpg.connect(asyncpg_url(settings))
        try:
            async with asyncio.timeout(30):
                while await admin.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", backend_pid):
                    await asyncio.sleep(0.05)  # polled: PostgreSQL announces no session's end
        finally:
            await admin.close()
        assert (await run_job(job, locks)).outcome == "done" and body.runs == 1
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()
