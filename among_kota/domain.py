"""Among Kota: places, events, news, public services and their
satisfaction survey, city conditions and the UMKM directory —
city information written by agency editors, read by everyone."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="among_kota",
    apps=(
        DomainApp("kota_content", "among_kota.content.models", "among_kota.content.migrations"),
        DomainApp("kota_places", "among_kota.places.models", "among_kota.places.migrations"),
        DomainApp("kota_events", "among_kota.agenda.models", "among_kota.agenda.migrations"),
        DomainApp("kota_news", "among_kota.news.models", "among_kota.news.migrations"),
        DomainApp("kota_services", "among_kota.services.models",
                  "among_kota.services.migrations"),
        DomainApp("kota_conditions", "among_kota.conditions.models",
                  "among_kota.conditions.migrations"),
        DomainApp("kota_umkm", "among_kota.umkm.models", "among_kota.umkm.migrations"),
    ),
    queries=("among_kota.places.graphql.queries:PlaceQueries",
             "among_kota.places.graphql.holidays:HolidayQueries",
             "among_kota.agenda.graphql.queries:EventQueries",
             "among_kota.news.graphql.queries:NewsQueries",
             "among_kota.services.graphql.queries:ServiceQueries",
             "among_kota.conditions.graphql.queries:ConditionQueries",
             "among_kota.umkm.graphql.queries:UmkmQueries"),
    mutations=("among_kota.places.graphql.mutations:PlaceMutations",
               "among_kota.places.graphql.holidays:HolidayMutations",
               "among_kota.agenda.graphql.mutations:EventMutations",
               "among_kota.news.graphql.mutations:NewsMutations",
               "among_kota.services.graphql.mutations:ServiceMutations",
               "among_kota.conditions.graphql.mutations:ConditionMutations",
               "among_kota.umkm.graphql.mutations:UmkmMutations"),
    routes="among_kota.feeds:routes",
    jobs="among_kota.content.jobs:jobs",
    demo="among_kota.demo:loader",
    event_types="among_kota.events:KotaEvent",
    cli="among_kota.places.cli:register",
    personal_data=("among_kota.news.personal_data", "among_kota.services.personal_data",
                   "among_kota.umkm.personal_data"),
    # among_warga: a public service's complaint channel names a complaint category.
    depends_on=("accounts", "geo", "events", "media", "push", "among_warga"),
)
