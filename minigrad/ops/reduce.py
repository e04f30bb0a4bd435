"""Reductions and the softmax family. ``dim`` is an int, a tuple or None (all)."""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from minigrad._return_types import torch_repr
from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.ops.index import GetItem
from minigrad.tensor import Tensor, _wrap_dim


def alias(dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """Accept NumPy's ``axis=``/``keepdims=`` beside PyTorch's ``dim``/``keepdim``."""
    if axis is not None:
        if dim is not None:
            raise TypeError("give either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def norm_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative dims (None: all), checking the range.

    An empty tuple means all dims, as in PyTorch (NumPy's ``axis=()`` would reduce nothing).
    """
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if not dims:
        return None
    for d in dims:
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    out = [_wrap_dim(d, ndim, op) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dim {dim!r} names a dimension more than once")
    if ndim == 0:
        return None
    return tuple(sorted(out))


def _keep_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """The reduced shape with the reduced dims kept as size 1."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _count(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> int:
    if dims is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[d] for d in dims], dtype=np.int64))


def _accumulator(dtype: np.dtype) -> Any:
    """The dtype to sum in: float32 for float16 (as PyTorch), whose range ends at 65504; else the input's."""
    return np.float32 if dtype == np.float16 else None


def _div_count(v: Any, n: int) -> Any:
    """v / n, in float32 for float16 values (n itself may not fit in float16: 70000 would become inf)."""
    if v.dtype != np.float16:
        return v / n
    return (v.astype(np.float32) / n).astype(np.float16)


def _expand_grad(g: Any, in_shape: tuple[int, ...], dims: Any, keepdim: bool) -> Any:
    """The gradient of a reduction's output broadcast back over the reduced dims."""
    if not keepdim:
        g = g.reshape(_keep_shape(in_shape, dims))
    return dual.broadcast_to(g, in_shape)


@declare(method="sum", function="sum")
class Sum(Function):
    """y = Σₖ x;  ∂x = g broadcast over the summed dims"""

    # parameters (apply's keyword arguments)
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool

    def forward(self, x):
        self.in_shape = x.shape
        return np.add.reduce(x, axis=self.dim, keepdims=self.keepdim)

    def backward(self, g):
        return _expand_grad(g, self.in_shape, self.dim, self.keepdim)


@declare(method="mean", function="mean")
class Mean(Function):
    """y = (1/N) Σₖ x;  ∂x = g / N broadcast over the averaged dims

    float16 is summed and divided in float32 (as PyTorch), then rounded back.
    """

    # parameters (apply's keyword arguments)
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool

    def forward(self, x):
        self.in_shape = x.shape
        total = np.add.reduce(x, axis=self.dim, keepdims=self.keepdim, dtype=_accumulator(x.dtype))
        return (total / _count(x.shape, self.dim)).astype(x.dtype, copy=False)

    def backward(self, g):
        n = _count(self.in_shape, self.dim)
        return _expand_grad(_div_count(g, n), self.in_shape, self.dim, self.keepdim)


