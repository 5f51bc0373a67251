"""Push: devices, the durable outbox and the FCM sender."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="push",
    apps=(DomainApp("push", "backend.push.models", "backend.push.migrations"),),
    mutations=("backend.push.graphql.mutations:PushMutations",),
    jobs="backend.push.sender:jobs",
    personal_data=("backend.push.personal_data",),
    depends_on=("accounts",),
)
