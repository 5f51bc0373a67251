"""The GeoJSON input scalar now lives with the platform's geo types (Among Kota's city
conditions take geometries too); re-exported for the farming domain's existing imports."""

from backend.geo.graphql.scalars import GeoJSONGeometry

__all__ = ["GeoJSONGeometry"]