def mean(x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if x.dtype.kind not in "fc":
        raise TypeError(f"mean: needs a floating tensor, got {x.dtype} (use .float() first)")
    return Mean.apply(x, dim=norm_dims(dim, x.ndim, "mean"), keepdim=keepdim)


def var(x: Tensor, dim: Any, correction: float, keepdim: bool) -> Tensor:
    """Σ(x − x̄)² / max(N − correction, 0), built from recorded ops (so it is twice differentiable).

    float16 is computed in float32 and rounded back, as PyTorch (its sums overflow past 65504).
    """
    dims = norm_dims(dim, x.ndim, "var")
    if x.dtype == np.float16:
        return var(x.astype(np.float32), dims, correction, keepdim).astype(np.float16)
    n = _count(x.shape, dims)
    d = x - Mean.apply(x, dim=dims, keepdim=True)
    return Sum.apply(d * d, dim=dims, keepdim=keepdim) / max(n - correction, 0)


@declare(method="std", function="std")
class Std(Function):
    """y = √(Σ(x − x̄)² / k) with k = max(N − correction, 0);  ∂x = g · (x − x̄) / (k·y), and 0 where y = 0

    One node rather than ``var().sqrt()``: where the values are all equal, y = 0 and the chain
    through √ gives g/(2·0) · 0 = nan; PyTorch's std_backward masks those places to 0, and so
    does this rule (keeping y = 0 out of every division, so second derivatives stay finite too).
    """

    # parameters (apply's keyword arguments)
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool
    dof: float  # N - correction, at least 0

    save_inputs = True
    save_output = True

    def forward(self, x):
        centered = x - np.add.reduce(x, axis=self.dim, keepdims=True) / _count(x.shape, self.dim)
        squares = np.add.reduce(centered * centered, axis=self.dim, keepdims=self.keepdim)
        return np.sqrt(squares / self.dof)

    def backward(self, g, x, y):
        if not self.keepdim:
            keep = _keep_shape(x.shape, self.dim)
            y, g = y.reshape(keep), g.reshape(keep)
        zero = dual.array(y) == 0
        scale = dual.where(zero, 0.0, g / (dual.where(zero, 1.0, y) * self.dof))
        return scale * (x - dual.mean(x, self.dim, keepdims=True))


def std(x: Tensor, dim: Any, correction: float, keepdim: bool) -> Tensor:
    """√var, as one :class:`Std` node (float16 computed in float32 and rounded back, as var)."""
    dims = norm_dims(dim, x.ndim, "std")
    if x.dtype == np.float16:
        return std(x.astype(np.float32), dims, correction, keepdim).astype(np.float16)
    return Std.apply(x, dim=dims, keepdim=keepdim, dof=max(_count(x.shape, dims) - correction, 0))


class _Extremum(Function):
    """max/min over dims; ties share the gradient equally (as ``torch.amax``)"""

    # parameters (apply's keyword arguments)
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool

    save_inputs = True
    reduce = staticmethod(np.maximum.reduce)

    def forward(self, x):
        return self.reduce(x, axis=self.dim, keepdims=self.keepdim)

    def backward(self, g, x):
        x = dual.array(x)
        best = self.reduce(x, axis=self.dim, keepdims=True)
        hit = x == best
        share = hit / np.add.reduce(hit, axis=self.dim, keepdims=True, dtype=g.dtype)
        return _expand_grad(g, x.shape, self.dim, self.keepdim) * share.astype(g.dtype)


@declare(method="max", function="max")
@declare(method="amax", function="amax")
class Max(_Extremum):
    reduce = staticmethod(np.maximum.reduce)


@declare(method="min", function="min")
@declare(method="amin", function="amin")
class Min(_Extremum):
    reduce = staticmethod(np.minimum.reduce)


#: what ``max``/``min`` with an int ``dim`` return, as ``torch.return_types.max``/``min``
#: (named as PyTorch's, which shows in their repr)
MaxResult = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
MinResult = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]
torch_repr(MaxResult, MinResult)
ValuesIndices = MaxResult | MinResult
_RESULT: dict[str, type[MaxResult] | type[MinResult]] = {"max": MaxResult, "min": MinResult}


