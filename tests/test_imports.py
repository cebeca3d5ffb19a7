"""The package's import graph: no cycle, no import of the command line from
the library, no upward import by the layer map, and no scikit-learn in the
kernels.

The graph is read from the source with ``ast``: every ``import`` and
``from ... import`` of every module under ``skchaosprune/``, those inside
functions included (a lazy import is still a dependency), relative ones
resolved.  ``from package import name`` depends on ``package.name`` when
that is a module, else on ``package`` itself; a module's own parent
packages, which Python imports before it anyway, are no dependency unless
it reads a name from them (``from . import __version__``).  Dynamic
imports (``importlib.import_module``) are not seen: only
``_kernels.warmup_all`` uses one, for the kernels' own modules.
"""

import ast
import fnmatch
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "skchaosprune"

#: What may import what, lowest layer first: a module imports modules of
#: its own layer or of lower ones, never of a higher one.  Every module of
#: the package is in exactly one layer (a new module must be placed here,
#: and in CONTRIBUTING.md's map).
LAYERS = (
    # Numba loops: nothing from the package but themselves, no scikit-learn.
    ("kernels", ("skchaosprune._kernels", "skchaosprune._kernels.*")),
    # Numerical building blocks: exponents, Granger and ADF tests, OLS,
    # window arithmetic, the solvers, warnings and progress reports.
    ("maths", ("skchaosprune._ols", "skchaosprune._windows", "skchaosprune._parallel",
               "skchaosprune._progress", "skchaosprune._warn", "skchaosprune._optimizers",
               "skchaosprune.lyapunov", "skchaosprune.causality",
               "skchaosprune.stationarity")),
    # The network: layout, training loop, recording of the dynamics.
    ("engine", ("skchaosprune._network", "skchaosprune._recording")),
    # Pruning strategies: the protocol and its implementations.
    ("strategies", ("skchaosprune.pruning", "skchaosprune.pruning.*")),
    # Deployment: works on any fitted network (NetworkMixin), so that the
    # estimators' compact(), to_sklearn() and to_onnx() may call it.
    ("deployment", ("skchaosprune.export",)),
    # The estimators, the Pipeline step and the package's namespace.
    ("estimators", ("skchaosprune._docstrings", "skchaosprune._orchestration",
                    "skchaosprune._mlp", "skchaosprune._transformer", "skchaosprune")),
    # Measures of fitted networks; the datasets and the demo's network.
    ("tools", ("skchaosprune.metrics", "skchaosprune.datasets")),
    # The studies and their figures.
    ("studies", ("skchaosprune.experiments", "skchaosprune.experiments.*",
                 "skchaosprune.plotting")),
    # The command line, imported by nothing but ``python -m skchaosprune``
    # (and the console script, which names skchaosprune.cli:main).
    ("interface", ("skchaosprune.cli", "skchaosprune.__main__")),
)

CLI = "skchaosprune.cli"
CLI_IMPORTERS = {"skchaosprune.__main__"}

# ---------------------------------------------------------------------------
# Building the graph
# ---------------------------------------------------------------------------

