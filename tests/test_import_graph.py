"""The static import graph of kiosk/ has no cycles; kiosk.config imports only modules that need none of it.

How it is checked: every ``.py`` file under kiosk/ is parsed with ``ast`` (nothing is imported or
run) and every import statement in it counts, wherever it is written: at the top, inside a
function, under ``if TYPE_CHECKING:``; a cycle hidden in one of those is still a cycle in the
design. ``import a.b`` and ``from a import b`` are edges to the module ``a.b`` when it exists
(else to ``a``), relative imports are resolved, and importing a module is also an edge to each
package above it that the importer is not itself inside (importing ``kiosk.metrics.access`` runs
``kiosk/metrics/__init__.py`` first, so that package's re-exports count). The standard library's
``graphlib.TopologicalSorter`` then finds a cycle if there is one; the failure prints it with the
file and line of each import in it.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"

# What kiosk.config may import from the rest of kiosk: modules that import nothing of it.
CONFIG_READS = {
    "kiosk.languages",  # the languages the pages speak (language:)
    "kiosk.validation_errors",  # the wording of each error
    "kiosk.playground",  # the package of ...
    "kiosk.playground.spec",  # ... what a playground run is made of (the playlist's playground items)
    "kiosk.playground.datasets",  # (the spec's dataset names)
    "kiosk.display",  # the package of ...
    "kiosk.display.tour",  # ... the explain tour's pacing (the playlist's explain items)
}

Graph = dict[str, dict[str, str]]  # module → {module it imports: "file:line" of the import}


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def import_graph(root: Path) -> Graph:
    modules = module_files(root)
    graph: Graph = {}
    for name, path in modules.items():
        edges: dict[str, str] = {}
        for target, line in _imported(name, path, modules):
            for module in {target} | _packages_above(target):
                if module != name and module not in _packages_above(name):
                    edges.setdefault(module, f"{path.relative_to(root.parent)}:{line}")
        graph[name] = edges
    return graph


def _imported(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(module of this package, line) for every import statement in the file, wherever it is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, path, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((submodule if submodule in modules else base, node.lineno))
    return [(module, line) for target, line in found if (module := _known(target, modules))]


def _absolute(name: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def _known(target: str, modules: dict[str, Path]) -> str | None:
    """The deepest module of this package that ``target`` names (``kiosk.app.create_app`` → kiosk.app)."""
    while target not in modules and "." in target:
        target = target.rsplit(".", 1)[0]
    return target if target in modules else None


def _packages_above(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    try:
        graphlib.TopologicalSorter({name: set(edges) for name, edges in graph.items()}).prepare()
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))  # graphlib lists it against the edges' direction
    return None


def describe_cycle(graph: Graph, cycle: list[str]) -> str:
    return "\n".join(f"  {a} imports {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False))


def test_kiosk_has_no_import_cycle() -> None:
    graph = import_graph(KIOSK)
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100  # it did read the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + describe_cycle(graph, cycle or [])


def test_the_config_package_reads_only_modules_that_import_nothing_of_it() -> None:
    graph = import_graph(KIOSK)
    reached, todo = set(), ["kiosk.config"]
    while todo:
        for module in graph[todo.pop()]:
            if module not in reached:
                reached.add(module)
                todo.append(module)
    outside = {module for module in reached if not module.startswith("kiosk.config")}
    assert outside <= CONFIG_READS, f"kiosk.config now also imports {sorted(outside - CONFIG_READS)}"


@pytest.mark.parametrize(
    "hidden",
    [
        "def use():\n    from pkg.a import A\n",  # inside a function
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        "from . import a\n",  # relative
        "import pkg.a\n",
        "from pkg.sub import thing\n",  # through the package pkg.sub, whose __init__ imports pkg.a
    ],
)
def test_a_hidden_cycle_is_found_and_shown(tmp_path: Path, hidden: str) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import B\nA = 1\n")
    (package / "b.py").write_text('"""B."""\n' + hidden + "B = 2\n")
    (package / "sub" / "__init__.py").write_text("from pkg.a import A\n")
    (package / "sub" / "thing.py").write_text("")
    graph = import_graph(package)
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and {"pkg.a", "pkg.b"} <= set(cycle)
    assert "pkg.a imports pkg.b (pkg/a.py:1)" in describe_cycle(graph, cycle)


def test_a_package_importing_its_own_modules_is_no_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.routes import setup\n")
    (package / "routes.py").write_text("from pkg.counters import COUNT\n\ndef setup(): ...\n")
    (package / "counters.py").write_text("COUNT = 0\n")
    graph = import_graph(package)
    assert graph["pkg"] == {"pkg.routes": "pkg/__init__.py:1"}
    assert find_cycle(graph) is None
