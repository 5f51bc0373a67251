"""The Tortoise apps that make up BATT: one per domain, each with its own migrations package,
as the domains declare them in their manifests (``backend.domains``). The database config,
the migration command, backups and the test fixtures read :func:`installed_apps`."""

from __future__ import annotations

from typing import Any

from backend.domains import DomainApp, apps


def installed_apps() -> tuple[DomainApp, ...]:
    return apps()


def __getattr__(name: str) -> Any:
    if name == "APPS":  # the former constant, for code written before the manifests
        return apps()
    raise AttributeError(name)


__all__ = ["DomainApp", "installed_apps"]