def package_modules(root=ROOT, package=PACKAGE):
    """``{dotted name: (path, is_package)}`` of every module under ``package``."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, is_package)
    return modules


def _parents(name):
    """'a.b.c' -> ['a', 'a.b', 'a.b.c']."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def module_imports(name, source, is_package, modules):
    """The package modules ``name`` imports, ``{module: first line}``, and
    the top-level names of the other modules it imports,
    ``{name: first line}``."""
    ancestors = set(_parents(name))
    own_package = name if is_package else name.rpartition(".")[0]
    inside, outside = {}, {}

    def add(target, line):
        if target in modules and target != name:
            inside.setdefault(target, line)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != PACKAGE:
                    outside.setdefault(alias.name.split(".")[0], node.lineno)
                    continue
                for target in _parents(alias.name):
                    if target not in ancestors:
                        add(target, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = own_package.split(".")
                base = base[:len(base) - node.level + 1]
                source_module = ".".join(base + ([node.module] if node.module else []))
            else:
                source_module = node.module
            if source_module.split(".")[0] != PACKAGE:
                outside.setdefault(source_module.split(".")[0], node.lineno)
                continue
            for target in _parents(source_module):
                if target not in ancestors:
                    add(target, node.lineno)
            for alias in node.names:
                submodule = f"{source_module}.{alias.name}"
                if submodule in modules:
                    add(submodule, node.lineno)
                elif source_module in ancestors:
                    # A name read from a parent package (its __init__).
                    add(source_module, node.lineno)
    return inside, outside


def import_graph(root=ROOT, package=PACKAGE):
    """``(graph, external)``: ``graph[module] = {imported module: line}``
    within the package, ``external[module] = {top-level name: line}``."""
    modules = package_modules(root, package)
    graph, external = {}, {}
    for name, (path, is_package) in modules.items():
        graph[name], external[name] = module_imports(name, path.read_text(), is_package,
                                                     modules)
    return graph, external


# ---------------------------------------------------------------------------
# The checks (functions of a graph, so that they can be tested on fakes)
# ---------------------------------------------------------------------------

def find_cycles(graph):
    """One cycle ``[a, b, ..., a]`` per strongly connected component that
    has one (Tarjan's algorithm; the cycle is a shortest one through the
    component's first module in sorted order)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        # Iterative depth-first search (no recursion limit on deep graphs).
        work = [(node, iter(sorted(graph.get(node, ()))))]
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[current])
            if low[current] == index[current]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == current:
                        break
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for component in components:
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, ()):
            continue
        # Breadth-first search from start back to start inside the component.
        previous = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in graph.get(node, ()):
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                cycles.append([start] + path[::-1][1:] + [start] if node != start
                              else [start, start])
                break
            for child in sorted(graph.get(node, ())):
                if child in component and child not in previous and child != start:
                    previous[child] = node
                    queue.append(child)
    return sorted(cycles)


def layer_of(name, layers=LAYERS):
    """The indices of the layers whose patterns match ``name``."""
    return [i for i, (_, patterns) in enumerate(layers)
            if any(fnmatch.fnmatchcase(name, p) for p in patterns)]


def upward_imports(graph, layers=LAYERS):
    """``(importer, its layer, imported, its layer)`` for every import of a
    module of a higher layer."""
    out = []
    for importer, targets in sorted(graph.items()):
        (low,) = layer_of(importer, layers)
        for target in sorted(targets):
            (high,) = layer_of(target, layers)
            if high > low:
                out.append((importer, layers[low][0], target, layers[high][0]))
    return out


def cli_importers(graph, cli=CLI, allowed=CLI_IMPORTERS):
    return sorted(m for m, targets in graph.items() if cli in targets and m not in allowed)


def _where(graph, a, b):
    return f"{a} -> {b} (line {graph[a][b]})"


# ---------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph():
    return import_graph()[0]


def test_the_graph_sees_the_known_imports(graph):
    # Sanity of the parser on imports of each form the package uses.
    assert "skchaosprune.cli" in graph["skchaosprune.__main__"]          # from .cli import
    assert "skchaosprune.causality" in graph["skchaosprune.pruning.chaos_causal"]  # from ..
    assert "skchaosprune._kernels.mlp" in graph["skchaosprune._network"]  # lazy, in a function
    assert "skchaosprune._kernels" in graph["skchaosprune._network"]      # its package too
    assert "skchaosprune" in graph["skchaosprune.cli"]           # from . import __version__
    assert "skchaosprune" not in graph["skchaosprune._mlp"]      # from . import _docstrings
    assert "skchaosprune._docstrings" in graph["skchaosprune._mlp"]
    assert "skchaosprune.export" in graph["skchaosprune._mlp"]            # lazy, in methods
    assert len(graph) >= 30


def test_every_module_is_in_exactly_one_layer(graph):
    misplaced = {m: [LAYERS[i][0] for i in layer_of(m)] for m in graph
                 if len(layer_of(m)) != 1}
    assert not misplaced, (
        f"modules in no layer or in several: {misplaced}; place each in tests/"
        "test_imports.py's LAYERS (and CONTRIBUTING.md's layer map)")


def test_no_import_cycle(graph):
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(
        "  " + " -> ".join(c) + "\n    " + "; ".join(_where(graph, a, b)
                                                  for a, b in zip(c, c[1:]))
        for c in cycles)


def test_only_main_imports_the_command_line(graph):
    importers = cli_importers(graph)
    assert not importers, (
        "the library must not import skchaosprune.cli (only skchaosprune.__main__ "
        "may): " + "; ".join(_where(graph, m, CLI) for m in importers))


def test_no_upward_import(graph):
    upward = upward_imports(graph)
    assert not upward, "imports of a higher layer:\n" + "\n".join(
        f"  {_where(graph, a, b)}: {la} imports {lb}" for a, la, b, lb in upward)


def test_kernels_import_no_scikit_learn():
    _, external = import_graph()
    kernels = {m: sorted(names) for m, names in external.items()
               if layer_of(m) == [0] and {"sklearn", "scipy", "statsmodels"} & set(names)}
    assert not kernels, f"the Numba kernels import scikit-learn or its stack: {kernels}"


# ---------------------------------------------------------------------------
# The checker itself, on fakes: each check can fail
# ---------------------------------------------------------------------------

FAKE_LAYERS = (("low", ("p.low*",)), ("high", ("p.high*",)), ("top", ("p.cli", "p.__main__")))


def test_find_cycles_on_fake_graphs():
    assert find_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {}}) == []
    assert find_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"a": 1}}) == [["a", "a"]]
    # Two separate cycles, and a shortest one inside a larger component.
    graph = {"a": {"b": 1}, "b": {"a": 1, "c": 1}, "c": {"a": 1},
             "x": {"y": 1}, "y": {"x": 1}, "z": {"x": 1}}
    assert find_cycles(graph) == [["a", "b", "a"], ["x", "y", "x"]]


def test_layer_checks_on_a_fake_graph():
    graph = {"p.low": {}, "p.low2": {"p.high": 3}, "p.high": {"p.low": 1},
             "p.cli": {"p.high": 1}, "p.__main__": {"p.cli": 1}, "p.high2": {"p.cli": 7}}
    assert upward_imports(graph, FAKE_LAYERS) == [
        ("p.high2", "high", "p.cli", "top"), ("p.low2", "low", "p.high", "high")]
    assert cli_importers(graph, "p.cli", {"p.__main__"}) == ["p.high2"]
    assert find_cycles(graph) == []


def test_the_parser_on_a_fake_package(tmp_path):
    package = tmp_path / "skchaosprune"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import f\n__version__ = '1'\n",
        "a.py": "import numpy as np\n\ndef f():\n    from .sub import b\n    return b\n",
        "sub/__init__.py": "",
        "sub/b.py": "from .. import a\nfrom .. import __version__\nimport sklearn.base\n",
        "sub/c.py": "from skchaosprune.sub.b import x\nimport skchaosprune.a\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    graph, external = import_graph(tmp_path, "skchaosprune")
    assert graph == {
        "skchaosprune": {"skchaosprune.a": 1},
        "skchaosprune.a": {"skchaosprune.sub": 4, "skchaosprune.sub.b": 4},
        "skchaosprune.sub": {},
        "skchaosprune.sub.b": {"skchaosprune.a": 1, "skchaosprune": 2},
        "skchaosprune.sub.c": {"skchaosprune.sub.b": 1, "skchaosprune.a": 2},
    }
    assert external["skchaosprune.a"] == {"numpy": 1}
    assert external["skchaosprune.sub.b"] == {"sklearn": 3}
    # a -> sub.b -> a, and the package -> a -> sub.b -> the package.
    assert find_cycles(graph) == [["skchaosprune", "skchaosprune.a", "skchaosprune.sub.b",
                                   "skchaosprune"]]
