"""The privacy migrations on a database in use: public points filled (coarse for Narkoba),
notes attributed to the SKPD that wrote them, confidential tickets taken out of duplicates'
public notes and events, and exactly the photos already public published. A fresh database
is migrated to where BATT stood before, filled the old way with SQL, then migrated on."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from backend import db
from backend.db import tortoise_config
from tests.conftest import (
    TEST_DATABASE_URL,
    USING_POSTGRES,
    _admin_execute,
    _with_database,
    replace_settings,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DUP_TICKET = "BTU-2611-00003"


@pytest.fixture
async def old_database(settings, tmp_path):
    """Settings for a separate database; the suite's own connection is restored after."""
    if USING_POSTGRES:
        name = f"batt_migration_{secrets.token_hex(4)}"
        url = _with_database(TEST_DATABASE_URL, name).replace("postgresql://", "postgres://", 1)
        await _admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
        await _admin_execute(url, "CREATE EXTENSION IF NOT EXISTS postgis")
    else:
        url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    await db.close_db()
    try:
        yield replace_settings(settings, database_url=url)
    finally:
        await Tortoise.close_connections()
        await db.init_db(settings)
        if USING_POSTGRES:
            name = urlsplit(url).path.lstrip("/")
            await _admin_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Raw:
    def __init__(self) -> None:
        self.conn = connections.get("default")
        self.postgres = self.conn.capabilities.dialect == "postgres"

    def _value(self, value: Any) -> Any:
        if isinstance(value, datetime) and not self.postgres:
            return value.isoformat(" ")
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return value

    async def insert(self, table: str, **row: Any) -> int:
        marks = [f"${i}" if self.postgres else "?" for i in range(1, len(row) + 1)]
        sql = (f'INSERT INTO "{table}" ({", ".join(row)}) VALUES ({", ".join(marks)}) '
               "RETURNING id")
        rows = await self.conn.execute_query_dict(sql, [self._value(v) for v in row.values()])
        return int(rows[0]["id"])

    async def rows(self, sql: str) -> list[dict]:
        return list(await self.conn.execute_query_dict(sql, []))


async def fill_the_old_way(raw: Raw) -> dict[str, int]:
    ids: dict[str, int] = {}
    categories = {r["code"]: r["id"] for r in await raw.rows("SELECT id, code FROM complaint_category")}
    ids["dpupr"] = await raw.insert("skpd", code="dpupr", name="Dinas PUPR", created_at=NOW)
    for who in ("resident", "responder", "operator"):
        ids[who] = await raw.insert("account_user", name=who.title(), phone=f"+6281200000{len(ids)}",
                                    is_active=True, created_at=NOW, updated_at=NOW)
    await raw.insert("account_user_role", user_id=ids["responder"], role="responder",
                     skpd_id=ids["dpupr"], supervisor=False, granted_at=NOW)

    def complaint(n: int, code: str, visibility: str, lat: float, lon: float, **more: Any):
        return raw.insert(
            "complaint", ticket_number=f"BTU-2611-{n:05d}", reporter_id=ids["resident"],
            category_id=categories[code], description="Laporan lama sebelum migrasi.", lat=lat,
            lon=lon, status=more.pop("status", "submitted"), visibility=visibility,
            client_request_id=f"old-request-{n}", request_fingerprint="f" * 64,
            support_count=0, created_at=NOW, updated_at=NOW, **more)

    ids["drugs"] = await complaint(1, "narkoba", "anonymous", -7.87144, 112.52744)
    ids["trash"] = await complaint(2, "sampah", "public", -7.87144, 112.52744)
    ids["secret"] = await complaint(3, "sampah", "confidential", -7.8801, 112.5302)
    ids["copy"] = await complaint(4, "sampah", "public", -7.8802, 112.5303, status="duplicate",
                                  duplicate_of_id=ids["secret"])

    def photo(n: int) -> Any:
        return raw.insert(
            "media_photo", owner_id=ids["resident"], content_hash=f"{n:064x}", format="jpeg",
            byte_size=1000, width=800, height=600, display_key=f"{n:064x}.jpg",
            display_width=800, display_height=600, thumbnail_key=f"{n + 100:064x}.jpg",
            created_at=NOW)

    for name, n in (("public_photo", 1), ("secret_photo", 2), ("proof", 3), ("internal", 4)):
        ids[name] = await photo(n)
    await raw.insert("complaint_photo", complaint_id=ids["trash"], photo_id=ids["public_photo"],
                     position=0)
    await raw.insert("complaint_photo", complaint_id=ids["secret"], photo_id=ids["secret_photo"],
                     position=0)

    def entry(complaint_id: int, note: str, public: bool, actor: str | None, label: str,
              photos: list[int], kind: str = "response", to_status: str | None = None):
        return raw.insert(
            "complaint_timeline", complaint_id=complaint_id, kind=kind, to_status=to_status,
            note=note, public=public, actor_id=ids[actor] if actor else None, actor_label=label,
            photo_ids=photos, created_at=NOW)

    ids["proof_entry"] = await entry(ids["trash"], "Sudah diperbaiki.", True, "responder",
                                     "Dinas PUPR", [ids["proof"]])
    ids["internal_entry"] = await entry(ids["trash"], "Internal.", False, "responder",
                                        "Dinas PUPR", [ids["internal"]])
    ids["cc_entry"] = await entry(ids["trash"], "Diverifikasi.", True, "operator",
                                  "Command Center", [])
    ids["dup_entry"] = await entry(ids["copy"], "Sama dengan laporan BTU-2611-00003.", True,
                                   "operator", "Command Center", [], kind="status",
                                   to_status="duplicate")
    ids["event"] = await raw.insert(
        "domain_event", type="complaint.duplicate", subject_type="complaint",
        subject_id=ids["copy"], owner_id=ids["resident"], skpd_ids=[],
        payload={"note": "Sama dengan laporan BTU-2611-00003.", "public": True},
        occurred_at=NOW)
    return ids


