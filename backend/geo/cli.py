"""``batt areas import FILE.geojson --level LEVEL``: load official (or demo) boundaries."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from backend.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    areas = sub.add_parser("areas", help="administrative areas (kecamatan, desa) and boundaries")
    areas_sub = areas.add_subparsers(dest="areas_command", required=True)
    load = areas_sub.add_parser(
        "import",
        help="import a GeoJSON FeatureCollection of one level; re-import updates by code",
    )
    load.add_argument("file", type=Path)
    load.add_argument("--level", required=True, choices=["city", "district", "village"],
                      help="district = kecamatan, village = desa/kelurahan")
    load.add_argument("--name-property", default="name")
    load.add_argument("--code-property", default="code",
                      help="stable code (falls back to the feature's id)")
    load.add_argument("--parent-property",
                      help="property holding the parent area's code; without it the parent "
                      "is the area of the level above that contains the feature")
    load.set_defaults(func=cmd_areas_import)


def cmd_areas_import(args: argparse.Namespace, settings: Settings) -> int:
    from backend import db
    from backend.errors import ServiceError
    from backend.geo import services
    from backend.geo.models import AreaLevel

    async def work() -> services.ImportReport:
        await db.init_db(settings)
        try:
            return await services.import_features(
                services.read_geojson(args.file),
                AreaLevel(args.level),
                name_property=args.name_property,
                code_property=args.code_property,
                parent_property=args.parent_property,
                progress=lambda line: print(f"  {line}", flush=True),
            )
        finally:
            await db.close_db()

    print(f"Importing {args.file} as {args.level} areas …")
    try:
        report = asyncio.run(work())
    except ServiceError as exc:
        for error in exc.errors:
            print(f"error: {error.code.message('en', **error.params)} [{error.code.value}]",
                  file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    print(f"Done: {report.created} created, {report.updated} updated, "
          f"{report.unchanged} unchanged, {len(report.repaired)} geometries repaired.")
    return 0
