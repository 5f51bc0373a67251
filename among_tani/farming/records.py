"""The farm registry: parcels, plantings and harvests, kept by the farmer from the app or by
the village's extension officer (PPL) for a farmer without a smartphone — every row records
who entered it. Who may do which is :mod:`among_tani.farming.visibility`'s decision."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from among_tani import audience as tani_audience
from among_tani.farming import registry_port as registry
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.events import FarmingEvent
from among_tani.farming.models import Harvest, Parcel, Planting, Tenure
from among_tani.farming.visibility import FarmPolicy
from backend.accounts.models import Role, Skpd, User
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import valid_lat_lon
from backend.geo.models import Area, AreaLevel
from backend.geo.services import locate
from backend.text import TextRule

MAX_PARCEL_HA = Decimal(500)
# A declared area may differ from the drawn polygon's by at most this share.
AREA_TOLERANCE = Decimal("0.20")
MAX_VERTICES = 2000
HA = Decimal("0.0001")

NAME = TextRule(max=100, too_long=Code.INVALID_NAME, required=Code.INVALID_NAME,
                invalid=Code.INVALID_NAME, single_line=True)
SHORT = TextRule(max=100, too_long=Code.INVALID_NAME, invalid=Code.INVALID_NAME,
                 single_line=True)


def geodesic_area_ha(polygon: Polygon) -> Decimal:
    """Area on the WGS84 ellipsoid (Karney), holes subtracted, in hectares."""

    def ring_m2(coords: Any) -> float:
        ring = Geodesic.WGS84.Polygon()
        for lon, lat in list(coords)[:-1]:
            ring.AddPoint(lat, lon)
        _, _, area = ring.Compute(False, True)
        return abs(area)

    m2 = ring_m2(polygon.exterior.coords) - sum(ring_m2(i.coords) for i in polygon.interiors)
    return (Decimal(str(m2)) / Decimal(10_000)).quantize(HA, ROUND_HALF_UP)


def parse_polygon(value: Any) -> Polygon:
    """An RFC 7946 Polygon (a geometry or a Feature holding one, as an object or JSON text),
    valid and not crossing itself; INVALID_GEOMETRY / SELF_INTERSECTING otherwise."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason="not JSON") from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason="needs type Polygon")
    rings = value.get("coordinates")
    if (not isinstance(rings, list) or not rings
            or sum(len(r) if isinstance(r, list) else 0 for r in rings) > MAX_VERTICES):
        raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason="needs 1 to "
                           f"{MAX_VERTICES} positions")
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ServiceError(Code.INVALID_GEOMETRY, "geometry",
                               reason="a ring needs at least 4 positions")
        for position in ring:
            if (not isinstance(position, list) or len(position) < 2
                    or not valid_lat_lon(position[1], position[0])):
                raise ServiceError(Code.INVALID_GEOMETRY, "geometry",
                                   reason="positions are [longitude, latitude] in degrees")
        if ring[0][:2] != ring[-1][:2]:
            raise ServiceError(Code.INVALID_GEOMETRY, "geometry",
                               reason="a ring must end where it starts")
    try:
        polygon = shape({"type": "Polygon", "coordinates": [[p[:2] for p in r] for r in rings]})
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason=str(exc)) from None
    if not polygon.is_valid:
        why = explain_validity(polygon)
        if "intersection" in why.lower():
            raise ServiceError(Code.SELF_INTERSECTING, "geometry")
        raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason=why)
    if polygon.is_empty or polygon.area <= 0:
        raise ServiceError(Code.INVALID_GEOMETRY, "geometry", reason="no area")
    return orient(polygon, sign=1.0)


async def _city_covers(polygon: Polygon) -> bool:
    cities = await Area.filter(level=AreaLevel.CITY).values_list("boundary", flat=True)
    return any(shape(json.loads(b)).covers(polygon) for b in cities)


async def _village_at(lat: float, lon: float, field: str) -> Area:
    location = await locate(lat, lon)
    if location is None or location.city is None or location.village is None:
        raise ServiceError(Code.OUTSIDE_CITY, field)
    return location.village


def _area(value: Any, field: str = "areaHa") -> Decimal:
    try:
        area = Decimal(str(value))
    except Exception:
        raise ServiceError(Code.INVALID_AREA, field, max=MAX_PARCEL_HA) from None
    if not area.is_finite() or area <= 0 or area > MAX_PARCEL_HA:
        raise ServiceError(Code.INVALID_AREA, field, max=MAX_PARCEL_HA)
    return area.quantize(HA, ROUND_HALF_UP)


@dataclass(frozen=True)
class ParcelInput:
    name: str
    tenure: Tenure
    geometry: Any = None
    lat: float | None = None
    lon: float | None = None
    area_ha: Decimal | None = None


@dataclass(frozen=True)
class PlacedParcel:
    geometry: str | None
    lat: float
    lon: float
    area_ha: Decimal
    village: Area


