"""The maintained aggregate behind the supply outlook: farming_outlook_week holds, per
commodity, village and ISO week (its Monday), the sums over the plantings expected to be
harvested that week (quantity in the base unit, area, count).

It is kept by triggers on farming_planting, so every write that changes a planting — added,
its village changed when its parcel moves, deleted with its parcel when a farmer's data is
erased, or any later edit of its commodity, dates, area or yield — changes the aggregate in
the same transaction, whichever code path (service, importer, cascade, bulk load) made it.
``rebuild`` recomputes it from the plantings (the migration runs it; ``batt farmers
rebuild-outlook`` too) and ``differences`` compares it with that recomputation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from backend import db
from backend.geo.sql import fetch_raw

TABLE = "farming_outlook_week"
KEY = ("commodity_code", "village_id", "week_start")
_COLUMNS = (
    "commodity_code, village_id, week_start, expected_quantity, area_ha, plantings, "
    "yield_plantings, base_unit"
)
# Columns of a planting that move it in the aggregate.
_WATCHED = (
    "commodity_code, village_id, expected_harvest_on, expected_yield_base, area_ha, base_unit"
)


def _monday(dialect: str, day: str) -> str:
    """The Monday on or before ``day`` (a date expression), without time zones."""
    if dialect == "postgres":
        return f"({day} - (EXTRACT(ISODOW FROM {day})::int - 1))"
    return f"date({day}, '-6 days', 'weekday 1')"


def _recompute_select(dialect: str) -> str:
    week = _monday(dialect, "expected_harvest_on")
    return (
        f"SELECT commodity_code, village_id, {week} AS week_start, "
        "COALESCE(SUM(expected_yield_base), 0) AS expected_quantity, "
        "SUM(area_ha) AS area_ha, COUNT(*) AS plantings, "
        "COUNT(expected_yield_base) AS yield_plantings, MAX(base_unit) AS base_unit "
        f"FROM farming_planting GROUP BY commodity_code, village_id, {week}"
    )


def rebuild_sql(dialect: str) -> list[str]:
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} ({_COLUMNS}) {_recompute_select(dialect)}",
    ]


def postgres_sql() -> list[str]:
    week = _monday("postgres", "p_day")
    return [
        f"""CREATE FUNCTION farming_outlook_week_add(p_commodity text, p_village integer,
    p_day date, p_quantity numeric, p_area numeric, p_unit text, p_sign integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} ({_COLUMNS})
    VALUES (p_commodity, p_village, {week}, p_sign * COALESCE(p_quantity, 0),
            p_sign * p_area, p_sign, CASE WHEN p_quantity IS NULL THEN 0 ELSE p_sign END,
            p_unit)
    ON CONFLICT (commodity_code, village_id, week_start) DO UPDATE SET
        expected_quantity = {TABLE}.expected_quantity + EXCLUDED.expected_quantity,
        area_ha = {TABLE}.area_ha + EXCLUDED.area_ha,
        plantings = {TABLE}.plantings + EXCLUDED.plantings,
        yield_plantings = {TABLE}.yield_plantings + EXCLUDED.yield_plantings,
        base_unit = COALESCE(EXCLUDED.base_unit, {TABLE}.base_unit);
    IF p_sign < 0 THEN
        DELETE FROM {TABLE} WHERE commodity_code = p_commodity AND village_id = p_village
            AND week_start = {week} AND plantings <= 0;
    END IF;
END $$""",
        """CREATE FUNCTION farming_outlook_week_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM farming_outlook_week_add(OLD.commodity_code, OLD.village_id,
            OLD.expected_harvest_on, OLD.expected_yield_base, OLD.area_ha, OLD.base_unit, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM farming_outlook_week_add(NEW.commodity_code, NEW.village_id,
            NEW.expected_harvest_on, NEW.expected_yield_base, NEW.area_ha, NEW.base_unit, 1);
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER farming_outlook_week_sync AFTER INSERT OR DELETE OR UPDATE OF "
        f"{_WATCHED} ON farming_planting FOR EACH ROW "
        "EXECUTE FUNCTION farming_outlook_week_sync()",
        *rebuild_sql("postgres"),
    ]


