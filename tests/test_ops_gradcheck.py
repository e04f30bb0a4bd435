"""Every differentiable op in one table: first and second derivatives against finite differences.

Each row names the op classes it exercises; ``test_every_op_is_in_the_table`` fails when an
op is added to ``minigrad.ops`` without a row here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import minigrad as mg
import minigrad.ops
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.autograd.function import Function
from minigrad.ops import activation as act
from minigrad.ops import elementwise as ew
from minigrad.ops import extra as ex
from minigrad.ops import index as ix
from minigrad.ops import linalg as la
from minigrad.ops import loss as lo
from minigrad.ops import normalization as nrm
from minigrad.ops import random as rnd
from minigrad.ops import reduce as rd
from minigrad.ops import shape as sh

RNG = np.random.default_rng(0)


def normal(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    """Values with |x| in [0.3, 2]: finite differences never straddle a kink at 0."""
    return RNG.uniform(0.3, 2.0, shape) * RNG.choice([-1.0, 1.0], shape)


def distinct(*shape):
    """A permutation of well-separated values: max/min have a unique winner."""
    return RNG.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.37 - 1.0


def _dropout_fixed_mask(x):
    return mg.dropout(x, p=0.4, generator=np.random.default_rng(7))


TARGET = np.array([2, 0, 1])

# (id, function of the inputs, inputs, op classes exercised)
OPS = [
    ("add", lambda a, b: a + b, [normal(3, 4), normal(3, 4)], [ew.Add]),
    ("add-broadcast", lambda a, b: a + b, [normal(3, 1), normal(4)], [ew.Add]),
    ("add-scalar", lambda a: 2.5 + a, [normal(3)], [ew.Add]),
    ("sub", lambda a, b: a - b, [normal(2, 3), normal(3)], [ew.Sub]),
    ("rsub", lambda a: 1.0 - a, [normal(3)], [ew.Sub]),
    ("mul", lambda a, b: a * b, [normal(2, 3), normal(2, 1)], [ew.Mul]),
    ("div", lambda a, b: a / b, [normal(2, 3), positive(3)], [ew.Div]),
    ("rdiv", lambda a: 2.0 / a, [positive(4)], [ew.Div]),
    ("neg", lambda a: -a, [normal(3)], [ew.Neg]),
    ("pow-scalar", lambda a: a**3, [normal(3)], [ew.PowScalar]),
    ("pow-neg-frac", lambda a: a**-1.5, [positive(3)], [ew.PowScalar]),
    ("pow-zero", lambda a: a**0 * a, [normal(3)], [ew.PowScalar]),
    ("pow-tensor", lambda a, b: a**b, [positive(2, 3), normal(3)], [ew.Pow]),
    ("rpow", lambda a: 1.7**a, [normal(3)], [ew.Pow]),
    ("exp", lambda a: a.exp(), [normal(3, 2)], [ew.Exp]),
    ("log", lambda a: a.log(), [positive(3, 2)], [ew.Log]),
    ("sqrt", lambda a: a.sqrt(), [positive(4)], [ew.Sqrt]),
    ("abs", lambda a: a.abs(), [away_from_zero(4)], [ew.Abs]),
    ("sin", lambda a: a.sin(), [normal(4)], [ew.Sin]),
    ("cos", lambda a: a.cos(), [normal(4)], [ew.Cos]),
    ("clamp", lambda a: a.clamp(-0.5, 0.5) * a, [RNG.uniform(-0.9, 0.9, 6)], [ew.Clamp]),
    ("maximum", lambda a, b: mg.maximum(a, b), [normal(3, 4), normal(4)], [ew.Maximum]),
    ("minimum", lambda a, b: mg.minimum(a, b), [normal(3, 4), normal(3, 1)], [ew.Minimum]),
    ("where", lambda a, b: mg.where(a.numpy() > 0, a * 2, b), [normal(3, 4), normal(4)], [ew.Where]),
    ("clone", lambda a: a.clone() * a, [normal(3)], [ew.Clone]),
    ("cast", lambda a: a.astype(np.float64) * a, [normal(3)], [ew.Cast]),
    ("sigmoid", lambda a: a.sigmoid(), [normal(3, 3) * 3], [act.Sigmoid]),
    ("tanh", lambda a: a.tanh(), [normal(3, 3)], [act.Tanh]),
    ("relu", lambda a: a.relu() * a, [away_from_zero(3, 3)], [act.ReLU]),
    ("leaky_relu", lambda a: a.leaky_relu(0.1) * a, [away_from_zero(3, 3)], [act.LeakyReLU]),
    ("elu", lambda a: a.elu(0.7), [away_from_zero(3, 3)], [act.ELU]),
    ("sum", lambda a: a.sum(1) ** 2, [normal(2, 3, 4)], [rd.Sum]),
    ("sum-all", lambda a: a.sum() * a, [normal(2, 3)], [rd.Sum]),
    ("mean-keepdim", lambda a: a.mean((0, 2), keepdim=True) * a, [normal(2, 3, 4)], [rd.Mean]),
    ("var", lambda a: a.var(1), [normal(3, 4)], [rd.Mean, rd.Sum]),
    ("std-correction0", lambda a: a.std(0, correction=0), [normal(4, 3)], [rd.Std]),
    ("std-all-keepdim", lambda a: a.std(keepdim=True) * a, [normal(2, 3)], [rd.Std]),
    ("amax", lambda a: a.amax(1) ** 2, [distinct(3, 4)], [rd.Max]),
    ("max-dim-values", lambda a: a.max(1, keepdim=True).values ** 2 * a.min(0).values, [distinct(3, 4)], [ix.GetItem]),
    ("min-all", lambda a: a.min() * a, [distinct(2, 3)], [rd.Min]),
    ("logsumexp", lambda a: a.logsumexp(1), [normal(3, 4)], [rd.LogSumExp]),
    ("logsumexp-keep", lambda a: a.logsumexp((0, 1), keepdim=True) * a, [normal(2, 3)], [rd.LogSumExp]),
    ("softmax", lambda a: a.softmax(0), [normal(4, 3)], [rd.Softmax]),
    ("log_softmax", lambda a: a.log_softmax(-1), [normal(3, 4)], [rd.LogSoftmax]),
    ("reshape", lambda a: a.reshape(3, 4) * a.reshape(3, 4), [normal(2, 6)], [sh.Reshape]),
    ("permute", lambda a: a.permute(2, 0, 1).tanh(), [normal(2, 3, 4)], [sh.Permute]),
    ("transpose", lambda a: a.T @ a, [normal(3, 2)], [sh.Permute, la.MatMul]),
    ("expand", lambda a: a.expand(4, 3) * a.expand(2, -1, 3).sum(0).sin(), [normal(1, 3)], [sh.BroadcastTo]),
    ("sum_to", lambda a: a.sum_to((1, 3)) ** 2, [normal(2, 3)], [sh.SumTo]),
    ("cat", lambda a, b: mg.cat([a, b, a], 1).sin(), [normal(2, 3), normal(2, 2)], [sh.Cat]),
    ("stack", lambda a, b: mg.stack([a, b], 0).sin(), [normal(2, 3), normal(2, 3)], [sh.Cat]),
    ("pad", lambda a: mg.pad(a, (1, 2, 0, 1), value=0.5).exp(), [normal(2, 3)], [sh.Pad]),
    ("getitem-basic", lambda a: a[1:, ::2] ** 2, [normal(3, 4)], [ix.GetItem, ix.IndexScatter]),
    ("getitem-repeated", lambda a: a[np.array([0, 0, 2])] ** 3, [normal(3, 2)], [ix.GetItem, ix.IndexScatter]),
    ("getitem-mask", lambda a: a[a.numpy() > 0] ** 2, [away_from_zero(3, 3)], [ix.GetItem, ix.IndexScatter]),
    ("setitem", lambda a, b: _setitem(a, b), [normal(3, 4), normal(4)], [ix.IndexPut]),
    ("matmul-2d", lambda a, b: a @ b, [normal(2, 3), normal(3, 4)], [la.MatMul]),
    ("matmul-batched-broadcast", lambda a, b: a @ b, [normal(2, 1, 2, 3), normal(4, 3, 2)], [la.MatMul]),
    ("matmul-vec-mat", lambda a, b: a @ b, [normal(3), normal(2, 3, 4)], [la.MatMul]),
    ("matmul-mat-vec", lambda a, b: a @ b, [normal(2, 3), normal(3)], [la.MatMul]),
    ("matmul-dot", lambda a, b: a @ b, [normal(3), normal(3)], [la.MatMul]),
    ("linear", lambda x, w, b: mg.linear(x, w, b).tanh(), [normal(4, 3), normal(2, 3), normal(2)], [la.Linear]),
    ("linear-3d-nobias", lambda x, w: mg.linear(x, w), [normal(2, 4, 3), normal(2, 3)], [la.Linear]),
    ("cross_entropy", lambda x: lo.cross_entropy_with_indices(x, TARGET), [normal(3, 4)], [lo.CrossEntropy]),
    (
        "cross_entropy-none",
        lambda x: lo.cross_entropy_with_indices(x, TARGET, "none"),
        [normal(3, 4)],
        [lo.CrossEntropy],
    ),
    (
        "cross_entropy-sum",
        lambda x: lo.cross_entropy_with_indices(x, TARGET, "sum"),
        [normal(3, 4) * 5],
        [lo.CrossEntropy],
    ),
    (
        "binary_cross_entropy",
        lambda p, t: lo.binary_cross_entropy(p, t),
        [RNG.uniform(0.1, 0.9, (3, 4)), RNG.uniform(0.05, 0.95, (3, 4))],
        [lo.BinaryCrossEntropy],
    ),
    ("dropout-fixed-mask", _dropout_fixed_mask, [normal(4, 5)], [rnd.Dropout]),
    (
        "batch_norm",
        lambda x, w, b: nrm.batch_norm_train(x, w, b, 1e-5)[0],
        [normal(6, 3), positive(3), normal(3)],
        [nrm.BatchNorm],
    ),
    (
        "batch_norm-NCL-no-affine",
        lambda x: nrm.batch_norm_train(x, None, None, 1e-3)[0].sin(),
        [normal(3, 2, 4)],
        [nrm.BatchNorm],
    ),
    ("erfc", lambda a: act.Erfc.apply(a), [normal(3, 4)], [act.Erfc]),
    ("gelu", lambda a: mg.nn.functional.gelu(a), [normal(3, 4) * 2], [act.GELU, act.Erfc]),
    ("gelu-tanh", lambda a: mg.nn.functional.gelu(a, approximate="tanh"), [normal(3, 4) * 2], [act.GELU]),
    ("silu", lambda a: mg.nn.functional.silu(a), [normal(3, 4) * 3], [act.SiLU]),
    ("mish", lambda a: mg.nn.functional.mish(a), [normal(3, 4) * 3], [act.Mish]),
    (
        "softplus",
        lambda a: mg.nn.functional.softplus(a, beta=2.0, threshold=3.0),
        [np.array([-3.0, -0.4, 0.2, 1.0, 1.7, 2.5])],
        [act.Softplus],
    ),  # βx = 5 > threshold: the linear part
    ("hardtanh", lambda a: mg.nn.functional.hardtanh(a, -0.5, 1.0) * a, [away_from_zero(3, 4)], [act.Hardtanh]),
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: tests/test_nn_torch_surface.py)
    (
        "embedding",
        lambda w: mg.nn.functional.embedding(mg.tensor(np.array([[1, 3, 1], [0, 1, 2]])), w).sin(),
        [normal(4, 3)],
        [ix.Embedding],
    ),
]


def _setitem(a, b):
    c = a * 1.0
    c[1] = b * 2
    return c.sin()


def away_from_integers(*shape):
    """Values whose fractional part is in [0.2, 0.4]: floor/round/trunc are flat around them."""
    return RNG.integers(-3, 3, shape) + RNG.uniform(0.2, 0.4, shape)


def _with_zeros(*shape, zeros=1):
    a = normal(*shape)
    a.reshape(-1)[RNG.choice(a.size, zeros, replace=False)] = 0.0
    return a


GATHER_INDEX = np.array([[0, 2, 2], [1, 0, 3]])

# PyTorch's wider surface (issue 12): the new ops, and the composed functions built on indexing
OPS += [
    ("log10", lambda a: a.log10(), [positive(3, 2)], [ew.Log10]),
    ("log2", lambda a: a.log2(), [positive(3, 2)], [ew.Log2]),
    ("log1p", lambda a: a.log1p(), [positive(3, 2) - 0.4], [ew.Log1p]),
    ("expm1", lambda a: a.expm1(), [normal(3, 2)], [ew.Expm1]),
    ("exp2", lambda a: a.exp2(), [normal(3, 2)], [ew.Exp2]),
    ("rsqrt", lambda a: a.rsqrt(), [positive(4)], [ew.Rsqrt]),
    ("square", lambda a: a.square() * a, [normal(4)], [ew.PowScalar]),
    ("floor", lambda a: a.floor() * a, [away_from_integers(2, 3)], [ew.Floor]),
    ("ceil", lambda a: a.ceil() * a, [away_from_integers(2, 3)], [ew.Ceil]),
    ("round", lambda a: a.round() * a + a.round(decimals=1), [away_from_integers(2, 3)], [ew.Round]),
    ("trunc-frac", lambda a: a.trunc() * a + a.frac() ** 2, [away_from_integers(2, 3)], [ew.Trunc]),
    ("sign", lambda a: a.sign() * a**2, [away_from_zero(5)], [ew.Sign]),
    ("nan_to_num", lambda a: a.nan_to_num() ** 2, [normal(3, 2)], [ew.NanToNum]),
    (
        "div-floor",
        lambda a, b: a.div(b, rounding_mode="floor") * a,
        [away_from_integers(2, 3) * 1.7, positive(3) + 1.0],
        [ew.FloorDivide],
    ),
    ("remainder", lambda a, b: (a % b) * a, [away_from_integers(2, 3) * 1.7, positive(3) + 1.0], [ew.Remainder]),
    ("prod-dim", lambda a: a.prod(1), [normal(3, 4)], [rd.Prod]),
    ("prod-all", lambda a: a.prod() * a, [normal(2, 3)], [rd.Prod]),
    ("prod-one-zero", lambda a: a.prod(0, keepdim=True) * a, [_with_zeros(3, 2)], [rd.Prod]),
    ("prod-two-zeros", lambda a: a.prod(), [_with_zeros(4, zeros=2)], [rd.Prod]),
    ("cumsum", lambda a: a.cumsum(1) ** 2, [normal(3, 4)], [rd.CumSum]),
    ("norm-2", lambda a: a.norm(dim=1), [normal(3, 4)], [rd.Norm]),
    ("norm-fro-all", lambda a: a.norm() * a, [normal(2, 3)], [rd.Norm]),
    ("norm-1", lambda a: a.norm(1, dim=0, keepdim=True), [away_from_zero(3, 2)], [rd.Norm]),
    ("norm-3", lambda a: a.norm(3, dim=(0, 1)), [away_from_zero(2, 3)], [rd.Norm]),
    ("norm-inf", lambda a: a.norm(float("inf"), dim=1), [distinct(3, 4)], [rd.Max]),
    ("dist", lambda a, b: mg.dist(a, b, p=1.5), [normal(3, 2), normal(2)], [rd.Norm]),
    ("flip", lambda a: a.flip(0, 2) * a, [normal(2, 3, 2)], [sh.Flip]),
    ("roll", lambda a: a.roll((1, -2), (0, 1)) * a + a.roll(1) ** 2, [normal(2, 3)], [sh.Roll]),
    ("repeat", lambda a: a.repeat(2, 1, 3).sin(), [normal(2, 3)], [sh.Repeat]),
    ("tile", lambda a: mg.tile(a, (2,)) ** 2, [normal(2, 3)], [sh.Repeat]),
    ("tril", lambda a: a.tril(-1) * a, [normal(3, 4)], [sh.Tril]),
    ("triu", lambda a: a.triu(1) * a, [normal(2, 4, 3)], [sh.Triu]),
    (
        "chunk-split-unbind",
        lambda a: a.chunk(2, 1)[1] * a.split([1, 2], 0)[1].sum() + a.unbind(1)[0].sum(),
        [normal(3, 4)],
        [ix.GetItem],
    ),
    ("mm", lambda a, b: mg.mm(a, b).tanh(), [normal(2, 3), normal(3, 4)], [la.MatMul]),
    ("bmm", lambda a, b: a.bmm(b) ** 2, [normal(2, 2, 3), normal(2, 3, 2)], [la.MatMul]),
    ("outer", lambda a, b: mg.outer(a, b) * a.sum(), [normal(3), normal(4)], [ew.Mul]),
    ("diag-embed", lambda a: mg.diag(a, 1) @ mg.diag(a, 1), [normal(3)], [ix.IndexScatter]),
    ("diag-extract", lambda a: (a.diag(-1) ** 2).sum() + a.trace() * a.diagonal(), [normal(3, 3)], [ix.GetItem]),
    ("gather", lambda a: a.gather(1, GATHER_INDEX) ** 2, [normal(2, 4)], [ix.GetItem, ix.IndexScatter]),
    (
        "scatter-src",
        lambda a, s: a.scatter(1, np.array([[2, 0], [1, 3]]), s).sin(),
        [normal(2, 4), normal(2, 3)],
        [ix.IndexPut],
    ),
    (
        "scatter_add",
        lambda a, s: mg.scatter_add(a, 1, GATHER_INDEX, s) ** 2,
        [normal(2, 4), normal(2, 3)],
        [ix.IndexScatter],
    ),
    ("index_select", lambda a: a.index_select(0, mg.tensor([2, 0, 2])) ** 2, [normal(3, 2)], [ix.GetItem]),
    (
        "masked_fill",
        lambda a, v: a.masked_fill(mg.tensor([[True, False, True]]), v) * a,
        [normal(2, 3), normal()],
        [ew.Where],
    ),
    ("masked_select", lambda a: a.masked_select(mg.tensor([True, False, True])) ** 2, [normal(2, 3)], [ix.GetItem]),
    (
        "sort-values",
        lambda a: a.sort(1, descending=True).values * mg.tensor([3.0, 2.0, 1.0, 0.5]),
        [distinct(2, 4)],
        [ix.GetItem],
    ),
    ("topk-values", lambda a: a.topk(2, dim=0).values ** 2, [distinct(3, 4)], [ix.GetItem]),
    ("clamp_-on-non-leaf", lambda a: _clamp_inplace(a), [RNG.uniform(-0.9, 0.9, 6)], [ew.Clamp]),
]

# PyTorch's wider surface, part 2 (minigrad/ops/extra.py, minigrad/_extras.py, minigrad/linalg.py)
OPS += [
    ("tan", lambda a: a.tan(), [RNG.uniform(-1.2, 1.2, (3, 4))], [ex.Tan]),
    ("erf", lambda a: mg.erf(a), [normal(3, 4)], [ex.Erf]),
    ("atan2", lambda a, b: mg.atan2(a, b), [normal(3, 4), away_from_zero(4)], [ex.Atan2]),
    ("atan2-scalar", lambda a: a.atan2(0.7), [normal(5)], [ex.Atan2]),
    ("cumprod", lambda a: a.cumprod(1), [away_from_zero(3, 4)], [ex.CumProd]),
    ("cumprod-with-zeros", lambda a: mg.cumprod(a, 0) * a, [_with_zeros(4, 2, zeros=2)], [rd.Prod, ew.Where]),
    ("median-all", lambda a: a.median() * a, [distinct(3, 4)], [ix.GetItem]),
    ("median-dim", lambda a: a.median(1, keepdim=True).values ** 2, [distinct(3, 5)], [ix.GetItem]),
    (
        "lerp",
        lambda a, b, w: mg.lerp(a, b, w) ** 2 + a.lerp(b, 0.3),
        [normal(3, 4), normal(4), normal(3, 1)],
        [ew.Add, ew.Mul],
    ),
    (
        "addmm",
        lambda c, a, b: mg.addmm(c, a, b, beta=0.5, alpha=2.0).tanh(),
        [normal(3), normal(2, 4), normal(4, 3)],
        [la.MatMul],
    ),
    ("einsum-matmul", lambda a, b: mg.einsum("ij,jk->ik", a, b).sin(), [normal(2, 3), normal(3, 4)], [ex.Einsum]),
    (
        "einsum-implicit-batched",
        lambda a, b: mg.einsum("bij,bjk", a, b) ** 2,
        [normal(2, 2, 3), normal(2, 3, 2)],
        [ex.Einsum],
    ),
    ("einsum-trace-diag", lambda a: mg.einsum("ii->", a) * mg.einsum("ii->i", a), [normal(3, 3)], [ex.Einsum]),
    ("einsum-sum-outer", lambda a, b: mg.einsum("ij,k->ik", a, b).sin(), [normal(2, 3), normal(4)], [ex.Einsum]),
    (
        "einsum-three-ellipsis",
        lambda a, b, c: mg.einsum("...i,ij,j->...", a, b, c) ** 2,
        [normal(2, 3), normal(3, 4), normal(4)],
        [ex.Einsum],
    ),
    (
        "tensordot",
        lambda a, b: mg.tensordot(a, b, dims=([0, 2], [1, 0])).tanh(),
        [normal(2, 3, 4), normal(4, 2, 5)],
        [ex.Einsum],
    ),
    ("cross", lambda a, b: mg.cross(a, b, dim=1) ** 2, [normal(2, 3), normal(1, 3)], [ew.Mul, ew.Sub]),
    ("cdist", lambda a, b: mg.cdist(a, b), [normal(3, 2), normal(4, 2)], [rd.Norm]),
    ("cdist-p1", lambda a, b: mg.cdist(a, b, p=1.0), [normal(2, 3) * 3, normal(2, 3) * 3], [rd.Norm]),
    (
        "hstack-vstack",
        lambda a, b: mg.hstack([a, b]).sin() + mg.vstack([a.T, b.T]).T.cos(),
        [normal(2, 3), normal(2, 2)],
        [sh.Cat],
    ),
    (
        "meshgrid-broadcast_tensors",
        lambda a, b: mg.meshgrid(a, b, indexing="xy")[0] * mg.broadcast_tensors(a, b[:, None])[1],
        [normal(3), normal(2)],
        [sh.BroadcastTo],
    ),
    ("linalg-vector_norm", lambda a: mg.linalg.vector_norm(a, 3, dim=1), [away_from_zero(3, 4)], [rd.Norm]),
    ("linalg-matrix_norm-fro", lambda a: mg.linalg.matrix_norm(a), [normal(2, 3, 4)], [rd.Norm]),
    (
        "linalg-matrix_norm-1-inf",
        lambda a: mg.linalg.matrix_norm(a, 1) + mg.linalg.norm(a, float("inf")),
        [distinct(3, 4)],
        [rd.Sum, rd.Max],
    ),
    ("asin-acos", lambda a: a.asin() * a.acos(), [RNG.uniform(-0.8, 0.8, (3, 4))], [ex.Asin, ex.Acos]),
    ("atan", lambda a: mg.atan(a), [normal(3, 4)], [ex.Atan]),
    ("sinh-cosh", lambda a: a.sinh() + a.cosh() * a, [normal(3, 4)], [ex.Sinh, ex.Cosh]),
    ("asinh", lambda a: a.asinh(), [normal(3, 4)], [ex.Asinh]),
    ("acosh", lambda a: a.acosh(), [positive(3, 4) + 1.0], [ex.Acosh]),
    ("atanh", lambda a: a.atanh(), [RNG.uniform(-0.8, 0.8, (3, 4))], [ex.Atanh]),
    (
        "xlogy-logit-logaddexp",
        lambda a, b: mg.xlogy(a, b) + b.logit() + mg.logaddexp(a, b * 3),
        [normal(3, 4), RNG.uniform(0.2, 0.8, (3, 4))],
        [ew.Log, ew.Maximum],
    ),
    ("cummax-values", lambda a: a.cummax(1).values ** 2 + mg.cummin(a, 0).values, [distinct(3, 4)], [ix.GetItem]),
    (
        "quantile",
        lambda a: mg.quantile(a, mg.tensor([0.3, 0.5], dtype=mg.float64), dim=1) ** 2,
        [distinct(3, 5)],
        [ix.GetItem],
    ),
    (
        "kron-rot90-diff",
        lambda a, b: mg.kron(a, b).sin() + a.rot90().sum() * a.diff(dim=0).sum(),
        [normal(2, 3), normal(2, 2)],
        [ew.Mul],
    ),
    ("logcumsumexp-sinc", lambda a: a.logcumsumexp(1) * mg.sinc(a), [away_from_zero(3, 4)], [rd.CumSum, ew.Log]),
]


def _clamp_inplace(a):
    h = a * 2.0
    h.clamp_(-0.8, 0.8)
    return h * a


@pytest.mark.parametrize("name,fn,arrays,_ops", OPS, ids=[o[0] for o in OPS])
def test_gradcheck_first_order(name, fn, arrays, _ops):
    inputs = [mg.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name,fn,arrays,_ops", OPS, ids=[o[0] for o in OPS])
def test_gradgradcheck_second_order(name, fn, arrays, _ops):
    inputs = [mg.tensor(a, requires_grad=True) for a in arrays]
    assert gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def _all_ops() -> set[type]:
    found = set()
    for info in pkgutil.iter_modules(minigrad.ops.__path__):
        module = importlib.import_module(f"minigrad.ops.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Function) and obj.__module__ == module.__name__ and not obj.__name__.startswith("_"):
                found.add(obj)
    return found


def test_every_op_is_in_the_table():
    covered = {op for row in OPS for op in row[3]}
    missing = sorted(op.__name__ for op in _all_ops() - covered)
    assert not missing, f"ops without a gradcheck row: {missing}"


def test_the_table_has_many_ops():
    # a guard against the discovery above silently finding nothing
    assert len(_all_ops()) >= 40
