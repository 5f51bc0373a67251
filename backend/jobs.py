"""Periodic jobs (auto-closing unconfirmed complaints, SLA checks, the push outbox).

Deadlines are data, not in-memory timers: each job scans for what is due and changes it with
conditional updates, so it survives restarts and can run in every worker process at once
without doing anything twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from backend.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]


def registered_jobs(settings: Settings) -> list[Job]:
    from among_warga.services import close_unconfirmed
    from backend.push.sender import run_push_job
    from command_center.sla import flag_overdue

    return [
        Job("close-unconfirmed-complaints", 60.0, close_unconfirmed),
        Job("flag-overdue-cases", 30.0, flag_overdue),
        # Pushes queued by committed changes go out within a couple of seconds.
        Job("push-outbox", 2.0, partial(run_push_job, settings)),
    ]


async def run_once(settings: Settings) -> dict[str, object]:
    results: dict[str, object] = {}
    for job in registered_jobs(settings):
        results[job.name] = await job.run()
    return results


async def run_forever(settings: Settings) -> None:
    """Run each job on its interval until cancelled; a failing run is logged and retried."""

    from backend.db_faults import database_unavailable
    from backend.observability.metrics import JOB_RUNS, JOB_SECONDS

    async def loop(job: Job) -> None:
        while True:
            started = time.perf_counter()
            try:
                result = await job.run()
                JOB_RUNS.labels(job.name, "ok").inc()
                if result:
                    log.info("job %s: %s", job.name, result, extra={"job": job.name})
            except Exception as exc:  # keep the loop alive; the next run retries
                JOB_RUNS.labels(job.name, "error").inc()
                if database_unavailable(exc):  # a restart: expected, no traceback needed
                    log.warning("job %s: database unavailable (%s); retrying", job.name,
                                type(exc).__name__, extra={"job": job.name})
                else:
                    log.exception("job %s failed", job.name, extra={"job": job.name})
            JOB_SECONDS.labels(job.name).observe(time.perf_counter() - started)
            await asyncio.sleep(job.interval_seconds)

    await asyncio.gather(*(loop(job) for job in registered_jobs(settings)))
