"""The Tortoise apps that make up BATT: one per domain, each with its own migrations package.

A domain joins the system by adding one line here; the database config, the migration
command and the test fixtures all read this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainApp:
    label: str
    models: str
    migrations: str


APPS: tuple[DomainApp, ...] = (
    DomainApp("accounts", "backend.accounts.models", "backend.accounts.migrations"),
    DomainApp("geo", "backend.geo.models", "backend.geo.migrations"),
    DomainApp("events", "backend.events.models", "backend.events.migrations"),
    DomainApp("media", "backend.media.models", "backend.media.migrations"),
    DomainApp("push", "backend.push.models", "backend.push.migrations"),
    DomainApp("ratelimit", "backend.ratelimit.models", "backend.ratelimit.migrations"),
    DomainApp("among_warga", "among_warga.models", "among_warga.migrations"),
    DomainApp("command_center", "command_center.models", "command_center.migrations"),
    # Among Kota (among_kota/domain.py lists them; with the platform's manifest they move there)
    DomainApp("kota_content", "among_kota.content.models", "among_kota.content.migrations"),
    DomainApp("kota_places", "among_kota.places.models", "among_kota.places.migrations"),
    DomainApp("kota_events", "among_kota.agenda.models", "among_kota.agenda.migrations"),
)
