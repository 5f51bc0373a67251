"""``batt farmers import FILE.csv [--rejects OUT.csv]`` (see among_tani.farming.importer) and
``batt farmers rebuild-outlook [--check]`` (see among_tani.farming.outlook_weeks)."""

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
    outlook = farmers_sub.add_parser(
        "rebuild-outlook",
        help="recompute the weekly harvest outlook sums from the plantings")
    outlook.add_argument("--check", action="store_true",
                         help="only compare them with a recomputation; exit 1 if they differ")
    outlook.set_defaults(func=cmd_rebuild_outlook)


def cmd_rebuild_outlook(args: argparse.Namespace, settings: Settings) -> int:
    from among_tani.farming import outlook_weeks
    from backend import db

    async def work():
        await db.init_db(settings)
        try:
            differences = await outlook_weeks.differences()
            rows = None if args.check else await outlook_weeks.rebuild()
            return differences, rows
        finally:
            await db.close_db()

    differences, rows = asyncio.run(work())
    for d in differences[:20]:
        print(f"  {d.commodity_code} village {d.village_id} week {d.week_start}: "
              f"kept {d.kept}, recomputed {d.recomputed}")
    print(f"{len(differences)} (commodity, village, week) sums differed from the plantings.")
    if args.check:
        return 1 if differences else 0
    print(f"Rebuilt: {rows} (commodity, village, week) rows.")
    return 0


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
