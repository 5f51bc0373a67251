"""GeoJSON feed of public complaints for map layers (RFC 7946: lon, lat order).

It speaks GraphQL's dialect (``publicComplaints``): the same parameter names, the same enum
spellings, the same refusals::

    GET /feeds/complaints.geojson?bbox=south,west,north,east
        [&categoryCodes=sampah,jalan_rusak][&statuses=SUBMITTED,VERIFIED]

List parameters take comma-separated values, repeated parameters, or both. Statuses are the
``ComplaintStatus`` enum names (any letter case). ``category`` and ``status`` are accepted as
older aliases of ``categoryCodes`` and ``statuses``. An unknown category or status, like a bad
bbox, is a 400 with a GraphQL-shaped error: ``extensions.code`` BAD_USER_INPUT and a
``reason`` (invalid_bbox, unknown_category, unknown_status) naming the field and the values.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from among_warga import listing, spatial
from among_warga.errors import ComplaintErrorCode as Code
from among_warga.events import CategoryEvent, ComplaintEvent
from among_warga.models import ComplaintStatus
from among_warga.visibility import View, public_views
from backend.errors import ServiceError
from backend.graphql.core import bad_input_response
from backend.i18n import localized, preferred_language
from backend.read_cache import cached_public_route

FEED_LIMIT = 500


def _values(request: Request, name: str, alias: str) -> list[str]:
    raw = request.query_params.getlist(name) + request.query_params.getlist(alias)
    return [v.strip() for item in raw for v in item.split(",") if v.strip()]


def _bbox(raw: str | None) -> tuple[float, float, float, float]:
    try:
        south, west, north, east = (float(x) for x in (raw or "").split(","))
    except ValueError:
        raise ServiceError(Code.INVALID_BBOX, "bbox") from None
    if not spatial.valid_bbox(south, west, north, east):
        raise ServiceError(Code.INVALID_BBOX, "bbox")
    return (south, west, north, east)


def _statuses(values: list[str]) -> list[ComplaintStatus] | None:
    by_name = {s.name: s for s in ComplaintStatus}
    unknown = [v for v in values if v.upper() not in by_name]
    if unknown:
        raise ServiceError(Code.UNKNOWN_STATUS, "statuses", statuses=", ".join(unknown))
    return [by_name[v.upper()] for v in dict.fromkeys(values)] or None


@cached_public_route(invalidated_by=(*ComplaintEvent, CategoryEvent.SAVED))
async def complaints_geojson(request: Request) -> JSONResponse:
    try:
        bbox = _bbox(request.query_params.get("bbox"))
        statuses = _statuses(_values(request, "statuses", "status"))
        category_ids = await listing.category_ids_for(
            _values(request, "categoryCodes", "category"))
    except ServiceError as exc:
        return bad_input_response(exc, request)
    rows = await spatial.public_in_bbox(bbox, category_ids, statuses,
                                        before_id=None, limit=FEED_LIMIT)
    language = preferred_language(request.headers.get("accept-language"))
    features = [_feature(view, language) for view in public_views(rows)]
    return JSONResponse(
        {"type": "FeatureCollection", "features": features},
        media_type="application/geo+json",
        headers={"Vary": "Accept-Language"},
    )


def _feature(view: View, language: str) -> dict[str, Any]:
    c = view.complaint
    lat, lon = view.location()
    return {
        "type": "Feature",
        "id": str(c.id),  # as the GraphQL ID
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "ticketNumber": c.ticket_number,
            "status": c.status.name,
            "categoryCode": c.category.code,
            "categoryName": localized(c.category, "name", language),
            "villageName": c.village_name,
            "districtName": c.district_name,
            "supportCount": c.support_count,
            "createdAt": c.created_at.isoformat(),
            "approximateLocation": c.category.sensitive_location,
        },
    }


routes = [Route("/feeds/complaints.geojson", complaints_geojson)]
