"""Command center: triage, routing, dispatch to the agencies, deadlines, the live wall."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="command_center",
    apps=(DomainApp("command_center", "command_center.models", "command_center.migrations"),),
    queries=("command_center.graphql.queries:CommandCenterQueries",),
    mutations=("command_center.graphql.mutations:CommandCenterMutations",),
    subscriptions=("command_center.graphql.subscriptions:CommandCenterSubscriptions",),
    routes="command_center.http:routes",
    jobs="command_center.sla:jobs",
    demo="command_center.demo:loader",
    handlers="command_center.handlers:HANDLERS",
    depends_on=("among_warga",),
)
