"""Geo: the areas (kecamatan/desa) of Kota Batu and spatial SQL."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="geo",
    apps=(DomainApp("geo", "backend.geo.models", "backend.geo.migrations"),),
    queries=("backend.geo.graphql.queries:GeoQueries",),
    depends_on=("accounts",),
)
