"""Among Kota: places, events (and to come: news, city conditions, UMKM, public services) —
city information written by agency editors, read by everyone."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="among_kota",
    apps=(
        DomainApp("kota_content", "among_kota.content.models", "among_kota.content.migrations"),
        DomainApp("kota_places", "among_kota.places.models", "among_kota.places.migrations"),
        DomainApp("kota_events", "among_kota.agenda.models", "among_kota.agenda.migrations"),
    ),
    queries=("among_kota.places.graphql.queries:PlaceQueries",
             "among_kota.agenda.graphql.queries:EventQueries"),
    mutations=("among_kota.places.graphql.mutations:PlaceMutations",
               "among_kota.agenda.graphql.mutations:EventMutations"),
    routes="among_kota.agenda.feeds:routes",
    jobs="among_kota.content.jobs:jobs",
    demo="among_kota.demo:loader",
    event_types="among_kota.events:KotaEvent",
    cli="among_kota.places.cli:register",
    depends_on=("accounts", "geo", "events"),
)
