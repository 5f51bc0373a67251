"""Periodic jobs (auto-closing unconfirmed complaints, SLA checks, the push outbox).

Deadlines are data, not in-memory timers: each job scans for what is due and changes it with
conditional updates, so it survives restarts and a run that overlaps another can never do
anything twice.

Every server process runs the job loop, but on PostgreSQL each job runs in one process of the
cluster at a time: a run first takes a session-level advisory lock named after the job
(``pg_try_advisory_lock``) on a connection the loop keeps for this alone, and releases it when
the run ends. A process that finds the lock taken skips that round, so N workers do a job's
work once instead of scanning the same rows N times and racing for them.

Why a session lock on a dedicated connection, not ``pg_try_advisory_xact_lock``:

- a transaction-scoped lock holds only as long as one transaction, but a run commits many
  units of work (each flagged deadline, each closed case is its own transaction, its events
  published after its commit) and waits on FCM over the network: it must not sit inside one
  long transaction;
- a session lock on a pooled Tortoise connection would stay with that connection when it goes
  back to the pool (BATT's pool does not reset sessions, see ``db._keep_session``), so it
  could neither be released reliably nor kept from leaking to unrelated queries.

A process that crashes closes its connection, and PostgreSQL releases its locks at once. Should
the lock connection itself drop mid-run, another process may start the same job; the
conditional updates keep that harmless — the lock saves work, correctness never rested on it.

SQLite serves one process: jobs run there without a lock, as they always have.

Each run is logged with its outcome: INFO when it changed something, WARNING/ERROR when it
failed or timed out, DEBUG when there was nothing to do or another process had the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from backend.db_faults import database_unavailable
from backend.settings import Settings

log = logging.getLogger(__name__)

# First key of every job lock (the two-int4 form of the advisory-lock functions; the event
# log's lock uses the single-bigint form, a separate key space).
JOB_LOCK_SPACE = 0x0BA7


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]
    # A run still going after this long is cancelled (and its lock released), so one stuck
    # run cannot hold a job up for the whole cluster.
    timeout_seconds: float = 600.0
    # Set to run the next round now rather than after the interval (e.g. on a commit).
    wake: asyncio.Event | None = field(default=None, compare=False)


@dataclass(frozen=True)
class JobRun:
    """What one round of one job did in this process."""

    job: str
    outcome: str  # "done", "skipped" (another process has it), "failed", "timeout"
    result: object = None
    seconds: float = 0.0


def registered_jobs(settings: Settings) -> list[Job]:
    """Every installed domain's periodic jobs (``Domain.jobs`` in its manifest)."""
    from backend import domains

    found = [job for make in domains.collect("jobs") for job in make(settings)]
    names = [job.name for job in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two periodic jobs share a name: {sorted(names)}")
    return found


def lock_key(job_name: str) -> int:
    """A stable signed 32-bit key for a job name (the same in every process and release)."""
    value = zlib.crc32(job_name.encode())
    return value - 2**32 if value >= 2**31 else value


class JobLocks:
    """Cluster-wide "one at a time" for jobs: PostgreSQL advisory locks held on one
    connection of their own (never a pooled one; see the module docstring)."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url.replace("postgres://", "postgresql://", 1)
        self._connection: Any = None
        # One asyncpg connection runs one statement at a time; the jobs of this process
        # take turns on it (each statement is a single quick call).
        self._use = asyncio.Lock()

    async def _connect(self) -> Any:
        import asyncpg

        if self._connection is None or self._connection.is_closed():
            # Named, so an operator sees in pg_stat_activity / pg_locks who holds a job.
            self._connection = await asyncpg.connect(
                self.url, server_settings={"application_name": "batt jobs"})
        return self._connection

    async def try_acquire(self, job_name: str) -> bool:
        async with self._use:
            try:
                connection = await self._connect()
                return bool(await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", JOB_LOCK_SPACE, lock_key(job_name)))
            except Exception:
                await self._drop()
                raise

    async def release(self, job_name: str) -> None:
        async with self._use:
            connection = self._connection
            if connection is None or connection.is_closed():
                # Gone with the connection: PostgreSQL released the lock when it closed.
                log.warning("job %s: the lock connection was lost during the run", job_name)
                return
            try:
                await connection.fetchval("SELECT pg_advisory_unlock($1, $2)", JOB_LOCK_SPACE,
                                          lock_key(job_name))
            except Exception as exc:  # closing the connection releases it just as well
                log.warning("job %s: could not release its lock (%s); reconnecting", job_name,
                            exc)
                await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=5)
            except Exception:
                connection.terminate()

    async def close(self) -> None:
        async with self._use:
            await self._drop()


def job_locks(settings: Settings) -> JobLocks | None:
    """Locks for a PostgreSQL cluster; None on SQLite (one process, nothing to share)."""
    return JobLocks(settings.database_url) if settings.database_dialect == "postgres" else None


async def run_job(job: Job, locks: JobLocks | None) -> JobRun:
    """One round of ``job``: under its cluster lock if there is one; logged with its outcome.
    Failures are logged and reported, not raised (the next round retries)."""
    started = time.monotonic()
    try:
        if locks is not None and not await locks.try_acquire(job.name):
            log.debug("job %s: skipped, another process is running it", job.name)
            return JobRun(job.name, "skipped", seconds=time.monotonic() - started)
    except Exception as exc:  # the database is unreachable: the job could not run anyway
        log.error("job %s failed: cannot take its lock (%s)", job.name, exc)
        return JobRun(job.name, "failed", seconds=time.monotonic() - started)
    try:
        result = await asyncio.wait_for(job.run(), job.timeout_seconds)
    except TimeoutError:
        seconds = time.monotonic() - started
        log.error("job %s timed out after %.0f s and was cancelled", job.name, seconds)
        return JobRun(job.name, "timeout", seconds=seconds)
    except Exception as exc:
        seconds = time.monotonic() - started
        if database_unavailable(exc):  # a restart: expected, no traceback needed
            log.warning("job %s: database unavailable (%s); retrying", job.name,
                        type(exc).__name__, extra={"job": job.name})
        else:
            log.exception("job %s failed after %.0f ms", job.name, seconds * 1000,
                          extra={"job": job.name})
        return JobRun(job.name, "failed", seconds=seconds)
    finally:
        if locks is not None:
            await locks.release(job.name)
    seconds = time.monotonic() - started
    log.log(logging.INFO if result else logging.DEBUG, "job %s: done in %.0f ms: %s",
            job.name, seconds * 1000, result)
    return JobRun(job.name, "done", result, seconds)


async def run_once(settings: Settings) -> dict[str, JobRun]:
    locks = job_locks(settings)
    try:
        return {job.name: await run_job(job, locks) for job in registered_jobs(settings)}
    finally:
        if locks is not None:
            await locks.close()


async def run_forever(settings: Settings) -> None:
    """Run each job on its interval until cancelled."""
    jobs = registered_jobs(settings)
    locks = job_locks(settings)
    log.info("jobs: %s; %s", ", ".join(f"{j.name} every {j.interval_seconds:g} s" for j in jobs),
             "one process of the cluster at a time (PostgreSQL advisory locks)" if locks
             else "in this process")

    from backend.observability.metrics import JOB_RUNS, JOB_SECONDS

    async def loop(job: Job) -> None:
        while True:
            run = await run_job(job, locks)
            outcome = "ok" if run.outcome in ("done", "skipped") else "error"
            JOB_RUNS.labels(job.name, outcome).inc()
            JOB_SECONDS.labels(job.name).observe(run.seconds)
            if job.wake is None:
                await asyncio.sleep(job.interval_seconds)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.wake.wait(), job.interval_seconds)
            job.wake.clear()

    try:
        await asyncio.gather(*(loop(job) for job in jobs))
    finally:
        if locks is not None:
            await locks.close()