def postgres_drop_sql() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS farming_outlook_week_sync ON farming_planting",
        "DROP FUNCTION IF EXISTS farming_outlook_week_sync()",
        "DROP FUNCTION IF EXISTS farming_outlook_week_add(text, integer, date, numeric, "
        "numeric, text, integer)",
    ]


def _sqlite_add(row: str) -> str:
    week = _monday("sqlite", f"{row}.expected_harvest_on")
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES ({row}.commodity_code, {row}.village_id, "
        f"{week}, COALESCE({row}.expected_yield_base, 0), {row}.area_ha, 1, "
        f"{row}.expected_yield_base IS NOT NULL, {row}.base_unit) "
        "ON CONFLICT (commodity_code, village_id, week_start) DO UPDATE SET "
        "expected_quantity = expected_quantity + excluded.expected_quantity, "
        "area_ha = area_ha + excluded.area_ha, plantings = plantings + 1, "
        "yield_plantings = yield_plantings + excluded.yield_plantings, "
        "base_unit = COALESCE(excluded.base_unit, base_unit);"
    )


def _sqlite_remove(row: str) -> str:
    week = _monday("sqlite", f"{row}.expected_harvest_on")
    where = (
        f"commodity_code = {row}.commodity_code AND village_id = {row}.village_id "
        f"AND week_start = {week}"
    )
    return (
        f"UPDATE {TABLE} SET expected_quantity = expected_quantity - "
        f"COALESCE({row}.expected_yield_base, 0), area_ha = area_ha - {row}.area_ha, "
        f"plantings = plantings - 1, yield_plantings = yield_plantings - "
        f"({row}.expected_yield_base IS NOT NULL) WHERE {where}; "
        f"DELETE FROM {TABLE} WHERE {where} AND plantings <= 0;"
    )


def sqlite_sql() -> list[str]:
    return [
        "CREATE TRIGGER farming_outlook_week_insert AFTER INSERT ON farming_planting BEGIN "
        f"{_sqlite_add('NEW')} END",
        f"CREATE TRIGGER farming_outlook_week_update AFTER UPDATE OF {_WATCHED} "
        f"ON farming_planting BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
        "CREATE TRIGGER farming_outlook_week_delete AFTER DELETE ON farming_planting BEGIN "
        f"{_sqlite_remove('OLD')} END",
        *rebuild_sql("sqlite"),
    ]


def sqlite_drop_sql() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS farming_outlook_week_{s}" for s in ("insert", "update", "delete")
    ]


def migration_operation() -> Any:
    """Triggers on either database, then the aggregate rebuilt from the existing plantings."""
    from backend.geo.indexes import dialect_operation

    return dialect_operation(postgres_sql(), sqlite_sql(), postgres_drop_sql(), sqlite_drop_sql())


# -- rebuild and check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    commodity_code: str
    village_id: int
    week_start: date
    kept: tuple | None  # (quantity, area, plantings, yield plantings) in the aggregate
    recomputed: tuple | None  # the same from the plantings


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _sums(row: dict) -> tuple:
    return (
        Decimal(str(row["expected_quantity"] or 0)).quantize(Decimal("0.001")),
        Decimal(str(row["area_ha"] or 0)).quantize(Decimal("0.0001")),
        int(row["plantings"]),
        int(row["yield_plantings"]),
    )


async def differences() -> list[Difference]:
    """Where the aggregate differs from a full recomputation from the plantings (empty when
    consistent); sums compared at their stored precision."""
    dialect = db.dialect()
    kept = {
        (r["commodity_code"], int(r["village_id"]), _day(r["week_start"])): _sums(r)
        for r in await fetch_raw(f"SELECT {_COLUMNS} FROM {TABLE}")
    }
    fresh = {
        (r["commodity_code"], int(r["village_id"]), _day(r["week_start"])): _sums(r)
        for r in await fetch_raw(_recompute_select(dialect))
    }
    return [
        Difference(*key, kept.get(key), fresh.get(key))
        for key in sorted(kept.keys() | fresh.keys())
        if kept.get(key) != fresh.get(key)
    ]


async def rebuild() -> int:
    """Recompute the aggregate from the plantings in one transaction; returns its rows."""
    from tortoise.transactions import in_transaction

    async with in_transaction() as conn:
        for statement in rebuild_sql(db.dialect()):
            await conn.execute_query(statement)
        rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {TABLE}")
    return int(rows[0]["n"])
