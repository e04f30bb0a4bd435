"""Regression tests: each failure class the differential fuzzer (tests/test_fuzz.py) found, shrunk.

Every test states PyTorch's behaviour (torch 2.13; the expected numbers were computed with it and
are written out, so these run without torch). Each class names where it was found; the
fuzzer's own shrunk programs are kept where they are short.

Classes found (run `python tests/fuzz_graphs.py --graphs 3000 [--no-inplace | --no-view-writes]`):

1. 0-d gradients became NumPy scalars: accumulating three into one node raised
   ``TypeError: return arrays must be of ArrayType``; ``.grad`` and ``autograd.grad`` results held
   a ``numpy.float64`` instead of an ndarray.
2. In-place ``*=`` / ``/=`` (``mul_``, ``div_``, ``t[i] *= s``, ``t[mask] *= 0``, ``t[...] *= s``) on a
   non-leaf made ``backward()`` fail with a false "modified by an in-place operation".
3. ``h * 2.0`` and ``h / 2.0`` saved ``h`` (their backward never reads it): a later in-place update
   of ``h`` made ``backward()`` fail.
4. Writes through views were dropped with grad recording on (``h[0][1] = v``, ``h.T[0] = v``,
   ``row = h[0]; row += v``, ``h.view(-1)[3] = v``, ``h.unsqueeze(0)[0, 1] = v``, ...).
5. A view taken before an in-place write to its base kept the old values (and the write's
   gradient never reached it).
6. ELU saves its output: updating ``F.elu(x)`` in place made ``backward()`` fail (torch's ELU
   saves its input, so torch computes the gradient).
7. An element view ``h[0, 1]`` (or ``v[1]`` of a 1-D ``v``), a 0-d view in torch, is a copy in
   minigrad: writes through it are dropped and it does not see later writes to its base.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import grad

X = [[1.0, 2.0], [3.0, 4.0]]
W = [[0.5, -1.0], [2.0, 0.25]]


def leaf(values) -> mg.Tensor:
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def check(t: mg.Tensor | None, expected) -> None:
    """``t`` holds an ndarray (never a NumPy scalar) equal to ``expected``."""
    assert t is not None
    assert type(t.numpy()) is np.ndarray, f"the tensor holds a {type(t.numpy()).__name__}, not an ndarray"
    assert t.shape == np.shape(expected)
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- 1. 0-d gradients as NumPy scalars
def test_0d_gradient_from_three_consumers_accumulates():
    x = leaf([1.0, 2.0, 3.0])
    m = x.sum()
    y = (m * 2).sum() + (m * 3).sum() + m
    y.backward()
    check(x.grad, [6.0, 6.0, 6.0])


def test_0d_leaf_reached_by_var_and_a_product():  # fuzz seed 3086, shrunk
    x = leaf(1.65)
    loss = (-x).sum() * 0.51 + x.var(correction=0).sum()
    loss.backward()
    check(x.grad, -0.51)


def test_0d_grad_accumulated_by_a_second_backward_stays_an_array():
    s = leaf(1.5)
    y = s.sum() + s
    y.backward(retain_graph=True)
    y.backward()
    check(s.grad, 4.0)


def test_0d_second_derivative_is_an_array():  # shrunk from the fuzzer: x0.var(correction=0) * -1.0 + x0 * -1.0
    x = leaf(0.5)
    (g,) = grad(x.var(correction=0) + x, x, create_graph=True)
    (h,) = grad(g * 2.0, x)
    check(g, 1.0)
    check(h, 0.0)


# ---------------------------------------------------------------- 2. in-place *= and /= on a non-leaf
@pytest.mark.parametrize(
    "update,value,x_grad",
    [
        ("t *= 2", [[2.0, 4.0], [6.0, 8.0]], [[8.0, 16.0], [24.0, 32.0]]),
        ("t /= 2", [[0.5, 1.0], [1.5, 2.0]], [[0.5, 1.0], [1.5, 2.0]]),
        ("t.mul_(2.0)", [[2.0, 4.0], [6.0, 8.0]], [[8.0, 16.0], [24.0, 32.0]]),
        ("t.div_(4.0)", [[0.25, 0.5], [0.75, 1.0]], [[0.125, 0.25], [0.375, 0.5]]),
        ("t[0] *= 2", [[2.0, 4.0], [3.0, 4.0]], [[8.0, 16.0], [6.0, 8.0]]),
        ("t[t > 2] *= 0", [[1.0, 2.0], [0.0, 0.0]], [[2.0, 4.0], [0.0, 0.0]]),
        ("t[...] *= 3", [[3.0, 6.0], [9.0, 12.0]], [[18.0, 36.0], [54.0, 72.0]]),
    ],
    ids=lambda v: v if isinstance(v, str) else "-",
)
def test_inplace_scaling_of_a_non_leaf(update, value, x_grad):
    x = leaf(X)
    t = x * 1.0
    exec(update)
    (t * t).sum().backward()
    check(t, value)
    check(x.grad, x_grad)


def test_inplace_mul_by_a_tensor_on_a_non_leaf():
    x, u = leaf(X), leaf(W)
    t = x + 0.0
    t *= u
    t.sum().backward()
    check(x.grad, W)
    check(u.grad, X)


def test_inplace_div_by_a_tensor_on_a_non_leaf():
    x, u = leaf(X), leaf(W)
    t = x + 0.0
    t /= u
    t.sum().backward()
    check(x.grad, [[2.0, -1.0], [0.5, 4.0]])
    check(u.grad, [[-4.0, -2.0], [-0.75, -64.0]])


# ---------------------------------------------------------------- 3. scalar * and / saved the tensor
def test_scalar_product_does_not_save_its_tensor():
    x = leaf(X)
    h = x + 0.0
    y = h * 2.0
    h += 1
    (y * y).sum().backward()
    check(x.grad, [[8.0, 16.0], [24.0, 32.0]])


def test_scalar_quotient_does_not_save_its_tensor():
    x = leaf(X)
    h = x + 0.0
    y = h / 2.0
    h += 1
    (y * y).sum().backward()
    check(x.grad, [[0.5, 1.0], [1.5, 2.0]])


def test_update_after_a_division_by_a_constant():  # fuzz seed 1639, shrunk
    x0, x1 = leaf([[1.6, 0.71]]), leaf([[-1.95, 1.37]])
    v1 = 0.75 + x0
    v2 = v1 / -0.46
    v1.mul_(x1)
    (v2.sum() + v1.sum()).backward()
    check(x0.grad, [[-4.1239130435, -0.8039130435]])
    check(x1.grad, [[2.35, 1.46]])


# ---------------------------------------------------------------- 4. writes through views dropped
@pytest.mark.parametrize(
    "write,h_value,x_grad,w_grad",
    [
        ("h[0][1] = 9.0", [[1.0, 9.0], [3.0, 4.0]], [[2.0, 0.0], [6.0, 8.0]], None),
        ("h.T[0] = 9.0", [[9.0, 2.0], [9.0, 4.0]], [[0.0, 4.0], [0.0, 8.0]], None),
        ("row = h[0]; row += w[0]", [[1.5, 1.0], [3.0, 4.0]], [[3.0, 2.0], [6.0, 8.0]], [[3.0, 2.0], [0.0, 0.0]]),
        ("h.view(-1)[3] = 9.0", [[1.0, 2.0], [3.0, 9.0]], [[2.0, 4.0], [6.0, 0.0]], None),
        ("h.reshape(4)[3] = 9.0", [[1.0, 2.0], [3.0, 9.0]], [[2.0, 4.0], [6.0, 0.0]], None),
        ("h.unsqueeze(0)[0, 1] = w[1]", [[1.0, 2.0], [2.0, 0.25]], [[2.0, 4.0], [0.0, 0.0]], [[0.0, 0.0], [4.0, 0.5]]),
        ("h.transpose(0, 1)[1] += w[0]", [[1.0, 2.5], [3.0, 3.0]], [[2.0, 5.0], [6.0, 6.0]], [[5.0, 6.0], [0.0, 0.0]]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_write_through_a_view_reaches_the_base(write, h_value, x_grad, w_grad):
    x, w = leaf(X), leaf(W)
    h = x + 0.0
    exec(write)
    (h * h).sum().backward()
    check(h, h_value)
    check(x.grad, x_grad)
    if w_grad is None:
        assert w.grad is None
    else:
        check(w.grad, w_grad)


# ---------------------------------------------------------------- 5. views taken before a write to the base
def test_view_sees_a_later_inplace_update_of_its_base():
    x = leaf(X)
    h = x + 0.0
    row = h[0]
    h += 1
    (row * row).sum().backward()
    check(row, [2.0, 3.0])
    check(x.grad, [[4.0, 6.0], [0.0, 0.0]])


def test_view_reaches_values_written_into_its_base_later():  # fuzz seed 1269, shrunk
    x, w = leaf(X), leaf(W)
    h = x + 0.0
    row = h[0]
    h[1] = w[0]
    row.sum().backward()
    check(x.grad, [[1.0, 1.0], [0.0, 0.0]])
    check(w.grad, [[0.0, 0.0], [0.0, 0.0]])  # torch: the write is on the view's graph, with a zero gradient


# ---------------------------------------------------------------- 6. ELU saves its output
def test_elu_output_updated_in_place_by_addition():
    x, w = leaf(X), leaf(W)
    h = F.elu(x - 2.5, 0.7)
    h += 1
    (h * w).sum().backward()
    check(h, [[0.4561911121, 0.7245714618], [1.5, 2.5]])
    check(x.grad, [[0.0780955561, -0.4245714618], [2.0, 0.25]])


def test_elu_output_updated_in_place_by_scaling():
    x = leaf(X)
    h = F.elu(x - 2.5, 0.7)
    h *= 2
    h.sum().backward()
    check(h, [[-1.0876177758, -0.5508570764], [1.0, 3.0]])
    check(x.grad, [[0.3123822242, 0.8491429236], [2.0, 2.0]])


# ---------------------------------------------------------------- 7. element views are copies
def test_write_through_an_element_view():
    x = leaf(X)
    h = x + 0.0
    e = h[0, 1]
    e *= 2
    (h * h).sum().backward()
    check(h, [[1.0, 4.0], [3.0, 4.0]])
    check(x.grad, [[2.0, 16.0], [6.0, 8.0]])


def test_write_through_an_element_view_of_a_vector():
    x, w = leaf(X), leaf(W)
    h = x[0] + 0.0
    e = h[1]
    e += w[0, 0]
    (h * h).sum().backward()
    check(h, [1.0, 2.5])
    check(x.grad, [[2.0, 5.0], [0.0, 0.0]])
    check(w.grad, [[5.0, 0.0], [0.0, 0.0]])


def test_element_view_sees_a_later_write_to_its_element():
    x = leaf(X)
    h = x + 0.0
    e = h[0, 1]
    h[0, 1] = 5.0
    (e * e).backward()
    check(e, 5.0)
    check(x.grad, [[0.0, 0.0], [0.0, 0.0]])


def test_element_view_sees_a_later_update_of_its_base():
    x = leaf(X)
    h = x[0] * 1.0
    e = h[1]
    h += 1.0
    (e * e).backward()
    check(e, 3.0)
    check(x.grad, [[0.0, 6.0], [0.0, 0.0]])


def test_update_through_an_element_view_reaches_the_loss():  # fuzz seed 3064, shrunk
    x0 = leaf([-0.93, 1.03])
    v1 = x0.cos()
    v2 = v1[1]
    v2 /= -0.54
    loss = v2 * 1.5 + v1.sum()
    loss.backward()
    check(v1, [0.5978339823, -0.9533682314])
    check(x0.grad, [0.8016199409, 3.9689768018])


def test_element_view_taken_before_a_setitem():  # fuzz seed 1747, shrunk
    x0 = leaf([0.6, -1.18])
    v1 = F.leaky_relu(x0, 0.1)
    v2 = v1[-1]
    v1[-1] = -0.85
    loss = v2 * 2.0 + v1.sum()
    loss.backward()
    check(v2, -0.85)
    check(x0.grad, [1.0, 0.0])