def extremum_along(x: Tensor, dim: Any, keepdim: bool, arg: Any, op: str) -> ValuesIndices:
    """``x.max(dim)``/``x.min(dim)``: the extreme values along one dim and where they are.

    values = x[…, i, …] at i = argmax (or argmin) along ``dim``, taken with a differentiable
    gather, so the gradient goes to the returned index only (as PyTorch; ``amax`` splits ties).
    """
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int (for a tuple of dims use a{op}), got {dim!r}")
    (d,) = norm_dims(dim, x.ndim, op) or (None,)
    if d is None:  # a 0-d tensor: the value itself, at index 0
        return _RESULT[op](GetItem.apply(x, index=()), Tensor._make(np.zeros((), np.int64)))
    if x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size (input shape {x.shape})")
    idx = arg(x._data, axis=d, keepdims=True)
    grid = np.ogrid[tuple(slice(n) for n in idx.shape)]
    values = GetItem.apply(x, index=tuple(idx if a == d else grid[a] for a in range(x.ndim)))
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return _RESULT[op](values, Tensor._make(idx.astype(np.int64, copy=False)))


def argext(x: Tensor, dim: int | None, keepdim: bool, fn: Any, op: str) -> Tensor:
    """Indices of the extremum (no gradient); over the flattened tensor when ``dim`` is None.

    Empty input as PyTorch: an empty int64 result when the output has no elements, else an
    IndexError (no element to point at).
    """
    if dim is None:
        if x._data.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = np.asarray(fn(x._data))
        if keepdim:
            out = out.reshape((1,) * x.ndim)
        return Tensor._make(out.astype(np.int64))
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    (d,) = norm_dims(dim, x.ndim, op) or (0,)
    if x._data.size == 0:
        out_shape = tuple(1 if a == d else s for a, s in enumerate(x.shape) if keepdim or a != d)
        if 0 not in out_shape:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size (input shape {x.shape}).")
        return Tensor._make(np.zeros(out_shape, np.int64))
    return Tensor._make(fn(x._data, axis=d, keepdims=keepdim).astype(np.int64))


def _row_max(x: np.ndarray, dim: Any) -> np.ndarray:
    """The max over ``dim`` (kept), to subtract before exponentiating; −inf over an empty dim."""
    return np.maximum.reduce(x, axis=dim, keepdims=True, initial=-np.inf)


def _stable_max(x: np.ndarray, dim: Any) -> np.ndarray:
    """The max over ``dim`` (kept) with infinite maxima replaced by 0, as PyTorch's logsumexp:
    a row of all −inf then gives log 0 = −inf, and one holding +inf gives +inf, not inf − inf = nan."""
    m = _row_max(x, dim)
    if not math.isfinite(np.add.reduce(m, axis=None)):
        m = np.where(np.isfinite(m), m, 0)
    return m


@declare(method="logsumexp", function="logsumexp")
class LogSumExp(Function):
    """y = log Σ eˣ = m + log Σ e^(x−m) with m = max x;  ∂x = g · e^(x−y)  (the softmax)"""

    # parameters (apply's keyword arguments)
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool

    save_inputs = True
    save_output = True

    def forward(self, x):
        m = _stable_max(x, self.dim)
        with np.errstate(divide="ignore"):  # log 0 = −inf: an empty dim, or a row of −inf (a full mask)
            s = np.log(np.add.reduce(np.exp(x - m), axis=self.dim, keepdims=True)) + m
        return s if self.keepdim else np.squeeze(s, axis=self.dim)

    def backward(self, g, x, y):
        if not self.keepdim:
            keep = _keep_shape(x.shape, self.dim)
            y, g = y.reshape(keep), g.reshape(keep)
        return g * dual.exp(x - y)


@declare(method="softmax", function="softmax", functional="softmax", module="Softmax")
class Softmax(Function):
    """yᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m) with m = max x;  ∂x = y · (g − Σ g·y)

    A row holding +inf (or all −inf) gives nan throughout, as PyTorch (∞ − ∞ in x − m).
    """

    # parameters (apply's keyword arguments)
    dim: int

    save_output = True

    def forward(self, x):
        e = np.exp(x - _row_max(x, self.dim))
        return e / np.add.reduce(e, axis=self.dim, keepdims=True)

    def backward(self, g, y):
        return y * (g - dual.sum(g * y, self.dim, keepdims=True))


