"""Among Kota's periodic jobs: publishing what editors scheduled; marking when city-condition
notices start and expire (so cached public answers drop them then)."""

from __future__ import annotations

from typing import Any

from backend.jobs import Job


def jobs(settings: Any) -> list[Job]:
    # Importing the kinds registers them with the job.
    import among_kota.agenda.services  # noqa: F401
    import among_kota.conditions.services as conditions
    import among_kota.news.services  # noqa: F401
    import among_kota.places.services  # noqa: F401
    import among_kota.services.services  # noqa: F401
    from among_kota.content.services import publish_due

    return [Job("publish-scheduled-content", 30.0, publish_due),
            Job("track-condition-validity", 30.0, conditions.track_validity)]
