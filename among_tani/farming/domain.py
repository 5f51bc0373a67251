"""Among Tani for farming itself: the farm registry (parcels, plantings, harvests), the
crop-problem help desk, pest alerts, advisories and knowledge, the supply outlook."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="tani_farming",
    apps=(DomainApp("tani_farming", "among_tani.farming.models",
                    "among_tani.farming.migrations"),),
    queries=("among_tani.farming.graphql.queries:FarmingQueries",),
    mutations=("among_tani.farming.graphql.mutations:FarmingMutations",),
    subscriptions=("among_tani.farming.graphql.subscriptions:FarmingSubscriptions",),
    jobs="among_tani.farming.jobs:jobs",
    demo="among_tani.farming.demo:loader",
    event_types="among_tani.farming.events:FarmingEvent",
    handlers="among_tani.farming.notify:HANDLERS",
    personal_data=("among_tani.farming.personal_data",),
    cli="among_tani.farming.cli:register",
    depends_on=("tani_registry",),
)
