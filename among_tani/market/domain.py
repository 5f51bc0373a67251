"""The Among Tani marketplace: listings, orders, reference prices, ratings."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="tani_market",
    apps=(DomainApp("tani_market", "among_tani.market.models",
                    "among_tani.market.migrations"),),
    queries=("among_tani.market.graphql.queries:MarketQueries",),
    mutations=("among_tani.market.graphql.mutations:MarketMutations",),
    subscriptions=("among_tani.market.graphql.subscriptions:MarketSubscriptions",),
    jobs="among_tani.market.jobs:jobs",
    demo="among_tani.market.demo:loader",
    event_types="among_tani.market.events:MarketEvent",
    handlers="among_tani.market.notify:HANDLERS",
    personal_data=("among_tani.market.personal_data",),
    cli="among_tani.market.cli:register",
    depends_on=("tani_registry",),
)
