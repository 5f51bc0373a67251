"""What an attacker holding a copy of the database sees: the SQLite file (with its write-ahead
log) or a ``pg_dump`` of the PostgreSQL database — and the forms a phone number takes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend import db
from backend.settings import Settings


async def database_dump(settings: Settings) -> bytes:
    if settings.database_dialect == "sqlite":
        # Everything committed, in the main file: then both files as they are on disk.
        await db.connection().execute_script("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(settings.database_url.removeprefix("sqlite://"))
        # Read by another process: opening and closing the file here would drop this
        # process's POSIX locks on it (SQLite's documented "close() breaks locks" hazard).
        process = await asyncio.create_subprocess_exec(
            "cat", str(path), *([str(path) + "-wal"] if Path(str(path) + "-wal").exists() else []),
            stdout=asyncio.subprocess.PIPE)
        out, _ = await process.communicate()
        return out
    process = await asyncio.create_subprocess_exec(
        "pg_dump", "--no-owner", f"--dbname={settings.database_url}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out


def phone_forms(e164: str) -> list[str]:
    """+6281234567890 → the ways it could be written: E.164, 62…, 0812…, 812…"""
    national = e164.removeprefix("+62")
    return [e164, e164.lstrip("+"), "0" + national, national]


def leaks(dump: bytes, *, phones: list[str] = (), niks: list[str] = (),
          others: list[str] = ()) -> list[str]:
    needles = [form for phone in phones for form in phone_forms(phone)] + list(niks) + list(others)
    return [needle for needle in needles if needle.encode() in dump]
