from __future__ import annotations

from enum import Enum


class RegistryEvent(str, Enum):
    APPLICATION_SUBMITTED = "tani_application.submitted"
    APPLICATION_APPROVED = "tani_application.approved"
    APPLICATION_DECLINED = "tani_application.declined"
    OFFICER_VILLAGES_CHANGED = "tani_officer.villages_changed"
    # Public data of the registry changed without an application: a farmer's completed
    # orders or rating (public profile, listings), Batu's commodities seeded. The read cache
    # of the public profile, listings and commodities is dropped by these.
    FARMER_STATS_CHANGED = "tani_farmer.stats_changed"
    COMMODITIES_SEEDED = "tani_commodity.seeded"
