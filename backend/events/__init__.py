"""Domain events: the durable log every state change writes in its own transaction, and the
in-process bus that publishes them after commit (the command-center stream attaches here)."""

from backend.events.log import EventType, after_commit_subscribers, record_event, unit_of_work

__all__ = ["EventType", "record_event", "after_commit_subscribers", "unit_of_work"]
