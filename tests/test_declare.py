"""One declaration per op (minigrad/ops/declare.py): each declared form exists with PyTorch's signature, the forms
derived from a declaration behave as PyTorch's, and no form PyTorch has for a declared op is missing.

A new declared op is covered here without an edit: every test below runs over ``DECLARATIONS``.
"""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.ops import activation as act
from minigrad.ops.declare import DECLARATIONS, Declaration, declare

#: forms minigrad has beyond PyTorch's (kept for code written against earlier minigrad versions)
EXTRAS = {"Tensor.elu", "Tensor.leaky_relu", "mg.elu", "mg.leaky_relu", "Tensor.dropout", "mg.linear", "mg.pad"}

#: the ops with no public form of their own, and what uses them
INTERNAL = {
    "Cast": "dtype conversion (to, type, float(), ...) and promotion",
    "GetItem": "indexing, x[i]",
    "IndexPut": "x[i] = v and the other in-place writes",
    "IndexScatter": "the gradient of indexing, and scatter_add_",
    "SumTo": "the gradient of broadcasting (Tensor.sum_to)",
    "PowScalar": "pow with a number exponent",
    "FloorDivide": "div(rounding_mode='floor')",
}

#: the declared activations: their derived forms are compared with PyTorch's by value, gradient and repr
ACTIVATIONS = [d for d in DECLARATIONS if d.op.__module__ == act.__name__]

#: PyTorch's deprecated spellings, not taken
DEPRECATED = {"min_value", "max_value"}  # Hardtanh's

IDS = [f"{d.op.__name__}-{d.functional or d.function or d.method}" for d in DECLARATIONS]


def _forms(d: Declaration) -> list[tuple[str, object, str]]:
    """(label, namespace, name) of each form the declaration names."""
    forms = [("Tensor", mg.Tensor, d.method), ("mg", mg, d.function), ("F", F, d.functional), ("nn", nn, d.module)]
    return [(f"{where}.{name}", ns, name) for where, ns, name in forms if name]


