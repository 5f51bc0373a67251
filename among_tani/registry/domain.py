"""The Among Tani registry: commodities, farmer and buyer profiles and their review, extension
officers and their villages. Shared by the market and the farming help desk."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="tani_registry",
    apps=(DomainApp("tani_registry", "among_tani.registry.models",
                    "among_tani.registry.migrations"),),
    queries=("among_tani.registry.graphql.queries:RegistryQueries",),
    mutations=("among_tani.registry.graphql.mutations:RegistryMutations",),
    demo="among_tani.registry.demo:loader",
    event_types="among_tani.registry.events:RegistryEvent",
    personal_data=("among_tani.registry.personal_data",),
    depends_on=("accounts", "geo", "events", "media", "push"),
)
