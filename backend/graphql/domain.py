"""GraphQL's own table: the documents of Automatic Persisted Queries."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="graphql",
    apps=(DomainApp("graphql", "backend.graphql.models", "backend.graphql.migrations"),),
)
