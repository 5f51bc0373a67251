"""A domain that exists only in the tests: notes people post. It uses every hook a manifest
has, so tests/backend/test_domains.py can prove that declaring a domain here is all it
takes for the platform to migrate, serve, stream, schedule, demo and notify it."""

from backend.domains import Domain, DomainApp

DOMAIN = Domain(
    name="sample_notes",
    apps=(DomainApp("sample_notes", "tests.sample_domain.models",
                    "tests.sample_domain.migrations"),),
    queries=("tests.sample_domain.schema:NoteQueries",),
    mutations=("tests.sample_domain.schema:NoteMutations",),
    subscriptions=("tests.sample_domain.schema:NoteSubscriptions",),
    routes="tests.sample_domain.http:routes",
    jobs="tests.sample_domain.services:jobs",
    demo="tests.sample_domain.services:demo",
    event_types="tests.sample_domain.services:NoteEvent",
    handlers="tests.sample_domain.services:HANDLERS",
    depends_on=("accounts", "events", "push"),
)
