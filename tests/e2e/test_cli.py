"""`batt migrate` and `batt create-user` as an operator runs them."""

from __future__ import annotations

import subprocess

from tests.e2e.test_serve import BATT, clean_env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BATT, *args], env=env, capture_output=True, text=True, timeout=120)


def test_migrate_is_idempotent_and_create_user_validates(tmp_path):
    env = clean_env(tmp_path)
    first = run("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied accounts.0001_initial" in first.stdout
    again = run("migrate", env=env)
    assert again.returncode == 0 and "applied" not in again.stdout

    bad = run("create-user", "--name", "Petugas", "--phone", "0812", "--password", "x",
              "--role", "responder", env=env)
    assert bad.returncode == 2
    assert "invalid_phone" in bad.stderr and "weak_password" in bad.stderr

    no_skpd = run("create-user", "--name", "Petugas", "--phone", "081234500001",
                  "--password", "sandi-petugas-1", "--role", "responder", "--skpd", "dpupr",
                  env=env)
    assert no_skpd.returncode == 2 and "skpd_not_found" in no_skpd.stderr

    assert run("seed-demo", env=env).returncode == 0
    ok = run("create-user", "--name", "Petugas Jalan", "--phone", "081234500001",
             "--password", "sandi-petugas-1", "--role", "responder", "--role", "citizen",
             "--skpd", "dpupr", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "+6281234500001" in ok.stdout
