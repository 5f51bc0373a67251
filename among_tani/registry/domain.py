"""The registry's manifest (docs: PLATFORM.md section 1). Until backend.domains exists on
this branch the same parts are listed by hand in backend/apps.py, backend/schema.py,
backend/demo.py and backend/accounts/personal_data.py."""

from __future__ import annotations

try:
    from backend.domains import Domain, DomainApp
except ImportError:  # before the platform's manifest lands
    Domain = DomainApp = None  # type: ignore[assignment,misc]

DOMAIN = None if Domain is None else Domain(
    name="tani_registry",
    apps=(DomainApp("tani_registry", "among_tani.registry.models",
                    "among_tani.registry.migrations"),),
    queries=("among_tani.registry.graphql.queries:RegistryQueries",),
    mutations=("among_tani.registry.graphql.mutations:RegistryMutations",),
    demo="among_tani.registry.demo:loader",
    event_types="among_tani.registry.events:RegistryEvent",
)
