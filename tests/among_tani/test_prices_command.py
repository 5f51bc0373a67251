"""`batt prices import` as the Agriculture Office's staff run it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.among_kota.test_import_command import run
from tests.e2e.test_serve import clean_env


@pytest.mark.slow
def test_prices_import_command_reports_rejections_and_is_idempotent(tmp_path):
    env = clean_env(tmp_path / "var")
    assert run("migrate", env=env).returncode == 0
    assert run("seed-demo", env=env).returncode == 0  # commodities and markets
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    path = tmp_path / "harga.csv"
    path.write_text(
        "date,market,commodity,level,unit,price,source\n"
        f"{day},pasar_besar_batu,kentang,retail,kg,15000,Distan\n"
        f"{day},pasar_besar_batu,durian,retail,kg,15000,Distan\n"
        f"{day},pasar_besar_batu,wortel,retail,kg,12.5,Distan\n", encoding="utf-8")
    first = run("prices", "import", str(path), env=env)
    assert first.returncode == 1, first.stderr
    assert "Done: 1 imported, 2 rejected." in first.stdout
    assert "rejected line 3:" in first.stderr and "rejected line 4:" in first.stderr
    assert "harga.csv" in first.stderr and "3/3" in first.stderr  # the progress line
    again = run("prices", "import", str(path), env=env)
    assert "Done: 1 imported, 2 rejected." in again.stdout  # the same row, replaced, not added
    missing = run("prices", "import", str(tmp_path / "nope.csv"), env=env)
    assert missing.returncode == 2 and "Nothing was imported." in missing.stderr
