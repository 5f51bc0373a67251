"""Among Warga's periodic jobs (named in its manifest)."""

from __future__ import annotations

from among_warga.services import close_unconfirmed
from backend.jobs import Job
from backend.settings import Settings


def jobs(settings: Settings) -> list[Job]:
    return [Job("close-unconfirmed-complaints", 60.0, close_unconfirmed)]
