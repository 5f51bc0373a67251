"""``batt keys rotate``: re-encrypt every protected value under the current data key.

Safe while the server runs: each batch is one transaction, and each row is rewritten only if
it still holds the ciphertext that was read (a profile edited meanwhile keeps its new value:
written by a server under the new key already, or found again by the next run). Interrupt it
at any time (Ctrl-C, SIGTERM): the batch under way finishes or rolls back, and the next run
finds what is left — rows still under an older key — by the key id each value starts with.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend import db
from backend.crypto.fields import EncryptedField, LookupHashField, encrypted_models
from backend.crypto.keys import KeyRing, keyring

BATCH = 500


@dataclass
class TableProgress:
    table: str
    remaining_before: int
    rewritten: int = 0
    skipped: int = 0  # changed meanwhile: left for the next run


@dataclass
class RotationResult:
    key_id: str
    tables: list[TableProgress] = field(default_factory=list)
    interrupted: bool = False
    remaining: int = 0


def _column(model: type[Model], name: str) -> str:
    return model._meta.fields_db_projection[name]


def _stale_condition(model: type[Model], names: list[str], key_id: str) -> tuple[str, list[Any]]:
    # A value under another key: its "<key id>:" prefix differs. substr() exists on both
    # databases and, unlike LIKE, takes '_' literally.
    prefix = f"{key_id}:"
    parts, params = [], []
    for name in names:
        column = _column(model, name)
        parts.append(f'("{column}" IS NOT NULL AND substr("{column}", 1, ?) <> ?)')
        params += [len(prefix), prefix]
    return "(" + " OR ".join(parts) + ")", params


async def count_stale(model: type[Model], names: list[str], key_id: str) -> int:
    condition, params = _stale_condition(model, names, key_id)
    rows = await db.connection().execute_query_dict(
        db.numbered(f'SELECT count(*) AS n FROM "{model._meta.db_table}" WHERE {condition}'),
        params,
    )
    return int(rows[0]["n"])


async def key_usage() -> dict[str, dict[str, int]]:
    """For each protected table: how many values each key id holds (``batt keys status``)."""
    conn = db.connection()
    postgres = db.dialect() == "postgres"
    usage: dict[str, dict[str, int]] = {}
    for model, names in encrypted_models():
        counts: dict[str, int] = {}
        for name in names:
            column = _column(model, name)
            key_expr = (f'split_part("{column}", \':\', 1)' if postgres
                        else f'substr("{column}", 1, instr("{column}", \':\') - 1)')
            rows = await conn.execute_query_dict(
                f'SELECT {key_expr} AS key_id, count(*) AS n FROM "{model._meta.db_table}" '
                f'WHERE "{column}" IS NOT NULL GROUP BY 1'
            )
            for row in rows:
                counts[row["key_id"]] = counts.get(row["key_id"], 0) + int(row["n"])
        usage[model._meta.db_table] = counts
    return usage


def _reencrypt(ring: KeyRing, model: type[Model], names: list[str], row: dict[str, Any]
               ) -> tuple[list[str], list[Any]]:
    """SET clause columns and values rewriting one row's protected values and their hashes."""
    fields_map = model._meta.fields_map
    columns: list[str] = []
    values: list[Any] = []
    for name in names:
        field_object: EncryptedField = fields_map[name]  # type: ignore[assignment]
        stored = row[_column(model, name)]
        plain = None if stored is None else ring.decrypt(stored, field_object.context)
        columns.append(_column(model, name))
        values.append(None if plain is None else ring.encrypt(plain, field_object.context))
        for hash_name, hash_field in fields_map.items():
            if isinstance(hash_field, LookupHashField) and hash_field.source == name:
                columns.append(_column(model, hash_name))
                values.append(None if plain is None
                              else ring.lookup_hash(plain, field_object.context))
    return columns, values


async def _rotate_table(ring: KeyRing, model: type[Model], names: list[str],
                        progress: TableProgress, stop: asyncio.Event,
                        report: Callable[[TableProgress], None], batch: int) -> bool:
    """Rewrite the table's stale rows; False when stopped before the end."""
    table = model._meta.db_table
    postgres = db.dialect() == "postgres"
    same = "IS NOT DISTINCT FROM" if postgres else "IS"
    pk = model._meta.db_pk_column
    selected = ", ".join(f'"{_column(model, n)}"' for n in names)
    condition, params = _stale_condition(model, names, ring.current.id)
    last = None
    while not stop.is_set():
        where = condition + (f' AND "{pk}" > ?' if last is not None else "")
        rows = await db.connection().execute_query_dict(
            db.numbered(f'SELECT "{pk}", {selected} FROM "{table}" WHERE {where} '
                        f'ORDER BY "{pk}" LIMIT ?'),
            [*params, *([last] if last is not None else []), batch],
        )
        if not rows:
            return True
        async with in_transaction() as conn:
            for row in rows:
                columns, values = _reencrypt(ring, model, names, row)
                assignments = ", ".join(f'"{c}" = ?' for c in columns)
                unchanged = " AND ".join(f'"{_column(model, n)}" {same} ?' for n in names)
                updated, _ = await conn.execute_query(
                    db.numbered(f'UPDATE "{table}" SET {assignments} '
                                f'WHERE "{pk}" = ? AND {unchanged}'),
                    [*values, row[pk], *(row[_column(model, n)] for n in names)],
                )
                if updated:
                    progress.rewritten += 1
                else:
                    progress.skipped += 1
        last = rows[-1][pk]
        report(progress)
    return False


class ProgressBar:
    """One line per table on a terminal, redrawn in place; occasional lines otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.started = time.monotonic()
        self.last_line = 0.0

    def __call__(self, p: TableProgress, final: bool = False) -> None:
        done = p.rewritten + p.skipped
        total = max(p.remaining_before, done, 1)
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = (f"  {p.table:<24} [{'#' * filled}{'-' * (width - filled)}] "
                f"{done:>9,}/{total:,}  {rate:,.0f} rows/s")
        if self.tty:
            self.out.write("\r" + line + ("\n" if final else ""))
            self.out.flush()
        elif final or time.monotonic() - self.last_line >= 5:
            self.out.write(line + "\n")
            self.out.flush()
            self.last_line = time.monotonic()


async def rotate(*, batch: int = BATCH, out: TextIO = sys.stderr,
                 stop: asyncio.Event | None = None) -> RotationResult:
    """Re-encrypt every protected value not under the current key (``batt keys rotate``)."""
    ring = keyring()
    stop = stop or asyncio.Event()
    result = RotationResult(key_id=ring.current.id)
    for model, names in encrypted_models():
        progress = TableProgress(model._meta.db_table,
                                 await count_stale(model, names, ring.current.id))
        result.tables.append(progress)
        bar = ProgressBar(out)
        bar(progress)
        finished = await _rotate_table(ring, model, names, progress, stop, bar, batch)
        bar(progress, final=True)
        if not finished:
            result.interrupted = True
            break
    for model, names in encrypted_models():
        result.remaining += await count_stale(model, names, ring.current.id)
    return result


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event):
    """First Ctrl-C/SIGTERM: finish the batch under way and stop. Second: stop at once."""
    loop = asyncio.get_running_loop()
    installed = []

    def handler(signum: int) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nstopping after this batch (again to abort it) …", file=sys.stderr)

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, handler, signum)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
