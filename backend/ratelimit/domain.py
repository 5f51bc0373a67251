"""Rate limits: budgets per user and address."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="ratelimit",
    apps=(DomainApp("ratelimit", "backend.ratelimit.models", "backend.ratelimit.migrations"),),
)