async def test_the_privacy_migrations_on_data_in_use(old_database):
    config = tortoise_config(old_database)
    await tortoise_migrate(config=config, target="among_warga.0003_overdue_flag")
    await tortoise_migrate(config=config, target="events.0001_initial")
    ids = await fill_the_old_way(Raw())
    # A dispatch while the table was command_center's.
    await tortoise_migrate(config=config, target="command_center.0002_dispatch")
    ids["dispatch"] = await Raw().insert("dispatch", complaint_id=ids["trash"],
                                         skpd_id=ids["dpupr"], note="", active=True,
                                         dispatched_at=NOW)

    await tortoise_migrate(config=config)
    raw = Raw()
    # Dispatch moved to among_warga by state only: the same table, the row untouched.
    [held] = await raw.rows("SELECT id, complaint_id, skpd_id, active FROM dispatch")
    assert (held["id"], held["complaint_id"], held["skpd_id"]) == (
        ids["dispatch"], ids["trash"], ids["dpupr"])
    points = {r["id"]: (r["public_lat"], r["public_lon"])
              for r in await raw.rows("SELECT id, public_lat, public_lon FROM complaint")}
    assert points[ids["drugs"]] == (-7.871, 112.527)
    assert points[ids["trash"]] == (-7.87144, 112.52744)
    assert points[ids["secret"]] == (-7.8801, 112.5302)

    authors = {r["id"]: r["author_skpd_id"]
               for r in await raw.rows("SELECT id, author_skpd_id FROM complaint_timeline")}
    assert authors[ids["proof_entry"]] == authors[ids["internal_entry"]] == ids["dpupr"]
    assert authors[ids["cc_entry"]] is None and authors[ids["dup_entry"]] is None

    notes = {r["id"]: r["note"] for r in await raw.rows("SELECT id, note FROM complaint_timeline")}
    assert DUP_TICKET not in notes[ids["dup_entry"]]
    [event] = await raw.rows("SELECT payload, audience FROM domain_event")
    payload = event["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert DUP_TICKET not in payload["note"] and payload["public"] is True
    # The event's owner and SKPDs became its audience (events.0002): the same people hear it.
    audience = event["audience"]
    audience = json.loads(audience) if isinstance(audience, str) else audience
    assert audience == ["role:admin", "role:operator", f"user:{ids['resident']}"]

    published = {r["id"] for r in await raw.rows("SELECT id FROM media_photo WHERE published")}
    assert published == {ids["public_photo"], ids["proof"]}

    # The new spatial index answers for the filled points.
    from among_warga.spatial import PUBLIC_POINTS
    from backend.geo import spatial

    hits = await spatial.within_radius(PUBLIC_POINTS, -7.871, 112.527, 1)
    assert [h.id for h in hits] == [ids["drugs"]]