def _params(fn: object, skip: int = 1) -> list[tuple[str, object]]:
    """(name, default) of each parameter after the first ``skip`` (``input`` or ``self``)."""
    ps = list(inspect.signature(fn).parameters.values())[skip:]  # type: ignore[arg-type]
    return [(p.name, p.default) for p in ps if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def test_the_activations_are_declared():
    declared = {d.op for d in DECLARATIONS}
    assert {act.ReLU, act.LeakyReLU, act.ELU, act.Sigmoid, act.Tanh, act.GELU, act.SiLU} <= declared
    assert {act.Softplus, act.Hardtanh} <= declared


@pytest.mark.parametrize("d", DECLARATIONS, ids=IDS)
def test_every_declared_form_exists_and_is_public(d):
    missing = [label for label, ns, name in _forms(d) if not callable(getattr(ns, name, None))]
    assert not missing, f"{d.op.__name__} declares {missing}, which do not exist"
    unlisted = [f"F.{d.functional}"] if d.functional and d.functional not in F.__all__ else []
    unlisted += [f"nn.{d.module}"] if d.module and d.module not in nn.__all__ else []
    assert not unlisted, f"not in __all__ (so not in the API reference): {unlisted}"


def _all_ops() -> set[type]:
    import importlib
    import pkgutil

    import minigrad.ops
    from minigrad.autograd.function import Function

    found = set()
    for info in pkgutil.iter_modules(minigrad.ops.__path__):
        module = importlib.import_module(f"minigrad.ops.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Function) and obj.__module__ == module.__name__ and not obj.__name__.startswith("_"):
                found.add(obj)
    return found


def test_every_op_is_declared_or_internal():
    undeclared = sorted(op.__name__ for op in _all_ops() - {d.op for d in DECLARATIONS})
    assert [n for n in undeclared if n not in INTERNAL] == [], "declare the public forms of these ops (@declare)"
    assert [n for n in INTERNAL if n not in undeclared] == [], "declared now: take them out of INTERNAL"


@pytest.mark.parametrize("d", DECLARATIONS, ids=IDS)
def test_every_declared_form_has_the_declared_signature(d):
    # an activation's forms take exactly the declared parameters (and inplace); a hand-written form of another op
    # starts with them (sum's dim and keepdim, then NumPy's axis= ...)
    params = list(d.params.items())
    inplace = [("inplace", False)] if d.inplace else []
    exact = d in ACTIVATIONS

    def check(actual: list, expected: list) -> None:
        assert (actual if exact else actual[: len(params)]) == (expected if exact else params)

    if d.method:
        check(_params(getattr(mg.Tensor, d.method)), params)
    if d.function:
        check(_params(getattr(mg, d.function)), params)
    if d.functional:
        check(_params(getattr(F, d.functional)), params + inplace)
    if d.module:
        check(_params(getattr(nn, d.module).__init__), params + inplace)


def test_a_derived_form_is_a_plain_function_or_module():
    # the op's formula is the docstring; the module pickles by name and is a Module subclass as any other
    assert F.elu.__doc__ == inspect.getdoc(act.ELU) and F.elu.__module__ == "minigrad.nn.functional"
    assert mg.relu.__module__ == "minigrad.functions" and "input" in inspect.signature(mg.relu).parameters
    assert nn.ELU.__module__ == "minigrad.nn.activation" and issubclass(nn.ELU, nn.Module)
    model = nn.Sequential(nn.Linear(2, 3), nn.ELU(0.5), nn.SiLU(), nn.LeakyReLU(0.2, inplace=True))
    copy = pickle.loads(pickle.dumps(model))
    assert isinstance(copy[1], nn.ELU) and copy[1].alpha == 0.5 and copy[3].inplace is True
    assert repr(copy) == repr(model) and list(copy.state_dict()) == list(model.state_dict())
    x = mg.randn(4, 2)
    np.testing.assert_array_equal(copy(x).numpy(), model(x).numpy())
    # PyTorch's parameter names and keyword calls; floats for the op, the given value for the repr
    assert F.elu(mg.tensor([-1.0]), alpha=2).numpy()[0] == pytest.approx(2 * (np.exp(-1) - 1))
    assert repr(nn.Softplus(beta=2)) == "Softplus(beta=2, threshold=20.0)"
    with pytest.raises(TypeError, match="unexpected keyword argument 'slope'"):
        F.leaky_relu(mg.randn(2), slope=0.1)


def test_integer_input_enters_floating_ops_as_the_default_float():
    assert F.silu(mg.tensor([1, 2])).dtype == mg.float32 and F.elu(mg.tensor([-1, 2])).dtype == mg.float32
    assert F.relu(mg.tensor([-1, 2])).dtype == mg.int64  # relu keeps integers, as PyTorch


def test_a_module_form_needs_its_functional_form():
    with pytest.raises(TypeError, match="needs its functional form"):
        declare(module="Thing")


# ---------------------------------------------------------------------- against PyTorch
def _torch_forms(torch, name: str) -> dict[str, bool]:
    """Which of torch's namespaces have a form called ``name`` (lower case) or, for modules, ``name``."""
    return {
        "Tensor": callable(getattr(torch.Tensor, name, None)),
        "mg": callable(getattr(torch, name, None)) and not inspect.ismodule(getattr(torch, name)),
        "F": callable(getattr(torch.nn.functional, name, None)),
    }


@pytest.mark.parametrize("d", DECLARATIONS, ids=IDS)
def test_the_declared_forms_are_pytorchs_and_none_is_missing(d):
    torch = pytest.importorskip("torch")
    ours = {where: name for where, name in (("Tensor", d.method), ("mg", d.function), ("F", d.functional)) if name}
    theirs = {
        f"{where}.{name}" for name in set(ours.values()) for where, has in _torch_forms(torch, name).items() if has
    }
    declared = {f"{where}.{name}" for where, name in ours.items()}
    from minigrad.tensor import UNSUPPORTED as TENSOR_UNSUPPORTED

    left_out = {f"mg.{n}" for n in mg.UNSUPPORTED} | {f"F.{n}" for n in F.UNSUPPORTED}
    left_out |= {f"Tensor.{n}" for n in TENSOR_UNSUPPORTED}
    assert declared - theirs <= EXTRAS, f"not in PyTorch: {sorted(declared - theirs - EXTRAS)}"
    missing = theirs - declared - left_out
    assert missing == set(), f"{d.op.__name__}: PyTorch also has {sorted(missing)}: declare it"
    if d.module:
        assert hasattr(torch.nn, d.module)
    modules = {other.module for other in DECLARATIONS if other.op is d.op}
    if hasattr(torch.nn, d.op.__name__):
        assert d.op.__name__ in modules, f"PyTorch also has nn.{d.op.__name__}: declare it"


@pytest.mark.parametrize("d", ACTIVATIONS, ids=lambda d: d.functional or d.function or d.method)
def test_the_signatures_are_pytorchs(d):
    torch = pytest.importorskip("torch")
    if d.functional:
        try:
            expected = _params(getattr(torch.nn.functional, d.functional))
        except (TypeError, ValueError):  # a builtin without a signature (gelu, softplus)
            expected = None
        if expected is not None:
            assert _params(getattr(F, d.functional)) == expected
    if d.module:
        expected = [(n, v) for n, v in _params(getattr(torch.nn, d.module).__init__) if n not in DEPRECATED]
        assert _params(getattr(nn, d.module).__init__) == expected


X = np.concatenate([np.random.default_rng(0).standard_normal(24) * 4, [-30.0, -1.0, 0.0, 1.0, 6.0, 30.0]])


@pytest.mark.parametrize("d", [d for d in ACTIVATIONS if d.functional], ids=lambda d: d.functional)
def test_values_and_gradients_match_pytorch(d):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(F, d.functional), getattr(torch.nn.functional, d.functional)
    x = mg.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("d", [d for d in ACTIVATIONS if d.module], ids=lambda d: d.module)
def test_modules_print_and_compute_as_pytorchs(d):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, d.module), getattr(torch.nn, d.module)
    variants = [{}] + ([{"inplace": True}] if d.inplace else [])
    variants += [{p: v * 2} for p, v in d.params.items() if isinstance(v, float) and v != 0]
    for kwargs in variants:
        m, tm = ours(**kwargs), theirs(**kwargs)
        assert repr(m) == repr(tm)
        x = X.reshape(5, 6)
        expected = tm(torch.tensor(x)).numpy()  # inplace=True changes torch's input: a fresh tensor each time
        np.testing.assert_allclose(m(mg.tensor(x)).numpy(), expected, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------- PyTorch's namespaces, side by side
def _callables(namespace: object) -> set[str]:
    """The public functions and methods of a namespace (not its classes, dtypes or submodules)."""
    found = set()
    for name in dir(namespace):
        obj = getattr(namespace, name, None)
        if not name.startswith("_") and callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj):
            found.add(name)
    return found


def _missing_forms(torch) -> set[str]:
    """The forms PyTorch has of a name minigrad has in some namespace, where minigrad lacks that form."""
    from minigrad.tensor import UNSUPPORTED as TENSOR_UNSUPPORTED

    ours = {
        "Tensor": _callables(mg.Tensor) - set(TENSOR_UNSUPPORTED),
        "mg": _callables(mg) - set(mg.UNSUPPORTED),
        "F": _callables(F) - set(F.UNSUPPORTED),
    }
    theirs = {"Tensor": torch.Tensor, "mg": torch, "F": torch.nn.functional}
    left_out = {"Tensor": TENSOR_UNSUPPORTED, "mg": mg.UNSUPPORTED, "F": F.UNSUPPORTED}
    missing = set()
    for name in set().union(*ours.values()):
        for where, namespace in theirs.items():
            obj = getattr(namespace, name, None)
            has = callable(obj) and not inspect.ismodule(obj) and not inspect.isclass(obj)
            if has and name not in ours[where] and name not in left_out[where]:
                missing.add(f"{where}.{name}")
    return missing


def test_no_form_pytorch_has_of_our_names_is_missing():
    # e.g. mg.relu_ because Tensor.relu_ exists and torch.relu_ does; Tensor.vdot because mg.vdot does.
    # A form left out on purpose goes in its namespace's UNSUPPORTED table, with the reason.
    torch = pytest.importorskip("torch")
    assert _missing_forms(torch) == set()


def test_the_forms_in_both_namespaces_exist_without_torch():
    from minigrad import functions

    assert [n for n in functions.FUNCTION_FORMS if not callable(getattr(mg, n, None))] == []
    assert [n for n in functions.METHOD_FORMS if not callable(getattr(mg.Tensor, n, None))] == []
    x = mg.tensor([[1.0, 0.0], [-2.0, 3.0]])
    # the five issue 13 named, as torch has them (dim/keepdim for all/any)
    assert mg.sign(x).tolist() == [[1.0, 0.0], [-1.0, 1.0]] and mg.clone(x) is not x
    assert mg.swapaxes(x, 0, 1).tolist() == [[1.0, -2.0], [0.0, 3.0]]
    assert mg.all(x, dim=1).tolist() == [False, True] and mg.any(x, 0, keepdim=True).tolist() == [[True, True]]
    # a function form is the method; a method form is the function
    assert mg.index_fill(x, 1, mg.tensor([0]), 7.0).tolist() == [[7.0, 0.0], [7.0, 3.0]]
    y = x.clone()
    assert mg.relu_(y) is y and y.tolist() == [[1.0, 0.0], [0.0, 3.0]] and F.relu_(x.clone()).tolist() == y.tolist()
    assert x.where(x > 0, -1.0).tolist() == [[1.0, -1.0], [-1.0, 3.0]]
    assert mg.tensor([1.0, 2.0]).vdot(mg.tensor([3.0, 4.0])).item() == 11.0
    assert mg.zeros(3).bernoulli(1.0).tolist() == [1.0, 1.0, 1.0] and mg.ones(2).bernoulli().tolist() == [1.0, 1.0]
    assert list(inspect.signature(mg.clamp_).parameters) == ["input", "min", "max"]


def test_function_and_method_forms_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, -2.0], [3.0, -4.0]])
    pairs = [
        (lambda lib, t: lib.abs_(t.clone()), None),
        (lambda lib, t: lib.index_fill(t, 0, (mg if lib is mg else torch).tensor([1]), 5.0), None),
        (lambda lib, t: t.where(t > 0, 0.0), None),
        (lambda lib, t: t.select(1, 0), None),
        (lambda lib, t: t.take_along_dim((mg if lib is mg else torch).tensor([[1], [0]]), 1), None),
        (lambda lib, t: t[0].vdot(t[1]), None),
        (lambda lib, t: lib.tanh_(t.clone()), None),
    ]
    for fn, _ in pairs:
        ours, theirs = fn(mg, mg.tensor(a)), fn(torch, torch.tensor(a))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert mg.is_complex(mg.tensor(a)) is torch.is_complex(torch.tensor(a)) is False


