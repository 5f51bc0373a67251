from __future__ import annotations

import json

from among_kota.content.models import Revision
from among_kota.places.importer import import_places
from among_kota.places.models import Place
from backend.events.models import DomainEvent


def feature(external_id, name, lon, lat, category="tourism", **props):
    return {"type": "Feature", "id": external_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, "category": category, **props}}


async def test_geojson_import_reports_rejected_rows_and_is_idempotent(tmp_path):
    path = tmp_path / "places.geojson"
    collection = {"type": "FeatureCollection", "features": [
        feature("osm:node/1", "Selecta", 112.5256, -7.8196, approximate="yes",
                name_en="Selecta Recreation Park"),
        feature("osm:node/2", "Apotek Kimia Farma Batu", 112.5252, -7.8707, "pharmacy"),
        feature("osm:node/3", "Tempat di Malang", 112.63, -7.98),
        feature("osm:node/4", "Kasino", 112.52, -7.87, "casino"),
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []},
         "properties": {"name": "Jalan"}},
    ]}
    path.write_text(json.dumps(collection))
    seen = []
    report = await import_places(path, "dispar", progress=lambda r, total: seen.append(total))
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [(r.row, r.external_id) for r in report.rejected] == [
        (3, "osm:node/3"), (4, "osm:node/4"), (5, None)]
    assert "outside_map" in report.rejected[0].reasons[0]
    assert "casino" in report.rejected[1].reasons[0]
    assert "Point" in report.rejected[2].reasons[0]
    assert seen == [5] * 5
    selecta = await Place.get(external_id="osm:node/1")
    assert selecta.location_approximate and selecta.name_en == "Selecta Recreation Park"
    events = await DomainEvent.all().count()
    revisions = await Revision.all().count()

    again = await import_places(path, "dispar")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert await DomainEvent.all().count() == events
    assert await Revision.all().count() == revisions

    collection["features"][0]["properties"]["name"] = "Selecta Batu"
    path.write_text(json.dumps(collection))
    changed = await import_places(path, "dispar")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert (await Place.get(external_id="osm:node/1")).name_id == "Selecta Batu"
    assert await Place.all().count() == 2


async def test_csv_import(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(
        "external_id,name,name_en,category,lat,lon,address,phone\n"
        "dinkes:1,Puskesmas Batu,Batu Community Health Centre,puskesmas,-7.8747,112.5236,"
        "Jl. Samadi,0341 591 036\n"
        "dinkes:2,Puskesmas Tanpa Titik,,puskesmas,,,,\n")
    report = await import_places(path, "dispar")
    assert report.created == 1
    assert [(r.row, r.reasons) for r in report.rejected] == [
        (3, ["lat/lon: numbers are needed"])]
    place = await Place.get(external_id="dinkes:1")
    assert place.phone == "+62341591036"


async def test_the_demo_places_import_cleanly_and_are_labelled_approximate(gql):
    from among_kota.demo import DEMO_PLACES

    report = await import_places(DEMO_PLACES, "dispar")
    assert report.rejected == [] and report.created == 20
    assert await Place.filter(location_approximate=False).count() == 0
    body = await gql("""{ places(categoryCodes: ["health"], sort: NAME, first: 50) {
        edges { node { name locationApproximate description } } } }""")
    names = [e["node"]["name"] for e in body["data"]["places"]["edges"]]
    assert "RSUD Karsa Husada" in names and "Puskesmas Batu" in names
    assert all("perkiraan" in e["node"]["description"]
               for e in body["data"]["places"]["edges"])
