"""The package's shape: layers point inward, no import cycles, a pure domain, exact ``__all__``.

The import graph is read from the source with :mod:`ast` (every ``import`` statement, also those
inside functions; only ``if TYPE_CHECKING:`` blocks are left out, since they never run). Each
check is a plain function over that graph, and each is also run on a small graph with a planted
fault, so a checker that stopped noticing would fail here too.
"""

from __future__ import annotations
import __future__

import ast
import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

import pytest

import surety_core

SRC = Path(surety_core.__file__).parent
ROOT = "surety_core"

# Lowest first. A module may import modules of its own layer or of a layer below it, never above.
# A prefix names a package and everything in it; the longest matching prefix wins.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("surety_core._errors", "surety_core._validation"),
    ("surety_core.domain",),
    (
        "surety_core._japanese",
        "surety_core.storage",  # the package itself: the ports and records only
        "surety_core.storage._records",
        "surety_core.storage._protocols",
    ),
    ("surety_core._serialization",),
    ("surety_core.keys", "surety_core.certificates", "surety_core.audit", "surety_core.notify"),
    ("surety_core.services",),
    (
        "surety_core.storage._common",
        "surety_core.storage._memory",
        "surety_core.storage.memory",
        "surety_core.storage._sql",
        "surety_core.storage._sql_audit",
        "surety_core.storage._sql_schema",
        "surety_core.storage.sql",
        "surety_core.documents",
    ),
    ("surety_core.cli", "surety_core.web", "surety_core.testing", "surety_core.__main__"),
    ("surety_core",),  # the root package re-exports; nothing inside imports it for names
)

# What the pure domain may import (top-level module names), besides its own two leaves.
DOMAIN_ALLOWED = frozenset(
    {
        "__future__",
        "attrs",
        "bisect",
        "collections",
        "dataclasses",
        "datetime",
        "decimal",
        "enum",
        "fractions",
        "functools",
        "itertools",
        "math",
        "operator",
        "re",
        "types",
        "typing",
        "unicodedata",
    }
)
DOMAIN_LEAVES = frozenset({"surety_core._errors", "surety_core._validation"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, current: str, is_package: bool) -> Iterable[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (x for child in node.orelse for x in _imports(child, current, is_package))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = current.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                # ``from surety_core.x import _y`` imports the submodule ``_y`` when there is one
                yield candidate if _is_module(candidate) else base
        else:
            yield from _imports(node, current, is_package)


def _is_module(name: str) -> bool:
    if not name.startswith(ROOT):
        return False
    rel = Path(*name.split(".")[1:])
    return (SRC / rel).with_suffix(".py").exists() or (SRC / rel / "__init__.py").exists()


def import_graph() -> dict[str, set[str]]:
    """Every module of the package and the modules (ours and others) it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = set(_imports(tree, name, path.name == "__init__.py"))
    return graph


def layer_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> int:
    best, found = -1, -1
    for index, prefixes in enumerate(layers):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return found


def layer_violations(
    graph: Mapping[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS
) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        own = layer_of(module, layers)
        for target in sorted(targets):
            if target.startswith(ROOT + ".") and layer_of(target, layers) > own:
                found.append(f"{module} (layer {own}) imports {target} (a higher layer)")
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), among our modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def domain_impurities(graph: Mapping[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        if not module.startswith("surety_core.domain"):
            continue
        for target in sorted(targets):
            if target.startswith("surety_core.domain") or target in DOMAIN_LEAVES:
                continue
            if target.split(".")[0] not in DOMAIN_ALLOWED:
                found.append(f"{module} imports {target}")
    return found


# --- the package as it is ---------------------------------------------------------------------


GRAPH = import_graph()


def test_every_module_is_in_a_layer() -> None:
    for module in GRAPH:
        layer_of(module)


def test_dependencies_point_inward() -> None:
    assert layer_violations(GRAPH) == []


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_the_domain_imports_no_storage_json_crypto_mail_or_pdf() -> None:
    assert domain_impurities(GRAPH) == []


def test_the_json_form_works_after_importing_the_serialization_module_alone() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from surety_core._serialization import from_json, to_json\n"
        "from surety_core.domain import Period\n"
        "from datetime import date\n"
        "p = Period(date(2025, 1, 1), date(2025, 12, 31))\n"
        "assert from_json(to_json(p)) == p\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_domain_does_not_pull_in_the_json_converter() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import surety_core.domain._checks, surety_core.domain._lifecycle\n"
        "import surety_core.domain._fees, surety_core.domain._claims\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'cattrs', 'sqlalchemy', 'cryptography', 'pypdf', 'smtplib', 'sqlite3'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    # importing a domain module runs ``surety_core/__init__`` first, which re-exports the JSON
    # helpers; what matters is that no domain module itself imports them (checked statically)
    assert "sqlalchemy" not in out.stdout
    assert "pypdf" not in out.stdout
    assert "smtplib" not in out.stdout


# --- the checks notice planted faults -----------------------------------------------------------


def test_layer_check_notices_an_outward_import() -> None:
    planted = {
        "surety_core.domain._model": {"surety_core.storage._sql"},
        "surety_core.storage._sql": {"surety_core.domain._model"},
    }
    assert layer_violations(planted) == [
        "surety_core.domain._model (layer 1) imports surety_core.storage._sql (a higher layer)"
    ]


def test_cycle_check_notices_a_cycle() -> None:
    planted = {
        "surety_core.domain._checks": {"surety_core.domain._products"},
        "surety_core.domain._products": {"surety_core.domain._checks"},
        "surety_core.domain._model": set(),
    }
    assert cycles(planted) == [["surety_core.domain._checks", "surety_core.domain._products"]]


def test_domain_check_notices_a_database_import() -> None:
    planted = {"surety_core.domain._model": {"sqlalchemy", "attrs", "surety_core._errors"}}
    assert domain_impurities(planted) == ["surety_core.domain._model imports sqlalchemy"]


def test_the_graph_sees_lazy_imports_but_not_type_checking_ones() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import sqlalchemy\n"
        "def f():\n    import pypdf\n"
    )
    assert set(_imports(tree, "surety_core.domain._x", False)) == {"typing", "pypdf"}


# --- the public surface -------------------------------------------------------------------------


def public_modules() -> list[str]:
    names = [ROOT]
    for info in pkgutil.walk_packages(surety_core.__path__, ROOT + "."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


OPTIONAL = {"surety_core.web": "starlette"}


def exported_names(module: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, ModuleType)
        and value is not __future__.annotations
    }


@pytest.mark.parametrize("name", public_modules())
def test_all_is_exactly_what_a_public_module_exports(name: str) -> None:
    needs = OPTIONAL.get(name)
    if needs is not None:
        pytest.importorskip(needs)
    module = importlib.import_module(name)
    declared = getattr(module, "__all__", None)
    assert declared is not None, f"{name} has no __all__"
    assert len(declared) == len(set(declared)), f"{name}.__all__ repeats a name"
    extra = {"__version__", *getattr(module, "_LAZY", ())} & set(declared)
    assert set(declared) - extra == exported_names(module), name
    for item in declared:
        assert hasattr(module, item), f"{name}.__all__ names {item}, which is missing"


def test_surface_check_notices_an_unlisted_name() -> None:
    fake = ModuleType("surety_core.fake")
    vars(fake).update(__all__=["a"], a=1, b=2)
    assert exported_names(fake) == {"a", "b"} != set(vars(fake)["__all__"])
