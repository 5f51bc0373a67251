"""``batt places import FILE.geojson|csv``: places from a file (an OpenStreetMap export, an
agency's spreadsheet), each row checked by the same rules as the editors' form, published for
the SKPD named. Idempotent by the rows' external id: a second run changes nothing (rows whose
values are the same are "unchanged"), a corrected file updates what changed (with a revision
each). Each row is its own unit of work: a rejected row is reported with its reasons and the
rest go in.

GeoJSON: Point features; properties ``id`` (or the feature's ``id``), ``name``, ``name_en``,
``category`` (codes separated by ``;``), ``address``, ``phone``, ``website``,
``description``, ``description_en``, ``approximate``, ``facilities`` (``;``-separated) and
``opening_hours`` (the API's OpeningHoursInput as JSON). CSV: the same columns plus ``lat`` and
``lon`` (``external_id`` for the id).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from among_kota.content import services as editorial
from among_kota.content.models import ContentStatus
from among_kota.errors import KotaErrorCode as C
from among_kota.places.models import Place
from among_kota.places.services import PLACES, clean_place
from backend.accounts.models import Skpd
from backend.errors import ServiceError


@dataclass
class Rejected:
    row: int  # 1-based: the feature's position, or the CSV line
    external_id: str | None
    reasons: list[str]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.created + self.updated + self.unchanged


def _codes(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [c.strip() for c in str(value or "").replace(",", ";").split(";") if c.strip()]


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "ya")


def _row(props: dict[str, Any], lat: Any, lon: Any, external_id: Any) -> dict[str, Any]:
    def text(name: str) -> Any:
        value = props.get(name)
        return value if value not in ("", None) else None

    return {
        "external_id": str(external_id).strip() if external_id not in (None, "") else None,
        "name": {"id": text("name"), "en": text("name_en")},
        "description": {"id": text("description"), "en": text("description_en")},
        "address": text("address"), "phone": text("phone"), "website": text("website"),
        "lat": lat, "lon": lon, "category_codes": _codes(props.get("category")),
        "location_approximate": _truthy(props.get("approximate")),
        "slug": text("slug"),
        "opening_hours": _hours(props.get("opening_hours")),
        "facilities": _codes(props.get("facilities")),
    }


def _hours(value: Any) -> Any:
    """Opening hours as the API takes them (``{"periods": [...], "specialDays": [...],
    "closedOnHolidays": …}``): an object in GeoJSON, its JSON text in a CSV cell."""
    if isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            return {"periods": "not JSON"}
    return value or None


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(row number, the row's input — or why it cannot be one)."""
    if path.suffix.lower() in (".geojson", ".json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise ValueError("not a GeoJSON FeatureCollection")
        for number, feature in enumerate(features, start=1):
            geometry = (feature or {}).get("geometry") or {}
            props = (feature or {}).get("properties") or {}
            coordinates = geometry.get("coordinates")
            if geometry.get("type") != "Point" or not isinstance(coordinates, list) \
                    or len(coordinates) < 2:
                yield number, "geometry: a Point is needed"
                continue
            yield number, _row(props, coordinates[1], coordinates[0],
                               props.get("id", feature.get("id")))
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, props in enumerate(csv.DictReader(handle), start=2):
                try:
                    lat, lon = float(props.get("lat") or ""), float(props.get("lon") or "")
                except ValueError:
                    yield number, "lat/lon: numbers are needed"
                    continue
                yield number, _row(props, lat, lon, props.get("external_id") or props.get("id"))
    else:
        raise ValueError("the file must be .geojson or .csv")


def _reasons(exc: ServiceError) -> list[str]:
    return [f"{e.field or '-'}: {e.code.message('en', **e.params)} [{e.code.value}]"
            for e in exc.errors]


async def import_places(path: Path, skpd_code: str, *, publish: bool = True,
                        progress: Callable[[ImportReport, int], None] | None = None
                        ) -> ImportReport:
    skpd = await Skpd.get_or_none(code=skpd_code)
    if skpd is None:
        raise ServiceError(C.UNKNOWN_SKPD, "skpd", skpd=skpd_code)
    rows = list(read_rows(path))
    report = ImportReport()
    for number, row in rows:
        if isinstance(row, str):
            report.rejected.append(Rejected(number, None, [row]))
        elif not row["external_id"]:
            report.rejected.append(Rejected(number, None, ["id: every row needs an id"]))
        else:
            try:
                await _import_one(row, skpd, publish, report)
            except ServiceError as exc:
                report.rejected.append(Rejected(number, row["external_id"], _reasons(exc)))
        if progress is not None:
            progress(report, len(rows))
    return report


async def _import_one(row: dict[str, Any], skpd: Skpd, publish: bool,
                      report: ImportReport) -> None:
    existing = await Place.get_or_none(external_id=row["external_id"][:120])
    # The import acts for the SKPD it names (a command-line operator's decision), as an
    # editor of everything: the owner of an existing place does not change.
    content = await clean_place(row, item_id=existing.id if existing else None)
    if existing is None:
        place = await editorial.save_draft(PLACES, None, None, content, skpd_code=None,
                                           owner=skpd)
        if publish:
            await editorial.publish(PLACES, None, place.id, as_system=True)
        report.created += 1
        return
    before = existing.draft if existing.draft is not None else existing.content
    if before == content and (existing.status == ContentStatus.PUBLISHED or not publish):
        report.unchanged += 1
        return
    await editorial.save_draft(PLACES, None, existing.id, content, as_system=True)
    if publish:
        await editorial.publish(PLACES, None, existing.id, as_system=True)
    report.updated += 1
