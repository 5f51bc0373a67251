"""What the benchmarks share: loopback ports, a throwaway PostgreSQL database, percentiles,
and CPU accounting of the server processes from /proc."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import asyncpg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def worker_pids(server_pid: int) -> list[int]:
    """uvicorn's worker processes (children of the supervisor, minus multiprocessing's
    resource tracker)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    try:
        pids = [int(p) for p in children.read_text().split()]
    except OSError:
        return []
    return [pid for pid in pids
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server_pid: int) -> float:
    """CPU of the uvicorn supervisor and its workers together."""
    total = 0.0
    for pid in [server_pid, *worker_pids(server_pid)]:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total
