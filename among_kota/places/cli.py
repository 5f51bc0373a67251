"""``batt places import FILE.geojson|csv --skpd CODE``: load places (see importer.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from backend.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    places = sub.add_parser("places", help="Among Kota places")
    places_sub = places.add_subparsers(dest="places_command", required=True)
    load = places_sub.add_parser(
        "import", help="import places from GeoJSON (Point features) or CSV; re-import "
        "updates by external id")
    load.add_argument("file", type=Path)
    load.add_argument("--skpd", required=True, help="the SKPD code that owns new places")
    load.add_argument("--draft", action="store_true",
                      help="leave new and changed places as drafts for editors to publish")
    load.set_defaults(func=cmd_places_import)


def cmd_places_import(args: argparse.Namespace, settings: Settings) -> int:
    from among_kota.places.importer import ImportReport, import_places
    from backend import db
    from backend.crypto.rotate import ProgressBar, TableProgress
    from backend.errors import ServiceError

    bar = ProgressBar(sys.stderr)

    def progress(report: ImportReport, total: int) -> None:
        done = report.done + len(report.rejected)
        bar(TableProgress(args.file.name, total, rewritten=report.done,
                          skipped=len(report.rejected)), final=done == total)

    async def work() -> ImportReport:
        await db.init_db(settings)
        try:
            return await import_places(args.file, args.skpd, publish=not args.draft,
                                       progress=progress)
        finally:
            await db.close_db()

    print(f"Importing places from {args.file} for {args.skpd} …")
    try:
        report = asyncio.run(work())
    except (ServiceError, ValueError, OSError) as exc:
        message = exc.errors[0].code.message("en", **exc.errors[0].params) \
            if isinstance(exc, ServiceError) else str(exc)
        print(f"error: {message}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    for rejected in report.rejected:
        label = f"row {rejected.row}" + (f" ({rejected.external_id})"
                                         if rejected.external_id else "")
        for reason in rejected.reasons:
            print(f"rejected {label}: {reason}", file=sys.stderr)
    print(f"Done: {report.created} created, {report.updated} updated, {report.unchanged} "
          f"unchanged, {len(report.rejected)} rejected.")
    return 1 if report.rejected else 0
