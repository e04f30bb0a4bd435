"""PyTorch's wider surface, part 2 (issue 12, "beyond the list"): the top-level functions and modules
beginners' code reaches for — tan, erf, atan2, cumprod, median, lerp, addmm, einsum, tensordot, cross,
cdist, logspace, hstack/vstack/concat, meshgrid, broadcast_tensors, nonzero, as_tensor/asarray,
can_cast, dtype, inference_mode, set_printoptions, linalg norms, testing.assert_close, utils.data,
backends — and the table of top-level names minigrad leaves out on purpose.

Each case runs one expression on minigrad and on PyTorch (``lib`` is ``mg`` or ``torch``) and compares
values, dtypes, shapes, whether results require grad, and the gradients a fixed random cotangent sends
back to the float inputs. The rest checks key numbers and errors without torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from torch_compare import compare_with_torch

import minigrad as mg

RNG = np.random.default_rng(21)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def distinct(*shape):
    """Well-separated values in random order: medians have no ties."""
    return RNG.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.7 - 2.0


def ints(*shape, low=-4, high=5):
    return RNG.integers(low, high, shape)


def _with_zeros(*shape):
    a = normal(*shape)
    a.reshape(-1)[[1, 4]] = 0.0
    return a


def _linalg(lib):
    return lib.linalg


# (id, expression of (lib, *inputs), input arrays); float inputs require grad
CASES = [
    # elementwise
    ("tan", lambda lib, x: lib.tan(x) + x.tan(), [normal(3, 4) * 0.5]),
    ("tan-int-to-float32", lambda lib, x: lib.tan(x), [ints(5)]),
    ("erf", lambda lib, x: lib.erf(x) * x.erf(), [normal(3, 4) * 2]),
    ("erf-f32-small", lambda lib, x: lib.erf(x), [np.array([1e-9, -3e-6, 0.0, 5.0], dtype=np.float32)]),
    ("atan2", lambda lib, a, b: lib.atan2(a, b), [normal(3, 4), normal(4)]),
    ("atan2-method-arctan2", lambda lib, a, b: a.atan2(b) + lib.arctan2(b, a), [normal(3), normal(3)]),
    ("atan2-int", lambda lib, a, b: lib.atan2(a, b), [ints(4), ints(4)]),
    ("atan2-f32", lambda lib, a, b: lib.atan2(a, b), [normal(4, dtype=np.float32), normal(4, dtype=np.float32)]),
    ("lerp-scalar", lambda lib, a, b: lib.lerp(a, b, 0.25), [normal(2, 3), normal(2, 3)]),
    ("lerp-tensor-weight", lambda lib, a, b, w: a.lerp(b, w), [normal(2, 3), normal(3), normal(2, 1)]),
    ("lerp-f32", lambda lib, a, b: lib.lerp(a, b, 0.5), [normal(3, dtype=np.float32), normal(3, dtype=np.float32)]),
    # products
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b), [normal(2, 4), normal(2, 3), normal(3, 4)]),
    (
        "addmm-beta-alpha-broadcast",
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=-2.0),
        [normal(4), normal(2, 3), normal(3, 4)],
    ),
    (
        "addmm-beta0-ignores-nan",
        lambda lib, a, b: lib.addmm(lib.full((2, 2), float("nan"), dtype=lib.float64), a, b, beta=0),
        [normal(2, 3), normal(3, 2)],
    ),
    ("addmm-method", lambda lib, c, a, b: c.addmm(a, b, alpha=3), [normal(2, 2), normal(2, 3), normal(3, 2)]),
    ("einsum-matmul", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [normal(2, 3), normal(3, 4)]),
    ("einsum-implicit", lambda lib, a, b: lib.einsum("ij,jk", a, b), [normal(2, 3), normal(3, 4)]),
    ("einsum-implicit-order", lambda lib, a, b: lib.einsum("ba,ac", a, b), [normal(2, 3), normal(3, 4)]),
    ("einsum-batched", lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), [normal(2, 2, 3), normal(2, 3, 4)]),
    ("einsum-trace", lambda lib, a: lib.einsum("ii", a), [normal(3, 3)]),
    ("einsum-diagonal", lambda lib, a: lib.einsum("ii->i", a), [normal(3, 3)]),
    ("einsum-transpose-sum", lambda lib, a: (lib.einsum("ij->ji", a), lib.einsum("ij->", a)), [normal(2, 3)]),
    ("einsum-outer", lambda lib, a, b: lib.einsum("i,j->ij", a, b), [normal(3), normal(4)]),
    ("einsum-dot", lambda lib, a, b: lib.einsum("i,i->", a, b), [normal(3), normal(3)]),
    (
        "einsum-bilinear",
        lambda lib, x, w, y: lib.einsum("bi,oij,bj->bo", x, w, y),
        [normal(2, 3), normal(4, 3, 2), normal(2, 2)],
    ),
    ("einsum-ellipsis", lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b), [normal(2, 2, 3), normal(3, 4)]),
    ("einsum-list-operands", lambda lib, a, b: lib.einsum("ij,j->i", [a, b]), [normal(2, 3), normal(3)]),
    ("einsum-spaces-sum-only", lambda lib, a, b: lib.einsum("ij, k -> i", a, b), [normal(2, 3), normal(4)]),
    ("einsum-int", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [ints(2, 3), ints(3, 2)]),
    ("tensordot-int-dims", lambda lib, a, b: lib.tensordot(a, b, dims=2), [normal(2, 3, 4), normal(3, 4, 5)]),
    ("tensordot-default", lambda lib, a, b: lib.tensordot(a, b), [normal(2, 3, 4), normal(3, 4)]),
    (
        "tensordot-lists",
        lambda lib, a, b: lib.tensordot(a, b, dims=([1, 0], [0, 2])),
        [normal(3, 4, 2), normal(4, 5, 3)],
    ),
    ("tensordot-0", lambda lib, a, b: lib.tensordot(a, b, dims=0), [normal(2), normal(3)]),
    ("cross-dim", lambda lib, a, b: lib.cross(a, b, dim=1), [normal(4, 3), normal(4, 3)]),
    ("cross-default-dim", lambda lib, a, b: lib.cross(a, b), [normal(3, 2), normal(3, 2)]),
    ("cross-method-broadcast", lambda lib, a, b: a.cross(b, dim=-1), [normal(2, 3), normal(1, 3)]),
    ("linalg.cross", lambda lib, a, b: lib.linalg.cross(a, b), [normal(3, 3), normal(3, 3)]),
    ("cdist", lambda lib, a, b: lib.cdist(a, b), [normal(4, 3), normal(5, 3)]),
    ("cdist-p1-batched", lambda lib, a, b: lib.cdist(a, b, p=1), [normal(2, 3, 2), normal(2, 4, 2)]),
    ("cdist-p3", lambda lib, a, b: lib.cdist(a, b, p=3.0), [normal(3, 2), normal(2, 2)]),
    # reductions along a dim
    ("cumprod", lambda lib, x: lib.cumprod(x, dim=1) + x.cumprod(0), [normal(3, 4)]),
    ("cumprod-with-zeros", lambda lib, x: lib.cumprod(x, 1), [_with_zeros(2, 4)]),
    ("cumprod-int", lambda lib, x: lib.cumprod(x, 0), [ints(5, low=1, high=4).astype(np.int32)]),
    ("cumprod-dtype", lambda lib, x: x.cumprod(-1, dtype=lib.float64), [normal(2, 3, dtype=np.float32)]),
    ("cumprod-0d", lambda lib, x: x.cumprod(0), [np.array(1.5)]),
    ("median-all", lambda lib, x: lib.median(x), [distinct(3, 4)]),
    ("median-all-even", lambda lib, x: x.median(), [distinct(2, 3)]),
    ("median-dim", lambda lib, x: lib.median(x, 1), [distinct(3, 4)]),
    ("median-dim-keepdim", lambda lib, x: x.median(dim=0, keepdim=True), [distinct(3, 5)]),
    ("median-int", lambda lib, x: lib.median(x, -1), [np.array([[5, 1, 4, 2], [7, 7, 0, 3]])]),
    (
        "median-nan",
        lambda lib, x: (lib.median(x), lib.median(x, 1).values),
        [np.array([[1.0, np.nan, 3.0], [2.0, 0.5, -1.0]])],
    ),
    # linalg norms
    ("linalg.norm-vector", lambda lib, x: lib.linalg.norm(x), [normal(5)]),
    ("linalg.norm-all-3d", lambda lib, x: lib.linalg.norm(x), [normal(2, 3, 2)]),
    ("linalg.norm-matrix-fro", lambda lib, x: lib.linalg.norm(x, "fro"), [normal(3, 4)]),
    ("linalg.norm-dim", lambda lib, x: lib.linalg.norm(x, dim=1, keepdim=True), [normal(3, 4)]),
    ("linalg.norm-ord1-vector", lambda lib, x: lib.linalg.norm(x, 1), [normal(5)]),
    ("linalg.norm-inf-matrix", lambda lib, x: lib.linalg.norm(x, float("inf")), [distinct(3, 4)]),
    (
        "linalg.vector_norm",
        lambda lib, x: (
            lib.linalg.vector_norm(x),
            lib.linalg.vector_norm(x, 3, dim=(0, 1)),
            lib.linalg.vector_norm(x, float("inf"), dim=-1),
            lib.linalg.vector_norm(x, 0, dim=0),
        ),
        [distinct(2, 3, 2)],
    ),
    ("linalg.vector_norm-f32", lambda lib, x: lib.linalg.vector_norm(x, dim=1), [normal(3, 4, dtype=np.float32)]),
    (
        "linalg.matrix_norm",
        lambda lib, x: (
            lib.linalg.matrix_norm(x),
            lib.linalg.matrix_norm(x, 1),
            lib.linalg.matrix_norm(x, -1),
            lib.linalg.matrix_norm(x, float("inf")),
            lib.linalg.matrix_norm(x, -float("inf"), keepdim=True),
        ),
        [distinct(2, 3, 4)],
    ),
    ("linalg.matrix_norm-dim", lambda lib, x: lib.linalg.matrix_norm(x, 1, dim=(0, 2)), [distinct(3, 2, 4)]),
    # joining, grids, broadcasting
    ("hstack-1d", lambda lib, a, b: lib.hstack([a, b]), [normal(3), normal(2)]),
    ("hstack-2d", lambda lib, a, b: lib.hstack((a, b)), [normal(2, 3), normal(2, 1)]),
    ("vstack-1d", lambda lib, a, b: lib.vstack([a, b]), [normal(3), normal(3)]),
    ("vstack-2d-mixed", lambda lib, a, b: lib.vstack([a, b]), [normal(2, 3), normal(3)]),
    (
        "row_stack-column_stack",
        lambda lib, a, b: (lib.row_stack([a, b]), lib.column_stack([a, b])),
        [normal(3), normal(3)],
    ),
    (
        "dstack",
        lambda lib, a, b: (lib.dstack([a, b]), lib.dstack([a.reshape(1, 3), b.reshape(1, 3)])),
        [normal(3), normal(3)],
    ),
    (
        "concat-concatenate",
        lambda lib, a, b: (lib.concat([a, b], dim=1), lib.concatenate((a, b), 0)),
        [normal(2, 2), normal(2, 2)],
    ),
    ("atleast", lambda lib, a, b: (lib.atleast_1d(a), lib.atleast_2d(b)), [np.array(2.0), normal(3)]),
    ("meshgrid-ij", lambda lib, a, b: lib.meshgrid(a, b, indexing="ij"), [normal(3), normal(2)]),
    ("meshgrid-xy", lambda lib, a, b, c: lib.meshgrid(a, b, c, indexing="xy"), [normal(3), normal(2), normal(4)]),
    ("meshgrid-list", lambda lib, a, b: lib.meshgrid([a, b], indexing="ij"), [normal(2), normal(2)]),
    ("broadcast_tensors", lambda lib, a, b, c: lib.broadcast_tensors(a, b, c), [normal(3, 1), normal(4), normal()]),
    ("nonzero", lambda lib, x: (lib.nonzero(x), x.nonzero(), lib.argwhere(x)), [np.array([[0, 2, 0], [1, 0, 3]])]),
    ("nonzero-as_tuple", lambda lib, x: lib.nonzero(x, as_tuple=True), [np.array([[0.0, 2.0], [1.5, 0.0]])]),
    ("nonzero-1d-bool", lambda lib, x: (x > 0).nonzero(), [normal(6)]),
    ("nonzero-empty", lambda lib, x: lib.nonzero(x), [np.zeros((2, 3), dtype=np.int64)]),
    # factories
    (
        "logspace",
        lambda lib: (lib.logspace(0, 2, 5), lib.logspace(-1, 1, 3, base=2.0), lib.logspace(0, 3, 4, dtype=lib.float64)),
        [],
    ),
    ("logspace-int", lambda lib: lib.logspace(0, 3, 4, dtype=lib.int64), []),
    ("logspace-one-step", lambda lib: (lib.logspace(2, 5, 1), lib.logspace(0, 1, 0)), []),
    (
        "as_tensor",
        lambda lib: (
            lib.as_tensor([1, 2, 3]),
            lib.as_tensor([1.5, 2.0]),
            lib.as_tensor(np.arange(3.0)),
            lib.as_tensor([1, 2], dtype=lib.float32),
        ),
        [],
    ),
    (
        "asarray",
        lambda lib: (
            lib.asarray([1.0, 2.0]),
            lib.asarray(np.arange(4)),
            lib.asarray(3),
            lib.asarray([[1, 2]], dtype=lib.float64),
        ),
        [],
    ),
    # more of the namespace: inverse trigonometric and hyperbolic functions, composed math
    (
        "asin-acos-atan",
        lambda lib, x: (lib.asin(x), x.acos(), lib.atan(x * 3), lib.arcsin(x), x.arctan()),
        [RNG.uniform(-0.9, 0.9, (3, 4))],
    ),
    ("sinh-cosh-asinh", lambda lib, x: (lib.sinh(x), x.cosh(), lib.asinh(x), x.arcsinh()), [normal(3, 4)]),
    (
        "acosh-atanh",
        lambda lib, x, y: (lib.acosh(x), y.atanh(), lib.arctanh(y)),
        [np.abs(normal(4)) + 1.1, RNG.uniform(-0.9, 0.9, 4)],
    ),
    ("asin-int-f32", lambda lib, x: (lib.asin(x), lib.cosh(x)), [np.array([0, 1, -1])]),
    ("erfc", lambda lib, x: (lib.erfc(x), x.erfc()), [normal(5) * 2]),
    ("logit", lambda lib, p: (lib.logit(p), p.logit(eps=0.25)), [RNG.uniform(0.05, 0.95, 6)]),
    (
        "xlogy",
        lambda lib, x, y: (lib.xlogy(x, y), x.xlogy(2.0)),
        [np.array([0.0, 1.5, 2.0, 0.0]), np.array([0.5, 2.0, 0.5, 3.0])],
    ),  # (at x = y = 0: test_xlogy_at_zero)
    (
        "hypot-logaddexp",
        lambda lib, a, b: (lib.hypot(a, b), a.logaddexp(b), lib.logaddexp(a * 50, b * 50)),
        [normal(3, 4), normal(4)],
    ),
    (
        "addcmul-addcdiv",
        lambda lib, a, b, c: (lib.addcmul(a, b, c, value=0.5), a.addcdiv(b, c, value=-2)),
        [normal(2, 3), normal(2, 3), np.abs(normal(3)) + 0.5],
    ),
    (
        "clamp_min-max-sgn",
        lambda lib, x: (x.clamp_min(-0.2), lib.clamp_max(x, 0.3) if hasattr(lib, "clamp_max") else None, x.sgn() * x),
        [normal(6)],
    ),
    ("deg2rad-rad2deg", lambda lib, x: (lib.deg2rad(x), x.rad2deg()), [normal(4) * 90]),
    ("fmod", lambda lib, a, b: (lib.fmod(a, 1.5), a.fmod(b)), [normal(5) * 4, np.abs(normal(5)) + 0.5]),
    ("fmod-int", lambda lib, a: lib.fmod(a, 3), [ints(6, low=-9, high=9)]),
    (
        "comparison-aliases",
        lambda lib, a, b: (a.greater(b), lib.less(a, b), a.greater_equal(0), lib.not_equal(a, b), a.less_equal(b)),
        [ints(5), ints(5)],
    ),
    (
        "diff",
        lambda lib, x: (lib.diff(x), x.diff(n=2, dim=0), lib.diff(x, dim=1, prepend=x[:, :1] * 2)),
        [normal(4, 3)],
    ),
    ("diff-int-bool", lambda lib, x: (lib.diff(x), lib.diff(x > 0)), [ints(6)]),
    (
        "nansum-nanmean",
        lambda lib, x: (lib.nansum(x), x.nansum(1), lib.nanmean(x, 0), x.nanmean()),
        [np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])],
    ),
    (
        "std_mean-var_mean",
        lambda lib, x: (lib.std_mean(x, 1), lib.var_mean(x, dim=0, correction=0, keepdim=True)),
        [normal(3, 4)],
    ),
    (
        "inner-kron",
        lambda lib, a, b, c: (lib.inner(a, b), a.inner(c), lib.kron(a, b), lib.kron(c, a)),
        [normal(2, 3), normal(4, 3), normal(3)],
    ),
    ("rot90", lambda lib, x: (lib.rot90(x), x.rot90(2), lib.rot90(x, -1, (1, 2)), x.rot90(4)), [normal(2, 3, 4)]),
    ("cummax-cummin", lambda lib, x: (lib.cummax(x, 1), x.cummin(0)), [distinct(3, 4)]),
    ("cummax-ties-int", lambda lib, x: (lib.cummax(x, 0), lib.cummin(x, 0)), [np.array([1, 3, 3, 2, 5, 5, 0, 0])]),
    ("aminmax", lambda lib, x: (lib.aminmax(x), x.aminmax(dim=1, keepdim=True)), [distinct(3, 4)]),
    (
        "quantile",
        lambda lib, x: (
            lib.quantile(x, 0.3),
            x.quantile(0.5, dim=1),
            lib.quantile(x, lib.tensor([0.1, 0.9], dtype=lib.float64), dim=0, keepdim=True),
        ),
        [distinct(3, 5)],
    ),
    (
        "quantile-interpolations",
        lambda lib, x: tuple(
            lib.quantile(x, 0.4, dim=1, interpolation=m) for m in ("lower", "higher", "nearest", "midpoint")
        ),
        [distinct(2, 6)],
    ),
    ("kthvalue", lambda lib, x: (lib.kthvalue(x, 2), x.kthvalue(3, dim=0, keepdim=True)), [distinct(4, 3)]),
    (
        "take_along_dim-select",
        lambda lib, x: (
            lib.take_along_dim(x, lib.tensor([[0], [2]]), dim=1),
            lib.take_along_dim(x, lib.tensor([5, 0])),
            lib.select(x, 1, -1),
        ),
        [normal(2, 3)],
    ),
    (
        "cartesian_prod-block_diag",
        lambda lib, a, b, m: (lib.cartesian_prod(a, b), lib.block_diag(m, a, b)),
        [normal(2), normal(3), normal(2, 2)],
    ),
    (
        "trapezoid",
        lambda lib, y, x: (lib.trapezoid(y), lib.trapezoid(y, dx=0.5, dim=0), lib.trapezoid(y, x), lib.trapz(y, x)),
        [normal(3, 4), np.sort(normal(4))],
    ),
    (
        "vdot-chain_matmul",
        lambda lib, a, b, m: (lib.vdot(a, b), lib.chain_matmul(m, m, m)),
        [normal(3), normal(3), normal(2, 2)],
    ),
    (
        "factories-like",
        lambda lib, x: (
            lib.empty_like(x).shape,
            lib.scalar_tensor(2),
            lib.scalar_tensor(3, dtype=lib.int64),
            lib.triu_indices(3, 4, 1),
            lib.tril_indices(4, 3, -1),
            lib.isin(lib.tensor([1, 2, 3, 4]), lib.tensor([2, 4])),
        ),
        [normal(2, 3)],
    ),
    ("logcumsumexp", lambda lib, x: (lib.logcumsumexp(x, 1), (x * 100).logcumsumexp(0)), [normal(3, 4)]),
    (
        "baddbmm-addbmm-addmv",
        lambda lib, c, a, b, m, v: (
            lib.baddbmm(c, a, b, beta=0.5, alpha=2),
            lib.addbmm(c[0], a, b),
            v.addmv(m, v, alpha=-1),
        ),
        [normal(2, 2, 2), normal(2, 2, 3), normal(2, 3, 2), normal(3, 3), normal(3)],
    ),
    (
        "float_power-rsub",
        lambda lib, x: (
            lib.float_power(x, 2),
            x.float_power(lib.tensor([1, 2, 3])),
            lib.rsub(x, 2.0),
            lib.rsub(x, x * 3, alpha=2),
        ),
        [normal(3, dtype=np.float32)],
    ),
    (
        "take-combinations",
        lambda lib, x: (
            lib.take(x, lib.tensor([[0, 5], [2, 2]])),
            lib.combinations(x[0]),
            lib.combinations(x[1], r=3, with_replacement=True),
        ),
        [normal(2, 3)],
    ),
    (
        "searchsorted-bucketize",
        lambda lib, s, v: (
            lib.searchsorted(s, v),
            lib.searchsorted(s, v, right=True),
            lib.bucketize(v, s),
            lib.bucketize(v, s, right=True, out_int32=True),
        ),
        [np.array([1, 3, 5, 7, 9]), np.array([[3, 6, 9], [0, 10, 5]])],
    ),
    (
        "searchsorted-2d",
        lambda lib, s, v: lib.searchsorted(s, v, side="right"),
        [np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]), np.array([[3.0, 0.5], [6.0, 2.0]])],
    ),
    (
        "signbit-copysign-heaviside",
        lambda lib, a, b: (
            lib.signbit(a),
            lib.copysign(a, b),
            a.copysign(-1.0),
            lib.heaviside(a, lib.tensor([0.5], dtype=lib.float64)),
        ),
        [normal(5), normal(5)],
    ),
    ("sinc", lambda lib, x: lib.sinc(x), [np.array([0.0, 0.5, -1.5, 2.25])]),
    (
        "fmax-fmin",
        lambda lib, a, b: (lib.fmax(a, b), lib.fmin(a, b)),
        [np.array([1.0, np.nan, 3.0, np.nan]), np.array([2.0, 0.5, np.nan, np.nan])],
    ),
    (
        "mode",
        lambda lib, x: (lib.mode(x), x.mode(0, keepdim=True)),
        [np.array([[1.0, 2.0, 2.0, 3.0, 3.0], [4.0, 0.0, 4.0, 1.0, 5.0], [7.0, 7.0, 7.0, 2.0, 7.0]])],
    ),
    (
        "nanmedian",
        lambda lib, x: (lib.nanmedian(x), x.nanmedian(1), lib.nanmedian(x, 0, keepdim=True)),
        [np.array([[1.0, np.nan, 3.0, 0.5], [np.nan, np.nan, 2.0, -1.0], [4.0, 5.0, 6.0, 7.0]])],
    ),
    (
        "integer-bitwise",
        lambda lib, a, b: (
            lib.gcd(a, b),
            lib.lcm(a, b),
            lib.bitwise_and(a, b),
            lib.bitwise_or(a, b),
            lib.bitwise_xor(a, b),
            lib.bitwise_not(a),
            lib.isreal(a),
        ),
        [np.array([12, 7, 0, 9]), np.array([18, 3, 5, 6])],
    ),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    compare_with_torch(fn, arrays, RNG)


# ---------------------------------------------------------------------- dtypes and casting
DTYPE_NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]


def test_can_cast_matches_torch():
    torch = pytest.importorskip("torch")
    for a in DTYPE_NAMES:
        for b in DTYPE_NAMES:
            ours = mg.can_cast(getattr(mg, a), getattr(mg, b))
            assert ours == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_can_cast_and_dtype_without_torch():
    assert mg.can_cast(mg.float64, mg.float32) and mg.can_cast(mg.int64, mg.float16)
    assert not mg.can_cast(mg.float32, mg.int32) and not mg.can_cast(mg.int8, mg.bool)
    assert not mg.can_cast(mg.complex64, mg.float64)
    x = mg.tensor([1.0])
    assert isinstance(x.dtype, mg.dtype) and isinstance(mg.float32, mg.dtype) and x.dtype == mg.float32


def test_as_tensor_and_asarray_share_memory():
    t = mg.tensor([1.0, 2.0])
    assert mg.as_tensor(t) is t and mg.asarray(t) is t
    assert mg.as_tensor(t, dtype=mg.float64).dtype == mg.float64 and t.dtype == mg.float32
    a = np.arange(3.0)
    shared = mg.as_tensor(a)
    a[0] = 7.0
    assert shared[0].item() == 7.0
    copied = mg.asarray(a, copy=True)
    a[1] = 9.0
    assert copied[1].item() == 1.0 and mg.asarray(a)[1].item() == 9.0
    with pytest.raises(ValueError, match="copy=False"):
        mg.asarray(a, dtype=mg.float32, copy=False)
    assert mg.asarray([1.0, 2.0], requires_grad=True).requires_grad
    assert mg.as_tensor([1, 2]).dtype == mg.int64 and mg.as_tensor([1.5]).dtype == mg.float32


# ---------------------------------------------------------------------- key numbers
def test_key_numbers():
    assert mg.logspace(0, 2, 3).numpy().tolist() == [1.0, 10.0, 100.0]
    assert mg.logspace(0, 3, 4, base=2).numpy().tolist() == [1.0, 2.0, 4.0, 8.0]
    assert mg.tan(mg.tensor(math.pi / 4, dtype=mg.float64)).item() == pytest.approx(1.0, abs=1e-15)
    assert mg.erf(mg.tensor([0.0, 1e-10], dtype=mg.float64)).numpy().tolist() == [0.0, math.erf(1e-10)]
    assert mg.atan2(mg.tensor([1.0, -1.0]), mg.tensor([0.0, -1.0])).numpy().tolist() == pytest.approx(
        [math.pi / 2, -3 * math.pi / 4]
    )
    assert mg.median(mg.tensor([4.0, 1.0, 3.0, 2.0])).item() == 2.0  # the lower of the two middle values
    assert mg.cumprod(mg.tensor([1, 2, 3, 4]), 0).numpy().tolist() == [1, 2, 6, 24]
    assert mg.cumprod(mg.tensor([1, 2], dtype=mg.int32), 0).dtype == mg.int64
    assert mg.lerp(mg.tensor([0.0, 10.0]), mg.tensor([10.0, 20.0]), 0.5).numpy().tolist() == [5.0, 15.0]
    i = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert mg.einsum("ii", i).item() == 5.0 and mg.einsum("ij->j", i).numpy().tolist() == [4.0, 6.0]
    assert mg.cross(mg.tensor([1.0, 0.0, 0.0]), mg.tensor([0.0, 1.0, 0.0])).numpy().tolist() == [0.0, 0.0, 1.0]
    assert mg.cdist(mg.tensor([[0.0, 0.0]]), mg.tensor([[3.0, 4.0]])).item() == 5.0
    assert mg.linalg.norm(mg.tensor([3.0, 4.0])).item() == 5.0
    assert mg.linalg.matrix_norm(i, 1).item() == 6.0 and mg.linalg.matrix_norm(i, float("inf")).item() == 7.0
    assert mg.nonzero(mg.tensor([0, 3, 0, 5])).numpy().tolist() == [[1], [3]]
    xs, ys = mg.meshgrid(mg.tensor([1, 2, 3]), mg.tensor([4, 5]), indexing="xy")
    assert xs.numpy().tolist() == [[1, 2, 3], [1, 2, 3]] and ys.numpy().tolist() == [[4, 4, 4], [5, 5, 5]]
    assert mg.hstack([mg.tensor([1]), mg.tensor([2, 3])]).numpy().tolist() == [1, 2, 3]
    assert mg.vstack([mg.tensor([1, 2]), mg.tensor([3, 4])]).shape == (2, 2)


def test_gradients_at_special_places():
    # cumprod through a zero: the product rule with the zero left out, not 0/0
    x = mg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.cumprod(0).sum().backward()
    # y = (x0, x0·x1, x0·x1·x2): ∂/∂x0 = 1 + x1 + x1·x2 = 1, ∂/∂x1 = x0 + x0·x2 = 8, ∂/∂x2 = x0·x1 = 0
    assert x.grad.numpy().tolist() == [1.0, 8.0, 0.0]
    # median: the whole gradient goes to the selected element
    m = mg.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    values, indices = m.median(1)
    assert indices.numpy().tolist() == [2, 2] and indices.dtype == mg.int64
    values.sum().backward()
    assert m.grad.numpy().tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    # cdist at a zero distance: gradient 0, as PyTorch
    a = mg.tensor([[1.0, 2.0]], requires_grad=True)
    mg.cdist(a, mg.tensor([[1.0, 2.0]])).sum().backward()
    assert a.grad.numpy().tolist() == [[0.0, 0.0]]
    # einsum twice differentiable: d²/dx² Σ (x·x) along 'i,i->' is 2 everywhere
    v = mg.tensor([1.0, -2.0], requires_grad=True)
    (g,) = mg.autograd.grad(mg.einsum("i,i->", v, v), v, create_graph=True)
    assert g.numpy().tolist() == [2.0, -4.0]
    (gg,) = mg.autograd.grad(g.sum(), v)
    assert gg.numpy().tolist() == [2.0, 2.0]


def test_xlogy_at_zero():
    # 0·log 0 = 0 as PyTorch; its gradients there are 0 (PyTorch's ∂/∂y is 0/0 = nan there)
    x = mg.tensor([0.0, 0.0, 2.0], requires_grad=True)
    y = mg.tensor([0.0, 3.0, 1.0], requires_grad=True)
    out = mg.xlogy(x, y)
    assert out.numpy().tolist() == [0.0, 0.0, 0.0]
    out.sum().backward()
    assert x.grad.numpy().tolist() == [0.0, pytest.approx(math.log(3.0)), 0.0]
    assert y.grad.numpy().tolist() == [0.0, 0.0, 2.0]


def test_legacy_tensor_types_and_runtime_knobs():
    x = mg.FloatTensor([1, 2])
    assert x.dtype == mg.float32 and x.numpy().tolist() == [1.0, 2.0]
    assert mg.LongTensor(2, 3).shape == (2, 3) and mg.LongTensor(2, 3).dtype == mg.int64
    assert isinstance(x, mg.FloatTensor) and not isinstance(x, mg.LongTensor)
    assert mg.tensor([[1]]).shape == mg.Size([1, 1]) and isinstance(x.shape, mg.Size)
    mg.set_num_threads(2)
    assert mg.get_num_threads() == 2
    mg.set_num_threads(1)
    mg.use_deterministic_algorithms(True)
    assert mg.are_deterministic_algorithms_enabled()
    mg.use_deterministic_algorithms(False)
    mg.set_float32_matmul_precision("high")
    assert mg.get_float32_matmul_precision() == "high"
    mg.set_float32_matmul_precision("highest")


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: mg.einsum("ij,jk->ik", mg.ones(2, 3), mg.ones(4, 2)), RuntimeError, "subscript 'j' has size 4"),
        (lambda: mg.einsum("ij->ij", mg.ones(2, 3), mg.ones(3)), ValueError, "1 operands but 2"),
        (lambda: mg.einsum("ijk->i", mg.ones(2, 3)), ValueError, "do not match an operand of shape"),
        (lambda: mg.einsum("ij->k", mg.ones(2, 3)), ValueError, "'k' does not appear"),
        (lambda: mg.einsum("i1->i", mg.ones(2, 3)), ValueError, "invalid subscript '1'"),
        (
            lambda: mg.tensordot(mg.ones(2, 3), mg.ones(4, 2), dims=1),
            RuntimeError,
            "contracted dimensions need to match",
        ),
        (lambda: mg.tensordot(mg.ones(2), mg.ones(2), dims=3), RuntimeError, "dims=3"),
        (lambda: mg.cross(mg.ones(2, 4), mg.ones(2, 4)), RuntimeError, "no dimension of size 3"),
        (lambda: mg.cross(mg.ones(3, 2), mg.ones(3, 2), dim=1), RuntimeError, "dimension 1 must have length 3"),
        (lambda: mg.cross(mg.ones(2, 3), mg.ones(3)), RuntimeError, "same number of dimensions"),
        (lambda: mg.cdist(mg.ones(3), mg.ones(2, 3)), RuntimeError, "at least 2D"),
        (lambda: mg.cdist(mg.ones(2, 3), mg.ones(2, 4)), RuntimeError, "same number of columns"),
        (lambda: mg.addmm(mg.ones(2, 2), mg.ones(2), mg.ones(2, 2)), RuntimeError, "mat1 must be a matrix"),
        (lambda: mg.median(mg.ones(0)), RuntimeError, "cannot be empty"),
        (lambda: mg.median(mg.ones(2, 3), 2), IndexError, "dimension out of range"),
        (lambda: mg.cumprod(mg.ones(2), 1), IndexError, "dimension out of range"),
        (lambda: mg.meshgrid(mg.ones(2), indexing="yx"), ValueError, "indexing must be one of"),
        (lambda: mg.meshgrid(mg.ones(2, 2)), RuntimeError, "Expected 0D or 1D"),
        (lambda: mg.broadcast_tensors(mg.ones(2), mg.ones(3)), RuntimeError, "cannot be broadcast"),
        (lambda: mg.hstack(mg.ones(2)), TypeError, "sequence of tensors"),
        (lambda: mg.vstack([]), RuntimeError, "non-empty"),
        (lambda: mg.linalg.norm(mg.ones(2, 2, 2), ord=2), RuntimeError, "must be 1D or 2D"),
        (lambda: mg.linalg.matrix_norm(mg.ones(3), 1), RuntimeError, "at least 2 dimensions"),
        (lambda: mg.linalg.matrix_norm(mg.ones(3, 3), "nuc"), NotImplementedError, "singular values"),
        (lambda: mg.linalg.vector_norm(mg.tensor([1, 2])), RuntimeError, "floating point"),
        (lambda: mg.linalg.inv(mg.eye(2)), AttributeError, "minigrad does not support torch.linalg.inv"),
        (lambda: mg.set_printoptions(profile="long"), ValueError, "profile must be one of"),
    ],
)
def test_errors_name_the_op_and_the_values(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------- grad modes, printing
def test_inference_mode_is_no_grad_as_context_and_decorator():
    w = mg.ones(2, requires_grad=True)
    with mg.inference_mode():
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad
    with mg.inference_mode(False):
        assert (w * 2).requires_grad

    @mg.inference_mode()
    def predict(x):
        return x * 2

    @mg.inference_mode
    def predict_bare(x):
        return x * 3

    assert not predict(w).requires_grad and not predict_bare(w).requires_grad and mg.is_grad_enabled()


@pytest.fixture
def default_printoptions():
    yield
    mg.set_printoptions(profile="default")


def test_set_printoptions_without_torch(default_printoptions):
    x = mg.tensor([1.123456, 250.5])
    mg.set_printoptions(precision=2)
    assert repr(x) == "tensor([  1.12, 250.50])"
    mg.set_printoptions(sci_mode=True)  # precision stays 2, sci_mode is forced
    assert repr(x) == "tensor([1.12e+00, 2.50e+02])"
    mg.set_printoptions(threshold=4, edgeitems=1, sci_mode=False)
    assert repr(mg.arange(10)) == "tensor([0,  ..., 9])"  # (two spaces, as PyTorch)
    mg.set_printoptions(profile="default")
    assert repr(x) == "tensor([  1.1235, 250.5000])" and repr(mg.arange(10)).count(",") == 9


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 6},
        {"sci_mode": True},
        {"sci_mode": False},
        {"profile": "short"},
        {"profile": "full"},
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"linewidth": 30},
        {"precision": 3, "sci_mode": True, "linewidth": 50},
    ],
)
def test_set_printoptions_matches_torch(options, default_printoptions):
    torch = pytest.importorskip("torch")
    values = [
        [1.5, 2.25, 1e-6],
        [3, 4, 5],
        [0.0, 0.0],
        [123.456, -0.5],
        list(np.linspace(-3, 3, 24)),
        [[1.0, 2.0], [3.0, 4.5]],
        np.arange(1200.0).reshape(30, 40) / 7,
    ]
    try:
        torch.set_printoptions(**options)
        mg.set_printoptions(**options)
        for v in values:
            assert repr(mg.tensor(np.asarray(v, dtype=np.float32) if np.asarray(v).dtype.kind == "f" else v)) == repr(
                torch.tensor(np.asarray(v, dtype=np.float32) if np.asarray(v).dtype.kind == "f" else v)
            ), v
    finally:
        torch.set_printoptions(profile="default")


# ---------------------------------------------------------------------- testing.assert_close
CLOSE_PAIRS = [
    ([1.0, 2.0], [1.0, 2.0 + 1e-6], "float32"),
    ([1.0, 2.0], [1.0, 2.0 + 1e-4], "float32"),
    ([1.0, 2.0], [1.0, 2.0 + 1e-8], "float64"),
    ([1.0, 2.0], [1.0, 2.0 + 1e-6], "float64"),
    ([1.0, 2.0], [1.0, 2.002], "float16"),
    ([1, 2], [1, 2], "int64"),
    ([1, 2], [1, 3], "int64"),
    ([float("nan")], [float("nan")], "float32"),
]


def test_assert_close_agrees_with_torch():
    torch = pytest.importorskip("torch")
    for a, e, dt in CLOSE_PAIRS:
        outcomes = []
        for lib in (mg, torch):
            d = getattr(lib, dt)
            try:
                lib.testing.assert_close(lib.tensor(a, dtype=d), lib.tensor(e, dtype=d))
                outcomes.append(True)
            except AssertionError:
                outcomes.append(False)
        assert outcomes[0] == outcomes[1], (a, e, dt, outcomes)


def test_assert_close_without_torch():
    mg.testing.assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-6]))
    mg.testing.assert_close(mg.tensor([1.0]), mg.tensor([1.1]), rtol=0.2, atol=0.0)
    mg.testing.assert_close(mg.tensor([float("nan")]), mg.tensor([float("nan")]), equal_nan=True)
    mg.testing.assert_close((mg.tensor(1.0), [mg.tensor([2])]), (mg.tensor(1.0), [mg.tensor([2])]))
    with pytest.raises(AssertionError, match=r"Tensor-likes are not close!\n\nMismatched elements: 1 / 2"):
        mg.testing.assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.1]))
    with pytest.raises(AssertionError, match="'dtype' do not match"):
        mg.testing.assert_close(mg.tensor([1.0]), mg.tensor([1.0], dtype=mg.float64))
    mg.testing.assert_close(mg.tensor([1.0]), mg.tensor([1.0], dtype=mg.float64), check_dtype=False)
    with pytest.raises(AssertionError, match="'shape' do not match"):
        mg.testing.assert_close(mg.ones(2), mg.ones(3))
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        mg.testing.assert_close(mg.ones(2), mg.ones(2), rtol=1e-3)
    with pytest.raises(AssertionError, match="custom"):
        mg.testing.assert_close(mg.ones(2), mg.zeros(2), msg="custom")


# ---------------------------------------------------------------------- utils.data, backends
def test_utils_data_reexports_the_loader_and_random_split():
    from minigrad.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

    assert DataLoader is mg.data.DataLoader and TensorDataset is mg.data.TensorDataset and Dataset is mg.data.Dataset
    ds = TensorDataset(mg.arange(10.0).reshape(10, 1), mg.arange(10))
    train, val = random_split(ds, [7, 3], generator=mg.Generator().manual_seed(0))
    assert isinstance(train, Subset) and (len(train), len(val)) == (7, 3)
    assert sorted(train.indices + val.indices) == list(range(10))
    again, _ = random_split(ds, [7, 3], generator=mg.Generator().manual_seed(0))
    assert again.indices == train.indices
    x, y = train[0]
    assert x.item() == float(train.indices[0]) and y.item() == train.indices[0]
    batches = list(DataLoader(val, batch_size=2))
    assert [b[1].numpy().tolist() for b in batches] == [val.indices[:2], val.indices[2:]]
    assert [len(s) for s in random_split(range(10), [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert [len(s) for s in random_split(range(11), [0.5, 0.5])] == [6, 5]  # the rest dealt out in turn
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 4])


def test_random_split_lengths_match_torch():
    torch = pytest.importorskip("torch")
    for n, lengths in [(10, [0.5, 0.3, 0.2]), (11, [0.5, 0.5]), (7, [0.1, 0.1, 0.8]), (9, [3, 6])]:
        ours = [len(s) for s in mg.utils.data.random_split(range(n), lengths)]
        theirs = [len(s) for s in torch.utils.data.random_split(range(n), lengths)]
        assert ours == theirs, (n, lengths)


def test_backends_report_no_accelerator():
    assert mg.backends.mps.is_available() is False and mg.backends.cudnn.is_available() is False
    mg.backends.cudnn.deterministic = True
    mg.backends.cudnn.benchmark = False
    assert mg.backends.cudnn.deterministic is True
    mg.backends.cudnn.deterministic = False


# ---------------------------------------------------------------------- what minigrad leaves out
def test_unsupported_top_level_names_say_so_and_hasattr_stays_false():
    from minigrad import UNSUPPORTED

    for name in (
        "distributions",
        "fft",
        "special",
        "jit",
        "sparse",
        "quantization",
        "hub",
        "distributed",
        "multiprocessing",
        "autocast",
        "amp",
        "bfloat16",
    ):
        assert name in UNSUPPORTED
        assert not hasattr(mg, name)
        with pytest.raises(AttributeError, match=f"minigrad does not support torch.{name}: "):
            getattr(mg, name)
    for name in ("compile", "onnx"):
        assert name not in UNSUPPORTED
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        mg.no_such_thing  # noqa: B018
    assert not hasattr(mg.cuda, "amp")
    with pytest.raises(AttributeError, match="torch.cuda.amp"):
        mg.cuda.amp  # noqa: B018


def test_the_new_names_exist():
    names = (
        "logspace hstack vstack concat concatenate inference_mode tan einsum erf cumprod median atan2 lerp "
        "addmm meshgrid set_printoptions nonzero broadcast_tensors tensordot cross cdist dtype as_tensor "
        "asarray can_cast utils backends testing linalg"
    ).split()
    assert [n for n in names if not hasattr(mg, n)] == []
    for method in ("tan", "erf", "atan2", "arctan2", "cumprod", "median", "lerp", "addmm", "cross", "nonzero"):
        assert callable(getattr(mg.Tensor, method))


def test_every_unsupported_name_raises_its_reason():
    from minigrad import UNSUPPORTED

    assert len(UNSUPPORTED) >= 100
    for name, reason in UNSUPPORTED.items():
        assert not hasattr(mg, name), f"{name} exists but is listed as unsupported"
        with pytest.raises(AttributeError) as info:
            getattr(mg, name)
        assert str(info.value) == f"minigrad does not support torch.{name}: {reason}"


def test_unsupported_names_are_pytorchs():
    torch = pytest.importorskip("torch")
    from minigrad import UNSUPPORTED

    # every listed name is part of PyTorch's top-level namespace (no typos, nothing made up)
    assert [n for n in UNSUPPORTED if not hasattr(torch, n)] == []
