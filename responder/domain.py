"""Among Respon: the agencies' staff work the cases dispatched to them."""

from backend.domains import Domain

DOMAIN = Domain(
    name="responder",
    queries=("responder.graphql.schema:ResponderQueries",),
    mutations=("responder.graphql.schema:ResponderMutations",),
    demo="responder.demo:loader",
    depends_on=("among_warga", "command_center"),
)
