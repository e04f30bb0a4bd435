"""What a careless or hostile user does to the engine: wrong dtypes, odd data, threads, NaN
gradients under gradcheck. Each test failed before its fix (defect ids from the 2026-12 report)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import GradcheckError, gradcheck


def f64(values, rg=True):
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=rg)


# ------------------------------------------------------------------ gradcheck never passes what it can't verify (W2)
def _nan_hooked(x):
    y = x * 2.0
    if y.requires_grad:
        y.register_hook(lambda g: g * float("nan"))  # a hook on an intermediate (C10: gradcheck runs it)
    return y


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_fails_on_a_nan_analytic_gradient(fast_mode):
    x = f64([1.0, 2.0])
    with pytest.raises(GradcheckError):
        gradcheck(_nan_hooked, (x,), fast_mode=fast_mode)
    assert gradcheck(_nan_hooked, (x,), fast_mode=fast_mode, raise_exception=False) is False


def test_gradcheck_fails_on_a_nan_numerical_gradient_and_on_eps_zero():
    x = f64([1.0, 2.0])
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: (a - 1.0).sqrt(), (x,))  # sqrt(-eps) is nan at x = 1
    with pytest.raises(GradcheckError, match="eps"):
        gradcheck(lambda a: a * 3, (x,), eps=0)
    assert gradcheck(lambda a: a * 3, (x,))


# ------------------------------------------------------------------ dtypes of gradients (W10, W8)
def test_a_grad_of_another_dtype_or_the_tensor_itself_is_refused():
    x = f64([1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match="dtype"):
        x.grad = mg.tensor([0, 0, 0])
    with pytest.raises(RuntimeError, match="own gradient"):
        x.grad = x
    x.grad = f64([1.0, 1.0, 1.0], rg=False)
    (x * 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.5, 1.5, 1.5])


def test_a_hook_that_changes_the_gradients_dtype_is_refused():
    p = nn.Parameter(f64([1.0, 1.0, 1.0], rg=False))
    p.register_hook(lambda g: (g * 4).astype(np.int64))
    with pytest.raises(RuntimeError, match="changed the type"):
        (p * 0.5).sum().backward()


def test_complex_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="complex"):
        mg.tensor(np.array([1 + 2j, 3 - 1j]), requires_grad=True)
    assert mg.tensor(np.array([1 + 2j])).dtype == np.complex128  # as data they are fine


# ------------------------------------------------------------------ data that is not numbers (C6)
@pytest.mark.parametrize(
    "make",
    [
        lambda: mg.tensor(np.array(["a", "b"])),
        lambda: mg.tensor(np.array([1.0, 2.0], dtype=object)),
        lambda: mg.tensor(np.array([1, None])),
        lambda: mg.from_numpy(np.array([1.0, 2.0], dtype=object)),
        lambda: mg.tensor(np.array(["2020-01-01"], dtype="datetime64[D]")),
        lambda: mg.tensor(np.zeros(2, dtype=[("a", "f4"), ("b", "i4")])),
        lambda: mg.full((2,), "a"),
        lambda: mg.tensor(np.str_("a")),
    ],
    ids=["str", "object", "object-None", "from_numpy-object", "datetime64", "structured", "full-str", "np.str_"],
)
def test_non_numeric_data_is_refused_with_a_type_error(make):
    with pytest.raises(TypeError, match="numeric|number"):
        make()


# ------------------------------------------------------------------ threads (W9)
def test_two_threads_backpropagating_into_one_leaf_lose_nothing():
    w = mg.tensor(np.zeros(100_000), requires_grad=True)

    def work():
        for _ in range(60):
            (w * 1.0).sum().backward()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    g = w.grad.numpy()
    assert g.min() == 120.0 and g.max() == 120.0


# ------------------------------------------------------------------ views (K5)
def test_a_view_cannot_be_detached_in_place():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    v = (x * 1.0)[0:1]
    with pytest.raises(RuntimeError, match="view"):
        v.detach_()
    h = x * 1.0
    assert h.detach_() is h and not h.requires_grad and h.grad_fn is None
