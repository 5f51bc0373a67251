"""`batt places import` as an operator runs it."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.e2e.test_serve import BATT, clean_env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BATT, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_places_import_command_reports_rejections_and_is_idempotent(tmp_path):
    env = clean_env(tmp_path / "var")
    assert run("migrate", env=env).returncode == 0
    assert run("seed-demo", env=env).returncode == 0  # SKPDs, categories, demo places
    path = tmp_path / "toilets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "dlh:toilet-1",
         "geometry": {"type": "Point", "coordinates": [112.5272, -7.8716]},
         "properties": {"name": "Toilet Umum Alun-alun", "category": "public_toilet"}},
        {"type": "Feature", "id": "dlh:toilet-2",
         "geometry": {"type": "Point", "coordinates": [112.7, -7.3]},
         "properties": {"name": "Toilet di Surabaya", "category": "public_toilet"}},
    ]}))
    first = run("places", "import", str(path), "--skpd", "dlh", env=env)
    assert first.returncode == 1, first.stderr
    assert "Done: 1 created, 0 updated, 0 unchanged, 1 rejected." in first.stdout
    assert "rejected row 2 (dlh:toilet-2): lat:" in first.stderr
    assert "[outside_map]" in first.stderr
    assert "toilets.geojson" in first.stderr and "2/2" in first.stderr  # the progress line
    again = run("places", "import", str(path), "--skpd", "dlh", env=env)
    assert "Done: 0 created, 0 updated, 1 unchanged, 1 rejected." in again.stdout
    unknown = run("places", "import", str(path), "--skpd", "nope", env=env)
    assert unknown.returncode == 2 and "Unknown SKPD: nope" in unknown.stderr
