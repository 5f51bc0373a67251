"""Areas of Kota Batu: point lookups, the GraphQL fields, importing GeoJSON."""

from __future__ import annotations

import json
import math

import pytest
from shapely.geometry import shape

from backend.errors import ServiceError
from backend.geo import services
from backend.geo.errors import GeoErrorCode
from backend.geo.models import Area, AreaLevel

DESA = json.loads((services.DATA_DIR / "kota_batu_desa.geojson").read_text())["features"]
MALANG = (-7.98, 112.63)

AREA_AT = """
query($lat: Float!, $lon: Float!) {
  areaAt(lat: $lat, lon: $lon) {
    area { code name level approximate district { code name } city { code name } }
    errors { field code message }
  }
}"""


def test_the_demo_data_names_every_desa_and_kelurahan_of_the_brief():
    names = {f["properties"]["parent"]: set() for f in DESA}
    for f in DESA:
        names[f["properties"]["parent"]].add(f["properties"]["name"])
    assert names == {
        "kec-batu": {"Sisir", "Ngaglik", "Temas", "Songgokerto", "Oro-Oro Ombo",
                     "Pesanggrahan", "Sidomulyo", "Sumberejo"},
        "kec-bumiaji": {"Bulukerto", "Bumiaji", "Giripurno", "Gunungsari", "Pandanrejo",
                        "Punten", "Sumber Brantas", "Sumbergondo", "Tulungrejo"},
        "kec-junrejo": {"Dadaprejo", "Beji", "Junrejo", "Mojorejo", "Pendem", "Tlekung",
                        "Torongrejo"},
    }
    assert all(f["properties"]["approximate"] is True for f in DESA)


async def test_area_at_resolves_a_point_inside_each_of_the_24_villages(demo_areas, gql):
    assert len(DESA) == 24
    for feature in DESA:
        inside = shape(feature["geometry"]).representative_point()
        centre_lon, centre_lat = feature["properties"]["centre"]
        for lat, lon in ((inside.y, inside.x), (centre_lat, centre_lon)):
            body = await gql(AREA_AT, {"lat": lat, "lon": lon})
            result = body["data"]["areaAt"]
            assert result["errors"] == []
            area = result["area"]
            assert area["code"] == feature["properties"]["code"], (feature["id"], lat, lon)
            assert area["level"] == "VILLAGE"
            assert area["approximate"] is True
            assert area["district"]["code"] == feature["properties"]["parent"]
            assert area["city"] == {"code": "kota-batu", "name": "Kota Batu"}


async def test_area_at_is_null_in_malang_and_refuses_impossible_coordinates(demo_areas, gql):
    body = await gql(AREA_AT, {"lat": MALANG[0], "lon": MALANG[1]})
    assert body["data"]["areaAt"] == {"area": None, "errors": []}

    body = await gql(AREA_AT, {"lat": -97.0, "lon": 112.5}, headers={"Accept-Language": "en"})
    errors = body["data"]["areaAt"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("lat", "INVALID_COORDINATES")]
    assert "latitude" in errors[0]["message"]
    body = await gql(AREA_AT, {"lat": -7.9, "lon": 212.5})
    assert body["data"]["areaAt"]["errors"][0]["field"] == "lon"


async def test_areas_by_level_carry_rfc7946_geojson(demo_areas, gql):
    body = await gql("query { areas(level: DISTRICT) { code name parent { code } geojson } }")
    districts = body["data"]["areas"]
    assert [d["name"] for d in districts] == ["Batu", "Bumiaji", "Junrejo"]
    feature = json.loads(districts[1]["geojson"])
    assert feature["type"] == "Feature" and feature["id"] == "kec-bumiaji"
    assert feature["properties"]["approximate"] is True
    assert districts[1]["parent"] == {"code": "kota-batu"}
    ring = feature["geometry"]["coordinates"][0][0]
    lon, lat = ring[0]
    assert 112.45 <= lon <= 112.60 and -7.95 <= lat <= -7.75  # lon first
    assert ring[0] == ring[-1]
    signed = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))
    assert signed > 0  # exterior ring counter-clockwise
    body = await gql("query { areas(level: VILLAGE) { code } }")
    assert len(body["data"]["areas"]) == 24


