"""The package's layering, as docs/design.md draws it, checked two ways.

1. In a fresh interpreter, importing each layer loads the core and that layer only (no sibling
   layer, no optional third-party package): e.g. ``import minigrad.optim`` does not load ``nn``,
   ``import minigrad`` does not load Graphviz.
2. Among the package's module-level imports (the ones that run at import time; an import inside a
   function is a deliberate late binding) there is exactly one cycle: the Tensor and the ops
   (``tensor`` ↔ ``autograd``/``ops``), because a Tensor's methods apply ops and ops make Tensors.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "minigrad"

#: what ``import minigrad`` loads: the Tensor, its ops and autograd, creation and the tensor functions,
#: ``mg.compile`` and its lowering pass
CORE = {
    "_device",
    "_dtype",
    "_extras",
    "_grad_mode",
    "_lower",
    "_print",
    "_random",
    "_return_types",
    "autograd",
    "compile",
    "creation",
    "cuda",
    "errors",
    "functions",
    "ops",
    "tensor",
}

#: layer -> the top-level parts of minigrad it may load beyond the core (itself included)
LAYERS = {
    "minigrad": set(),
    "minigrad.nn": {"nn"},
    "minigrad.optim": {"optim"},
    "minigrad.data": {"data"},
    "minigrad.utils.data": {"utils", "data"},
    "minigrad.viz": {"viz"},
    "minigrad.serialization": {"serialization"},
    "minigrad.train": {"train", "_table"},
    "minigrad.tune": {"tune", "_table"},
    "minigrad.diagnostics": {"diagnostics", "_table"},
    "minigrad.onnx": {"onnx"},
    "minigrad.demo": {"demo", "train", "data", "_table"},
}

#: optional third-party packages no layer imports until it is used
OPTIONAL = ("graphviz", "onnx", "onnxruntime", "torch", "matplotlib", "tqdm", "mkdocs")


def _loaded(module: str) -> dict:
    code = (
        f"import json, sys; import {module}; "
        "print(json.dumps({'parts': sorted({k.split('.')[1] for k in sys.modules if k.startswith('minigrad.')}), "
        f"'optional': sorted(k for k in {OPTIONAL!r} if k in sys.modules)}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_a_layer_loads_the_core_and_itself_only(module: str) -> None:
    loaded = _loaded(module)
    parts = set(loaded["parts"])
    assert CORE <= parts, f"import {module} did not load the core: missing {sorted(CORE - parts)}"
    extra = parts - CORE - LAYERS[module]
    assert not extra, f"import {module} loaded other layers too: {sorted(extra)}"
    optional = set(loaded["optional"]) - ({"graphviz"} if module == "minigrad.viz" else set())
    assert not optional, f"import {module} imported optional packages at import time: {sorted(optional)}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports at module level (``if TYPE_CHECKING`` excluded)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                # ``from pkg import submodule`` imports the submodule (and runs pkg's __init__ first, which
                # is not an edge of this module's own); ``from module import name`` imports the module
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name and t != "minigrad":
                    deps.add(t)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_one_import_cycle_is_the_tensor_and_its_ops() -> None:
    cycles = _cycles(_import_graph())
    assert len(cycles) == 1, f"expected one import cycle (tensor <-> ops), found {len(cycles)}: {cycles}"
    (cycle,) = cycles
    assert "minigrad.tensor" in cycle and "minigrad.autograd.function" in cycle
    allowed = ("minigrad.tensor", "minigrad.autograd", "minigrad.ops", "minigrad._extras", "minigrad._random")
    outside = sorted(m for m in cycle if not m.startswith(allowed))
    assert not outside, f"modules outside the tensor/ops layer joined the import cycle: {outside}"


def test_the_graph_finds_a_cycle_when_there_is_one() -> None:
    """The cycle finder itself: a two-module loop and a self-contained chain."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []
