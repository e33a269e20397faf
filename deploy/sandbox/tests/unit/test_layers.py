"""No import points backwards: domain <- service <- adapters <- entrypoints <- bootstrap <- main."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import rcm_sandbox

PACKAGE = Path(rcm_sandbox.__file__).parent


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(layer: str) -> dict[str, set[str]]:
    return {str(p.relative_to(PACKAGE)): imports_of(p) for p in sorted((PACKAGE / layer).rglob("*.py"))}


def sandbox_imports(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith("rcm_sandbox")}


def test_the_domain_imports_only_the_domain_and_the_standard_library() -> None:
    for module, names in modules("domain").items():
        outside = {n for n in names if not n.startswith("rcm_sandbox.domain")
                   and n.split(".")[0] not in sys.stdlib_module_names and n != "__future__"}
        assert outside == set(), module


def test_the_service_imports_only_the_domain_and_itself() -> None:
    for module, names in modules("service").items():
        assert {n for n in sandbox_imports(names)
                if not n.startswith(("rcm_sandbox.domain", "rcm_sandbox.service"))} == set(), module


def test_adapters_implement_ports_and_never_call_handlers_or_entrypoints() -> None:
    allowed = ("rcm_sandbox.domain", "rcm_sandbox.adapters", "rcm_sandbox.service.ports",
               "rcm_sandbox.service.unit_of_work")
    for module, names in modules("adapters").items():
        assert {n for n in sandbox_imports(names) if not n.startswith(allowed)} == set(), module


def test_entrypoints_never_import_the_bootstrap_or_the_storage() -> None:
    storage = ("rcm_sandbox.adapters.storage", "rcm_sandbox.adapters.repositories", "rcm_sandbox.adapters.memory",
               "rcm_sandbox.adapters.unit_of_work", "rcm_sandbox.bootstrap", "rcm_sandbox.main",
               "rcm_sandbox.config", "rcm_sandbox.settings", "rcm_sandbox.testing")
    for module, names in modules("entrypoints").items():
        assert {n for n in sandbox_imports(names) if n.startswith(storage)} == set(), module


def test_only_main_imports_the_bootstrap_and_nothing_imports_main() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        names = imports_of(path)
        assert "rcm_sandbox.main" not in names, path
        if path.name != "main.py":
            assert "rcm_sandbox.bootstrap" not in names, path
