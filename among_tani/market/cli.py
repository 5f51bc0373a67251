"""``batt prices import FILE.csv``: the Agriculture Office's reference prices (see prices.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from backend.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    prices = sub.add_parser("prices", help="Among Tani reference market prices")
    prices_sub = prices.add_subparsers(dest="prices_command", required=True)
    load = prices_sub.add_parser(
        "import", help="import daily prices from CSV (date, market, commodity, level, unit, "
        "price, source); a re-import replaces the same (date, market, commodity, level)")
    load.add_argument("file", type=Path)
    load.set_defaults(func=cmd_prices_import)


def cmd_prices_import(args: argparse.Namespace, settings: Settings) -> int:
    from among_tani.market.prices import ImportReport, import_prices
    from backend import db
    from backend.crypto.rotate import ProgressBar, TableProgress

    bar = ProgressBar(sys.stderr)

    def progress(done: int, total: int) -> None:
        bar(TableProgress(args.file.name, total, rewritten=done), final=done == total)

    async def work() -> ImportReport:
        await db.init_db(settings)
        try:
            return await import_prices(args.file, progress=progress)
        finally:
            await db.close_db()

    print(f"Importing reference prices from {args.file} …")
    try:
        report = asyncio.run(work())
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    for line, reason in report.rejected:
        print(f"rejected line {line}: {reason}", file=sys.stderr)
    print(f"Done: {report.imported} imported, {len(report.rejected)} rejected.")
    return 1 if report.rejected else 0
