"""The package's modules import each other without a cycle.

Every import counts, deferred ones inside functions included: a cycle hidden behind a deferred
import still ties the two modules together. Imports under `if TYPE_CHECKING:` do not run and
do not count, nor does the implicit import of a module's parent package.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "coursebuilder"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that the file at `path` imports, wherever the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: imported_modules(path, name, known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_the_detector_finds_a_deferred_cycle(tmp_path: Path) -> None:
    known = {"pkg.a", "pkg.b"}
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from pkg.b import g\n", encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text("from typing import TYPE_CHECKING\nfrom pkg import a\nif TYPE_CHECKING:\n    import pkg.c\n")
    graph = {"pkg.a": imported_modules(a, "pkg.a", known), "pkg.b": imported_modules(b, "pkg.b", known)}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    assert cycles(graph) == []


def test_the_moodle_format_core_depends_on_no_writer_or_reader() -> None:
    """`coursebuilder.moodle` is what every Moodle writer and the importer share: it may use the
    model, but none of them, or the knowledge flows backwards."""
    outside = ("coursebuilder.exchange", "coursebuilder.mbz", "coursebuilder.importer", "coursebuilder.targets")
    graph = import_graph()
    core = {name: imports for name, imports in graph.items() if name.startswith("coursebuilder.moodle")}
    assert len(core) >= 5
    assert {name: sorted(i for i in imports if i.startswith(outside)) for name, imports in core.items()} == {
        name: [] for name in core
    }
