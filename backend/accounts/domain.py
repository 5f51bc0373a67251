"""Accounts: users, roles, SKPDs, sessions, residents' rights over their data."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="accounts",
    apps=(DomainApp("accounts", "backend.accounts.models", "backend.accounts.migrations"),),
    queries=("backend.accounts.graphql.queries:AccountQueries",),
    mutations=("backend.accounts.graphql.mutations:AccountMutations",),
    event_types="backend.accounts.events:AccountEvent",
)
