"""The domains that make up BATT, each declared in one place: its ``<package>/domain.py``.

A domain's manifest (:class:`Domain`) names its Tortoise app(s) and migrations, its GraphQL
query/mutation/subscription classes, HTTP routes, periodic jobs, demo loader, event types and
after-commit event handlers — as ``"module:attr"`` strings, imported only when the part is
needed, so a manifest imports nothing heavy and ``backend`` never imports a domain package.

``backend`` reads :data:`DOMAIN_MODULES` (one line per domain) wherever it used to list
domains by hand: the database config and migrations (:func:`apps`), the GraphQL schema
(``backend.schema``), the HTTP routes (``backend.app``), the periodic jobs
(``backend.jobs``), the demo (``backend.demo``), the event types and handlers
(``backend.events``). Adding a domain is one line here.

Tests may run with more domains (a domain that exists only in the tests) with
:func:`installed`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class DomainApp:
    """A Tortoise app: its label, models module and migrations package."""

    label: str
    models: str
    migrations: str


@dataclass(frozen=True)
class Domain:
    name: str
    apps: tuple[DomainApp, ...] = ()
    # "module:attr" of graphene ObjectTypes merged into Query / Mutation / Subscription.
    queries: tuple[str, ...] = ()
    mutations: tuple[str, ...] = ()
    subscriptions: tuple[str, ...] = ()
    # "module:attr" of a list of Starlette routes.
    routes: str | None = None
    # "module:attr" of a callable(settings) -> list[backend.jobs.Job].
    jobs: str | None = None
    # "module:attr" of a backend.demo.DemoLoader.
    demo: str | None = None
    # "module:attr" of this domain's ``str`` Enum of event types ("order.placed", …).
    event_types: str | None = None
    # "module:attr" of a list of backend.events.handlers.Handler.
    handlers: str | None = None
    # Modules that register backend.accounts.personal_data sections when imported.
    personal_data: tuple[str, ...] = ()
    # "module:attr" of a callable(subparsers) adding the domain's `batt` commands.
    cli: str | None = None
    # Domains whose tables, demo data and handlers come before this one's.
    depends_on: tuple[str, ...] = ()


# One dotted module per domain, each holding ``DOMAIN``. Platform parts first.
DOMAIN_MODULES: tuple[str, ...] = (
    "backend.accounts.domain",
    "backend.geo.domain",
    "backend.events.domain",
    "backend.media.domain",
    "backend.push.domain",
    "backend.ratelimit.domain",
    "backend.graphql.domain",
    "among_warga.domain",
    "command_center.domain",
    "responder.domain",
    "among_tani.registry.domain",
    "among_tani.market.domain",
    "among_tani.farming.domain",
    "among_kota.domain",
)

_extra: tuple[str, ...] = ()


def resolve(reference: str) -> Any:
    """The object a ``"module:attr"`` string names."""
    module, _, attr = reference.partition(":")
    if not module or not attr:
        raise ValueError(f"{reference!r}: expected 'module:attr'")
    return getattr(import_module(module), attr)


@functools.cache
def _load(modules: tuple[str, ...]) -> tuple[Domain, ...]:
    found: dict[str, Domain] = {}
    for module in modules:
        domain = import_module(module).DOMAIN
        if not isinstance(domain, Domain):
            raise TypeError(f"{module}.DOMAIN is not a backend.domains.Domain")
        if domain.name in found:
            raise ValueError(f"two domains are named {domain.name!r}")
        found[domain.name] = domain
    labels = [app.label for d in found.values() for app in d.apps]
    if len(set(labels)) != len(labels):
        raise ValueError(f"a Tortoise app label is declared twice: {sorted(labels)}")
    # Dependencies first, otherwise in list order (stable).
    ordered: list[Domain] = []
    visiting: set[str] = set()

    def visit(domain: Domain) -> None:
        if domain in ordered:
            return
        if domain.name in visiting:
            raise ValueError(f"domains depend on each other in a cycle at {domain.name!r}")
        visiting.add(domain.name)
        for name in domain.depends_on:
            if name not in found:
                raise ValueError(f"{domain.name!r} depends on unknown domain {name!r}")
            visit(found[name])
        visiting.discard(domain.name)
        ordered.append(domain)

    for domain in found.values():
        visit(domain)
    return tuple(ordered)


def domains() -> tuple[Domain, ...]:
    """Every installed domain, each after the domains it depends on."""
    return _load(DOMAIN_MODULES + _extra)


def apps() -> tuple[DomainApp, ...]:
    return tuple(app for domain in domains() for app in domain.apps)


def collect(part: str) -> list[Any]:
    """The resolved objects of one part of every manifest, in domain order (tuples of
    references are flattened; missing parts skipped)."""
    found: list[Any] = []
    for domain in domains():
        value = getattr(domain, part)
        references = value if isinstance(value, tuple) else (value,) if value else ()
        found += [resolve(reference) for reference in references]
    return found


@contextlib.contextmanager
def installed(*modules: str) -> Iterator[tuple[Domain, ...]]:
    """(Tests) run with these domain modules added to :data:`DOMAIN_MODULES`."""
    global _extra
    previous = _extra
    _extra = previous + tuple(m for m in modules if m not in previous)
    try:
        yield domains()
    finally:
        _extra = previous