async def place_parcel(data: ParcelInput) -> PlacedParcel:
    """Check where a parcel lies and how large it is: a polygon (valid, inside Kota Batu, a
    declared area within 20 % of it) or a point in Kota Batu with an area."""
    if data.geometry is not None:
        polygon = parse_polygon(data.geometry)
        measured = geodesic_area_ha(polygon)
        if data.area_ha is not None:
            given = _area(data.area_ha)
            if measured <= 0 or abs(given - measured) > AREA_TOLERANCE * measured:
                raise ServiceError(Code.AREA_MISMATCH, "areaHa", given=given,
                                   measured=measured)
            area = given
        else:
            area = _area(measured, "geometry")
        if not await _city_covers(polygon):
            raise ServiceError(Code.OUTSIDE_CITY, "geometry")
        inside = polygon.representative_point()
        village = await _village_at(inside.y, inside.x, "geometry")
        text = json.dumps(mapping(polygon), separators=(",", ":"))
        return PlacedParcel(text, inside.y, inside.x, area, village)
    if data.lat is None or data.lon is None:
        raise ServiceError(Code.LOCATION_REQUIRED, "geometry")
    if not valid_lat_lon(data.lat, data.lon):
        raise ServiceError(Code.INVALID_COORDINATES, "lat")
    if data.area_ha is None:
        raise ServiceError(Code.INVALID_AREA, "areaHa", max=MAX_PARCEL_HA)
    area = _area(data.area_ha)
    village = await _village_at(float(data.lat), float(data.lon), "lat")
    return PlacedParcel(None, float(data.lat), float(data.lon), area, village)


async def _farmer_for(policy: FarmPolicy, farmer_id: int | None) -> User:
    """The farmer the records are for: the caller, or (for a PPL or distan) the one named."""
    caller = policy.principal
    assert caller is not None
    if farmer_id is None or farmer_id == caller.user.id:
        return caller.user
    farmer = await User.get_or_none(id=farmer_id, is_active=True,
                                    roles__role=Role.FARMER)
    if farmer is None:
        raise ServiceError(Code.FARMER_NOT_FOUND, "farmerId")
    return farmer


async def add_parcel(policy: FarmPolicy, data: ParcelInput, *, farmer_id: int | None = None,
                     import_key: str | None = None) -> Parcel:
    name = NAME.clean(data.name, field="name", required=True)
    farmer = await _farmer_for(policy, farmer_id)
    placed = await place_parcel(data)
    if not policy.may_keep_farm(farmer.id, placed.village.id):
        raise ServiceError(Code.OUTSIDE_OFFICER_VILLAGES, "farmerId")
    async with unit_of_work():
        parcel = await Parcel.create(
            farmer=farmer, name=name, geometry=placed.geometry, lat=placed.lat,
            lon=placed.lon, area_ha=placed.area_ha, tenure=data.tenure,
            village_id=placed.village.id, entered_by_id=policy.user_id,
            updated_by_id=policy.user_id, import_key=import_key,
        )
    parcel.village = placed.village
    return parcel


async def visible_parcel(policy: FarmPolicy, parcel_id: int, field: str = "parcelId"
                         ) -> Parcel:
    parcel = await Parcel.get_or_none(id=parcel_id)
    if parcel is None or not policy.sees_farm(parcel.farmer_id, parcel.village_id):
        raise ServiceError(Code.NOT_FOUND, field)
    return parcel


async def update_parcel(policy: FarmPolicy, parcel_id: int, data: ParcelInput) -> Parcel:
    parcel = await visible_parcel(policy, parcel_id, "id")
    name = NAME.clean(data.name, field="name", required=True)
    placed = await place_parcel(data)
    if not policy.may_keep_farm(parcel.farmer_id, placed.village.id):
        raise ServiceError(Code.OUTSIDE_OFFICER_VILLAGES, "geometry")
    planted = max([p.area_ha for p in await Planting.filter(parcel_id=parcel.id)],
                  default=Decimal(0))
    if planted > placed.area_ha:
        raise ServiceError(Code.PLANTING_LARGER_THAN_PARCEL, "areaHa", area=planted,
                           parcel=placed.area_ha)
    async with unit_of_work():
        await Parcel.filter(id=parcel.id).update(
            name=name, geometry=placed.geometry, lat=placed.lat, lon=placed.lon,
            area_ha=placed.area_ha, tenure=data.tenure, village_id=placed.village.id,
            updated_by_id=policy.user_id,
        )
        await Planting.filter(parcel_id=parcel.id).update(village_id=placed.village.id)
        if placed.village.id != parcel.village_id:
            await _record_farm_event(FarmingEvent.PARCEL_MOVED, "parcel", parcel.id,
                                     parcel.farmer_id, policy.user_id,
                                     villageId=placed.village.id)
    await parcel.refresh_from_db()
    return parcel


# -- plantings and harvests -----------------------------------------------------------------


@dataclass(frozen=True)
class PlantingInput:
    parcel_id: int
    commodity_code: str
    area_ha: Decimal
    planted_on: date
    expected_harvest_on: date
    variety: str = ""
    expected_yield: Decimal | None = None
    yield_unit: str | None = None


