"""The layering of covscan's own modules: no import circles, and writers never import the engine.

Every import of a covscan module counts, wherever it is written: at module level, under
`if TYPE_CHECKING:`, or inside a function (a deferred import still ties the two modules together,
it only hides the circle until that function runs). The graph is built from the source with `ast`,
so nothing is imported to check it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "covscan"


def _modules() -> dict[str, Path]:
    """Module name -> file, for every module under src/covscan (a package is its __init__)."""
    found: dict[str, Path] = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The covscan module an imported dotted name refers to: the name itself when it is a module,
    else the longest covscan module it starts with (`covscan.x.Thing` -> `covscan.x`)."""
    while name and name.split(".")[0] == ROOT:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> set[str]:
    """The covscan modules `module` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y / from .. import z
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            # `from covscan.x import y` is covscan.x.y when that is a module, covscan.x otherwise.
            names = [f"{stem}.{alias.name}" for alias in node.names if alias.name != "*"] or [stem]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                out.add(target)
    return out


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One concrete cycle (a -> b -> ... -> a) per tangle of modules that import each other."""
    return [_cycle_in(graph, component) for component in _tangles(graph)]


def _tangles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative
    so deep graphs cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _cycle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest cycle through the component's first module (breadth-first, within it)."""
    start = min(component)
    parent: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for child in sorted(graph[node] & component):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    raise AssertionError(f"no cycle found in component {sorted(component)}")  # cannot happen


def test_the_graph_is_read() -> None:
    """The checks below would pass vacuously on an empty or mis-resolved graph."""
    assert {"covscan", "covscan.engine", "covscan.atomic", "covscan.report.base", "covscan.cache"} <= set(MODULES)
    assert "covscan.atomic" in GRAPH["covscan.cache"]
    assert "covscan.report.base" in GRAPH["covscan.report.csvfile"]
    assert "covscan.report.jsonlines" in GRAPH["covscan.report"]  # an import inside a function counts


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"f"}, "f": {"e"}}
    assert sorted(_cycles(graph)) == [["a", "b", "c", "a"], ["e", "f", "e"]]


def test_no_import_cycles() -> None:
    tangles = _tangles(GRAPH)
    report = [
        "  " + " -> ".join(_cycle_in(GRAPH, t)) + (f"\n    (all modules in this circle: {', '.join(sorted(t))})" if len(t) > 2 else "")
        for t in tangles
    ]
    assert not tangles, "import cycles among covscan modules:\n" + "\n".join(report)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m == "covscan.report" or m.startswith("covscan.report.")))
def test_writers_do_not_import_the_engine(module: str) -> None:
    assert "covscan.engine" not in GRAPH[module], f"{module} imports covscan.engine; type it against report.findings.FindingTable"


def test_the_engine_is_a_finding_table(kb) -> None:
    """Writers are typed against report.findings.FindingTable; the Engine must keep providing every
    member with the same parameters (a structural check, as no type checker runs in the suite)."""
    import inspect

    from covscan.engine import Engine
    from covscan.report.findings import FindingTable

    members = {name for name in vars(FindingTable) if not name.startswith("_")}
    assert members == {"findings", "jsonl_lines", "token_rows", "fill_row_values", "concrete"}
    engine = Engine(kb, {"vendor": "vendor"})
    assert isinstance(engine.findings, list)  # an attribute that satisfies the read-only property
    for name in members - {"findings"}:
        wanted = inspect.signature(getattr(FindingTable, name))
        actual = inspect.signature(getattr(Engine, name))
        assert [(p.name, p.kind, p.default, p.annotation) for p in actual.parameters.values()] == \
               [(p.name, p.kind, p.default, p.annotation) for p in wanted.parameters.values()], name
        assert actual.return_annotation == wanted.return_annotation, name
