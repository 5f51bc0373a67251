"""Among Kota's text rules and bilingual values, shared by every kind of content."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from among_kota.errors import KotaErrorCode as C
from backend.errors import ServiceError
from backend.geo.geodesy import Bbox, valid_lat_lon
from backend.markdown import MAX_MARKDOWN_CHARS
from backend.text import TextRule

NAME = TextRule(max=200, too_long=C.NAME_TOO_LONG, required=C.NAME_REQUIRED,
                invalid=C.INVALID_TEXT, single_line=True)
LINE = TextRule(max=300, too_long=C.TEXT_TOO_LONG, invalid=C.INVALID_TEXT, single_line=True)
MARKDOWN = TextRule(max=MAX_MARKDOWN_CHARS, too_long=C.TEXT_TOO_LONG, invalid=C.INVALID_TEXT)
TAG = TextRule(max=40, too_long=C.TEXT_TOO_LONG, invalid=C.INVALID_TEXT, single_line=True)

# What the city's map shows (BRIEF: lat −7.95 … −7.75, lon 112.45 … 112.60): content points
# outside it are mistakes (a swapped sign, a point in Malang).
MAP_BOUNDS = Bbox(south=-7.95, west=112.45, north=-7.75, east=112.60)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def _get(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def bilingual(value: Any, rule: TextRule, field: str, *, required: bool = False
              ) -> dict[str, str | None]:
    """``{id, en}`` cleaned by ``rule``: Indonesian (required when ``required``), English
    optional (``None`` when empty)."""
    indonesian = rule.clean(_get(value, "id"), field=f"{field}.id", required=required)
    english = rule.clean(_get(value, "en"), field=f"{field}.en") or None
    return {"id": indonesian, "en": english}


def check_point(lat: Any, lon: Any, field: str = "lat") -> tuple[float, float]:
    if lat is None or lon is None or not valid_lat_lon(lat, lon):
        raise ServiceError(C.INVALID_COORDINATES, field)
    if not MAP_BOUNDS.contains(lat, lon):
        raise ServiceError(C.OUTSIDE_MAP, field, south=MAP_BOUNDS.south, north=MAP_BOUNDS.north,
                           west=MAP_BOUNDS.west, east=MAP_BOUNDS.east)
    return float(lat), float(lon)


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80].strip("-")
    return slug or "item"


def check_slug(value: Any, field: str = "slug") -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ServiceError(C.INVALID_SLUG, field)
    return value


def check_url(value: Any, field: str) -> str | None:
    text = LINE.clean(value, field=field)
    if not text:
        return None
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", text, re.IGNORECASE):
        raise ServiceError(C.INVALID_URL, field)
    return text