async def add_planting(policy: FarmPolicy, data: PlantingInput) -> Planting:
    parcel = await visible_parcel(policy, data.parcel_id)
    problems: list[FieldError] = []
    commodity = await registry.commodity((data.commodity_code or "").strip())
    if commodity is None:
        problems.append(FieldError(Code.UNKNOWN_COMMODITY, "commodityCode",
                                   commodity=data.commodity_code))
    variety = SHORT.clean(data.variety, field="variety")
    try:
        area = _area(data.area_ha)
    except ServiceError as exc:
        problems += exc.errors
        area = None
    if area is not None and area > parcel.area_ha:
        problems.append(FieldError(Code.PLANTING_LARGER_THAN_PARCEL, "areaHa", area=area,
                                   parcel=parcel.area_ha))
    if data.expected_harvest_on <= data.planted_on:
        problems.append(FieldError(Code.INVALID_DATES, "expectedHarvestOn"))
    base = None
    if data.expected_yield is not None:
        if data.expected_yield <= 0:
            problems.append(FieldError(Code.INVALID_QUANTITY, "expectedYield"))
        elif commodity is not None:
            unit = data.yield_unit or commodity.base_unit
            if unit not in commodity.units:
                problems.append(FieldError(Code.UNIT_NOT_ALLOWED, "yieldUnit", unit=unit,
                                           allowed=", ".join(commodity.units)))
            else:
                base = commodity.to_base(data.expected_yield, unit)
    if problems:
        raise ServiceError(problems)
    assert commodity is not None and area is not None
    async with unit_of_work():
        planting = await Planting.create(
            parcel=parcel, farmer_id=parcel.farmer_id, village_id=parcel.village_id,
            commodity_code=commodity.code, variety=variety, area_ha=area,
            planted_on=data.planted_on, expected_harvest_on=data.expected_harvest_on,
            expected_yield=data.expected_yield,
            yield_unit=(data.yield_unit or commodity.base_unit)
            if data.expected_yield is not None else None,
            expected_yield_base=base, base_unit=commodity.base_unit if base is not None
            else None, entered_by_id=policy.user_id,
        )
        await _record_farm_event(FarmingEvent.PLANTING_RECORDED, "planting", planting.id,
                                 parcel.farmer_id, policy.user_id,
                                 commodityCode=commodity.code, villageId=parcel.village_id)
    return planting


@dataclass(frozen=True)
class HarvestInput:
    planting_id: int
    harvested_on: date
    quantity: Decimal
    unit: str
    grade: str = ""


async def record_harvest(policy: FarmPolicy, data: HarvestInput) -> Harvest:
    planting = await Planting.get_or_none(id=data.planting_id)
    if planting is None or not policy.sees_farm(planting.farmer_id, planting.village_id):
        raise ServiceError(Code.NOT_FOUND, "plantingId")
    problems: list[FieldError] = []
    if data.harvested_on < planting.planted_on:
        problems.append(FieldError(Code.HARVEST_BEFORE_PLANTING, "harvestedOn",
                                   planted=planting.planted_on.isoformat()))
    if data.quantity is None or data.quantity <= 0:
        problems.append(FieldError(Code.INVALID_QUANTITY, "quantity"))
    commodity = await registry.commodity(planting.commodity_code)
    if commodity is not None and data.unit not in commodity.units:
        problems.append(FieldError(Code.UNIT_NOT_ALLOWED, "unit", unit=data.unit,
                                   allowed=", ".join(commodity.units)))
    grade = ""
    try:
        grade = SHORT.clean(data.grade, field="grade")[:32]
    except ServiceError as exc:
        problems += exc.errors
    if problems:
        raise ServiceError(problems)
    async with unit_of_work():
        harvest = await Harvest.create(
            planting=planting, farmer_id=planting.farmer_id, harvested_on=data.harvested_on,
            quantity=data.quantity, unit=data.unit, grade=grade, entered_by_id=policy.user_id,
        )
        await _record_farm_event(FarmingEvent.HARVEST_RECORDED, "harvest", harvest.id,
                                 planting.farmer_id, policy.user_id,
                                 commodityCode=planting.commodity_code,
                                 villageId=planting.village_id)
    return harvest


async def _record_farm_event(event: FarmingEvent, subject_type: str, subject_id: int,
                             farmer_id: int, actor_id: int, **payload: Any) -> None:
    """A change to the public outlooks, last in the caller's unit of work: the farmer and
    distan hear it; the payload holds a commodity and a village, nothing personal."""
    distan = await Skpd.filter(code=registry.DISTAN).values_list("id", flat=True)
    await tani_audience.record(
        event, subject_type=subject_type, subject_id=subject_id,
        audience=sorted({tani_audience.user_key(farmer_id),
                         *(tani_audience.skpd_key(i) for i in distan)}),
        actor_id=actor_id, payload=payload)


def rounded(value: float, places: int = 2) -> float:
    factor = 10 ** places
    return math.floor(value * factor + 0.5) / factor


__all__ = ["GeoErrorCode"]
