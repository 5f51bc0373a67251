"""Media: photo uploads and signed URLs."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="media",
    apps=(DomainApp("media", "backend.media.models", "backend.media.migrations"),),
    mutations=("backend.media.graphql.mutations:MediaMutations",),
    routes="backend.media.http:routes",
    personal_data=("backend.media.personal_data",),
    depends_on=("accounts",),
)
