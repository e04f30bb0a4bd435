"""Reductions and the softmax family. ``dim`` is an int, a tuple or None (all)."""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.index import GetItem
from minigrad.tensor import Tensor


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
    """``dim`` as a sorted tuple of non-negative dims (None: all), checking the range."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    n = max(ndim, 1)
    out = []
    for d in dims:
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -n <= d < n:
            raise IndexError(
                f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
            )
        out.append(int(d) % n)
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


def _expand_grad(g: Any, in_shape: tuple[int, ...], dims: Any, keepdim: bool) -> Any:
    """The gradient of a reduction's output broadcast back over the reduced dims."""
    if not keepdim:
        g = g.reshape(_keep_shape(in_shape, dims))
    return dual.broadcast_to(g, in_shape)


class Sum(Function):
    """y = Σₖ x;  ∂x = g broadcast over the summed dims"""

    def forward(self, x):
        self.in_shape = x.shape
        return np.add.reduce(x, axis=self.dim, keepdims=self.keepdim)

    def backward(self, g):
        return _expand_grad(g, self.in_shape, self.dim, self.keepdim)


class Mean(Function):
    """y = (1/N) Σₖ x;  ∂x = g / N broadcast over the averaged dims"""

    def forward(self, x):
        self.in_shape = x.shape
        return np.add.reduce(x, axis=self.dim, keepdims=self.keepdim) / _count(x.shape, self.dim)

    def backward(self, g):
        n = _count(self.in_shape, self.dim)
        return _expand_grad(g / n, self.in_shape, self.dim, self.keepdim)


def mean(x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if x.dtype.kind not in "fc":
        raise TypeError(f"mean: needs a floating tensor, got {x.dtype} (use .float() first)")
    return Mean.apply(x, dim=norm_dims(dim, x.ndim, "mean"), keepdim=keepdim)


def var(x: Tensor, dim: Any, correction: float, keepdim: bool) -> Tensor:
    """Σ(x − x̄)² / (N − correction), built from recorded ops (so it is twice differentiable)."""
    dims = norm_dims(dim, x.ndim, "var")
    n = _count(x.shape, dims)
    d = x - Mean.apply(x, dim=dims, keepdim=True)
    return Sum.apply(d * d, dim=dims, keepdim=keepdim) / max(n - correction, 0)


class _Extremum(Function):
    """max/min over dims; ties share the gradient equally (as ``torch.amax``)"""

    save_inputs = True
    reduce = staticmethod(np.maximum.reduce)

    def forward(self, x):
        return self.reduce(x, axis=self.dim, keepdims=self.keepdim)

    def backward(self, g):
        x = dual.array(self.inputs[0])
        best = self.reduce(x, axis=self.dim, keepdims=True)
        hit = x == best
        share = hit / np.add.reduce(hit, axis=self.dim, keepdims=True, dtype=g.dtype)
        return _expand_grad(g, x.shape, self.dim, self.keepdim) * share.astype(g.dtype)


class Max(_Extremum):
    reduce = staticmethod(np.maximum.reduce)


class Min(_Extremum):
    reduce = staticmethod(np.minimum.reduce)


#: what ``max``/``min`` with an int ``dim`` return, as ``torch.return_types.max``
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def extremum_along(x: Tensor, dim: Any, keepdim: bool, arg: Any, op: str) -> ValuesIndices:
    """``x.max(dim)``/``x.min(dim)``: the extreme values along one dim and where they are.

    values = x[…, i, …] at i = argmax (or argmin) along ``dim``, taken with a differentiable
    gather, so the gradient goes to the returned index only (as PyTorch; ``amax`` splits ties).
    """
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int (for a tuple of dims use a{op}), got {dim!r}")
    (d,) = norm_dims(dim, x.ndim, op) or (None,)
    if d is None:  # a 0-d tensor: the value itself, at index 0
        return ValuesIndices(GetItem.apply(x, index=()), Tensor._make(np.zeros((), np.int64)))
    if x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size (input shape {x.shape})")
    idx = arg(x._data, axis=d, keepdims=True)
    grid = np.ogrid[tuple(slice(n) for n in idx.shape)]
    values = GetItem.apply(x, index=tuple(idx if a == d else grid[a] for a in range(x.ndim)))
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return ValuesIndices(values, Tensor._make(idx.astype(np.int64, copy=False)))


def argext(x: Tensor, dim: int | None, keepdim: bool, fn: Any, op: str) -> Tensor:
    """Indices of the extremum (no gradient); over the flattened tensor when ``dim`` is None."""
    if x._data.size == 0:
        raise RuntimeError(f"{op}: cannot take the {op} of an empty tensor")
    if dim is None:
        out = np.asarray(fn(x._data))
        if keepdim:
            out = out.reshape((1,) * x.ndim)
        return Tensor._make(out.astype(np.int64))
    (d,) = norm_dims(dim, x.ndim, op) or (0,)
    return Tensor._make(fn(x._data, axis=d, keepdims=keepdim).astype(np.int64))


def _stable_max(x: np.ndarray, dim: Any) -> np.ndarray:
    """The max over ``dim`` (kept), to subtract before exponentiating."""
    m = np.maximum.reduce(x, axis=dim, keepdims=True)
    if not math.isfinite(np.add.reduce(m, axis=None)):
        # rows that are all -inf (or +inf) would give inf - inf = nan; shift those by 0 instead
        m = np.where(np.isfinite(m), m, 0)
    return m


class LogSumExp(Function):
    """y = log Σ eˣ = m + log Σ e^(x−m) with m = max x;  ∂x = g · e^(x−y)  (the softmax)"""

    save_inputs = True
    save_output = True

    def forward(self, x):
        m = _stable_max(x, self.dim)
        s = np.log(np.add.reduce(np.exp(x - m), axis=self.dim, keepdims=True)) + m
        return s if self.keepdim else np.squeeze(s, axis=self.dim)

    def backward(self, g):
        (x,) = self.inputs
        y = self.output
        if not self.keepdim:
            keep = _keep_shape(x.shape, self.dim)
            y, g = y.reshape(keep), g.reshape(keep)
        return g * dual.exp(x - y)


class Softmax(Function):
    """yᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m);  ∂x = y · (g − Σ g·y)"""

    save_output = True

    def forward(self, x):
        e = np.exp(x - _stable_max(x, self.dim))
        return e / np.add.reduce(e, axis=self.dim, keepdims=True)

    def backward(self, g):
        y = self.output
        return y * (g - dual.sum(g * y, self.dim, keepdims=True))


class LogSoftmax(Function):
    """yᵢ = xᵢ − m − log Σⱼ e^(xⱼ−m);  ∂x = g − e^y · Σ g"""

    save_output = True

    def forward(self, x):
        shifted = x - _stable_max(x, self.dim)
        return shifted - np.log(np.add.reduce(np.exp(shifted), axis=self.dim, keepdims=True))

    def backward(self, g):
        y = self.output
        return g - dual.exp(y) * dual.sum(g, self.dim, keepdims=True)
