"""Among Warga: residents' complaints — the complaint, its state, timeline and dispatches."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="among_warga",
    apps=(DomainApp("among_warga", "among_warga.models", "among_warga.migrations"),),
    queries=("among_warga.graphql.queries:ComplaintQueries",),
    mutations=("among_warga.graphql.mutations:ComplaintMutations",),
    routes="among_warga.feeds:routes",
    jobs="among_warga.jobs:jobs",
    demo="among_warga.demo:loader",
    event_types=("among_warga.events:ComplaintEvent",  # type: ignore[arg-type]
                 "among_warga.events:CategoryEvent"),
    handlers="among_warga.handlers:HANDLERS",
    personal_data=("among_warga.personal_data",),
    depends_on=("accounts", "geo", "events", "media", "push"),
)