@declare(method="log_softmax", function="log_softmax", functional="log_softmax", module="LogSoftmax")
class LogSoftmax(Function):
    """yᵢ = xᵢ − m − log Σⱼ e^(xⱼ−m) with m = max x;  ∂x = g − e^y · Σ g  (nan rows as Softmax)"""

    # parameters (apply's keyword arguments)
    dim: int

    save_output = True

    def forward(self, x):
        shifted = x - _row_max(x, self.dim)
        with np.errstate(divide="ignore"):  # log 0 = −inf over an empty dim
            return shifted - np.log(np.add.reduce(np.exp(shifted), axis=self.dim, keepdims=True))

    def backward(self, g, y):
        return g - dual.exp(y) * dual.sum(g, self.dim, keepdims=True)


# ---------------------------------------------------------------------- prod, cumsum, norm
def _integral_to_int64(x: np.ndarray, dtype: Any) -> Any:
    """The accumulation dtype of prod/cumsum: the one asked for, else int64 for bool and integer input."""
    if dtype is not None:
        return np.dtype(dtype)
    return np.dtype(np.int64) if x.dtype.kind in "biu" else None


@declare(method="prod", function="prod")
class Prod(Function):
    """y = Πᵢ xᵢ over ``dim`` (one dim, or all);  ∂xᵢ = g · Π_{j≠i} xⱼ

    Where no factor is 0 the product of the others is y / xᵢ; where one is, it is taken
    explicitly (each xᵢ replaced by 1 in its own copy, then multiplied out), so zeros get
    their exact gradient (and second derivatives), as in PyTorch.
    """

    # parameters (apply's keyword arguments)
    dim: int | None  # None: all elements
    keepdim: bool
    dtype_: np.dtype | None

    save_inputs = True
    save_output = True

    def forward(self, x):
        self.in_shape = x.shape
        return np.prod(x, axis=self.dim, keepdims=self.keepdim, dtype=self.dtype_)

    def backward(self, g, x, y):
        dims = None if self.dim is None else (self.dim,)
        g = _expand_grad(g, self.in_shape, dims, self.keepdim)
        if not (np.asarray(dual.array(x)) == 0).any():
            y = _expand_grad(y, self.in_shape, dims, self.keepdim)
            return g * y / x
        return g * _prod_of_others(x, self.dim)


def _prod_of_others(x: Any, dim: int | None) -> Any:
    """``out[..., i, ...] = Π_{j≠i} x[..., j, ...]`` along ``dim`` (all elements when None), for arrays and Tensors."""
    shape = x.shape
    if dim is None:
        return _prod_of_others(x.reshape(-1), 0).reshape(shape)
    last = len(shape) - 1
    order = tuple(a for a in range(len(shape)) if a != dim) + (dim,)
    xm = dual.permute(x, order) if dim != last else x  # the product's dim last: (..., n)
    n = shape[dim]
    rows = dual.broadcast_to(dual.unsqueeze(xm, -2), xm.shape[:-1] + (n, n))  # row i holds all of x
    others = dual.where(np.eye(n, dtype=bool), 1.0, rows)  # ... with xᵢ replaced by 1
    out = (
        Prod.apply(others, dim=len(others.shape) - 1, keepdim=False, dtype_=None)
        if isinstance(others, Tensor)
        else np.prod(others, axis=-1)
    )
    return dual.permute(out, tuple(np.argsort(order))) if dim != last else out


def prod(x: Tensor, dim: Any, keepdim: bool, dtype: Any) -> Tensor:
    if dim is not None and (not isinstance(dim, (int, np.integer)) or isinstance(dim, bool)):
        raise TypeError(f"prod: dim must be an int or None, got {dim!r}")
    dims = norm_dims(dim, x.ndim, "prod")
    return Prod.apply(
        x, dim=None if dims is None else dims[0], keepdim=keepdim, dtype_=_integral_to_int64(x._data, dtype)
    )


