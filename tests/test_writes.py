"""One way to write into a tensor's memory: ``Tensor._writable()``, which counts the write first.

Library code outside ``tensor.py`` never writes into a tensor's array (``t._data``) any other way: no
``t._data[...] = v``, no ``t._data += v``, no ``out=t._data``, no ``np.copyto(t._data, ...)``, no
``t._data.fill(...)``, no ``t._bump_version()`` beside a write. So no writer can forget the version
counter that makes a graph which saved the tensor refuse a stale backward. What each writer does to
the counter is tested in tests/test_version_counters.py; this test keeps new writers on the one way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import minigrad as mg

PACKAGE = Path(__file__).resolve().parents[1] / "minigrad"

#: (file, function) -> why that function may write into ``_data`` directly
ALLOWED = {
    ("autograd/engine.py", "_add_into_grad"): "accumulates into a .grad array the engine made and owns",
    ("autograd/grad.py", "_numerical_jacobian_column"): "perturbs an input and restores it before returning",
    ("autograd/grad.py", "_fast_check"): "perturbs the inputs along a direction and restores them",
    ("compile.py", "_run_kernel"): "replays BatchNorm's count update, itself written with _writable",
}


def _is_data(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "_data"


def _into_data(node: ast.AST) -> bool:
    return _is_data(node) or isinstance(node, ast.Subscript) and _is_data(node.value)


def _direct_writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.AugAssign) and _into_data(n.target):
            found.append((n.lineno, "t._data op= v"))
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Subscript) and _is_data(t.value) for t in n.targets):
            found.append((n.lineno, "t._data[...] = v"))
        elif isinstance(n, ast.Call):
            f = n.func
            if any(k.arg == "out" and _into_data(k.value) for k in n.keywords):
                found.append((n.lineno, "out=t._data"))
            if isinstance(f, ast.Attribute) and f.attr in ("copyto", "put", "place", "putmask") and n.args:
                if _into_data(n.args[0]):
                    found.append((n.lineno, f"np.{f.attr}(t._data, ...)"))
            if isinstance(f, ast.Attribute) and f.attr in ("fill", "sort", "resize") and _is_data(f.value):
                found.append((n.lineno, f"t._data.{f.attr}()"))
            if isinstance(f, ast.Attribute) and f.attr == "_bump_version":
                found.append((n.lineno, "t._bump_version()"))
    return found


def _functions(tree: ast.AST) -> list[tuple[int, int, str]]:
    return [
        (n.lineno, n.end_lineno or n.lineno, n.name)
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def test_library_code_writes_into_tensors_only_through_writable() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "tensor.py":  # the Tensor's own in-place methods, which _writable belongs to
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = _functions(tree)
        for line, what in _direct_writes(tree):
            inner = [name for start, end, name in functions if start <= line <= end]
            if inner and (rel, inner[-1]) in ALLOWED:
                continue
            offenders.append(f"minigrad/{rel}:{line}: {what} (use t._writable())")
    assert not offenders, "writes into a tensor's memory that bypass its version counter:\n" + "\n".join(offenders)


def test_the_scan_finds_each_kind_of_direct_write() -> None:
    source = """
def f(t, v):
    t._data[0] = v
    t._data += v
    np.add(t._data, v, out=t._data)
    np.copyto(t._data, v)
    t._data.fill(0)
    t._bump_version()
    a = t._writable()
    a += v
"""
    kinds = [what for _, what in _direct_writes(ast.parse(source))]
    assert len(kinds) == 6, kinds


def test_writable_counts_the_write_on_the_memory_owner() -> None:
    base = mg.zeros(4)
    view = base[1:3]
    v0 = base._version
    view._writable()[...] = 1.0
    assert base._version == v0 + 1 and view._current_version() == base._version
    np.testing.assert_array_equal(base.numpy(), [0.0, 1.0, 1.0, 0.0])
