"""Generate the approximate demo boundaries of Kota Batu (run once; the output is committed).

No official boundary file is available offline, so the demo areas are built deterministically:
an approximate city outline, a Voronoi tessellation of approximate desa/kelurahan centre
points clipped to it, and each kecamatan as the union of its villages. The result tiles the
city without gaps or overlaps; every feature says ``"approximate": true``. A real deployment
imports the official files with ``batt areas import``.

    .venv/bin/python -m backend.geo.data.make_demo_areas
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.polygon import orient

HERE = Path(__file__).resolve().parent
PRECISION = 1e-6  # ~0.1 m; shared edges keep identical vertices after snapping

# (lon, lat), clockwise from the north-west; inside lat −7.95…−7.75, lon 112.45…112.60.
CITY_OUTLINE: tuple[tuple[float, float], ...] = (
    (112.495, -7.770), (112.505, -7.755), (112.545, -7.750), (112.575, -7.775),
    (112.585, -7.810), (112.575, -7.845), (112.598, -7.875), (112.600, -7.900),
    (112.585, -7.915), (112.565, -7.935), (112.540, -7.950), (112.515, -7.940),
    (112.495, -7.920), (112.470, -7.900), (112.452, -7.880), (112.460, -7.855),
    (112.480, -7.830), (112.490, -7.795),
)

# kecamatan → [(name, kind, lat, lon)] — approximate village centres.
VILLAGES: dict[str, list[tuple[str, str, float, float]]] = {
    "Batu": [
        ("Sisir", "kelurahan", -7.8745, 112.5195),
        ("Ngaglik", "kelurahan", -7.8665, 112.5275),
        ("Temas", "kelurahan", -7.8785, 112.5385),
        ("Songgokerto", "kelurahan", -7.8790, 112.4900),
        ("Oro-Oro Ombo", "desa", -7.9080, 112.5120),
        ("Pesanggrahan", "desa", -7.8880, 112.5220),
        ("Sidomulyo", "desa", -7.8590, 112.5340),
        ("Sumberejo", "desa", -7.8705, 112.5510),
    ],
    "Bumiaji": [
        ("Bulukerto", "desa", -7.8250, 112.5480),
        ("Bumiaji", "desa", -7.8470, 112.5400),
        ("Giripurno", "desa", -7.8330, 112.5650),
        ("Gunungsari", "desa", -7.8450, 112.5080),
        ("Pandanrejo", "desa", -7.8540, 112.5560),
        ("Punten", "desa", -7.8380, 112.5250),
        ("Sumber Brantas", "desa", -7.7700, 112.5300),
        ("Sumbergondo", "desa", -7.8000, 112.5550),
        ("Tulungrejo", "desa", -7.8080, 112.5150),
    ],
    "Junrejo": [
        ("Dadaprejo", "kelurahan", -7.8980, 112.5840),
        ("Beji", "desa", -7.9010, 112.5500),
        ("Junrejo", "desa", -7.8900, 112.5640),
        ("Mojorejo", "desa", -7.8940, 112.5390),
        ("Pendem", "desa", -7.9130, 112.5680),
        ("Tlekung", "desa", -7.9280, 112.5400),
        ("Torongrejo", "desa", -7.8760, 112.5720),
    ],
}

CITY_CODE = "kota-batu"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def district_code(district: str) -> str:
    return f"kec-{slug(district)}"


def village_code(district: str, village: str) -> str:
    return f"{slug(district)}-{slug(village)}"


def _polygon(geom: shapely.Geometry, what: str) -> Polygon:
    if not isinstance(geom, Polygon) or geom.is_empty or not geom.is_valid:
        raise SystemExit(f"{what}: expected one valid polygon, got {geom.geom_type}")
    return orient(geom, sign=1.0)  # RFC 7946: exterior rings counter-clockwise


def build() -> dict[str, list[dict]]:
    city = Polygon(CITY_OUTLINE)
    centres = [
        (district, name, kind, Point(lon, lat))
        for district, villages in VILLAGES.items()
        for name, kind, lat, lon in villages
    ]
    for _, name, _, point in centres:
        if not city.contains(point):
            raise SystemExit(f"{name} centre lies outside the city outline")
    cells = shapely.voronoi_polygons(
        MultiPoint([p for *_, p in centres]), extend_to=city.buffer(0.1), ordered=True
    )
    villages: dict[str, Polygon] = {}
    for (district, name, _, point), cell in zip(centres, cells.geoms, strict=True):
        clipped = shapely.set_precision(cell.intersection(city), PRECISION)
        villages[village_code(district, name)] = _polygon(clipped, name)
        if not villages[village_code(district, name)].contains(point):
            raise SystemExit(f"{name}: centre not inside its own cell")
    districts = {
        district_code(district): _polygon(
            shapely.set_precision(
                shapely.union_all([villages[village_code(district, v[0])] for v in rows]),
                PRECISION,
            ),
            district,
        )
        for district, rows in VILLAGES.items()
    }
    city_area = _polygon(
        shapely.set_precision(shapely.union_all(list(districts.values())), PRECISION), "city"
    )
    _check_tiling(list(villages.values()), city_area)
    _check_tiling(list(districts.values()), city_area)

    def feature(code: str, name: str, geom: Polygon, **props: object) -> dict:
        return {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name, **props, "approximate": True},
            "geometry": mapping(geom),
        }

    return {
        "city": [feature(CITY_CODE, "Kota Batu", city_area, kind="kota")],
        "kecamatan": [
            feature(district_code(d), d, districts[district_code(d)], kind="kecamatan",
                    parent=CITY_CODE)
            for d in VILLAGES
        ],
        "desa": [
            feature(
                village_code(d, name), name, villages[village_code(d, name)], kind=kind,
                parent=district_code(d), centre=[lon, lat],
            )
            for d, rows in VILLAGES.items()
            for name, kind, lat, lon in rows
        ],
    }


def _check_tiling(parts: list[Polygon], whole: Polygon) -> None:
    total = sum(p.area for p in parts)
    if abs(total - whole.area) > 1e-9:
        raise SystemExit(f"pieces do not tile the whole: {total} vs {whole.area}")
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            if a.intersection(b).area > 1e-12:
                raise SystemExit("two demo areas overlap")


def main() -> None:
    for level, features in build().items():
        path = HERE / f"kota_batu_{level}.geojson"
        collection = {
            "type": "FeatureCollection",
            "name": f"Kota Batu {level} (approximate demo boundaries)",
            "features": features,
        }
        path.write_text(json.dumps(collection, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path.name}: {len(features)} features")


if __name__ == "__main__":
    main()
