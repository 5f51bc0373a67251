"""The farming domain's event types (namespaced, as every domain's) and who hears them."""

from __future__ import annotations

from enum import Enum


class FarmingEvent(str, Enum):
    QUESTION_ASKED = "question.asked"
    QUESTION_ANSWERED = "question.answered"
    QUESTION_REPLIED = "question.replied"
    QUESTION_HANDED_OFF = "question.handed_off"
    QUESTION_HANDED_BACK = "question.handed_back"
    QUESTION_OVERDUE = "question.overdue"
    QUESTION_CLOSED = "question.closed"
    QUESTION_RATED = "question.rated"
    PEST_ALERT = "pest.alert"
    PEST_ALERT_REVIEWED = "pest.alert_reviewed"
    ADVISORY_PUBLISHED = "advisory.published"
    ARTICLE_PUBLISHED = "knowledge.published"
    # Public aggregates changed (harvestOutlook, supplyOutlook): the farmer and distan hear
    # them, the public-read cache drops the outlooks; no personal data in the payload.
    PLANTING_RECORDED = "planting.recorded"
    PARCEL_MOVED = "parcel.moved"  # its plantings now count for another village
    HARVEST_RECORDED = "harvest.recorded"


# What changes the public outlooks (their read-cache invalidation): a planting added, a parcel
# moved to another village, a harvest recorded, an account erased with its farm records.
OUTLOOK_EVENTS = (FarmingEvent.PLANTING_RECORDED, FarmingEvent.PARCEL_MOVED,
                  FarmingEvent.HARVEST_RECORDED, "account.erased")
