"""Property tests (hypothesis): broadcast gradients and reductions over random dims.

Broadcasting is where engines like this one most often go wrong, so the shapes
here are drawn at random and every gradient is checked against NumPy's own
reduction of the broadcast gradient and against finite differences.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.autograd import gradcheck

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    a_shape, b_shape = shapes.input_shapes
    elems = st.floats(-2, 2, allow_nan=False, width=64)
    a = draw(hnp.arrays(np.float64, a_shape, elements=elems))
    b = draw(hnp.arrays(np.float64, b_shape, elements=st.floats(0.5, 2, width=64)))
    return a, b


def reduce_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The textbook rule: sum the broadcast gradient over the dims that were added or stretched."""
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdims=True)
    return g


@SETTINGS
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "div"]))
def test_binary_op_gradients_reduce_to_each_operand_shape(pair, op):
    a, b = pair
    ta, tb = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    out = {"add": lambda: ta + tb, "sub": lambda: ta - tb, "mul": lambda: ta * tb, "div": lambda: ta / tb}[op]()
    w = np.random.default_rng(0).standard_normal(out.shape)
    (out * mg.tensor(w)).sum().backward()
    da = {"add": w, "sub": w, "mul": w * b, "div": w / b}[op]
    db = {"add": w, "sub": -w, "mul": w * a, "div": -w * a / b**2}[op]
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    np.testing.assert_allclose(ta.grad.numpy(), reduce_to(np.broadcast_to(da, out.shape), a.shape), atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), reduce_to(np.broadcast_to(db, out.shape), b.shape), atol=1e-12)


@SETTINGS
@given(broadcastable_pair())
def test_broadcast_ops_pass_gradcheck(pair):
    a, b = pair
    ta, tb = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    assert gradcheck(lambda p, q: (p * q + p / q).sin(), (ta, tb), atol=1e-6, rtol=1e-4)


@st.composite
def array_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    # distinct values at least 0.01 apart: max/min have clear winners at finite-difference scale
    x = draw(hnp.arrays(np.int64, shape, elements=st.integers(-300, 300), unique=True)) * 0.01
    ndim = len(shape)
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda d: d % ndim))
    keepdim = draw(st.booleans())
    return x, tuple(dims), keepdim


@SETTINGS
@given(array_and_dims(), st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp", "var"]))
def test_reductions_over_random_dims_match_numpy_and_gradcheck(case, op):
    x, dims, keepdim = case
    axes = tuple(d % x.ndim for d in dims)
    t = mg.tensor(x, requires_grad=True)
    if op == "var":
        n = int(np.prod([x.shape[a] for a in axes]))
        if n < 2:
            return
        got = t.var(dims, keepdim=keepdim)
        want = np.var(x, axis=axes, keepdims=keepdim, ddof=1)
    elif op == "logsumexp":
        got = t.logsumexp(dims, keepdim=keepdim)
        m = x.max(axis=axes, keepdims=True)
        want = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        want = want if keepdim else want.reshape(np.sum(x, axis=axes).shape)
    else:
        got = getattr(t, op)(dims, keepdim=keepdim)
        want = getattr(np, op.removeprefix("a") if op in ("amax", "amin") else op)(x, axis=axes, keepdims=keepdim)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert gradcheck(
        lambda a: getattr(a, op)(dims, keepdim=keepdim) if op != "var" else a.var(dims, keepdim=keepdim),
        (t,),
        atol=1e-6,
        rtol=1e-4,
    )


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.data())
def test_expand_and_sum_to_are_adjoint(shape, data):
    """⟨expand(x), y⟩ = ⟨x, sum_to(y)⟩: the gradient of broadcasting is summing back."""
    small = tuple(data.draw(st.sampled_from([1, s])) for s in shape)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(small), rng.standard_normal(shape)
    lhs = (mg.tensor(x).broadcast_to(shape) * mg.tensor(y)).sum().item()
    rhs = (mg.tensor(x) * mg.tensor(y).sum_to(small)).sum().item()
    np.testing.assert_allclose(lhs, rhs)