@declare(method="cumsum", function="cumsum")
class CumSum(Function):
    """yᵢ = Σ_{j≤i} xⱼ along ``dim``;  ∂xᵢ = Σ_{j≥i} gⱼ (g summed from the end: flip, cumsum, flip)"""

    # parameters (apply's keyword arguments)
    dim: int
    dtype_: np.dtype | None

    def forward(self, x):
        return np.cumsum(x, axis=self.dim, dtype=self.dtype_)

    def backward(self, g):
        d = self.dim
        if isinstance(g, Tensor):
            return CumSum.apply(g.flip(d), dim=d, dtype_=None).flip(d)
        return np.flip(np.cumsum(np.flip(g, d), axis=d), d)


def cumsum(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    (d,) = norm_dims(dim, x.ndim, "cumsum") or (None,)
    if d is None:  # a 0-d tensor: cumsum is the value itself
        return CumSum.apply(x.reshape(1), dim=0, dtype_=_integral_to_int64(x._data, dtype)).reshape(())
    return CumSum.apply(x, dim=d, dtype_=_integral_to_int64(x._data, dtype))


@declare(method="norm", function="norm")
class Norm(Function):
    """y = (Σ |x|ᵖ)^(1/p) over ``dim``;  ∂x = g · sign(x)·|x|^(p−1) / y^(p−1)  (0 where y = 0, as PyTorch)

    p = 2: ∂x = g · x / y;  p = 1: ∂x = g · sign(x).
    """

    # parameters (apply's keyword arguments)
    p: float
    dim: tuple[int, ...] | None  # None: all dims
    keepdim: bool

    save_inputs = True
    save_output = True

    def forward(self, x):
        self.in_shape = x.shape
        p = self.p
        if p == 2:
            return np.sqrt(np.add.reduce(x * x, axis=self.dim, keepdims=self.keepdim))
        a = np.abs(x)
        if p == 1:
            return np.add.reduce(a, axis=self.dim, keepdims=self.keepdim)
        return np.add.reduce(a**p, axis=self.dim, keepdims=self.keepdim) ** (1.0 / p)

    def backward(self, g, x, y):
        p = self.p
        g = _expand_grad(g, self.in_shape, self.dim, self.keepdim)
        xa = np.asarray(dual.array(x))
        sign = np.sign(xa)
        if p == 1:
            return g * sign
        y = _expand_grad(y, self.in_shape, self.dim, self.keepdim)
        y_safe = dual.where(np.asarray(dual.array(y)) == 0, 1.0, y)  # x = 0 there: the gradient is 0
        if p == 2:
            return g * x / y_safe
        zero = xa == 0
        x_abs = dual.where(zero, 1.0, x * sign)  # |x|, with 1 where x = 0 so no 0^(p−1) = inf enters
        return dual.where(zero, 0.0, g * sign * x_abs ** (p - 1) / y_safe ** (p - 1))


def norm(x: Tensor, p: Any, dim: Any, keepdim: bool) -> Tensor:
    """``torch.norm`` for vectors: the p-norm over ``dim`` (an int, a tuple, or None for all elements)."""
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"norm: expected a floating point tensor as input, got {x.dtype}")
    if p is None or p == "fro":
        p = 2
    if isinstance(p, str):
        raise NotImplementedError(f"norm: p={p!r} is not supported by minigrad (vector p-norms and 'fro' are)")
    dims = norm_dims(dim, x.ndim, "norm")
    p = float(p)
    if p == math.inf:
        return x.abs().amax(dims, keepdim)
    if p == -math.inf:
        return x.abs().amin(dims, keepdim)
    if p == 0:
        return Tensor._make(np.add.reduce(x._data != 0, axis=dims, keepdims=keepdim).astype(x.dtype))  # type: ignore[call-overload]  # numpy's stubs type keepdims as a Literal
    return Norm.apply(x, p=p, dim=dims, keepdim=keepdim)
