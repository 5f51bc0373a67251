"""Spatial queries over any table of points with lat/lon columns, on PostGIS and SQLite.

Declare the table once, give it a spatial index in a migration
(:func:`backend.geo.indexes.add_point_index`), then ask::

    COMPLAINTS = point_table(
        "complaint",
        sa.Column("category_code", sa.String),
        sa.Column("status", sa.String),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )
    hits = await within_radius(
        COMPLAINTS, lat, lon, 50,
        where=[COMPLAINTS.c.category_code == "sampah", COMPLAINTS.c.created_at >= since],
    )

``where`` takes SQLAlchemy Core conditions on the declared columns. Every query is filtered
through the spatial index — GiST on PostgreSQL, the R*Tree on SQLite — never a full scan, and
both return the same answers: distances are geodesic on the WGS84 ellipsoid (PostGIS
``geography`` on one side, GeographicLib on the other, the same algorithm), ties broken by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from geoalchemy2 import Geography, Geometry

from backend import db
from backend.errors import ServiceError
from backend.geo.errors import GeoErrorCode
from backend.geo.geodesy import Bbox, bbox_around, check_bbox, check_lat_lon
from backend.geo.indexes import point_column, rtree_name
from backend.geo.sql import GEODESIC_FUNCTION, fetch_all
from backend.pagination import Cursor, KeyKind, SortKey, keyset_condition, sqlalchemy_after

MAX_RADIUS_M = 200_000.0
MAX_LIMIT = 1000
MAX_ZOOM = 22
# Grid cells per 256-px map tile side: a cluster covers about 64×64 px on screen.
CLUSTER_CELLS_PER_TILE = 4
# k-nearest on SQLite searches growing circles: first radius and growth factor.
_KNN_FIRST_RADIUS_M = 250.0
_KNN_GROWTH = 4.0
_KNN_WIDEST_M = 20_100_000.0  # half the Earth's circumference: everything

Condition = sa.ColumnElement[bool]


@dataclass(frozen=True)
class PointTable:
    """A table of points as the spatial queries see it (see :func:`point_table`)."""

    table: sa.Table
    id: sa.Column
    lat: sa.Column
    lon: sa.Column
    geo_point: sa.Column  # PostgreSQL only: the generated PostGIS column
    rtree: sa.Table  # SQLite only: the R*Tree

    @property
    def c(self) -> sa.ColumnCollection:
        return self.table.c


@dataclass(frozen=True)
class PointHit:
    id: int
    lat: float
    lon: float
    distance_m: float | None = None  # set by radius and nearest queries


@dataclass(frozen=True)
class Cluster:
    lat: float  # mean position of the points in the cluster
    lon: float
    count: int
    bbox: Bbox  # of the points, for "zoom to cluster"
    id: int | None  # the point's id when the cluster is a single point


def point_table(
    name: str,
    *columns: sa.Column,
    id_column: str = "id",
    lat_column: str = "lat",
    lon_column: str = "lon",
    index: str | None = None,
) -> PointTable:
    """Declare a table of points; ``columns`` are the extra columns callers filter on.
    ``index`` picks a second point index of the table (see
    :func:`backend.geo.indexes.add_point_index`), over ``lat_column``/``lon_column``."""
    metadata = sa.MetaData()
    geo_column = point_column(index)
    table = sa.Table(
        name,
        metadata,
        sa.Column(id_column, sa.Integer, primary_key=True),
        sa.Column(lat_column, sa.Float),
        sa.Column(lon_column, sa.Float),
        sa.Column(geo_column, Geometry("POINT", srid=4326, spatial_index=False)),
        *columns,
    )
    rtree = sa.Table(
        rtree_name(name, index),
        metadata,
        *(sa.Column(c, sa.Float) for c in ("id", "min_lat", "max_lat", "min_lon", "max_lon")),
    )
    return PointTable(
        table=table,
        id=table.c[id_column],
        lat=table.c[lat_column],
        lon=table.c[lon_column],
        geo_point=table.c[geo_column],
        rtree=rtree,
    )


# -- building blocks ------------------------------------------------------------------------


def _postgres() -> bool:
    return db.dialect() == "postgres"


def _check_limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ServiceError(GeoErrorCode.INVALID_LIMIT, "first", max=MAX_LIMIT)
    return limit


def _indexed_in_box(points: PointTable, box: Bbox, select: sa.Select) -> sa.Select:
    """Restrict ``select`` to the box through the spatial index, then exactly on lat/lon."""
    if _postgres():
        envelope = sa.func.ST_MakeEnvelope(box.west, box.south, box.east, box.north, 4326)
        select = select.where(points.geo_point.op("&&")(envelope))
    else:
        rt = points.rtree
        select = select.join(rt, rt.c.id == points.id).where(
            rt.c.min_lat <= box.north,
            rt.c.max_lat >= box.south,
            rt.c.min_lon <= box.east,
            rt.c.max_lon >= box.west,
        )
    # The index stores boxes rounded outwards (float32); the columns decide.
    return select.where(points.lat.between(box.south, box.north),
                        points.lon.between(box.west, box.east))


def _distance_to(points: PointTable, lat: float, lon: float) -> sa.ColumnElement[float]:
    if _postgres():
        here = sa.cast(sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326), Geography)
        # geography distance: WGS84 spheroid (use_spheroid defaults to true)
        return sa.func.ST_Distance(sa.cast(points.geo_point, Geography), here)
    return getattr(sa.func, GEODESIC_FUNCTION)(points.lat, points.lon, lat, lon)


def _hits(rows: Iterable[dict]) -> list[PointHit]:
    return [
        PointHit(
            id=int(r["id"]), lat=float(r["lat"]), lon=float(r["lon"]),
            distance_m=None if r.get("distance_m") is None else float(r["distance_m"]),
        )
        for r in rows
    ]


def _radius_select(
    points: PointTable, lat: float, lon: float, radius_m: float, where: Sequence[Condition]
) -> sa.Select:
    distance = _distance_to(points, lat, lon).label("distance_m")
    inner = _indexed_in_box(
        points,
        bbox_around(lat, lon, radius_m),
        sa.select(points.id.label("id"), points.lat.label("lat"), points.lon.label("lon"),
                  distance).select_from(points.table),
    ).where(*where)
    if _postgres():
        # OFFSET 0 keeps PostgreSQL from inlining the subquery, so the spheroid distance is
        # computed once per candidate rather than once in WHERE and again in SELECT.
        inner = inner.offset(0)
    sub = inner.subquery("near")
    return sa.select(sub.c.id, sub.c.lat, sub.c.lon, sub.c.distance_m).where(
        sub.c.distance_m <= float(radius_m)
    )


def radius_select(
    points: PointTable, lat: float, lon: float, radius_m: float,
    where: Sequence[Condition] = (),
) -> sa.Select:
    """``id, lat, lon, distance_m`` of the points within ``radius_m`` metres (through the
    spatial index), unordered: a subquery for lists that filter by distance but sort by
    something else (price, date). Sorted by distance, use :func:`nearest_after`."""
    lat, lon = check_lat_lon(lat, lon)
    return _radius_select(points, lat, lon, _check_radius(radius_m), where)


def _check_radius(radius_m: float) -> float:
    if not (isinstance(radius_m, int | float) and math.isfinite(radius_m)
            and 0 < radius_m <= MAX_RADIUS_M):
        raise ServiceError(GeoErrorCode.INVALID_RADIUS, "radius", max_m=int(MAX_RADIUS_M))
    return float(radius_m)


# -- the operations -------------------------------------------------------------------------


async def within_radius(
    points: PointTable,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    where: Sequence[Condition] = (),
    limit: int = 100,
    offset: int = 0,
) -> list[PointHit]:
    """Points within ``radius_m`` metres (geodesic) of the point, nearest first."""
    lat, lon = check_lat_lon(lat, lon)
    radius_m = _check_radius(radius_m)
    limit, offset = _check_limit(limit), max(0, int(offset))
    if _postgres():
        # A page is at most offset + limit points, however many the circle holds (a 500 m
        # circle in a dense table holds thousands): bound the circle by the page's k-nearest
        # first, so the exact spheroid ranking touches about one page of rows.
        bound = await _knn_bound(points, lat, lon, offset + limit, where)
        if bound is None:
            return []
        radius_m = min(radius_m, bound)
    return await _within_radius(points, lat, lon, radius_m, where, limit, offset)


async def _knn_bound(
    points: PointTable, lat: float, lon: float, k: int, where: Sequence[Condition]
) -> float | None:
    """PostgreSQL: a radius that holds the k geodesically nearest points (None: no points).

    The GiST index orders by planar distance (<->), which is not the geodesic order; but the
    geodesic distances of *any* k points bound the k nearest, and these k are close to them."""
    here = sa.func.ST_SetSRID(sa.func.ST_MakePoint(lon, lat), 4326)
    candidates = (
        sa.select(_distance_to(points, lat, lon).label("distance_m"))
        .where(points.geo_point.isnot(None), *where)
        .order_by(points.geo_point.op("<->")(here))
        .limit(k)
    )
    rows = await fetch_all(candidates)
    return max(float(r["distance_m"]) for r in rows) if rows else None


async def _within_radius(
    points: PointTable, lat: float, lon: float, radius_m: float,
    where: Sequence[Condition], limit: int, offset: int,
) -> list[PointHit]:
    sub = _radius_select(points, lat, lon, radius_m, where).subquery("hits")
    statement = (
        sa.select(sub)
        .order_by(sub.c.distance_m, sub.c.id)
        .limit(limit)
        .offset(offset)
    )
    return _hits(await fetch_all(statement))


async def nearest_after(
    points: PointTable,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    where: Sequence[Condition] = (),
    after: Cursor | None = None,
    limit: int = 100,
    where_in_circle: Sequence[Condition] | None = None,
) -> list[PointHit]:
    """Points within ``radius_m`` metres, nearest first (ties by id), after the position
    ``after`` (the distance and id of the last point of the previous page): keyset pages for
    a list sorted by distance (:data:`BY_DISTANCE`), which stay right while points are added
    and cost the same however deep the page.

    ``where_in_circle``: the same conditions as ``where`` written for a small circle (row by
    row rather than through another index, e.g. ``backend.search.matches(indexed=False)``),
    used on PostgreSQL once the k-nearest bound has shrunk the circle to about one page."""
    lat, lon = check_lat_lon(lat, lon)
    radius_m = _check_radius(radius_m)
    limit = _check_limit(limit)
    small = where if where_in_circle is None else where_in_circle
    if _postgres():
        # As in within_radius: k candidates beyond the position, in index order, bound the
        # k nearest beyond it.
        beyond = [] if after is None else [keyset_condition(
            SortKey(_distance_to(points, lat, lon), KeyKind.FLOAT, id=points.id), after)]
        bound = await _knn_bound(points, lat, lon, limit, [*where, *beyond])
        if bound is None:
            return []
        return await _page_in_circle(points, lat, lon, min(radius_m, bound), small, after,
                                     limit)
    # SQLite: one statement over the whole circle (growing circles, as nearest() does, would
    # make the number of statements depend on how dense the points are).
    return await _page_in_circle(points, lat, lon, radius_m, where, after, limit)


async def _page_in_circle(
    points: PointTable, lat: float, lon: float, radius_m: float, where: Sequence[Condition],
    after: Cursor | None, limit: int,
) -> list[PointHit]:
    sub = _radius_select(points, lat, lon, radius_m, where).subquery("hits")
    sort = SortKey(sub.c.distance_m, KeyKind.FLOAT, id=sub.c.id)
    statement = sqlalchemy_after(sa.select(sub), sort, after).limit(limit)
    return _hits(await fetch_all(statement))


def within_radius_condition(
    points: PointTable, lat: float, lon: float, radius_m: float
) -> Condition:
    """"Within ``radius_m`` metres (geodesic) of the point" as a condition on ``points``'
    rows, through the spatial index — for lists sorted by something else than distance (a
    name, a date) that also filter by a circle."""
    lat, lon = check_lat_lon(lat, lon)
    sub = _radius_select(points, lat, lon, _check_radius(radius_m), ()).subquery("circle")
    return points.id.in_(sa.select(sub.c.id))


# How a connection of PointHits sorted by distance reads its cursors (see nearest_after).
BY_DISTANCE = SortKey("distance_m", KeyKind.FLOAT)


async def count_within_radius(
    points: PointTable, lat: float, lon: float, radius_m: float,
    *, where: Sequence[Condition] = (),
) -> int:
    lat, lon = check_lat_lon(lat, lon)
    sub = _radius_select(points, lat, lon, _check_radius(radius_m), where).subquery("hits")
    rows = await fetch_all(sa.select(sa.func.count().label("n")).select_from(sub))
    return int(rows[0]["n"])


async def nearest(
    points: PointTable,
    lat: float,
    lon: float,
    k: int = 10,
    *,
    where: Sequence[Condition] = (),
    max_distance_m: float | None = None,
) -> list[PointHit]:
    """The ``k`` points nearest to the point (geodesic), nearest first, ties by id."""
    lat, lon = check_lat_lon(lat, lon)
    k = _check_limit(k)
    ceiling = _KNN_WIDEST_M if max_distance_m is None else _check_radius(max_distance_m)
    if _postgres():
        # k candidates in index order bound the k nearest; a radius query ranks them exactly.
        bound = await _knn_bound(points, lat, lon, k, where)
        if bound is None:
            return []
        return await _within_radius(points, lat, lon, min(bound, ceiling), where, k, 0)
    # SQLite: the R*Tree has no nearest-neighbour search; grow a circle until it holds k
    # points (then it holds the k nearest) or reaches the ceiling.
    radius = min(_KNN_FIRST_RADIUS_M, ceiling)
    while True:
        hits = await _within_radius(points, lat, lon, radius, where, k, 0)
        if len(hits) >= k or radius >= ceiling:
            return hits
        radius = min(radius * _KNN_GROWTH, ceiling)


async def in_bbox(
    points: PointTable,
    south: float,
    west: float,
    north: float,
    east: float,
    *,
    where: Sequence[Condition] = (),
    limit: int = 100,
    before_id: int | None = None,
) -> list[PointHit]:
    """Points inside the box, newest (highest id) first; page with ``before_id`` = the last
    id of the previous page (keyset pagination, like ``backend.graphql.core.paginate``)."""
    box = check_bbox(south, west, north, east)
    statement = _indexed_in_box(
        points, box,
        sa.select(points.id.label("id"), points.lat.label("lat"), points.lon.label("lon"))
        .select_from(points.table),
    ).where(*where)
    if before_id is not None:
        statement = statement.where(points.id < before_id)
    statement = statement.order_by(points.id.desc()).limit(_check_limit(limit))
    return _hits(await fetch_all(statement))


async def count_in_bbox(
    points: PointTable, south: float, west: float, north: float, east: float,
    *, where: Sequence[Condition] = (),
) -> int:
    box = check_bbox(south, west, north, east)
    statement = _indexed_in_box(
        points, box, sa.select(sa.func.count().label("n")).select_from(points.table)
    ).where(*where)
    return int((await fetch_all(statement))[0]["n"])


def cluster_cell_degrees(zoom: int) -> float:
    return 360.0 / (2**zoom) / CLUSTER_CELLS_PER_TILE


async def clusters(
    points: PointTable,
    south: float,
    west: float,
    north: float,
    east: float,
    zoom: int,
    *,
    where: Sequence[Condition] = (),
) -> list[Cluster]:
    """Points in the box grouped on a grid fixed to the globe (so clusters stay put while
    the map pans); the cell is about 64 screen pixels at ``zoom`` (web-map zoom levels)."""
    box = check_bbox(south, west, north, east)
    if not isinstance(zoom, int) or not 0 <= zoom <= MAX_ZOOM:
        raise ServiceError(GeoErrorCode.INVALID_ZOOM, "zoom")
    cell = cluster_cell_degrees(zoom)
    # Cell numbers are computed in a subquery and grouped outside it: grouping by the
    # expression would bind ``cell`` twice, and PostgreSQL sees two different expressions.
    cells = (
        _indexed_in_box(
            points, box,
            sa.select(
                sa.func.floor((points.lon + 180.0) / cell).label("gx"),
                sa.func.floor((points.lat + 90.0) / cell).label("gy"),
                points.id.label("id"), points.lat.label("lat"), points.lon.label("lon"),
            ).select_from(points.table),
        )
        .where(*where)
        .subquery("cells")
    )
    statement = (
        sa.select(
            sa.func.count().label("n"),
            sa.func.avg(cells.c.lat).label("lat"),
            sa.func.avg(cells.c.lon).label("lon"),
            sa.func.min(cells.c.lat).label("south"),
            sa.func.max(cells.c.lat).label("north"),
            sa.func.min(cells.c.lon).label("west"),
            sa.func.max(cells.c.lon).label("east"),
            sa.func.min(cells.c.id).label("first_id"),
        )
        .group_by(cells.c.gy, cells.c.gx)
        .order_by(cells.c.gy, cells.c.gx)
    )
    return [
        Cluster(
            lat=float(r["lat"]), lon=float(r["lon"]), count=int(r["n"]),
            bbox=Bbox(float(r["south"]), float(r["west"]), float(r["north"]), float(r["east"])),
            id=int(r["first_id"]) if int(r["n"]) == 1 else None,
        )
        for r in await fetch_all(statement)
    ]
