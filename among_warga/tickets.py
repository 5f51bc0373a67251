"""Ticket numbers people can read over the phone: BTU-YYMM-NNNNN (month in WIB)."""

from __future__ import annotations

from datetime import datetime

from backend import db
from backend.clock import WIB


async def next_ticket_number(now: datetime) -> str:
    """Take the next number of the month inside the caller's transaction. The counter row is
    bumped with one upsert … RETURNING, so concurrent submissions (several processes on
    PostgreSQL) serialise on that row and never share a number."""
    period = now.astimezone(WIB).strftime("%y%m")
    conn = db.connection()
    placeholder = "$1" if db.dialect() == "postgres" else "?"
    # One upsert: the month's first complaint creates the row, every later one bumps it.
    # execute_query_dict: Tortoise's asyncpg execute_query drops the rows of … RETURNING.
    rows = await conn.execute_query_dict(
        "INSERT INTO complaint_ticket_counter (period, last_number) "
        f"VALUES ({placeholder}, 1) ON CONFLICT (period) DO UPDATE "
        "SET last_number = complaint_ticket_counter.last_number + 1 RETURNING last_number",
        [period],
    )
    return f"BTU-{period}-{rows[0]['last_number']:05d}"
