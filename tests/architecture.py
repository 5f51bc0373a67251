"""import-linter contract types for BATT's architecture (configured in pyproject.toml, run by
tests/test_architecture.py in `make test`).

Two rules the built-in contracts cannot say for packages that do not exist yet (Among Tani's
registry/market/farming, Among Kota), so they are written here over the whole import graph:

- ``private_graphql``: no domain imports another domain's ``graphql`` package (its root
  queries and mutations); what a domain offers others lives outside it (e.g.
  ``among_warga.api``).
- ``acyclic_domains``: no import cycle between domain packages.

A *domain* is a package named in the contract's ``domains`` option; ``among_tani.*`` names
every sub-package of ``among_tani`` that exists. A module belongs to the most specific domain
containing it. Imports inside functions count like any other (grimp reads them all).
"""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _domains(graph: ImportGraph, names: list[str]) -> list[str]:
    """The domains named, most specific first; ``parent.*`` is each child of ``parent``."""
    found: set[str] = set()
    for name in names:
        if name.endswith(".*"):
            if name[:-2] in graph.modules:
                found |= set(graph.find_children(name[:-2]))
        elif name in graph.modules:
            found.add(name)
    return sorted(found, key=lambda n: (-n.count("."), n))


def _owner(module: str, domains: list[str]) -> str | None:
    for domain in domains:  # most specific first
        if module == domain or module.startswith(domain + "."):
            return domain
    return None


def _imports(graph: ImportGraph) -> list[tuple[str, str, int | None]]:
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            details = graph.get_import_details(importer=importer, imported=imported)
            found.append((importer, imported, details[0]["line_number"] if details else None))
    return found


class PrivateGraphqlContract(Contract):
    type_name = "private_graphql"

    domains = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        domains = _domains(graph, list(self.domains))  # type: ignore[arg-type]
        broken = []
        for importer, imported, line in _imports(graph):
            source, target = _owner(importer, domains), _owner(imported, domains)
            if source is None or target is None or source == target:
                continue
            graphql = target + ".graphql"
            if imported == graphql or imported.startswith(graphql + "."):
                broken.append((importer, imported, line))
        return ContractCheck(kept=not broken, metadata={"broken": broken,
                                                        "domains": domains})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, line in check.metadata["broken"]:
            output.print_error(f"{importer} (l. {line}) imports {imported}", bold=False)
        output.new_line()
        output.print("A domain's graphql package is its own; share types from outside it "
                     "(e.g. among_warga.api).")


class AcyclicDomainsContract(Contract):
    type_name = "acyclic_domains"

    domains = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        domains = _domains(graph, list(self.domains))  # type: ignore[arg-type]
        edges: dict[str, dict[str, tuple[str, str, int | None]]] = {d: {} for d in domains}
        for importer, imported, line in _imports(graph):
            source, target = _owner(importer, domains), _owner(imported, domains)
            if source and target and source != target:
                edges[source].setdefault(target, (importer, imported, line))
        cycles = _cycles(edges)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles, "edges": edges})

    def render_broken_contract(self, check: ContractCheck) -> None:
        edges: dict[str, dict[str, Any]] = check.metadata["edges"]
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join([*cycle, cycle[0]]), bold=True)
            for source, target in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
                importer, imported, line = edges[source][target]
                output.print(f"    {importer} (l. {line}) imports {imported}")
            output.new_line()


def _cycles(edges: dict[str, dict[str, Any]]) -> list[list[str]]:
    """One cycle per strongly connected group of domains (Tarjan), as a path through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_path(group, edges) for group in groups]


def _path(group: list[str], edges: dict[str, dict[str, Any]]) -> list[str]:
    """A cycle through some members of ``group`` (each step an import)."""
    members = set(group)
    start = min(group)
    path, seen = [start], {start}
    node = start
    while True:
        nxt = min(n for n in edges[node] if n in members)
        if nxt in seen:
            return path[path.index(nxt):]
        path.append(nxt)
        seen.add(nxt)
        node = nxt
