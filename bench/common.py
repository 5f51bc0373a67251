"""What the benchmarks share: loopback ports, a throwaway database with the real server on it
(:func:`served`), percentiles, the load average, CPU accounting of the server processes from
/proc, and a lean keep-alive HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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

    async def connect(self) -> None:
        """Open the connection now (``send`` opens it when needed)."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, request: bytes) -> Any:
        """Send prepared request bytes; the response's JSON body."""
        await self.connect()
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


# -- a throwaway database and the real server ------------------------------------------------

BATT = str(Path(sys.executable).with_name("batt"))
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def load_average() -> str:
    """The machine's 1/5/15-minute load average, to print beside every figure: other work on
    the same cores moves the figures, and this says how much there was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


@dataclass
class BenchServer:
    """`batt serve` on a free loopback port over a database of its own (see :func:`served`)."""

    name: str
    database_url: str
    var_dir: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return (self.var_dir / "server.log").read_text()[-chars:]
        return ""


async def wait_ready(server: BenchServer, timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as http:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/readyz")).status_code == 200:
                    return
            if (server.process is not None and server.process.poll() is not None) or \
                    time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready:\n" + server.log_tail())
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def served(
    name: str,
    *,
    workers: int = 1,
    postgres: str | None = None,
    seed_demo: bool = True,
    prepare: Callable[[BenchServer], Awaitable[None]] | None = None,
    env: dict[str, str] | None = None,
    keep: bool = False,
) -> AsyncIterator[BenchServer]:
    """A fresh database (``batt_bench_<name>`` on the PostgreSQL server ``postgres``, dropped
    afterwards, or a SQLite file in a temporary directory), migrated, with the demo data
    (``seed_demo``) and whatever ``prepare`` loads before the server starts; then ``batt
    serve --workers W`` on a free port, ready (``/readyz`` 200) when this yields. Every
    rate-limit budget is raised out of reach. Stops the server and removes everything on
    exit (``keep``: the PostgreSQL database stays, for EXPLAIN)."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"batt-bench-{name}-"))
    database = f"batt_bench_{name}" if postgres else None
    if postgres:
        url = urlunsplit(urlsplit(postgres)._replace(path=f"/{database}"))
        await admin(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                    f'CREATE DATABASE "{database}"')
        await admin(url, "CREATE EXTENSION IF NOT EXISTS postgis")
    else:
        url = f"sqlite://{var_dir / 'bench.sqlite3'}"
    server = BenchServer(name, url, var_dir, {
        **{k: v for k, v in os.environ.items() if not k.startswith("BATT_")},
        "BATT_DATABASE_URL": url, "BATT_VAR_DIR": str(var_dir),
        "BATT_SECRET_KEY": "bench-secret-" + "k" * 40, **unlimited_budgets(), **(env or {})})
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - closed in finally
    try:
        subprocess.run([BATT, "migrate"], env=server.env, check=True, capture_output=True)
        if seed_demo:
            subprocess.run([BATT, "seed-demo"], env=server.env, check=True,
                           capture_output=True)
        if prepare is not None:
            await prepare(server)
        server.port = free_port()
        server.process = subprocess.Popen(
            [BATT, "serve", "--port", str(server.port), "--workers", str(workers),
             "--log-level", "warning"], env=server.env, stdout=log, stderr=subprocess.STDOUT)
        await wait_ready(server)
        yield server
    except BaseException:
        log.flush()
        print("-- the server's log (last lines):\n" + server.log_tail(), file=sys.stderr)
        raise
    finally:
        if server.process is not None:
            server.process.terminate()
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
        log.close()
        if postgres and not keep:
            await admin(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def graphql_request(query: str, variables: dict[str, Any] | None = None,
                    token: str | None = None) -> bytes:
    """A prepared ``POST /graphql`` for :class:`KeepAliveClient`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return KeepAliveClient.json_request("/graphql", {"query": query,
                                                     "variables": variables or {}}, headers)


# -- wrk (apt-get install wrk) ---------------------------------------------------------------


def wrk_script(method: str, body: dict[str, Any] | None, token: str | None,
               directory: Path) -> Path:
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = [==[{json.dumps(body)}]==]")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    path = directory / f"{secrets.token_hex(4)}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def _latency_ms(text: str, label: str) -> float:
    match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(base: str, method: str, path: str, body: dict[str, Any] | None,
            token: str | None, connections: int, duration: float,
            directory: Path) -> tuple[float, float, float, int]:
    script = wrk_script(method, body, token, directory)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
         "-s", str(script), base + path], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, _latency_ms(out, "50%"), _latency_ms(out, "99%"), int(bad.group(1)) if bad else 0
