"""``GET /feeds/conditions.geojson``: the city's current conditions as an RFC 7946
FeatureCollection — one Feature per current notice (its geometry; properties in the client's
language, ``Accept-Language`` or ``?lang=en``) and, as the foreign member ``openReports``, the
open public Among Warga reports counted per village and category. ``?bbox=south,west,north,east``
narrows both. Served from the public-read cache with an ETag (304 on ``If-None-Match``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from among_kota.conditions.graphql.queries import CONDITION_CHANGES
from among_kota.conditions.models import ConditionNotice
from among_kota.conditions.services import current_notices
from among_warga.api.counts import open_report_counts
from backend.errors import ServiceError
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import Bbox, check_bbox
from backend.graphql.core import bad_input_response
from backend.i18n import localized, preferred_language
from backend.markdown import plain_text
from backend.read_cache import cached_public_route


def _bbox(raw: str | None) -> Bbox | None:
    if raw is None:
        return None
    try:
        south, west, north, east = (float(x) for x in raw.split(","))
    except ValueError:
        raise ServiceError(GeoErrorCode.INVALID_BBOX, "bbox") from None
    return check_bbox(south, west, north, east)


def _feature(notice: ConditionNotice, language: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(notice.id),  # as the GraphQL ID
        "geometry": notice.geometry,
        "properties": {
            "kind": notice.kind.value,
            "severity": notice.severity.value,
            "title": localized(notice, "title", language),
            "summary": plain_text(localized(notice, "body", language) or "", 300),
            "validFrom": notice.valid_from.isoformat(),
            "validUntil": notice.valid_until.isoformat() if notice.valid_until else None,
            "skpdCode": notice.skpd.code,
        },
    }


@cached_public_route(invalidated_by=CONDITION_CHANGES)
async def conditions_geojson(request: Request) -> Response:
    try:
        bbox = _bbox(request.query_params.get("bbox"))
    except ServiceError as exc:
        return bad_input_response(exc, request)
    language = request.query_params.get("lang") or preferred_language(
        request.headers.get("accept-language"))
    language = "en" if language == "en" else "id"
    counts = await open_report_counts(bbox)
    return JSONResponse(
        {"type": "FeatureCollection",
         "features": [_feature(n, language) for n in await current_notices(bbox)],
         "openReports": [
             {"villageCode": c.village_code, "villageName": c.village_name,
              "categoryCode": c.category_code,
              "categoryName": localized(c, "category_name", language), "count": c.count}
             for c in counts]},
        media_type="application/geo+json",
        headers={"Vary": "Accept-Language"},
    )


routes = [Route("/feeds/conditions.geojson", conditions_geojson)]
