"""The accounts' events (``Domain.event_types``)."""

from __future__ import annotations

from enum import Enum


class AccountEvent(str, Enum):
    # A resident erased their account: their name leaves every public answer (lists that
    # show reporter names declare it among what changes them).
    ERASED = "account.erased"
    # A resident changed their name: public lists show it beside their PUBLIC reports, so
    # the cached answers that carry reporter names declare it among what changes them.
    RENAMED = "account.renamed"
