"""Coordinates, geodesic distances and bounding boxes on the WGS84 ellipsoid.

Distances use GeographicLib's geodesic inverse (Karney 2013) — the algorithm PostGIS uses
for ``geography`` distances on the spheroid — so SQLite and PostGIS agree to well under a
millimetre, not merely within the 1 m the contract tests allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

from backend.errors import ServiceError
from backend.geo.errors import GeoErrorCode

_WGS84 = Geodesic.WGS84
# Shortest ground length of one degree of latitude (at the equator) and of longitude at the
# equator, in metres, lowered a little: a box built from them always contains the circle.
_MIN_METRES_PER_DEGREE_LAT = 110_500.0
_METRES_PER_DEGREE_LON_EQUATOR = 111_300.0
_BOX_MARGIN = 1.01
# Beyond this radius, or this close to a pole, the box spans all longitudes.
_WIDE_RADIUS_M = 1_000_000.0
_POLAR_LAT = 80.0


@dataclass(frozen=True)
class Bbox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def valid_lat_lon(lat: float, lon: float) -> bool:
    return (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    )


def check_lat_lon(lat: float, lon: float, field: str | None = None) -> tuple[float, float]:
    """Return the point as floats, or raise INVALID_COORDINATES (NaN, ±inf, out of range)
    about ``field``, or else about whichever of ``lat``/``lon`` is wrong."""
    if not valid_lat_lon(lat, lon):
        if field is None:
            field = "lon" if valid_lat_lon(lat, 0.0) else "lat"
        raise ServiceError(GeoErrorCode.INVALID_COORDINATES, field)
    return float(lat), float(lon)


def check_bbox(south: float, west: float, north: float, east: float) -> Bbox:
    # Boxes crossing the antimeridian are refused: Kota Batu's map never needs one.
    if not (valid_lat_lon(south, west) and valid_lat_lon(north, east)) or not (
        south < north and west < east
    ):
        raise ServiceError(GeoErrorCode.INVALID_BBOX)
    return Bbox(float(south), float(west), float(north), float(east))


def geodesic_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


def bbox_around(lat: float, lon: float, radius_m: float) -> Bbox:
    """A lat/lon box that surely contains every point within ``radius_m`` (geodesic)."""
    dlat = radius_m / _MIN_METRES_PER_DEGREE_LAT * _BOX_MARGIN
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(south), abs(north))
    if radius_m >= _WIDE_RADIUS_M or widest >= _POLAR_LAT:
        return Bbox(south, -180.0, north, 180.0)
    dlon = radius_m / (_METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(widest)))
    dlon *= _BOX_MARGIN
    if lon - dlon < -180.0 or lon + dlon > 180.0:
        return Bbox(south, -180.0, north, 180.0)
    return Bbox(south, lon - dlon, north, lon + dlon)
