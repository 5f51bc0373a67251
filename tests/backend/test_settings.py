"""Configuration is read in one place: backend/settings.py, from the environment, once."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from backend.events.bus import EventBus
from backend.settings import ConfigurationError, load_settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "among_warga", "command_center", "responder", "among_tani",
            "among_kota")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("BATT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BATT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BATT_SECRET_KEY", "k" * 40)
    return monkeypatch


def test_the_event_poll_interval_is_a_setting(env):
    assert load_settings().event_poll_seconds == 5.0
    env.setenv("BATT_EVENT_POLL_SECONDS", "0.5")
    settings = load_settings()
    assert settings.event_poll_seconds == 0.5
    assert EventBus(settings.database_url,
                    poll_seconds=settings.event_poll_seconds).poll_seconds == 0.5
    for bad in ("soon", "0", "-1", "nan", "86400"):
        env.setenv("BATT_EVENT_POLL_SECONDS", bad)
        with pytest.raises(ConfigurationError, match="BATT_EVENT_POLL_SECONDS"):
            load_settings()


def test_no_module_reads_the_environment_but_settings():
    readers = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).exists() else []:
            if path == ROOT / "backend" / "settings.py":
                continue
            source = path.read_text()
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source, str(path))):
                if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                        and isinstance(node.value, ast.Name) and node.value.id == "os"):
                    # The environment as a process's environment, not configuration (what
                    # a child process inherits, a library's hand-over to worker processes),
                    # says so on the line.
                    if "# not a setting:" in lines[node.lineno - 1]:
                        continue
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []
