"""PyTorch's wider tensor surface (issue 12): the functions and methods beginners' code uses.

Each case runs one expression on minigrad and on PyTorch (``lib`` is ``mg`` or ``torch``) and
compares values, dtypes, shapes, whether the result requires grad, and the gradients a fixed
random cotangent sends back to the float inputs. The rest checks behaviour that needs no torch:
errors, bool results of ``all``/``any``, in-place rules, and the table of unsupported names.
"""

from __future__ import annotations

import numpy as np
import pytest
from torch_compare import compare_with_torch

import minigrad as mg
from minigrad.tensor import UNSUPPORTED

RNG = np.random.default_rng(12)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def distinct(*shape):
    """Well-separated values in random order: sorting and topk have no ties."""
    return RNG.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.7 - 2.0


def ints(*shape, low=-4, high=5):
    return RNG.integers(low, high, shape)


WITH_ZERO = np.array([[1.5, 0.0, -2.0], [0.5, 3.0, -1.0]])
NONFINITE = np.array([1.0, np.nan, np.inf, -np.inf, -2.5])
TIES = np.array([[2.0, 1.0, 2.0, 0.0, 1.0], [3.0, 3.0, 3.0, -1.0, 3.0]])


def _inplace(fn):
    """Apply an in-place method to a non-leaf copy of x (so gradients flow through it); return the copy."""

    def run(lib, x, *rest):
        h = x * 1.0
        out = fn(h, lib, *rest)
        assert out is h
        return h

    return run