def test_a_new_declaration_gets_every_form(monkeypatch):
    # what adding an activation gives, without installing it: the functional and module forms from one line
    from minigrad.autograd.function import Function
    from minigrad.ops import declare as declare_module

    class Cube(Function):
        """y = s·x³;  ∂x = g · 3s·x²"""

        scale: float
        save_inputs = True

        def forward(self, x):
            return self.scale * x**3

        def backward(self, g, x):
            return g * (3.0 * self.scale) * x * x

    monkeypatch.setattr(declare_module, "DECLARATIONS", [])
    declare(functional="cube", module="Cube", params={"scale": 1.0}, inplace=True, floating=True)(Cube)
    cube = declare_module.functionals("somewhere", {})["cube"]
    Module = declare_module.modules("somewhere", {}, nn.Module)["Cube"]
    assert list(inspect.signature(cube).parameters) == ["input", "scale", "inplace"] and cube.__doc__ == Cube.__doc__
    assert repr(Module()) == "Cube(scale=1.0)" and repr(Module(2, inplace=True)) == "Cube(scale=2, inplace=True)"
    x = mg.tensor([1.0, -2.0], dtype=mg.float64, requires_grad=True)
    Module(scale=2)(x).sum().backward()
    assert x.grad.tolist() == [6.0, 24.0] and cube(mg.tensor([2]), 0.5).tolist() == [4.0]  # ints enter as floats
    assert declare_module.functionals("somewhere", {"cube": None}) == {}  # a form written by hand is kept
