"""GeoJSON feed of public complaints for map layers (RFC 7946: lon, lat order)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from among_warga import spatial
from among_warga.models import ComplaintCategory, ComplaintStatus
from among_warga.visibility import Audience, View

FEED_LIMIT = 500


def _parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    try:
        south, west, north, east = (float(x) for x in (raw or "").split(","))
    except ValueError:
        return None
    return (south, west, north, east) if spatial.valid_bbox(south, west, north, east) else None


async def complaints_geojson(request: Request) -> JSONResponse:
    bbox = _parse_bbox(request.query_params.get("bbox"))
    if bbox is None:
        return JSONResponse(
            {"error": {"code": "invalid_bbox",
                       "message": "bbox=south,west,north,east in WGS84 degrees is required"}},
            status_code=400,
        )
    codes = [c for c in request.query_params.getlist("category") if c]
    try:
        statuses = [ComplaintStatus(s.lower()) for s in request.query_params.getlist("status")]
    except ValueError:
        return JSONResponse({"error": {"code": "invalid_status", "message": "unknown status"}},
                            status_code=400)
    category_ids = None
    if codes:
        category_ids = list(
            await ComplaintCategory.filter(code__in=codes).values_list("id", flat=True)
        )
    rows = await spatial.public_in_bbox(bbox, category_ids, statuses or None,
                                        before_id=None, limit=FEED_LIMIT)
    features = [_feature(View(row, Audience.PUBLIC, None)) for row in rows]
    return JSONResponse(
        {"type": "FeatureCollection", "features": features},
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=30"},
    )


def _feature(view: View) -> dict[str, Any]:
    c = view.complaint
    lat, lon = view.location()
    return {
        "type": "Feature",
        "id": c.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "ticketNumber": c.ticket_number,
            "status": c.status.value,
            "category": c.category.code,
            "categoryName": c.category.name_id,
            "villageName": c.village_name,
            "districtName": c.district_name,
            "supportCount": c.support_count,
            "createdAt": c.created_at.isoformat(),
            "approximateLocation": c.category.sensitive_location,
        },
    }


routes = [Route("/feeds/complaints.geojson", complaints_geojson)]