# (id, expression of (lib, *inputs), input arrays); float inputs require grad
CASES = [
    # arithmetic by name
    ("pow-float", lambda lib, x: x.pow(2.5), [np.abs(normal(3)) + 0.5]),
    (
        "pow-int-tensor-exponent-f32",
        lambda lib, x: x.unsqueeze(-1).pow(lib.tensor([1, 2, 3])),
        [normal(4, dtype=np.float32)],
    ),
    ("torch.pow-scalar-base", lambda lib, x: lib.pow(2.0, x), [normal(3)]),
    ("add-alpha", lambda lib, x, y: x.add(y, alpha=-0.5) + lib.add(x, 2, alpha=3), [normal(2, 3), normal(3)]),
    ("sub-alpha", lambda lib, x, y: lib.sub(x, y, alpha=2) * x.sub(1.5), [normal(2, 3), normal(2, 3)]),
    ("mul-div", lambda lib, x, y: x.mul(y) + lib.div(x, y), [normal(3), np.abs(normal(3)) + 1]),
    (
        "div-floor-trunc-int",
        lambda lib, x: lib.stack([x.div(3, rounding_mode="floor"), x.div(3, rounding_mode="trunc")]),
        [ints(6)],
    ),
    (
        "div-floor-trunc-float",
        lambda lib, x, y: (
            lib.div(x, 0.7, rounding_mode="floor"),
            x.div(y, rounding_mode="trunc"),
            lib.div(1.0, lib.tensor([0.1, -0.1]), rounding_mode="floor"),
        ),
        [normal(5) * 3, normal(5)],
    ),
    ("floordiv-int", lambda lib, x: x // 3, [ints(7)]),
    ("remainder", lambda lib, x: (x % 1.3) * x + lib.remainder(x, -0.9), [normal(6) * 3]),
    ("remainder-int", lambda lib, x: x % 3, [ints(8)]),
    ("reciprocal-int-to-float", lambda lib, x: x.reciprocal(), [ints(4, low=1)]),
    ("neg", lambda lib, x: lib.neg(x) * x.neg(), [normal(3)]),
    # products
    ("mm", lambda lib, a, b: a.mm(b).mm(b.T), [normal(2, 3), normal(3, 4)]),
    (
        "torch.mm-clamp-chain",
        lambda lib, x, w1, w2: x.mm(w1).clamp(min=0).mm(w2),
        [normal(4, 3), normal(3, 5), normal(5, 2)],
    ),
    ("bmm", lambda lib, a, b: lib.bmm(a, b), [normal(2, 3, 4), normal(2, 4, 2)]),
    ("mv-dot", lambda lib, a, v: a.mv(v) * lib.dot(v, v), [normal(2, 3), normal(3)]),
    ("outer", lambda lib, a, b: lib.outer(a, b), [normal(3), normal(4)]),
    # elementwise math
    ("log10-log2", lambda lib, x: x.log10() + lib.log2(x), [np.abs(normal(4)) + 0.1]),
    ("log1p-expm1", lambda lib, x: x.log1p() * lib.expm1(x), [np.abs(normal(4)) * 0.01]),
    ("exp2-rsqrt-square", lambda lib, x: x.exp2() + lib.rsqrt(x) + x.square(), [np.abs(normal(4)) + 0.2]),
    ("log10-int-to-float32", lambda lib, x: lib.log10(x), [ints(4, low=1)]),
    ("square-int", lambda lib, x: x.square(), [ints(4)]),
    (
        "rounding",
        lambda lib, x: lib.stack([x.floor(), x.ceil(), x.round(), x.trunc(), x.frac(), x.sign()]),
        [np.array([-2.5, -1.5, -0.7, 0.0, 0.5, 1.5, 2.5, 3.2])],
    ),
    ("round-decimals", lambda lib, x: lib.round(x, decimals=2) + x.round(decimals=1), [normal(5) * 10]),
    ("rounding-int", lambda lib, x: lib.stack([x.floor(), x.ceil(), x.round(), x.sign()]), [ints(5)]),
    ("sign-bool", lambda lib, x: (x > 0).sign(), [normal(4)]),
    ("nan_to_num", lambda lib, x: x.nan_to_num() * 0.5, [NONFINITE]),
    ("nan_to_num-args", lambda lib, x: lib.nan_to_num(x, nan=0.5, posinf=9.0, neginf=-9.0), [NONFINITE]),
    ("nan_to_num-f32", lambda lib, x: x.nan_to_num(), [NONFINITE.astype(np.float32)]),
    # tests
    (
        "isnan-isinf-isfinite",
        lambda lib, x: lib.stack([x.isnan(), lib.isinf(x), x.isfinite(), x.isposinf(), lib.isneginf(x)]),
        [NONFINITE],
    ),
    ("all-any", lambda lib, x: (x.all(), x.any(), lib.all(x > -5), lib.any(x > 5)), [normal(2, 3)]),
    (
        "all-any-dim",
        lambda lib, x: (x.all(dim=1), (x > 0).any(0, keepdim=True), lib.all(x > 0, dim=(0, 1))),
        [WITH_ZERO],
    ),
    ("all-any-uint8", lambda lib, x: (x.all(), x.any(1)), [np.array([[1, 0], [2, 3]], dtype=np.uint8)]),
    ("eq-item", lambda lib, x: (x == x).all().item(), [normal(3)]),
    (
        "comparisons-by-name",
        lambda lib, x, y: lib.stack([x.eq(y), x.ne(y), lib.lt(x, y), x.le(y), x.gt(0.0), lib.ge(x, y)]),
        [ints(4), ints(4)],
    ),
    (
        "logical",
        lambda lib, x: lib.stack(
            [
                (x > 0).logical_not(),
                lib.logical_and(x > 0, x < 1),
                (x > 0).logical_or(x < -1),
                lib.logical_xor(x > 0, x > 1),
            ]
        ),
        [normal(6)],
    ),
    ("isclose", lambda lib, x: lib.isclose(x, x + 1e-9) & x.isclose(x * (1 + 1e-4), rtol=1e-3), [normal(5)]),
    ("isclose-nan", lambda lib, x: lib.isclose(x, x, equal_nan=True), [NONFINITE]),
    (
        "allclose-equal",
        lambda lib, x: (lib.allclose(x, x + 1e-9), x.allclose(x + 1.0), lib.equal(x, x * 1.0), x.equal(x[:2])),
        [normal(3)],
    ),
    # reductions
    ("prod", lambda lib, x: x.prod(1) + lib.prod(x, 0).sum() + x.prod(), [normal(3, 4)]),
    ("prod-keepdim-zeros", lambda lib, x: x.prod(1, keepdim=True) * x + x.prod(), [WITH_ZERO]),
    ("prod-int-dtype", lambda lib, x: (x.prod(), lib.prod(x.int(), 0)), [ints(2, 3)]),
    ("prod-dtype-arg", lambda lib, x: x.prod(dtype=lib.float64), [normal(3, dtype=np.float32)]),
    ("cumsum", lambda lib, x: x.cumsum(1) * lib.cumsum(x, dim=0), [normal(3, 4)]),
    ("cumsum-int-bool", lambda lib, x: (x.cumsum(0), (x > 0).cumsum(0), x.int().cumsum(0)), [ints(6)]),
    ("norm-default", lambda lib, x: x.norm() + lib.norm(x, dim=1).sum(), [normal(3, 4)]),
    (
        "norm-p",
        lambda lib, x: lib.stack(
            [x.norm(1), x.norm(3), x.norm(0.5), x.norm(float("inf")), x.norm(-float("inf")), x.norm(0)]
        ),
        [normal(2, 3)],
    ),
    ("norm-dims-keepdim", lambda lib, x: x.norm(p=2, dim=(0, 2), keepdim=True), [normal(2, 3, 4)]),
    ("norm-zero-row", lambda lib, x: x.norm(dim=1) + x.norm(1, dim=1), [np.array([[0.0, 0.0], [3.0, -4.0]])]),
    ("norm-f32", lambda lib, x: x.norm(), [normal(5, dtype=np.float32)]),
    ("dist", lambda lib, x, y: lib.dist(x, y) + x.dist(y, p=1) + x.dist(y, 3), [normal(2, 3), normal(3)]),
    ("count_nonzero", lambda lib, x: (lib.count_nonzero(x), x.count_nonzero(dim=0)), [WITH_ZERO]),
    # shape
    ("diag", lambda lib, v, m: lib.diag(v) @ m + lib.diag(v, 1)[:3, :3] + m.diag(-1).sum(), [normal(3), normal(3, 3)]),
    ("diag-rect", lambda lib, m: (m.diag(), m.diag(2), lib.diag(m, -1)), [normal(3, 5)]),
    (
        "diagonal-trace",
        lambda lib, m, b: m.diagonal() * m.trace() + b.diagonal(1, 1, 2).sum(),
        [normal(3, 3), normal(2, 3, 4)],
    ),
    ("tril-triu", lambda lib, x: x.tril() + lib.triu(x, 1) * 2 + x.tril(-1) * x.triu(), [normal(3, 4)]),
    ("tril-batched-int", lambda lib, x: lib.tril(x, 1), [ints(2, 3, 3)]),
    ("chunk", lambda lib, x: [c * (i + 1) for i, c in enumerate(x.chunk(3, dim=1))], [normal(2, 7)]),
    ("chunk-fewer", lambda lib, x: lib.chunk(x, 4), [normal(6)]),
    ("split", lambda lib, x: [*x.split(2), *lib.split(x, [1, 3, 1], dim=0)], [normal(5, 2)]),
    ("unbind-narrow", lambda lib, x: [*x.unbind(1), x.narrow(0, 1, 2), lib.narrow(x, 1, -2, 2)], [normal(3, 3)]),
    ("movedim", lambda lib, x: lib.movedim(x, (0, 1), (2, 0)) * 2 + x.movedim(-1, 0).sum(), [normal(2, 3, 4)]),
    ("repeat-tile", lambda lib, x: (x.repeat(2, 1, 3), lib.tile(x, (2,)), x.tile((2, 1, 1))), [normal(2, 3)]),
    (
        "flip-roll",
        lambda lib, x: (
            x.flip(0),
            lib.flip(x, (0, 1)),
            x.roll(1),
            lib.roll(x, (1, -1), (0, 1)),
            x.fliplr(),
            x.flipud(),
        ),
        [normal(3, 4)],
    ),
    ("repeat_interleave", lambda lib, x: (x.repeat_interleave(2), lib.repeat_interleave(x, 3, dim=1)), [normal(2, 2)]),
    ("t", lambda lib, x, v: (x.t(), v.t(), lib.t(x)), [normal(2, 3), normal(3)]),
    (
        "view_as-reshape_as-expand_as",
        lambda lib, x, y: x.view_as(y) + x.reshape_as(y) + x[:1, :2].expand_as(y),
        [normal(2, 3), normal(3, 2)],
    ),
    (
        "contiguous-clone",
        lambda lib, x: x.t().contiguous() + lib.clone(x).t() + x.clone().contiguous().T,
        [normal(2, 3)],
    ),
    ("type_as", lambda lib, x, y: x.type_as(y) * 2, [normal(3), normal(3, dtype=np.float32)]),
    (
        "zeros_like-full_like",
        lambda lib, x: (lib.zeros_like(x), lib.full_like(x, 7.0), lib.full_like(x, 2)),
        [normal(2, 2, dtype=np.float32)],
    ),
    # selecting
    ("sort", lambda lib, x: (x.sort(), lib.sort(x, dim=0, descending=True)), [distinct(3, 4)]),
    (
        "sort-ties-stable",
        lambda lib, x: (x.sort(stable=True), lib.sort(x, dim=1, descending=True, stable=True)),
        [TIES],
    ),
    ("argsort", lambda lib, x: (x.argsort(), lib.argsort(x, dim=0, descending=True)), [distinct(3, 4)]),
    ("topk", lambda lib, x: (x.topk(2), lib.topk(x, 1, dim=0), x.topk(3, largest=False)), [distinct(3, 4)]),
    ("topk-named", lambda lib, x: x.topk(2, dim=1).values * 2 + x.topk(2).indices, [distinct(2, 5)]),
    (
        "gather",
        lambda lib, x: (x.gather(1, lib.tensor([[0, 0], [2, 1]])), lib.gather(x, 0, lib.tensor([[1, 0, 1]]))),
        [normal(2, 3)],
    ),
    (
        "scatter",
        lambda lib, x, s: (x.scatter(1, lib.tensor([[2], [0]]), s), lib.scatter(x, 0, lib.tensor([[1, 0]]), value=9.0)),
        [normal(2, 3), normal(2, 1)],
    ),
    (
        "scatter_add",
        lambda lib, x, s: lib.scatter_add(x, 1, lib.tensor([[0, 0, 2], [1, 1, 1]]), s) ** 2,
        [normal(2, 3), normal(2, 3)],
    ),
    (
        "index_select",
        lambda lib, x: x.index_select(0, lib.tensor([2, 0, 2])) + lib.index_select(x, 1, lib.tensor([1])),
        [normal(3, 2)],
    ),
    ("index_fill", lambda lib, x: x.index_fill(1, lib.tensor([0, 2]), -1.0), [normal(2, 3)]),
    ("masked_fill", lambda lib, x: x.masked_fill(x > 0.5, float("-inf")).softmax(1), [normal(3, 4)]),
    (
        "masked_fill-broadcast-mask",
        lambda lib, x: lib.masked_fill(x, lib.tensor([True, False, True]), 0.0) * x,
        [normal(2, 3)],
    ),
    ("masked_fill-tensor-value", lambda lib, x, v: x.masked_fill(x < 0, v) * 3, [normal(2, 3), np.array(0.25)]),
    ("masked_fill-int", lambda lib, x: x.masked_fill(x > 0, 7), [ints(5)]),
    ("masked_select", lambda lib, x: x.masked_select(x > 0) ** 2, [normal(3, 3)]),
    # counting
    (
        "unique",
        lambda lib, x: (lib.unique(x), x.unique(return_counts=True), lib.unique(x, return_inverse=True)),
        [ints(3, 4, low=0, high=4)],
    ),
    ("unique-dim", lambda lib, x: lib.unique(x, dim=0), [np.array([[1, 2], [0, 1], [1, 2]])]),
    (
        "bincount",
        lambda lib, x, w: (lib.bincount(x), x.bincount(minlength=8), lib.bincount(x, weights=w)),
        [ints(9, low=0, high=5), normal(9, dtype=np.float32)],
    ),
    ("histc", lambda lib, x: (lib.histc(x, bins=4), x.histc(5, min=-1, max=1)), [normal(20, dtype=np.float32)]),
    (
        "histogram",
        lambda lib, x: (*lib.histogram(x, 4), *x.histogram(3, range=(-1.0, 1.0), density=True)),
        [normal(30)],
    ),
    (
        "histogram-edges-weight",
        lambda lib, x, w: (
            lib.histogram(x, lib.tensor([-3.0, -0.5, 0.0, 2.0], dtype=lib.float64), weight=w, density=False).hist
        ),
        [normal(15), normal(15)],
    ),
    # metadata
    (
        "metadata",
        lambda lib, x: (
            x.nelement(),
            x.numel(),
            x.dim(),
            x.ndimension(),
            x.is_floating_point(),
            x.long().is_floating_point(),
            lib.is_tensor(x),
            lib.is_tensor(3),
            x.element_size(),
            x.is_contiguous(),
            x.t().is_contiguous(),
            x.stride(),
            x.t().stride(1),
            lib.is_floating_point(x),
            x.is_complex(),
        ),
        [normal(2, 3)],
    ),
    (
        "new_factories",
        lambda lib, x: (
            x.new_zeros(2, 3),
            x.new_ones((2,)),
            x.new_full((1, 2), 3.5),
            x.new_tensor([1, 2]),
            x.new_zeros(2, dtype=lib.int64),
        ),
        [normal(2, dtype=np.float32)],
    ),
    # in place
    ("add_-alpha", _inplace(lambda h, lib, y: h.add_(y, alpha=-0.1)), [normal(2, 3), normal(3)]),
    ("sub_-mul_-div_", _inplace(lambda h, lib, y: h.sub_(y, alpha=2).mul_(y).div_(2.0)), [normal(3), normal(3)]),
    ("clamp_", _inplace(lambda h, lib: h.clamp_(-0.5, 0.5)), [normal(3, 4)]),
    ("clamp_-min-only", _inplace(lambda h, lib: h.clamp_(min=0)), [normal(5)]),
    (
        "copy_-fill_-zero_",
        _inplace(lambda h, lib, y: h[0].copy_(y) if False else h.copy_(y * 2)),
        [normal(2, 3), normal(3)],
    ),
    ("fill_", _inplace(lambda h, lib: h.fill_(1.5)), [normal(3)]),
    ("zero_", _inplace(lambda h, lib: h.zero_()), [normal(3)]),
    ("masked_fill_", _inplace(lambda h, lib: h.masked_fill_(h > 0, 0.0)), [normal(3, 3)]),
    (
        "index_fill_-scatter_",
        _inplace(lambda h, lib: h.index_fill_(0, lib.tensor([1]), 2.0).scatter_(1, lib.tensor([[0], [1], [2]]), -1.0)),
        [normal(3, 3)],
    ),
    (
        "scatter_add_",
        _inplace(lambda h, lib, s: h.scatter_add_(0, lib.tensor([[0, 0], [0, 1]]), s)),
        [normal(2, 2), normal(2, 2)],
    ),
    ("abs_-sqrt_", _inplace(lambda h, lib: h.abs_().sqrt_()), [normal(4)]),
    ("exp_", _inplace(lambda h, lib: h.exp_()), [normal(4)]),
    ("log_", _inplace(lambda h, lib: h.abs_().log_()), [normal(4)]),
    ("neg_", _inplace(lambda h, lib: h.neg_()), [normal(4)]),
    ("relu_", _inplace(lambda h, lib: h.relu_()), [normal(4)]),
    ("sigmoid_", _inplace(lambda h, lib: h.sigmoid_()), [normal(4)]),
    ("tanh_", _inplace(lambda h, lib: h.tanh_()), [normal(4)]),
    ("pow_", _inplace(lambda h, lib: h.pow_(3)), [normal(4)]),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    compare_with_torch(fn, arrays, RNG)


# ---------------------------------------------------------------------- results without torch
def test_all_any_are_0d_bool_tensors():
    a = mg.tensor([1.0, 2.0, 3.0])
    b = mg.tensor([1.0, 2.0, 4.0])
    eq = (a == b).all()
    assert isinstance(eq, mg.Tensor) and eq.shape == () and eq.dtype == np.bool_
    assert eq.item() is False and (a == a).all().item() is True
    assert (a != b).any().item() is True and mg.any(a > 5).item() is False
    assert not eq  # still usable in `if`
    assert mg.all(a > 0, dim=0).shape == () and a.reshape(1, 3).all(1, keepdim=True).shape == (1, 1)


def test_rounding_and_tests_do_not_require_grad_but_steps_do_as_torch():
    x = mg.tensor([0.3, -1.7], requires_grad=True)
    for t in (x.isnan(), x.isfinite(), x.argsort(), x > 0, mg.unique(x), mg.histc(x, 3), x.all()):
        assert not t.requires_grad
    y = x.floor() + x.round() + x.sign()  # piecewise constant: they record a zero gradient, as torch
    assert y.requires_grad
    y.sum().backward()
    assert x.grad.numpy().tolist() == [0.0, 0.0]


def test_prod_with_zeros_has_exact_gradients():
    x = mg.tensor([0.0, 2.0, 3.0], requires_grad=True)
    (g,) = mg.autograd.grad(x.prod(), x, create_graph=True)
    assert g.numpy().tolist() == [6.0, 0.0, 0.0]
    (gg,) = mg.autograd.grad(g.sum(), x)
    assert gg.numpy().tolist() == [5.0, 3.0, 2.0]


def test_norm_gradient_is_zero_at_zero():
    x = mg.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.numpy().tolist() == [0.0, 0.0, 0.0]


def test_sort_gradient_goes_to_the_selected_elements():
    x = mg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.sort(descending=True)
    assert indices.numpy().tolist() == [0, 2, 1] and indices.dtype == np.int64
    (values * mg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.numpy().tolist() == [1.0, 100.0, 10.0]


def test_gather_repeated_index_accumulates_gradient():
    x = mg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    x.gather(1, mg.tensor([[2, 2, 0]])).sum().backward()
    assert x.grad.numpy().tolist() == [[1.0, 0.0, 2.0]]


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.clamp_(0, 1)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(mg.ones(3), alpha=2)
    with mg.no_grad():
        w.add_(mg.ones(3), alpha=-0.5)
        w.masked_fill_(mg.tensor([True, False, False]), 9.0)
        w.normal_(0.0, 0.01, generator=mg.Generator().manual_seed(0))
    assert w.is_leaf and w.requires_grad and abs(w.numpy()).max() < 0.1


def test_data_add_alpha_updates_a_parameter():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data.add_(p.grad, alpha=-0.25)
    assert p.numpy().tolist() == [0.5, 1.0]


def test_uniform_normal_are_reproducible_with_a_generator():
    a = mg.empty(4).uniform_(-2, 2, generator=mg.Generator().manual_seed(3))
    b = mg.empty(4).uniform_(-2, 2, generator=mg.Generator().manual_seed(3))
    assert a.numpy().tolist() == b.numpy().tolist() and ((a.numpy() >= -2) & (a.numpy() < 2)).all()
    with pytest.raises(TypeError, match="floating"):
        mg.zeros(2, dtype=mg.int64).normal_()


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: mg.mm(mg.ones(3), mg.ones(3, 2)), RuntimeError, r"mm: self .* must be 2-D, got shape \(3,\)"),
        (lambda: mg.bmm(mg.ones(2, 2, 3), mg.ones(3, 3, 2)), RuntimeError, r"bmm: batch2 must have shape \(2, 3, p\)"),
        (lambda: mg.dot(mg.ones(2), mg.ones(3)), RuntimeError, "same length"),
        (lambda: mg.ones(2, 3).gather(1, mg.tensor([[3]])), RuntimeError, "index 3 is out of bounds for dimension 1"),
        (lambda: mg.ones(2, 3).gather(1, mg.tensor([1, 2])), RuntimeError, "same number of dimensions"),
        (lambda: mg.ones(2, 3).gather(1, mg.tensor([[0.5]])), RuntimeError, "integer index"),
        (lambda: mg.ones(2, 3).index_select(1, mg.tensor([5])), IndexError, "index 5 is out of range for dimension 1"),
        (lambda: mg.ones(3).masked_fill(mg.tensor([1, 0, 1]), 0.0), RuntimeError, "boolean masks"),
        (lambda: mg.ones(3).masked_fill(mg.ones(2, 3) > 0, 0.0), RuntimeError, r"broadcastable to the tensor's shape"),
        (lambda: mg.ones(3).masked_fill(mg.tensor([True, False, True]), mg.ones(2)), RuntimeError, "0-dimensional"),
        (lambda: mg.tensor([1, 2]).masked_fill(mg.tensor([True, False]), float("-inf")), RuntimeError, "overflow"),
        (lambda: mg.ones(3).topk(4), RuntimeError, "k out of range"),
        (lambda: mg.allclose(mg.ones(2), mg.ones(2, dtype=mg.float64)), RuntimeError, "float32 did not match float64"),
        (lambda: mg.norm(mg.tensor([1, 2])), RuntimeError, "floating point"),
        (lambda: mg.ones(3).norm(p="nuc"), NotImplementedError, "nuc"),
        (lambda: mg.ones(2, 2, 2).t(), RuntimeError, "<= 2 dimensions"),
        (lambda: mg.ones(3).tril(), RuntimeError, "at least 2 dimensions"),
        (lambda: mg.ones(2, 3).repeat(2), RuntimeError, "can't be smaller"),
        (lambda: mg.ones(5).split([2, 2]), RuntimeError, "sum to 5"),
        (lambda: mg.ones(5).chunk(0), RuntimeError, "positive"),
        (lambda: mg.ones(5).narrow(0, 3, 3), IndexError, "exceeds dimension 0"),
        (lambda: mg.ones(2, 3).roll((1, 1), 0), RuntimeError, "same length"),
        (lambda: mg.ones(2, 3).flip(0, 0), RuntimeError, "more than once"),
        (lambda: mg.tensor([1, -1]).bincount(), RuntimeError, "non-negative"),
        (lambda: mg.tensor([1, 2]).histc(), NotImplementedError, "int64"),
        (
            lambda: mg.ones(2, 3).scatter(1, mg.tensor([[0]]), mg.ones(1, 1, dtype=mg.float64)),
            RuntimeError,
            "src.dtype",
        ),
        (lambda: mg.ones(2).scatter(0, mg.tensor([0]), mg.ones(1), reduce="multiply"), NotImplementedError, "reduce"),
        (lambda: mg.ones(2).div(2, rounding_mode="round"), ValueError, "rounding_mode"),
    ],
)
def test_bad_input_names_the_op_and_the_values(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_failed_in_place_changes_nothing():
    x = mg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError):
        x.masked_fill_(mg.tensor([1, 0, 1]), 0.0)
    with pytest.raises(RuntimeError):
        x.scatter_(0, mg.tensor([7]), 0.0)
    assert x.numpy().tolist() == [1.0, 2.0, 3.0] and x._version == 0


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_names_say_so(name):
    t = mg.zeros(2, 2)
    with pytest.raises(NotImplementedError, match=f"minigrad does not support Tensor.{name}: .+"):
        getattr(t, name)()


