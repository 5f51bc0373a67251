"""What the benchmarks share: loopback ports, a throwaway PostgreSQL database, percentiles,
CPU accounting of the server processes from /proc, and a lean keep-alive HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

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


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far, from /proc/stat; the busy part
    includes other processes such as PostgreSQL, the idle part shows unused capacity."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    tick = os.sysconf("SC_CLK_TCK")
    return busy / tick, idle / tick


def server_cpu_seconds(server_pid: int) -> float:
    """CPU of the uvicorn supervisor and its workers together."""
    total = 0.0
    for pid in [server_pid, *worker_pids(server_pid)]:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


class KeepAliveClient:
    """A minimal HTTP/1.1 client on one keep-alive connection, for the timed part of a
    benchmark: requests are sent as prepared bytes and only the JSON body is parsed, so the
    load generator takes as little as possible of the CPU it shares with the server (httpx
    costs several milliseconds per request). Speaks just enough HTTP for uvicorn's answers
    (Content-Length bodies)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @staticmethod
    def request(path: str, body: bytes, content_type: str, headers: dict[str, str]) -> bytes:
        lines = [f"POST {path} HTTP/1.1", "Host: bench", f"Content-Type: {content_type}",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    @classmethod
    def json_request(cls, path: str, payload: Any, headers: dict[str, str]) -> bytes:
        return cls.request(path, json.dumps(payload).encode(), "application/json", headers)

    @classmethod
    def multipart_request(
        cls, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]],
        headers: dict[str, str],
    ) -> bytes:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                         f"\r\n\r\n{value}\r\n".encode())
        for name, (filename, data, content_type) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
                         .encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return cls.request(path, body, f"multipart/form-data; boundary={boundary}", headers)

    async def send(self, request: bytes) -> Any:
        """Send prepared request bytes; the response's JSON body."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"response without Content-Length: {head[:200]!r}")
        body = await self._reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"HTTP {status.decode()}: {body[:300]!r}")
        return json.loads(body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
            self._writer = None


def unlimited_budgets() -> dict[str, str]:
    """Environment that raises every rate-limit budget out of reach: a benchmark sends one
    user's or one address's traffic far beyond what a person does, while the limiter still
    runs (its statement is part of what is measured)."""
    from backend.ratelimit import DEFAULT_BUDGETS

    return {f"BATT_RATE_LIMIT_{name.upper()}": "1000000000:1000000000:3600"
            for name in DEFAULT_BUDGETS}