async def test_require_in_city_returns_the_location_or_a_coded_error(demo_areas):
    location = await services.require_in_city(-7.871, 112.527)
    assert location.city.code == "kota-batu"
    assert location.district.level is AreaLevel.DISTRICT
    assert location.village.parent_id == location.district.id
    with pytest.raises(ServiceError) as outside:
        await services.require_in_city(*MALANG, field="location")
    assert (outside.value.code, outside.value.errors[0].field) == (
        GeoErrorCode.OUTSIDE_CITY, "location")
    for lat, lon in ((math.nan, 112.5), (-7.9, math.inf), (-7.9, -181.0)):
        with pytest.raises(ServiceError) as bad:
            await services.require_in_city(lat, lon)
        assert bad.value.code is GeoErrorCode.INVALID_COORDINATES


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _square(code, name, west, south, size, **props):
    ring = [[west, south], [west + size, south], [west + size, south + size],
            [west, south + size], [west, south]]
    return {"type": "Feature", "properties": {"kode": code, "nama": name, **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


async def test_import_repairs_polygons_and_updates_by_code(demo_areas):
    # A bow-tie (self-intersecting) village drawn clockwise, with no parent code: it gets
    # repaired, oriented, and its kecamatan is found by location.
    bowtie = {"type": "Feature", "properties": {"kode": "test-bowtie", "nama": "Dusun Uji"},
              "geometry": {"type": "Polygon", "coordinates": [[
                  [112.520, -7.870], [112.522, -7.872], [112.522, -7.870],
                  [112.520, -7.872], [112.520, -7.870]]]}}
    lines: list[str] = []
    report = await services.import_features(
        _collection(bowtie), AreaLevel.VILLAGE, name_property="nama", code_property="kode",
        progress=lines.append,
    )
    assert (report.created, report.repaired) == (1, ["test-bowtie"])
    assert lines == ["[1/1] village test-bowtie Dusun Uji: created (geometry repaired)"]
    area = await Area.get(code="test-bowtie").prefetch_related("parent")
    assert area.parent.code == "kec-batu"
    geometry = shape(json.loads(area.boundary))
    assert geometry.is_valid and geometry.geom_type == "MultiPolygon"
    assert len(geometry.geoms) == 2

    moved = _square("test-bowtie", "Dusun Uji Baru", 112.540, -7.910, 0.002)
    report = await services.import_features(
        _collection(moved), AreaLevel.VILLAGE, name_property="nama", code_property="kode")
    assert (report.created, report.updated) == (0, 1)
    assert await Area.filter(code="test-bowtie").count() == 1
    codes = [a.code for a in await services.areas_at(-7.909, 112.541)]
    assert "test-bowtie" in codes
    assert "test-bowtie" not in [a.code for a in await services.areas_at(-7.8705, 112.5205)]
    again = await services.import_features(
        _collection(moved), AreaLevel.VILLAGE, name_property="nama", code_property="kode")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


async def test_import_refuses_bad_files_and_writes_nothing(demo_areas):
    before = await Area.all().count()
    cases = [
        ({"type": "Feature"}, GeoErrorCode.INVALID_GEOJSON),
        (_collection({"type": "Feature", "properties": {"kode": "x", "nama": "X"},
                      "geometry": {"type": "Point", "coordinates": [112.5, -7.9]}}),
         GeoErrorCode.INVALID_GEOMETRY),
        # projected metres, not degrees
        (_collection(_square("utm", "UTM", 670000.0, 9130000.0, 100.0)),
         GeoErrorCode.INVALID_GEOMETRY),
        (_collection(_square("ok", "Baik", 112.50, -7.90, 0.01, induk="no-such-kecamatan")),
         GeoErrorCode.PARENT_NOT_FOUND),
    ]
    for collection, code in cases:
        with pytest.raises(ServiceError) as refused:
            await services.import_features(collection, AreaLevel.VILLAGE, name_property="nama",
                                           code_property="kode", parent_property="induk")
        assert refused.value.code is code
    assert await Area.all().count() == before


async def test_areas_at_lists_every_level_and_nothing_outside(demo_areas):
    levels = [a.level for a in await services.areas_at(-7.871, 112.527)]
    assert levels == [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.VILLAGE]
    assert await services.areas_at(*MALANG) == []
    assert await services.locate(*MALANG) is None