def test_unsupported_names_are_real_torch_methods():
    torch = pytest.importorskip("torch")
    assert [n for n in UNSUPPORTED if not hasattr(torch.Tensor, n)] == []


SURFACE_METHODS = """pow mm bmm log10 log2 log1p expm1 exp2 rsqrt square sign floor ceil round all any allclose
isclose equal isnan isinf isfinite nan_to_num histogram histc bincount sort argsort topk cumsum prod norm dist
outer diag tril triu chunk split gather scatter index_select masked_fill repeat tile flip roll clone contiguous
view_as reshape_as expand_as type_as nelement numel dim is_floating_point unbind masked_fill_ index_fill unique
add_ sub_ mul_ div_ copy_ fill_ clamp_ zero_ tolist item argmax""".split()
SURFACE_FUNCTIONS = """pow mm bmm log10 log2 log1p expm1 exp2 rsqrt square sign floor ceil round all any allclose
isclose equal isnan isinf isfinite nan_to_num histogram histc bincount sort argsort topk cumsum prod norm dist
outer diag tril triu chunk split gather scatter index_select masked_fill tile flip roll zeros_like full_like
clone is_tensor unique numel""".split()


def test_the_api_surface_exists():
    missing = [f"Tensor.{n}" for n in SURFACE_METHODS if not callable(getattr(mg.Tensor, n, None))]
    missing += [f"mg.{n}" for n in SURFACE_FUNCTIONS if not callable(getattr(mg, n, None))]
    assert missing == []


def test_the_api_surface_is_torchs():
    torch = pytest.importorskip("torch")
    assert [n for n in SURFACE_METHODS if not hasattr(torch.Tensor, n)] == []
    assert [n for n in SURFACE_FUNCTIONS if not hasattr(torch, n)] == []
