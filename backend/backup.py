"""``batt backup DIR`` / ``batt restore DIR``: the database and the photos, with a manifest.

A backup directory holds::

    manifest.json        when, what database, the migrations applied, row counts per table,
                         the database file's SHA-256, the photo objects it holds
    database.sqlite3     SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump      PostgreSQL: pg_dump's custom format, taken in the same snapshot as
                         the row counts
    media/ab/cd/<key>    the photo variants the database refers to, content-addressed (the
                         key is the bytes' SHA-256)

Backing up into a directory that already holds a backup replaces its database copy and adds
only the photo objects it lacks (the same key is the same bytes), so one directory kept in
step with ``rsync`` costs little. A half-written backup never passes for a whole one: the
database is written under a temporary name and the manifest last.

Restoring refuses a database that already holds accounts unless ``force`` is given, checks
every checksum before touching anything, copies only the photos the media directory lacks,
brings the schema up to the code's migrations and compares the row counts with the manifest.
The data keys (``BATT_DATA_KEYS``) and the secret key are NOT in a backup: keep them apart —
without the data keys the phone numbers and NIKs in a backup cannot be read by anyone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from backend.media.storage import KEY_PATTERN, LocalStorage
from backend.settings import Settings

FORMAT = "batt.backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
MIGRATIONS_TABLE = "tortoise_migrations"
# The photo objects a database refers to (unreferenced files — a refused upload's leftovers —
# are not worth keeping).
PHOTO_KEYS = "SELECT display_key, thumbnail_key FROM media_photo"


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says what to do."""


@dataclass
class Report:
    manifest: dict[str, Any]
    media_copied: int
    media_present: int


