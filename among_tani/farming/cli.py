"""``batt farmers import FILE.csv [--rejects OUT.csv]`` (see among_tani.farming.importer)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from pathlib import Path

from backend.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    farmers = sub.add_parser("farmers", help="the Among Tani farmer registry")
    farmers_sub = farmers.add_subparsers(dest="farmers_command", required=True)
    load = farmers_sub.add_parser(
        "import", help="load a by-name-by-address farmer list (CSV); idempotent")
    load.add_argument("file", type=Path)
    load.add_argument("--rejects", type=Path,
                      help="also write the rejected rows with their reasons to this CSV")
    load.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from among_tani.farming.importer import ImportFileError, import_farmers, progress_bar
    from backend import db

    async def work():
        await db.init_db(settings)
        try:
            return await import_farmers(args.file, progress=progress_bar(sys.stderr))
        finally:
            await db.close_db()

    print(f"Importing farmers from {args.file} …")
    try:
        report = asyncio.run(work())
    except ImportFileError as exc:
        print(f"error: {exc}. Nothing was imported.", file=sys.stderr)
        return 2
    for rejected in report.rejected:
        print(f"  line {rejected.line} ({rejected.name or '?'}): "
              + "; ".join(rejected.reasons))
    if args.rejects and report.rejected:
        with args.rejects.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "name", "reasons"])
            for rejected in report.rejected:
                writer.writerow([rejected.line, rejected.name, "; ".join(rejected.reasons)])
    print(f"Done: {report.rows} rows — {report.created} created, {report.updated} updated, "
          f"{report.unchanged} unchanged, {len(report.rejected)} rejected; "
          f"{report.parcels} parcels written.")
    return 1 if report.rejected else 0
