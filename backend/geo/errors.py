from __future__ import annotations

from backend.errors import ErrorCode, messages


class GeoErrorCode(ErrorCode):
    INVALID_COORDINATES = "invalid_coordinates"
    OUTSIDE_CITY = "outside_city"
    INVALID_RADIUS = "invalid_radius"
    INVALID_BBOX = "invalid_bbox"
    INVALID_ZOOM = "invalid_zoom"
    INVALID_LIMIT = "invalid_limit"
    INVALID_GEOJSON = "invalid_geojson"
    INVALID_GEOMETRY = "invalid_geometry"
    PARENT_NOT_FOUND = "parent_not_found"


C = GeoErrorCode
messages(
    {
        C.INVALID_COORDINATES: (
            "Koordinat tidak valid: lintang harus −90…90 dan bujur −180…180 derajat. "
            "Aktifkan GPS lalu coba lagi.",
            "Invalid coordinates: latitude must be −90…90 and longitude −180…180 degrees. "
            "Turn on GPS and try again.",
        ),
        C.OUTSIDE_CITY: (
            "Lokasi berada di luar Kota Batu. Pilih titik di dalam wilayah Kota Batu.",
            "This location is outside Kota Batu. Pick a point inside the city.",
        ),
        C.INVALID_RADIUS: (
            "Radius harus lebih dari 0 dan paling banyak {max_m} meter.",
            "The radius must be above 0 and at most {max_m} metres.",
        ),
        C.INVALID_BBOX: (
            "Batas peta tidak valid: selatan < utara, barat < timur, dalam rentang koordinat.",
            "Invalid map bounds: south < north and west < east, within coordinate ranges.",
        ),
        C.INVALID_ZOOM: ("Zoom peta harus 0…22.", "The map zoom must be 0…22."),
        C.INVALID_LIMIT: (
            "Jumlah hasil harus 1…{max}.",
            "The number of results must be 1…{max}.",
        ),
        C.INVALID_GEOJSON: (
            "Berkas GeoJSON tidak dapat dibaca: {reason}.",
            "The GeoJSON file cannot be read: {reason}.",
        ),
        C.INVALID_GEOMETRY: (
            "Fitur {feature}: geometri bukan poligon yang dapat diperbaiki ({reason}).",
            "Feature {feature}: the geometry is not a repairable polygon ({reason}).",
        ),
        C.PARENT_NOT_FOUND: (
            "Fitur {feature}: wilayah induk '{parent}' belum ada. Impor tingkat di atasnya dulu.",
            "Feature {feature}: parent area '{parent}' does not exist. Import the level above "
            "first.",
        ),
    }
)