Echo = Callable[[str], object]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- PostgreSQL plumbing --------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: it comes with PostgreSQL's client tools "
            f"(Debian: apt-get install postgresql-client-15, the server's major version or newer)"
        )
    return path


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (which goes in PGPASSWORD, not on a command line
    every user of the machine can read in ``ps``)."""
    parts = urlsplit(database_url.replace("postgres://", "postgresql://", 1))
    env = {**os.environ}  # not a setting: pg_dump/pg_restore inherit our environment
    if parts.password:
        env["PGPASSWORD"] = parts.password
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), env


async def _run(args: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {err.decode().strip()}")
    return out.decode()


async def _pg_connect(database_url: str):
    import asyncpg

    try:
        return await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"cannot connect to the database: {exc}") from exc


_PG_TABLES = """
SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1
"""
# Our own functions (the triggers' bodies, e.g. the farming outlook's weekly sums), not the
# extensions': the archive creates them again.
_PG_FUNCTIONS = """
SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1
"""


async def _pg_counts(conn) -> dict[str, int]:
    counts = {}
    for row in await conn.fetch(_PG_TABLES):
        counts[row["name"]] = await conn.fetchval(f'SELECT count(*) FROM "{row["name"]}"')
    return counts


async def _pg_migrations(conn) -> dict[str, list[str]]:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MIGRATIONS_TABLE)
    if not exists:
        return {}
    rows = await conn.fetch(f'SELECT app, name FROM "{MIGRATIONS_TABLE}" ORDER BY app, name')
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["app"], []).append(row["name"])
    return found


# -- SQLite plumbing ------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite://"))


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").fetchall()
    names = [r[0] for r in rows]
    # R*Tree shadow tables belong to their virtual table; they are counted through it.
    shadows = {f"{v}_{s}" for (v,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
        for s in ("node", "parent", "rowid")}
    return [n for n in names if n not in shadows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in _sqlite_tables(conn)}


def _sqlite_migrations(conn: sqlite3.Connection) -> dict[str, list[str]]:
    if MIGRATIONS_TABLE not in _sqlite_tables(conn):
        return {}
    found: dict[str, list[str]] = {}
    for app, name in conn.execute(
            f'SELECT app, name FROM "{MIGRATIONS_TABLE}" ORDER BY app, name'):
        found.setdefault(app, []).append(name)
    return found


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot even while a server writes (it
    copies every page in one step under a read transaction; WAL writers are not blocked)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# -- media ----------------------------------------------------------------------------------


def _media_keys(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.glob("*/*/*") if KEY_PATTERN.fullmatch(p.name))


def _copy_missing(keys: list[str], source: Path, target: Path, *, verify: bool) -> tuple[int, int]:
    """Copy each object ``target`` lacks (written under a temporary name, then renamed);
    returns (copied, already there)."""
    src, dst = LocalStorage(source), LocalStorage(target)
    copied = present = 0
    for key in keys:
        destination = dst.path(key)
        if destination.is_file():
            present += 1
            continue
        data = src.path(key).read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != key.split(".")[0]:
            raise BackupError(f"photo object {key} is damaged in the backup")
        LocalStorage._put(destination, data)
        copied += 1
    return copied, present


# -- backup ---------------------------------------------------------------------------------


def _prepare_directory(directory: Path) -> dict[str, Any] | None:
    """The previous manifest when ``directory`` already holds a backup; refuse other files."""
    if not directory.exists():
        directory.mkdir(parents=True)
        return None
    manifest_path = directory / MANIFEST
    if manifest_path.is_file():
        previous = json.loads(manifest_path.read_text())
        if previous.get("format") != FORMAT:
            raise BackupError(f"{directory} holds something else than a BATT backup")
        return previous
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty and holds no BATT backup: choose another")
    return None


async def backup(settings: Settings, directory: Path, echo: Echo = print) -> Report:
    directory = Path(directory)
    previous = _prepare_directory(directory)
    dialect = settings.database_dialect
    if previous is not None and previous["database"]["dialect"] != dialect:
        raise BackupError(f"{directory} holds a {previous['database']['dialect']} backup")
    from datetime import UTC, datetime

    started = datetime.now(UTC)
    if dialect == "sqlite":
        source = _sqlite_path(settings.database_url)
        if not source.is_file():
            raise BackupError(f"no database at {source}")
        name = SQLITE_FILE
        temp = directory / f".{name}.partial"
        echo(f"copying SQLite database {source} …")
        await asyncio.to_thread(_sqlite_copy, source, temp)

        def read_state() -> tuple[dict[str, int], dict[str, list[str]], list[str]]:
            conn = sqlite3.connect(f"file:{temp}?mode=ro", uri=True)
            try:
                keys = sorted({k for row in conn.execute(PHOTO_KEYS) for k in row if k})
                return _sqlite_counts(conn), _sqlite_migrations(conn), keys
            finally:
                conn.close()

        counts, migrations, keys = await asyncio.to_thread(read_state)
    else:
        pg_dump = _pg_tool("pg_dump")
        name = PG_FILE
        temp = directory / f".{name}.partial"
        url, env = _libpq(settings.database_url)
        conn = await _pg_connect(settings.database_url)
        try:
            # One snapshot for the counts and the dump, so the manifest describes the dump.
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
                counts = await _pg_counts(conn)
                migrations = await _pg_migrations(conn)
                keys = sorted({k for row in await conn.fetch(PHOTO_KEYS) for k in row if k})
                echo("dumping PostgreSQL database (pg_dump, custom format) …")
                await _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                            f"--snapshot={snapshot}", f"--file={temp}", f"--dbname={url}"], env)
        finally:
            await conn.close()

    stored = set(_media_keys(settings.media_dir))
    missing = [k for k in keys if k not in stored]
    if missing:
        echo(f"WARNING: {len(missing):,} photo objects the database refers to are not in "
             f"{settings.media_dir} (already lost); first: {missing[0]}")
    keys = [k for k in keys if k in stored]
    echo(f"copying photos: {len(keys):,} objects …")
    copied, present = await asyncio.to_thread(
        _copy_missing, keys, settings.media_dir, directory / MEDIA_DIR, verify=False)
    checksum = await asyncio.to_thread(_sha256, temp)
    os.replace(temp, directory / name)
    for stale in (SQLITE_FILE, PG_FILE):
        if stale != name:
            (directory / stale).unlink(missing_ok=True)
    manifest = {
        "format": FORMAT,
        "createdAt": started.isoformat(),
        "database": {"dialect": dialect, "file": name, "sha256": checksum,
                     "bytes": (directory / name).stat().st_size},
        "migrations": migrations,
        "counts": counts,
        "media": {"objects": len(keys), "keys": keys, "missing": missing},
    }
    _write_json(directory / MANIFEST, manifest)
    return Report(manifest=manifest, media_copied=copied, media_present=present)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".manifest.")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)


# -- restore --------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a (complete) BATT backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _known_migrations() -> dict[str, set[str]]:
    import pkgutil
    from importlib import import_module

    from backend.apps import installed_apps

    known: dict[str, set[str]] = {}
    for app in installed_apps():
        package = import_module(app.migrations)
        known[app.label] = {m.name for m in pkgutil.iter_modules(package.__path__)}
    return known


def _verify(directory: Path, manifest: dict[str, Any]) -> None:
    database = directory / manifest["database"]["file"]
    if not database.is_file():
        raise BackupError(f"{database} is missing")
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError(f"{database} does not match its checksum: the backup is damaged")
    media = LocalStorage(directory / MEDIA_DIR)
    for key in manifest["media"]["keys"]:
        path = media.path(key)
        if not path.is_file():
            raise BackupError(f"photo object {key} is missing from the backup")
    known = _known_migrations()
    unknown = [f"{app}.{name}" for app, names in manifest["migrations"].items()
               for name in names if name not in known.get(app, set())]
    if unknown:
        raise BackupError("the backup comes from a newer BATT (migrations this code does not "
                          f"have: {', '.join(sorted(unknown))}); restore it with that version")


async def _accounts_in_target(settings: Settings) -> int:
    if settings.database_dialect == "sqlite":
        path = _sqlite_path(settings.database_url)
        if not path.is_file():
            return 0

        def count() -> int:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if "account_user" not in _sqlite_tables(conn):
                    return 0
                return conn.execute("SELECT count(*) FROM account_user").fetchone()[0]
            finally:
                conn.close()

        return await asyncio.to_thread(count)
    conn = await _pg_connect(settings.database_url)
    try:
        if not await conn.fetchval("SELECT to_regclass('account_user') IS NOT NULL"):
            return 0
        return await conn.fetchval("SELECT count(*) FROM account_user")
    finally:
        await conn.close()


async def _restore_postgres(settings: Settings, dump: Path, echo: Echo) -> None:
    pg_restore = _pg_tool("pg_restore")
    url, env = _libpq(settings.database_url)
    conn = await _pg_connect(settings.database_url)
    try:
        # The extensions the platform's migrations create: PostGIS (backend/geo) and pg_trgm
        # (backend/search's indexes); the archive's own extension entries are left out below.
        for extension in ("postgis", "pg_trgm"):
            try:
                await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            except Exception as exc:  # asyncpg.InsufficientPrivilegeError and friends
                raise BackupError(
                    f"the database needs {extension} and this user may not create it: run "
                    f"`CREATE EXTENSION {extension}` in it as a superuser first") from exc
        # Start from nothing: the tables (with their sequences and triggers) and our functions
        # of whatever schema is there.
        # PostGIS's own table stays; it belongs to the extension.
        tables = [r["name"] for r in await conn.fetch(_PG_TABLES)]
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
        for row in await conn.fetch(_PG_FUNCTIONS):
            await conn.execute(f"DROP FUNCTION IF EXISTS {row['signature']} CASCADE")
    finally:
        await conn.close()
    # The archive without its extension entries: PostGIS and pg_trgm are already there, and
    # recreating them needs a superuser.
    listing = await _run([pg_restore, "--list", str(dump)], env)
    kept = [line for line in listing.splitlines()
            if not (" EXTENSION " in line and not line.startswith(";"))]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as fh:
        fh.write("\n".join(kept) + "\n")
        list_file = fh.name
    try:
        echo("restoring PostgreSQL database (pg_restore) …")
        await _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
                    "--single-transaction", f"--use-list={list_file}", f"--dbname={url}",
                    str(dump)], env)
    finally:
        os.unlink(list_file)


async def restore(settings: Settings, directory: Path, *, force: bool = False,
                  echo: Echo = print) -> Report:
    directory = Path(directory)
    manifest = read_manifest(directory)
    dialect = manifest["database"]["dialect"]
    if dialect != settings.database_dialect:
        raise BackupError(f"this is a {dialect} backup; BATT_DATABASE_URL points at "
                          f"{settings.database_dialect}")
    echo("checking the backup's checksums …")
    await asyncio.to_thread(_verify, directory, manifest)
    accounts = await _accounts_in_target(settings)
    if accounts and not force:
        raise BackupError(f"the target database already holds {accounts:,} accounts: restoring "
                          "would replace them. Add --force if that is what you want")
    database = directory / manifest["database"]["file"]
    if dialect == "sqlite":
        target = _sqlite_path(settings.database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        echo(f"restoring SQLite database into {target} …")
        await asyncio.to_thread(_sqlite_copy, database, target)
    else:
        await _restore_postgres(settings, database, echo)

    echo(f"restoring photos: {len(manifest['media']['keys']):,} objects …")
    copied, present = await asyncio.to_thread(
        _copy_missing, manifest["media"]["keys"], directory / MEDIA_DIR, settings.media_dir,
        verify=True)

    from backend import db

    await db.migrate(settings)  # a backup of an older schema is brought forward
    await db.close_db()
    await _check_counts(settings, manifest)
    return Report(manifest=manifest, media_copied=copied, media_present=present)


async def _check_counts(settings: Settings, manifest: dict[str, Any]) -> None:
    if settings.database_dialect == "sqlite":
        def read() -> dict[str, int]:
            conn = sqlite3.connect(f"file:{_sqlite_path(settings.database_url)}?mode=ro",
                                   uri=True)
            try:
                return _sqlite_counts(conn)
            finally:
                conn.close()

        counts = await asyncio.to_thread(read)
    else:
        conn = await _pg_connect(settings.database_url)
        try:
            counts = await _pg_counts(conn)
        finally:
            await conn.close()
    if sum(len(v) for v in manifest["migrations"].values()) != sum(
            len(v) for v in _known_migrations().values()):
        return  # migrations ran after the restore and may have added or changed rows
    different = {t: (n, counts.get(t)) for t, n in manifest["counts"].items()
                 if counts.get(t) != n}
    if different:
        raise BackupError(f"row counts differ after the restore (backup, now): {different}")


# -- command line ---------------------------------------------------------------------------


def register(sub: Any) -> None:
    backup_parser = sub.add_parser(
        "backup", help="copy the database and the photos into DIR, with a manifest")
    backup_parser.add_argument("directory", type=Path,
                               help="an empty directory, or an earlier backup to bring up to date")
    backup_parser.set_defaults(func=cmd_backup)
    restore_parser = sub.add_parser(
        "restore", help="restore a backup made by `batt backup` (stop the server first)")
    restore_parser.add_argument("directory", type=Path)
    restore_parser.add_argument("--force", action="store_true",
                                help="replace a database that already holds accounts")
    restore_parser.set_defaults(func=cmd_restore)


def _summary(report: Report) -> str:
    counts = report.manifest["counts"]
    return (f"{counts.get('account_user', 0):,} accounts, {counts.get('complaint', 0):,} "
            f"complaints, {counts.get('media_photo', 0):,} photos; photo objects: "
            f"{report.media_copied:,} copied, {report.media_present:,} already there")


def cmd_backup(args: Any, settings: Settings) -> int:
    import sys

    try:
        report = asyncio.run(backup(settings, args.directory))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up to {args.directory}: {_summary(report)}")
    return 0


def cmd_restore(args: Any, settings: Settings) -> int:
    import sys

    try:
        report = asyncio.run(restore(settings, args.directory, force=args.force))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Restored {args.directory} (made {report.manifest['createdAt']}): "
          f"{_summary(report)}")
    return 0
