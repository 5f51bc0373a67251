"""Ticket numbers people can read over the phone: BTU-YYMM-NNNNN (month in WIB)."""

from __future__ import annotations

from datetime import datetime

from backend import db
from backend.clock import WIB


async def next_ticket_number(now: datetime) -> str:
    """Take the next number of the month inside the caller's transaction. The counter row is
    bumped with one UPDATE … RETURNING, so concurrent submissions (several processes on
    PostgreSQL) serialise on that row and never share a number."""
    period = now.astimezone(WIB).strftime("%y%m")
    conn = db.connection()
    placeholder = "$1" if db.dialect() == "postgres" else "?"
    await conn.execute_query(
        "INSERT INTO complaint_ticket_counter (period, last_number) "
        f"VALUES ({placeholder}, 0) ON CONFLICT (period) DO NOTHING",
        [period],
    )
    # execute_query_dict: Tortoise's asyncpg execute_query drops the rows of UPDATE … RETURNING.
    rows = await conn.execute_query_dict(
        "UPDATE complaint_ticket_counter SET last_number = last_number + 1 "
        f"WHERE period = {placeholder} RETURNING last_number",
        [period],
    )
    return f"BTU-{period}-{rows[0]['last_number']:05d}"
