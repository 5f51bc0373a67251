"""Areas: which desa/kecamatan a point lies in, and importing boundaries from GeoJSON."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.prepared import PreparedGeometry, prep
from tortoise.transactions import in_transaction

from backend import db
from backend.errors import FieldError, ServiceError
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import check_lat_lon
from backend.geo.indexes import AREA_COLUMN, rtree_name
from backend.geo.models import Area, AreaLevel
from backend.geo.sql import fetch_all

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_ORDER = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.VILLAGE)
PARENT_LEVEL = {AreaLevel.DISTRICT: AreaLevel.CITY, AreaLevel.VILLAGE: AreaLevel.DISTRICT}

# -- finding areas by point -----------------------------------------------------------------

_metadata = sa.MetaData()
_areas = sa.Table(
    "geo_area", _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("level", sa.String),
    sa.Column("boundary", sa.Text),
    sa.Column("boundary_hash", sa.String),
    sa.Column(AREA_COLUMN, Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
)
_areas_rtree = sa.Table(
    rtree_name("geo_area"), _metadata,
    *(sa.Column(c, sa.Float) for c in ("id", "min_lat", "max_lat", "min_lon", "max_lon")),
)

# SQLite: boundaries parsed and prepared once per content hash (a re-import changes the hash).
_PREPARED_CACHE_SIZE = 4096
_prepared: OrderedDict[str, PreparedGeometry] = OrderedDict()


def _prepared_boundary(boundary_hash: str, boundary: str | None) -> PreparedGeometry | None:
    cached = _prepared.get(boundary_hash)
    if cached is not None:
        _prepared.move_to_end(boundary_hash)
        return cached
    if boundary is None:
        return None
    geometry = prep(shape(json.loads(boundary)))
    _prepared[boundary_hash] = geometry
    if len(_prepared) > _PREPARED_CACHE_SIZE:
        _prepared.popitem(last=False)
    return geometry


def area_candidates_statement(lat: float, lon: float) -> sa.Select:
    """SQLite: areas whose bounding box holds the point, through the R*Tree."""
    rt = _areas_rtree
    return (
        sa.select(_areas.c.id, _areas.c.boundary_hash)
        .select_from(rt.join(_areas, _areas.c.id == rt.c.id))
        .where(rt.c.min_lat <= lat, rt.c.max_lat >= lat,
               rt.c.min_lon <= lon, rt.c.max_lon >= lon)
    )


async def area_ids_at(lat: float, lon: float) -> list[int]:
    """Ids of the areas (any level) whose boundary covers the point (edges included)."""
    lat, lon = check_lat_lon(lat, lon)
    if db.dialect() == "postgres":
        here = sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326)
        rows = await fetch_all(
            sa.select(_areas.c.id).where(sa.func.ST_Covers(_areas.c[AREA_COLUMN], here))
        )
        return [int(r["id"]) for r in rows]
    candidates = await fetch_all(area_candidates_statement(lat, lon))
    missing = [r["id"] for r in candidates if r["boundary_hash"] not in _prepared]
    boundaries: dict[int, str] = {}
    if missing:
        rows = await fetch_all(
            sa.select(_areas.c.id, _areas.c.boundary).where(_areas.c.id.in_(missing))
        )
        boundaries = {r["id"]: r["boundary"] for r in rows}
    here = Point(lon, lat)
    found = []
    for row in candidates:
        geometry = _prepared_boundary(row["boundary_hash"], boundaries.get(row["id"]))
        if geometry is not None and geometry.covers(here):
            found.append(int(row["id"]))
    return found


async def areas_at(lat: float, lon: float) -> list[Area]:
    """The areas covering the point, city first, then kecamatan, then desa/kelurahan."""
    ids = await area_ids_at(lat, lon)
    if not ids:
        return []
    areas = await Area.filter(id__in=ids)
    return sorted(areas, key=lambda a: (LEVEL_ORDER.index(a.level), a.code))


@dataclass(frozen=True)
class Location:
    city: Area | None
    district: Area | None
    village: Area | None

    @property
    def most_specific(self) -> Area | None:
        return self.village or self.district or self.city


async def locate(lat: float, lon: float) -> Location | None:
    """City, kecamatan and desa/kelurahan of a point; None when no area covers it."""
    by_level: dict[AreaLevel, Area] = {}
    for area in await areas_at(lat, lon):
        by_level.setdefault(area.level, area)  # on a shared edge: the first by code
    if not by_level:
        return None
    return Location(
        city=by_level.get(AreaLevel.CITY),
        district=by_level.get(AreaLevel.DISTRICT),
        village=by_level.get(AreaLevel.VILLAGE),
    )


async def require_in_city(lat: float, lon: float, field: str | None = None) -> Location:
    """The location of a point that must lie in Kota Batu (a complaint, a farm, a task).

    Raises ServiceError INVALID_COORDINATES (NaN, infinite, out of range) or OUTSIDE_CITY
    (no city-level area covers the point — also when no areas have been imported)."""
    lat, lon = check_lat_lon(lat, lon, field)
    location = await locate(lat, lon)
    if location is None or location.city is None:
        raise ServiceError(GeoErrorCode.OUTSIDE_CITY, field)
    return location


def area_feature(area: Area) -> dict[str, Any]:
    """The area as an RFC 7946 Feature (lon/lat order)."""
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": json.loads(area.boundary),
        "properties": {
            **(area.properties or {}),
            "code": area.code,
            "name": area.name,
            "level": area.level.value,
        },
    }


# -- importing boundaries -------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Feature:
    code: str
    name: str
    parent_code: str | None
    properties: dict[str, Any]
    geometry: MultiPolygon
    repaired: bool


def _invalid(feature: str, reason: str) -> FieldError:
    return FieldError(GeoErrorCode.INVALID_GEOMETRY, None, feature=feature, reason=reason)


def repair_polygons(geometry: shapely.Geometry) -> tuple[MultiPolygon, bool]:
    """Make a polygonal geometry valid (``make_valid``), keep its polygonal parts, and orient
    rings the RFC 7946 way. Returns the result and whether anything had to change."""
    valid = geometry if geometry.is_valid else shapely.make_valid(geometry)
    parts: list[Polygon] = []
    for part in getattr(valid, "geoms", [valid]):
        if isinstance(part, Polygon):
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(part.geoms)
    parts = [orient(p, sign=1.0) for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        raise ValueError("no polygon area left after repair")
    result = MultiPolygon(parts)
    original = geometry if isinstance(geometry, MultiPolygon) else MultiPolygon(
        [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
    )
    changed = not geometry.is_valid or not shapely.equals_exact(result, original, 0.0)
    return result, changed


def _parse_features(
    collection: Any, *, name_property: str, code_property: str, parent_property: str | None
) -> list[_Feature]:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ServiceError(GeoErrorCode.INVALID_GEOJSON, reason="not a FeatureCollection")
    crs = ((collection.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not any(tag in crs for tag in ("CRS84", "4326")):
        raise ServiceError(GeoErrorCode.INVALID_GEOJSON,
                           reason=f"coordinates must be WGS84 lon/lat, not {crs}")
    parsed: list[_Feature] = []
    problems: list[FieldError] = []
    seen: set[str] = set()
    for index, feature in enumerate(collection.get("features") or [], start=1):
        label = f"#{index}"
        props = dict(feature.get("properties") or {}) if isinstance(feature, dict) else {}
        code = str(props.get(code_property) or feature.get("id") or "").strip()
        name = str(props.get(name_property) or "").strip()
        if code:
            label = f"#{index} ({code})"
        if not code or not name or len(code) > 64 or len(name) > 200:
            problems.append(_invalid(label, f"needs '{code_property}' ≤ 64 and "
                                            f"'{name_property}' ≤ 200 characters"))
            continue
        if code in seen:
            problems.append(_invalid(label, "duplicate code"))
            continue
        seen.add(code)
        try:
            geometry = shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            problems.append(_invalid(label, f"unreadable geometry: {exc}"))
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
            problems.append(_invalid(label, f"{geometry.geom_type} is not a polygon"))
            continue
        west, south, east, north = geometry.bounds
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            problems.append(_invalid(label, "coordinates are not WGS84 lon/lat degrees"))
            continue
        try:
            repaired, changed = repair_polygons(geometry)
        except ValueError as exc:
            problems.append(_invalid(label, str(exc)))
            continue
        parent = props.get(parent_property) if parent_property else None
        parsed.append(_Feature(code, name, str(parent).strip() if parent else None, props,
                               repaired, changed))
    if problems:
        raise ServiceError(problems)
    if not parsed:
        raise ServiceError(GeoErrorCode.INVALID_GEOJSON, reason="no features")
    return parsed


async def _find_parent(item: _Feature, level: AreaLevel) -> Area | None:
    parent_level = PARENT_LEVEL.get(level)
    if parent_level is None:
        return None
    if item.parent_code:
        parent = await Area.get_or_none(code=item.parent_code, level=parent_level)
        if parent is None:
            raise ServiceError(GeoErrorCode.PARENT_NOT_FOUND, feature=item.code,
                               parent=item.parent_code)
        return parent
    # No parent code in the file: the area of the level above that holds this one.
    inside = item.geometry.representative_point()
    for area in await areas_at(inside.y, inside.x):
        if area.level == parent_level:
            return area
    return None


async def import_features(
    collection: Any,
    level: AreaLevel,
    *,
    name_property: str = "name",
    code_property: str = "code",
    parent_property: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import a GeoJSON FeatureCollection of areas of one level; re-importing updates by code.
    Everything is checked first, then written in one transaction: all or nothing."""
    items = _parse_features(collection, name_property=name_property,
                            code_property=code_property, parent_property=parent_property)
    report = ImportReport()
    async with in_transaction():
        for index, item in enumerate(items, start=1):
            parent = await _find_parent(item, level)
            boundary = json.dumps(mapping(item.geometry), separators=(",", ":"))
            west, south, east, north = item.geometry.bounds
            values = {
                "name": item.name,
                "level": level,
                "parent_id": parent.id if parent else None,
                "properties": item.properties,
                "boundary": boundary,
                "boundary_hash": hashlib.sha256(boundary.encode()).hexdigest(),
                "min_lat": south, "max_lat": north, "min_lon": west, "max_lon": east,
            }
            existing = await Area.get_or_none(code=item.code)
            if existing is None:
                await Area.create(code=item.code, **values)
                outcome = "created"
                report.created += 1
            elif all(getattr(existing, k) == v for k, v in values.items()):
                outcome = "unchanged"
                report.unchanged += 1
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                await existing.save()
                outcome = "updated"
                report.updated += 1
            if item.repaired:
                report.repaired.append(item.code)
            if progress:
                note = " (geometry repaired)" if item.repaired else ""
                progress(f"[{index}/{len(items)}] {level.value} {item.code} "
                         f"{item.name}: {outcome}{note}")
    return report


def read_geojson(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError(GeoErrorCode.INVALID_GEOJSON, reason=str(exc)) from exc


DEMO_FILES: tuple[tuple[str, AreaLevel], ...] = (
    ("kota_batu_city.geojson", AreaLevel.CITY),
    ("kota_batu_kecamatan.geojson", AreaLevel.DISTRICT),
    ("kota_batu_desa.geojson", AreaLevel.VILLAGE),
)


async def load_demo_areas(echo: Callable[[str], None] = print) -> dict[AreaLevel, ImportReport]:
    """The approximate demo boundaries of Kota Batu (backend/geo/data, made by
    make_demo_areas.py): the city, 3 kecamatan, 24 desa/kelurahan. Idempotent."""
    reports = {}
    for filename, level in DEMO_FILES:
        reports[level] = await import_features(
            read_geojson(DATA_DIR / filename), level, parent_property="parent"
        )
    counts = ", ".join(
        f"{level.value} {r.created + r.updated + r.unchanged}" for level, r in reports.items()
    )
    echo(f"Areas (approximate demo boundaries): {counts}.")
    return reports

