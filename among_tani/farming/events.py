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
    # Public aggregates changed (harvestOutlook): no personal data in the payload.
    PLANTING_RECORDED = "planting.recorded"
