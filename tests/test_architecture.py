"""The architecture contracts (pyproject.toml [tool.importlinter]) hold — checked here so
that `make test` runs import-linter — and each contract type breaks on what it forbids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from grimp import ImportGraph

from tests.architecture import AcyclicDomainsContract, PrivateGraphqlContract
from tests.conftest import PROJECT_ROOT

DOMAINS = ["among_warga", "command_center", "responder", "among_kota", "among_tani",
           "among_tani.*"]


def test_the_architecture_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout


def graph(*imports: tuple[str, str]) -> ImportGraph:
    built = ImportGraph()
    for module in ("backend", "among_warga", "command_center", "responder", "among_kota",
                   "among_tani", "among_tani.registry", "among_tani.market",
                   "among_tani.farming"):
        built.add_module(module)
    for importer, imported in imports:
        built.add_module(importer)
        built.add_module(imported)
        built.add_import(importer=importer, imported=imported, line_number=1,
                         line_contents=f"import {imported}")
    return built


def private(*imports: tuple[str, str]) -> bool:
    contract = PrivateGraphqlContract("t", {}, {"domains": DOMAINS})
    return contract.check(graph(*imports), verbose=False).kept


def acyclic(*imports: tuple[str, str]) -> bool:
    contract = AcyclicDomainsContract("t", {}, {"domains": ["backend", *DOMAINS]})
    return contract.check(graph(*imports), verbose=False).kept


def test_a_domain_may_not_import_another_domains_graphql():
    assert not private(("responder.graphql.schema", "command_center.graphql.mutations"))
    assert not private(("command_center.graphql.types", "among_warga.graphql"))
    assert private(("responder.graphql.schema", "among_warga.api.cases"))
    assert private(("among_warga.graphql.queries", "among_warga.graphql.inputs"))
    # Among Tani's sub-packages: the registry's services yes, each other's graphql no.
    assert private(("among_tani.market.services", "among_tani.registry.services"))
    assert not private(("among_tani.market.graphql.types", "among_tani.registry.graphql.types"))
    assert not private(("among_tani.farming.services", "among_tani.market.graphql"))


def test_no_import_cycle_between_domains():
    # The cycle issue 10 found: transitions → command_center.notify → transitions.
    assert not acyclic(("among_warga.transitions", "command_center.notify"),
                       ("command_center.notify", "among_warga.transitions"))
    assert acyclic(("command_center.notify", "among_warga.transitions"),
                   ("responder.services", "command_center.errors"))
    assert not acyclic(("among_tani.market.x", "among_tani.registry.y"),
                       ("among_tani.registry.z", "among_tani.market.w"))
    assert not acyclic(("backend.a", "among_warga.b"), ("among_warga.c", "backend.d"))
