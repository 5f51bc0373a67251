"""BATT's log lines: one format for the CLI and for every server worker process."""

from __future__ import annotations

import logging

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure() -> None:
    """INFO and above to stderr, unless logging is configured already (a no-op then).

    Called by the CLI and by the app factory: uvicorn's worker processes (``--workers N``)
    start fresh interpreters that configure only uvicorn's own loggers, so without this
    every BATT line from a worker — job outcomes, pushes logged instead of sent — was lost.
    """
    logging.basicConfig(level=logging.INFO, format=FORMAT)
