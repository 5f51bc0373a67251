"""Phone numbers and NIKs are encrypted at rest: a copy of the database reveals none, look-ups
still work through the keyed hashes, keys rotate (resumably), and old plain rows migrate."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import signal
import subprocess
import sys
import textwrap

import pytest

from backend import db
from backend.accounts import services as accounts
from backend.accounts.models import LoginFailure, Role, User
from backend.crypto import keys as data_keys
from backend.crypto.keys import KeyRing, UndecryptableValue, UnknownDataKey, new_key
from backend.crypto.rotate import key_usage, rotate
from tests.backend.dumps import database_dump, leaks
from tests.conftest import PROJECT_ROOT, USING_POSTGRES

REGISTER = """mutation($i: RegisterInput!) { register(input: $i) {
  accessToken user { id phone nik } errors { field code } } }"""
LOGIN = """mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }"""
PASSWORD = "sandi-rahasia-42"


@pytest.fixture
def ring():
    """The key ring the tests started with, restored afterwards (some install others)."""
    original = data_keys.keyring()
    yield original
    data_keys.install(original)


async def register(gql, phone, nik=None, name="Warga Uji"):
    body = await gql(REGISTER, {"i": {"name": name, "phone": phone, "password": PASSWORD,
                                      "nik": nik}})
    payload = body["data"]["register"]
    assert payload["errors"] == [], payload
    return payload


async def login(gql, identifier, password=PASSWORD):
    return (await gql(LOGIN, {"i": {"identifier": identifier, "password": password}}))[
        "data"]["login"]


async def test_a_database_dump_reveals_no_phone_or_nik(gql, settings, make_user):
    people = [("081231110001", "+6281231110001", "3579014107900001"),
              ("+62 812-3111-0002", "+6281231110002", "3507015508850002"),
              ("6281231110003", "+6281231110003", None)]
    for raw, _, nik in people:
        await register(gql, raw, nik)
    # Every way in: by phone, by NIK, a failure (throttling keeps a record of it), and an
    # admin's search by number.
    assert (await login(gql, "081231110001"))["errors"] == []
    assert (await login(gql, "3507015508850002"))["errors"] == []
    assert (await login(gql, "081231110003", "salah-sandi"))["errors"][0]["code"] == (
        "INVALID_CREDENTIALS")
    assert await LoginFailure.all().count() == 1
    _, admin = await make_user(Role.ADMIN)
    found = await gql("query($s: String) { users(search: $s) { edges { node { phone } } } }",
                      {"s": "0812-3111-0002"}, token=admin)
    assert [e["node"]["phone"] for e in found["data"]["users"]["edges"]] == ["+6281231110002"]
    staff = await accounts.create_user(name="Petugas", phone="081231110004", password=PASSWORD,
                                       roles=[Role.OPERATOR], nik="3579016203880003")

    dump = await database_dump(settings)
    assert b"account_user" in dump  # the dump is real
    phones = [e164 for _, e164, _ in people] + [staff.phone]
    niks = [nik for *_, nik in people if nik] + ["3579016203880003"]
    assert leaks(dump, phones=phones, niks=niks) == []
    # And the application still reads them.
    assert (await User.get(User.identified_by(nik="3579014107900001"))).phone == "+6281231110001"


async def test_look_ups_go_through_the_hash_and_filters_on_ciphertext_are_refused(make_user):
    user, _ = await make_user(Role.CITIZEN)
    raw = await db.connection().execute_query_dict(
        db.numbered("SELECT phone, phone_hash FROM account_user WHERE id = ?"), [user.id])
    stored = raw[0]
    assert stored["phone"].startswith(f"{data_keys.keyring().current.id}:")
    assert user.phone not in stored["phone"] and len(stored["phone_hash"]) == 64
    # Randomised: the same number encrypts differently every time.
    ring = data_keys.keyring()
    assert ring.encrypt(user.phone, "account_user.phone") != ring.encrypt(
        user.phone, "account_user.phone")
    with pytest.raises(TypeError, match="identified_by"):
        await User.get_or_none(phone=user.phone)
    assert (await User.get(User.identified_by(phone=user.phone))).id == user.id
    # A NIK-looking sign-in finds an account by NIK or by a phone written without prefix in
    # one query; a second user cannot take the same number.
    with pytest.raises(Exception) as taken:
        await accounts.create_user(name="Kembar", phone=user.phone, password=PASSWORD,
                                   roles=[Role.CITIZEN])
    assert getattr(taken.value, "code", None).value == "phone_taken"


async def test_ciphertext_moved_to_another_column_or_key_does_not_decrypt(ring):
    sealed = ring.encrypt("+6281231110009", "account_user.phone")
    assert ring.decrypt(sealed, "account_user.phone") == "+6281231110009"
    with pytest.raises(UndecryptableValue):
        ring.decrypt(sealed, "account_user.nik")
    other = KeyRing([new_key("zz9"), *ring.keys])
    relabelled = "zz9:" + sealed.partition(":")[2]
    with pytest.raises(UndecryptableValue):
        other.decrypt(relabelled, "account_user.phone")
    with pytest.raises(UnknownDataKey, match="not in BATT_DATA_KEYS"):
        KeyRing([new_key("fresh")]).decrypt(sealed, "account_user.phone")


async def test_rotation_re_encrypts_in_batches_and_resumes_after_a_stop(gql, ring):
    users = []
    for i in range(7):
        payload = await register(gql, f"08123222000{i}", f"35790141079000{10 + i}")
        users.append(payload["user"])
    data_keys.install(KeyRing([new_key("next"), *ring.keys]))
    assert (await key_usage())["account_user"] == {ring.current.id: 14}

    # Stopped after the first batch, as Ctrl-C would: what was done is committed.
    stop = asyncio.Event()

    class Bar:  # the progress bar's output: stop once a batch shows
        def isatty(self):
            return True

        def write(self, text):
            if " 3/7" in text:
                stop.set()

        def flush(self):
            pass

    first = await rotate(batch=3, out=Bar(), stop=stop)
    assert first.interrupted and first.tables[0].rewritten == 3 and first.remaining == 4
    # Meanwhile everyone still signs in, under either key, by phone and by NIK.
    for i in range(7):
        assert (await login(gql, f"08123222000{i}"))["errors"] == []
        assert (await login(gql, f"35790141079000{10 + i}"))["errors"] == []

    second = await rotate(batch=3, out=Bar())
    assert not second.interrupted and second.remaining == 0
    assert second.tables[0].rewritten == 4
    assert (await key_usage())["account_user"] == {"next": 14}
    # Now the old key can go.
    data_keys.install(KeyRing([data_keys.keyring().current]))
    for i, user in enumerate(users):
        found = await User.get(User.identified_by(phone=f"+628123222000{i}"))
        assert (found.id, found.nik) == (int(user["id"]), f"35790141079000{10 + i}")
        assert (await login(gql, f"35790141079000{10 + i}"))["errors"] == []


def _batt_env(settings, keys_text: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "BATT_VAR_DIR": str(settings.var_dir),
            "BATT_DATABASE_URL": settings.database_url, "BATT_DATA_KEYS": keys_text,
            "BATT_ENV": "test"}


@pytest.mark.slow
async def test_batt_keys_rotate_survives_sigint_and_resumes(settings, ring):
    # Many rows written straight into the table (no password hashing), under the old key.
    await User.bulk_create([User(name=f"Warga {i}", phone=f"+62812330{i:05d}")
                            for i in range(3000)], batch_size=500)
    old = ",".join(k.encoded() for k in ring.keys)
    newer = new_key("k2").encoded()
    env = _batt_env(settings, f"{newer},{old}")
    batt = [sys.executable, "-m", "backend.cli", "keys", "rotate", "--batch", "5"]
    process = await asyncio.create_subprocess_exec(
        *batt, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    # Wait for the progress bar to show work done, then interrupt as Ctrl-C does.
    seen = b""
    while b"rows/s" not in seen:
        chunk = await asyncio.wait_for(process.stderr.read(200), 60)
        assert chunk, seen
        seen += chunk
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 130, (out, err)
    assert b"run `batt keys rotate` again" in err
    left = int(out.decode().split("; ")[1].split()[0].replace(",", ""))
    assert 0 < left <= 3000

    status = subprocess.run([sys.executable, "-m", "backend.cli", "keys", "status"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert f"{left:,} values under older keys" in status.stdout

    done = subprocess.run(batt[:-2], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"re-encrypted {left:,} rows under key k2; 0 left" in done.stdout
    data_keys.install(KeyRing(data_keys.parse_keys(newer)))
    assert (await key_usage())["account_user"] == {"k2": 3000}
    assert (await User.get(User.identified_by(phone="+6281233002999"))).name == "Warga 2999"


def test_production_refuses_to_start_without_data_keys(tmp_path):
    env = {**os.environ, "BATT_ENV": "production", "BATT_SECRET_KEY": "s" * 40,
           "BATT_VAR_DIR": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("BATT_DATA_KEYS", None)
    result = subprocess.run([sys.executable, "-m", "backend.cli", "migrate"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "BATT_DATA_KEYS is required" in result.stderr
    bad = subprocess.run([sys.executable, "-m", "backend.cli", "migrate"],
                         env={**env, "BATT_DATA_KEYS": "k1:" + base64.urlsafe_b64encode(
                             b"short").decode()}, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "32 bytes" in bad.stderr


def test_development_key_is_generated_once_with_mode_0600(tmp_path):
    first = data_keys.development_keys(tmp_path)
    assert (tmp_path / "data_keys").stat().st_mode & 0o777 == 0o600
    assert data_keys.development_keys(tmp_path) == first


MIGRATION_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate
    from backend import db
    from backend.crypto import keys
    from backend.settings import load_settings

    async def main():
        settings = load_settings()
        keys.install(keys.keyring_for(settings))
        config = db.tortoise_config(settings)
        await migrate(config=config, target="accounts.0003_session_index")
        conn = Tortoise.get_connection("default")
        ph = "$1, $2, $3" if settings.database_dialect == "postgres" else "?, ?, ?"
        for i, (phone, nik) in enumerate([("+6281244400001", "3579014107900044"),
                                          ("+6281244400002", None)]):
            await conn.execute_query(
                "INSERT INTO account_user (name, phone, nik, is_active, created_at, updated_at)"
                f" VALUES ({ph}, true, '2026-01-01', '2026-01-01')",
                [f"Lama {i}", phone, nik])
        await conn.execute_query(
            "INSERT INTO account_login_failure (identifier, address, created_at) "
            "VALUES ('x', '203.0.113.1', '2026-01-01')")
        await Tortoise.close_connections()
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        from backend.accounts.models import User
        a = await User.get(User.identified_by(nik="3579014107900044"))
        b = await User.get(User.identified_by(phone="+6281244400002"))
        print(a.phone, a.name, b.nik, await db.connection().execute_query_dict(
            "SELECT count(*) AS n FROM account_login_failure"))
        await db.close_db()

    asyncio.run(main())
""")


