"""Events: the durable log of domain events (and, for handlers, their cursors)."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="events",
    apps=(DomainApp("events", "backend.events.models", "backend.events.migrations"),),
    jobs="backend.events.handlers:jobs",
)
