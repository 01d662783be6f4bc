"""The shape of the code: dependencies point one way, with no import cycles.

Every module of ``autograd`` and ``nn`` is read with ``ast``, and every import counts:
at the top, inside functions, and under ``if TYPE_CHECKING:``. (Importing a submodule
also runs its package's ``__init__``; that implicit edge is not counted, as every
package would otherwise import itself.)

The reference engine, the code a learner reads, names no optimisation: no core module
imports ``autograd.fast`` or anything that does.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")
CORE = {
    "autograd.protocol",
    "autograd.value",
    "autograd.ops",
    "autograd.backprop",
    "autograd.hooks",
    "autograd.anomaly",
    "autograd.grad_mode",
    "autograd.scalars",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {module for module in found if module in known}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (the first repeated at the end), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        branches = [iter(sorted(graph[start]))]
        state[start] = "open"
        while branches:
            following = next(branches[-1], None)
            if following is None:
                state[path.pop()] = "done"
                branches.pop()
            elif state.get(following) == "open":
                return [*path[path.index(following) :], following]
            elif following not in state:
                state[following] = "open"
                path.append(following)
                branches.append(iter(sorted(graph[following])))
    return None


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for following in graph[stack.pop()]:
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


def test_the_scan_sees_every_kind_of_import() -> None:
    known = {"autograd", "autograd.value", "autograd.ops", "autograd.fast", "autograd.fast.layer"}
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from autograd import ops\n"
        "if TYPE_CHECKING:\n    from autograd.value import Value\n"
        "def f():\n    import autograd.fast.layer\n"
        "def g():\n    from . import fast\n"
    )
    path = Path("/tmp/stepgrad-import-scan/autograd/example.py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    found = imports_of("autograd.example", path, known)
    assert found == {"autograd.ops", "autograd.value", "autograd.fast.layer", "autograd.fast"}


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_in_autograd_or_nn() -> None:
    graph = import_graph()
    assert set(CORE) <= set(graph), "a core module is missing: update CORE"
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_the_core_imports_only_the_core() -> None:
    graph = import_graph()
    for module in sorted(CORE):
        outside = reachable(graph, module) - CORE
        assert not outside, f"{module} imports {sorted(outside)} (directly or through others)"


def test_no_core_module_names_the_fast_path() -> None:
    for module in sorted(CORE):
        source = all_modules()[module].read_text()
        assert "autograd.fast" not in source and "AffineLayer" not in source, module


def test_the_fast_path_and_nn_build_on_the_core() -> None:
    graph = import_graph()
    assert "autograd.value" in reachable(graph, "autograd.fast.backward")
    assert "autograd.backprop" in reachable(graph, "autograd.fast.backward")
    nn_modules = [name for name in graph if name.split(".")[0] == "nn"]
    for module in nn_modules:  # nothing in the engine imports nn
        assert not any(name.split(".")[0] == "autograd" and module in graph[name] for name in graph)
