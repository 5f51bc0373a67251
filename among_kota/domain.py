"""Among Kota's wiring, in one place: its apps, GraphQL roots, HTTP routes, jobs and demo.

Until the platform's domain manifest (PLATFORM.md, issue 10) is on main, backend's hand
lists (apps.py, schema.py, app.py, jobs.py, demo.py) read these names; with the manifest
this module becomes ``DOMAIN = Domain(...)`` and those lines go.
"""

from __future__ import annotations

from typing import Any

APPS: tuple[tuple[str, str, str], ...] = (
    ("kota_content", "among_kota.content.models", "among_kota.content.migrations"),
    ("kota_places", "among_kota.places.models", "among_kota.places.migrations"),
    ("kota_events", "among_kota.agenda.models", "among_kota.agenda.migrations"),
)


def queries() -> tuple[type, ...]:
    from among_kota.agenda.graphql.queries import EventQueries
    from among_kota.places.graphql.queries import PlaceQueries

    return (PlaceQueries, EventQueries)


def mutations() -> tuple[type, ...]:
    from among_kota.agenda.graphql.mutations import EventMutations
    from among_kota.places.graphql.mutations import PlaceMutations

    return (PlaceMutations, EventMutations)


def routes() -> list[Any]:
    from among_kota.agenda.feeds import routes as event_feeds

    return [*event_feeds]


def jobs(settings: Any) -> list[Any]:
    from among_kota.content.jobs import jobs as content_jobs

    return content_jobs(settings)


def register_cli(sub: Any) -> None:
    from among_kota.places.cli import register

    register(sub)


def demo_loader() -> Any:
    from among_kota.demo import loader

    return loader
