"""Farming's periodic jobs (named in its manifest)."""

from __future__ import annotations

from among_tani.farming.questions import flag_overdue
from backend.jobs import Job
from backend.settings import Settings


def jobs(settings: Settings) -> list[Job]:
    # A missed first-answer deadline is flagged (and escalated) once, within a minute.
    return [Job("flag-overdue-crop-questions", 60.0, flag_overdue)]
