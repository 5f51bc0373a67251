"""The market's periodic jobs (named in its manifest): deadlines are data, each run a scan
with conditional updates, so restarts and overlapping runs change each row once."""

from __future__ import annotations

from among_tani.market.listings import expire_listings
from among_tani.market.orders import expire_unanswered, warn_expiring
from backend.jobs import Job
from backend.settings import Settings


def jobs(settings: Settings) -> list[Job]:
    return [Job("tani-expire-listings", 300.0, expire_listings),
            Job("tani-expire-unanswered-orders", 60.0, expire_unanswered),
            Job("tani-warn-expiring-orders", 300.0, warn_expiring)]