async def test_the_migration_encrypts_existing_plain_rows(tmp_path, settings):
    var = tmp_path / "var"
    if USING_POSTGRES:
        from tests.conftest import TEST_DATABASE_URL, _admin_execute, _with_database

        name = f"batt_migrate_{secrets.token_hex(4)}"
        url = _with_database(TEST_DATABASE_URL, name).replace("postgresql://", "postgres://")
        await _admin_execute(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite://{var / 'old.sqlite3'}"
    try:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "BATT_VAR_DIR": str(var),
               "BATT_DATABASE_URL": url, "BATT_ENV": "test"}
        env.pop("BATT_DATA_KEYS", None)
        result = subprocess.run([sys.executable, "-c", MIGRATION_SCRIPT], env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split("[")[0].split() == ["+6281244400001", "Lama", "0",
                                                       "None"]
        assert "'n': 0" in result.stdout  # unkeyed failure hashes are gone
        dump_settings = settings.__class__(env="test", var_dir=var, database_url=url,
                                           media_dir=var / "media", secret_key="x" * 40)
        if USING_POSTGRES:
            dump = await database_dump(dump_settings)
        else:
            dump = (var / "old.sqlite3").read_bytes()
            wal = var / "old.sqlite3-wal"
            dump += wal.read_bytes() if wal.exists() else b""
        assert b"Lama 0" in dump  # names stay readable; identifiers do not
        assert leaks(dump, phones=["+6281244400001", "+6281244400002"],
                     niks=["3579014107900044"]) == []
    finally:
        if USING_POSTGRES:
            await _admin_execute(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
