"""Migration operations that give a table a spatial index, per dialect.

    from backend.geo.indexes import add_point_index

    class Migration(migrations.Migration):
        dependencies = [("among_warga", "0001_initial")]
        operations = [add_point_index("complaint")]   # columns id, lat, lon by default

PostgreSQL: a STORED generated ``geometry(Point, 4326)`` column built from lat/lon plus a GiST
index — Tortoise keeps writing plain lat/lon and never sees the column. SQLite: an R*Tree
virtual table ``<table>_rtree`` kept in sync by triggers. :func:`backend.geo.spatial.point_table`
declares the same names for queries. Arguments are plain strings so a migration keeps meaning
what it meant when written.

A table may hold a second point (e.g. complaints: the exact spot and the point the public may
see); ``index="public"`` names that second index, so its generated column is
``geo_point_public`` and its R*Tree ``<table>_public_rtree``, beside the first one's.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations import operations as ops

POINT_COLUMN = "geo_point"
AREA_COLUMN = "geom"


def rtree_name(table: str, index: str | None = None) -> str:
    return f"{table}_{index}_rtree" if index else f"{table}_rtree"


def point_column(index: str | None = None) -> str:
    """The PostgreSQL generated column of a point index (``index`` names a second one)."""
    return f"{POINT_COLUMN}_{index}" if index else POINT_COLUMN


def gist_name(table: str, column: str) -> str:
    return f"{table}_{column}_gist"


def _q(name: str) -> str:
    if '"' in name:
        raise ValueError(f"unsupported identifier {name!r}")
    return f'"{name}"'


def sqlite_rtree_sql(
    table: str, id_column: str, min_lat: str, max_lat: str, min_lon: str, max_lon: str,
    *, rtree: str | None = None,
) -> list[str]:
    """R*Tree over (min_lat, max_lat, min_lon, max_lon) columns; for points min = max."""
    rtree = rtree or rtree_name(table)
    t, rt, idc = _q(table), _q(rtree), _q(id_column)
    cols = [_q(c) for c in (min_lat, max_lat, min_lon, max_lon)]
    present = " AND ".join(f"{{row}}.{c} IS NOT NULL" for c in dict.fromkeys(cols))
    new_values = ", ".join(f"NEW.{c}" for c in cols)
    watched = ", ".join(dict.fromkeys([idc, *cols]))
    return [
        f"CREATE VIRTUAL TABLE {rt} USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
        f"INSERT INTO {rt} SELECT {idc}, {', '.join(cols)} FROM {t} "
        f"WHERE {present.format(row=t)}",
        f"CREATE TRIGGER {_q(rtree + '_insert')} AFTER INSERT ON {t} "
        f"WHEN {present.format(row='NEW')} BEGIN "
        f"INSERT INTO {rt} VALUES (NEW.{idc}, {', '.join(f'NEW.{c}' for c in cols)}); END",
        f"CREATE TRIGGER {_q(rtree + '_update')} AFTER UPDATE OF {watched} ON {t} "
        f"BEGIN DELETE FROM {rt} WHERE id = OLD.{idc}; "
        f"INSERT INTO {rt} SELECT NEW.{idc}, {new_values} WHERE {present.format(row='NEW')}; "
        f"END",
        f"CREATE TRIGGER {_q(rtree + '_delete')} AFTER DELETE ON {t} "
        f"BEGIN DELETE FROM {rt} WHERE id = OLD.{idc}; END",
    ]


def sqlite_rtree_drop_sql(table: str, *, rtree: str | None = None) -> list[str]:
    rtree = rtree or rtree_name(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {_q(rtree + s)}" for s in ("_insert", "_update", "_delete")),
        f"DROP TABLE IF EXISTS {_q(rtree)}",
    ]


def postgres_generated_index_sql(table: str, column: str, sql_type: str, expr: str) -> list[str]:
    return [
        # Production databases get PostGIS from the migration itself; a no-op where present.
        "CREATE EXTENSION IF NOT EXISTS postgis",
        f"ALTER TABLE {_q(table)} ADD COLUMN {_q(column)} {sql_type} "
        f"GENERATED ALWAYS AS ({expr}) STORED",
        f"CREATE INDEX {_q(gist_name(table, column))} ON {_q(table)} USING gist ({_q(column)})",
    ]


def postgres_drop_sql(table: str, column: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {_q(gist_name(table, column))}",
        f"ALTER TABLE {_q(table)} DROP COLUMN IF EXISTS {_q(column)}",
    ]


async def _run(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        if schema_editor.collect_sql:  # printing a migration's SQL, not running it
            await schema_editor._run_sql(statement)
        else:
            # One statement per call: the SQLite editor would split trigger bodies at ";",
            # and executescript() would commit the migration's transaction half-way.
            await schema_editor.client.execute_query(statement)


def dialect_operation(postgres: list[str], sqlite: list[str], postgres_back: list[str],
                       sqlite_back: list[str]) -> ops.RunPython:
    def pick(schema_editor: Any, on_postgres: list[str], on_sqlite: list[str]) -> list[str]:
        # BATT runs on these two only (see backend.db); anything else must not half-migrate.
        if schema_editor.DIALECT == "postgres":
            return on_postgres
        if schema_editor.DIALECT == "sqlite":
            return on_sqlite
        raise NotImplementedError(f"no spatial index for dialect {schema_editor.DIALECT}")

    async def forward(apps: Any, schema_editor: Any) -> None:
        await _run(schema_editor, pick(schema_editor, postgres, sqlite))

    async def backward(apps: Any, schema_editor: Any) -> None:
        await _run(schema_editor, pick(schema_editor, postgres_back, sqlite_back))

    return ops.RunPython(forward, backward)


def add_point_index(
    table: str, *, id_column: str = "id", lat_column: str = "lat", lon_column: str = "lon",
    index: str | None = None,
) -> ops.RunPython:
    """The spatial index for a table of points with lat/lon columns (WGS84 degrees);
    ``index`` names a second point index on the same table (other lat/lon columns)."""
    if index is not None and not index.isidentifier():
        raise ValueError(f"index names are identifiers, got {index!r}")
    expr = f"ST_SetSRID(ST_MakePoint({_q(lon_column)}, {_q(lat_column)}), 4326)"
    column, rtree = point_column(index), rtree_name(table, index)
    return dialect_operation(
        postgres_generated_index_sql(table, column, "geometry(Point, 4326)", expr),
        sqlite_rtree_sql(table, id_column, lat_column, lat_column, lon_column, lon_column,
                         rtree=rtree),
        postgres_drop_sql(table, column),
        sqlite_rtree_drop_sql(table, rtree=rtree),
    )


def add_area_index(table: str, *, id_column: str = "id", boundary_column: str = "boundary"
                   ) -> ops.RunPython:
    """The spatial index for areas: GeoJSON boundary text + min/max lat/lon box columns."""
    expr = f"ST_SetSRID(ST_GeomFromGeoJSON({_q(boundary_column)}), 4326)"
    return dialect_operation(
        postgres_generated_index_sql(table, AREA_COLUMN, "geometry(MultiPolygon, 4326)", expr),
        sqlite_rtree_sql(table, id_column, "min_lat", "max_lat", "min_lon", "max_lon"),
        postgres_drop_sql(table, AREA_COLUMN),
        sqlite_rtree_drop_sql(table),
    )
