"""Selecting and counting: sort, topk, gather, scatter, index_select, masked_fill; unique, bincount,
histograms; tests (all, any, isclose, ...).

The differentiable ones are indexing underneath (``GetItem``, ``IndexPut``, ``IndexScatter``,
``Where``), so their gradients are the indexing rules: a value taken from ``x[i]`` sends its
gradient back to ``x[i]`` (repeated indices add up). Counting and testing ops return tensors
that do not require grad, as in PyTorch.
"""

from __future__ import annotations

import numbers
from collections import namedtuple
from typing import Any

import numpy as np

from minigrad._dtype import get_default_dtype
from minigrad._return_types import torch_repr
from minigrad.ops.elementwise import Where
from minigrad.ops.index import GetItem, IndexPut, IndexScatter
from minigrad.tensor import Tensor, _wrap_dim

#: the named tuples torch.sort / torch.topk / torch.histogram return (``torch.return_types``)
SortResult = namedtuple("sort", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
TopkResult = namedtuple("topk", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
torch_repr(SortResult, TopkResult, HistogramResult)


def _index_array(index: Any, op: str) -> np.ndarray:
    """An index argument (Tensor, array or list) as an integer array."""
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): expected an integer index tensor (int64), got {arr.dtype}")
    return arr


# ---------------------------------------------------------------------- sort, argsort, topk
def _argsort(a: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """Stable order along ``d``; descending keeps equal elements in their original order
    (NaN counts as the largest value, as in PyTorch)."""
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    return n - 1 - np.flip(np.argsort(np.flip(a, d), axis=d, kind="stable"), d)


def _take_along(x: Tensor, d: int, idx: np.ndarray) -> Tensor:
    """x[..., idx, ...] along dim d, ``idx`` of x's rank: a differentiable gather."""
    grid = np.ogrid[tuple(slice(n) for n in idx.shape)]
    return GetItem.apply(x, index=tuple(idx if a == d else grid[a] for a in range(x.ndim)))


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
    """``(values, indices)`` sorted along ``dim``; the values' gradient goes to where each came from."""
    if x.ndim == 0:
        return SortResult(GetItem.apply(x, index=()), Tensor._make(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "sort")
    idx = _argsort(x._data, d, descending)
    return SortResult(_take_along(x, d, idx), Tensor._make(idx.astype(np.int64, copy=False)))


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``x`` along ``dim`` (no gradient)."""
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    d = _wrap_dim(dim, x.ndim, "argsort")
    return Tensor._make(_argsort(x._data, d, descending).astype(np.int64, copy=False))


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first."""
    d = _wrap_dim(dim, x.ndim, "topk") if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    if not isinstance(k, numbers.Integral) or not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range: k = {k!r} for dim {d} of size {n} (shape {x.shape})")
    if x.ndim == 0:
        return TopkResult(*sort(x)) if k else TopkResult(x.reshape(1)[:0].reshape(()), argsort(x))
    idx = _argsort(x._data, d, largest)
    idx = idx[(slice(None),) * d + (slice(0, k),)]
    return TopkResult(_take_along(x, d, idx), Tensor._make(idx.astype(np.int64, copy=False)))


# ---------------------------------------------------------------------- gather, scatter, index_select
def _gather_index(x: Tensor, d: int, index: Any, op: str) -> tuple[np.ndarray, tuple]:
    """The index array of ``gather``/``scatter`` checked as PyTorch does, and the full index tuple
    that picks ``x[..., index[p], ...]`` for every position p of ``index``."""
    idx = _index_array(index, op)
    if idx.ndim != x.ndim and not (idx.ndim <= 1 and x.ndim <= 1):
        raise RuntimeError(
            f"{op}(): index tensor must have the same number of dimensions as the input "
            f"tensor, got index shape {idx.shape} and input shape {x.shape}"
        )
    if x.ndim == 0:
        idx = idx.reshape(())
        if idx.size and idx.item() != 0:
            raise RuntimeError(f"{op}(): index {idx.item()} is out of bounds for a 0-d tensor")
        return idx, ()
    for a in range(x.ndim):
        if a != d and idx.shape[a] > x.shape[a]:
            raise RuntimeError(
                f"{op}(): size of index {idx.shape} must not exceed the input's {x.shape} in dims other than dim {d}"
            )
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        bad = idx.max() if idx.max() >= x.shape[d] else idx.min()
        raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {d} with size {x.shape[d]}")
    idx = idx % x.shape[d] if idx.size else idx
    grid = np.ogrid[tuple(slice(n) for n in idx.shape)]
    return idx, tuple(idx if a == d else grid[a] for a in range(x.ndim))


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """out[…, i, …] = x[…, index[…, i, …], …] along ``dim`` (``torch.gather``); the gradient is
    scattered (added) back to the gathered places."""
    d = _wrap_dim(dim, x.ndim, "gather")
    _, full = _gather_index(x, d, index, "gather")
    return GetItem.apply(x, index=full)


def _source_part(src: Any, x: Tensor, idx: np.ndarray, op: str) -> Any:
    """The elements of ``src`` that scatter writes (its leading ``index.shape`` block), or a number."""
    if not isinstance(src, Tensor):
        if isinstance(src, (numbers.Number, np.generic)):
            return src
        src = Tensor(src)
    if src.dtype != x.dtype:
        raise RuntimeError(f"{op}(): expected self.dtype to be equal to src.dtype, got {x.dtype} and {src.dtype}")
    if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape)):
        raise RuntimeError(
            f"{op}(): src of shape {src.shape} must have the index's number of dims and be at "
            f"least as large as the index {idx.shape} in every dim"
        )
    if src.shape == idx.shape:
        return src
    return src[tuple(slice(0, n) for n in idx.shape)]


def scatter(x: Tensor, dim: int, index: Any, src: Any = None, value: Any = None, reduce: Any = None) -> Tensor:
    """A copy of ``x`` with x[…, index[p], …] = src[p] along ``dim`` (or ``value``) (``torch.scatter``).
    Gradients: to x where nothing was written, to src at the written elements."""
    if reduce is not None:
        raise NotImplementedError("scatter: reduce= is not supported by minigrad; use scatter_add (reduce='add')")
    if (src is None) == (value is None):
        raise TypeError("scatter(): give exactly one of src (a tensor) and value (a number)")
    d = _wrap_dim(dim, x.ndim, "scatter")
    idx, full = _gather_index(x, d, index, "scatter")
    return IndexPut.apply(x, _source_part(src if value is None else value, x, idx, "scatter"), index=full)


def scatter_add(x: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """A copy of ``x`` with src[p] added at x[…, index[p], …] along ``dim``; repeated indices add up.
    Gradients: x gets g, src gets g at the indexed places."""
    d = _wrap_dim(dim, x.ndim, "scatter_add")
    idx, full = _gather_index(x, d, index, "scatter_add")
    part = _source_part(src, x, idx, "scatter_add")
    if not isinstance(part, Tensor):
        raise TypeError(f"scatter_add(): src must be a tensor, got {type(src).__name__}")
    return x + IndexScatter.apply(part, index=full, size=x.shape)


def _select_index(x: Tensor, d: int, index: Any, op: str) -> np.ndarray:
    idx = _index_array(index, op)
    if idx.ndim > 1:
        raise RuntimeError(f"{op}(): index must be a 1-D (or 0-d) tensor, got shape {idx.shape}")
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"{op}(): index {bad} is out of range for dimension {d} of size {n} (shape {x.shape})")
    return idx.reshape(-1)


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of ``x`` at ``index`` (1-D) along ``dim``; the gradient is added back to them."""
    if x.ndim == 0:
        _select_index(x, 0, index, "index_select")
        return x.reshape(())
    d = _wrap_dim(dim, x.ndim, "index_select")
    return GetItem.apply(x, index=(slice(None),) * d + (_select_index(x, d, index, "index_select"),))


def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """A copy of ``x`` with the slices at ``index`` along ``dim`` set to ``value``."""
    d = _wrap_dim(dim, x.ndim, "index_fill") if x.ndim else 0
    idx = _select_index(x, d, index, "index_fill")
    if x.ndim == 0:
        return IndexPut.apply(x, value, index=() if idx.size else (np.zeros(0, bool),))
    return IndexPut.apply(x, _fill_value(value, x, "index_fill"), index=(slice(None),) * d + (idx,))


def _mask_array(mask: Any, x: Tensor, op: str) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: only supports boolean masks, but got mask with dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise RuntimeError(f"{op}: the mask of shape {m.shape} must be broadcastable to the tensor's shape {x.shape}")
    return m


def _fill_value(value: Any, x: Tensor, op: str) -> Any:
    """A fill value in ``x``'s dtype: a 0-d array for numbers, a 0-d Tensor (gradient kept) for tensors."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"{op}: only supports a 0-dimensional value tensor, got shape {value.shape}")
        if value.dtype == x.dtype:
            return value
        return value.astype(x.dtype) if value.requires_grad else Tensor._make(value._data.astype(x.dtype))
    if x.dtype.kind in "iub" and isinstance(value, float) and not np.isfinite(value):
        raise RuntimeError(f"{op}: value {value} cannot be converted to {x.dtype} without overflow")
    return np.asarray(value).astype(x.dtype)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``value`` where ``mask`` is True, else ``x`` (``torch.masked_fill``; mask broadcast to x's shape).
    Gradients: to x where the mask is False; to a tensor ``value``, summed over the filled places."""
    m = _mask_array(mask, x, "masked_fill")
    return Where.apply(m, _fill_value(value, x, "masked_fill"), x)


def masked_select(x: Tensor, mask: Any) -> Tensor:
    """The elements of ``x`` where ``mask`` is True, as a 1-D tensor (both broadcast first)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: only supports boolean masks, but got mask with dtype {m.dtype}")
    shape = np.broadcast_shapes(m.shape, x.shape)
    xb = x if x.shape == shape else x.broadcast_to(shape)
    return GetItem.apply(xb, index=np.broadcast_to(m, shape))


# ---------------------------------------------------------------------- counting (no gradient)
def unique(
    x: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,  # noqa: A002
    dim: int | None = None,
) -> Any:
    """The distinct values (sorted), with the inverse indices and the counts when asked (``torch.unique``)."""
    arr = x._data
    axis = None if dim is None else _wrap_dim(dim, x.ndim, "unique")
    values, inverse, counts = np.unique(arr, return_inverse=True, return_counts=True, axis=axis)
    out = [Tensor._make(values)]
    if return_inverse:
        inverse = inverse.reshape(arr.shape if axis is None else (arr.shape[axis],))
        out.append(Tensor._make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, …, max(x) occurs in the 1-D non-negative integer ``x``
    (summing ``weights`` instead of counting, when given)."""
    arr = x._data if isinstance(x, Tensor) else np.asarray(x)
    if arr.ndim != 1 or arr.dtype.kind not in "iub":
        raise RuntimeError(
            f"bincount: only supports 1-d non-negative integral inputs, got shape {arr.shape} {arr.dtype}"
        )
    if arr.size and arr.min() < 0:
        raise RuntimeError(f"bincount: input must be non-negative, found {arr.min()}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return Tensor._make(np.bincount(arr, minlength=minlength).astype(np.int64))
    w = weights._data if isinstance(weights, Tensor) else np.asarray(weights)
    if w.shape != arr.shape:
        raise RuntimeError(f"bincount: weights of shape {w.shape} must have the input's shape {arr.shape}")
    dtype = w.dtype if w.dtype.kind == "f" else np.float64  # integer weights sum in double, as PyTorch
    return Tensor._make(np.bincount(arr, weights=w, minlength=minlength).astype(dtype))


def _float_input(x: Tensor, op: str) -> np.ndarray:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for {x.dtype} input; convert with .float() first")
    return x._data


def histc(x: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when min = max);
    values outside are ignored (``torch.histc``)."""
    arr = _float_input(x, "histc")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and arr.size:
        lo, hi = float(arr.min()), float(arr.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"histc: max ({hi}) must be larger than min ({lo})")
    counts, _ = np.histogram(arr[np.isfinite(arr)], bins=int(bins), range=(lo, hi))
    return Tensor._make(counts.astype(x.dtype))


def histogram(
    x: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: Tensor | None = None,  # noqa: A002
    density: bool = False,
) -> HistogramResult:
    """``(hist, bin_edges)``: counts in ``bins`` equal bins over ``range`` (the data's by default) or
    in the bins between the given edges; ``density=True`` normalises to a probability density."""
    arr = _float_input(x, "histogram")
    edges_arg = bins._data if isinstance(bins, Tensor) else bins
    w = weight._data if isinstance(weight, Tensor) else weight
    hist, edges = np.histogram(arr, bins=edges_arg, range=range, weights=w, density=density)
    return HistogramResult(Tensor._make(hist.astype(x.dtype)), Tensor._make(edges.astype(x.dtype)))


# ---------------------------------------------------------------------- tests (no gradient)
def all_any(x: Tensor, dim: Any, keepdim: bool, reduce: Any, op: str) -> Tensor:
    """``all``/``any`` as 0-d (or reduced) bool tensors; uint8 input gives uint8, as PyTorch."""
    from minigrad.ops.reduce import norm_dims

    dims = norm_dims(dim, x.ndim, op)
    out = np.asarray(reduce(x._data, axis=dims, keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


def _same_dtype(a: Tensor, b: Tensor, op: str) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: {a.dtype} did not match {b.dtype} (convert one with .to(other.dtype))")


def isclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|a − b| ≤ atol + rtol·|b| elementwise (``torch.isclose``; both of one dtype)."""
    _same_dtype(a, b, "isclose")
    return Tensor._make(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element is close (``torch.allclose``: a Python bool)."""
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


def equal(a: Tensor, b: Tensor) -> bool:
    """Whether ``a`` and ``b`` have the same shape and the same values (``torch.equal``)."""
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def default_float(x: Tensor) -> Tensor:
    """Integer and bool tensors as the default float dtype (torch's integer-to-float ops)."""
    return x if x.dtype.kind in "fc" else Tensor._make(x._data.astype(get_default_dtype()))
