"""Domain events: the durable log every state change writes in its own transaction, and the
in-process bus that publishes them after commit (live subscriptions attach there)."""

from backend.events.log import after_commit_subscribers, record_event, unit_of_work

__all__ = ["record_event", "after_commit_subscribers", "unit_of_work"]
