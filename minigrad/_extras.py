"""PyTorch's top-level functions beyond the tensor ops (issue 12, part 2): factories, stacking,
grids and broadcasting, conversions, dtype checks, ``inference_mode``.

The differentiable ones are made of existing ops (``cat``, ``reshape``, ``expand``), so their
gradients are those ops' gradients.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minigrad._device import check_device
from minigrad._dtype import category, get_default_dtype
from minigrad._grad_mode import no_grad
from minigrad.ops.shape import cat
from minigrad.tensor import Tensor, _check_requires_grad

#: ``torch.dtype``: minigrad's dtypes are NumPy's, so ``isinstance(x.dtype, mg.dtype)`` holds
dtype = np.dtype


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _tensors(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): expected a sequence of tensors, got {type(tensors).__name__}")
    if len(tensors) == 0:
        raise RuntimeError(f"{op}(): expects a non-empty TensorList")
    return [_t(x) for x in tensors]


# ---------------------------------------------------------------------- factories
def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """``steps`` values base^t for t evenly spaced from ``start`` to ``end``."""
    check_device(device)
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps!r}")
    d = get_default_dtype() if dtype is None else np.dtype(dtype)
    arr = np.asarray(float(base) ** np.linspace(float(start), float(end), int(steps)))
    arr = np.round(arr) if d.kind in "iu" else arr
    _check_requires_grad(d, requires_grad)
    return Tensor._make(arr.astype(d), bool(requires_grad))


# ---------------------------------------------------------------------- joining
def concat(tensors: Any, dim: int = 0) -> Tensor:
    """``torch.cat`` under its other names."""
    return cat(tensors, dim)


concatenate = concat


def _atleast(x: Tensor, n: int) -> Tensor:
    if x.ndim >= n:
        return x
    if n == 1 or x.ndim == 0:
        return x.reshape((1,) * n)
    return x.reshape(1, -1) if n == 2 else x.reshape(1, -1, 1) if x.ndim == 1 else x.unsqueeze(-1)


def atleast_1d(*tensors: Any) -> Any:
    ts = [_atleast(_t(x), 1) for x in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                                       else tensors)]
    return ts[0] if len(ts) == 1 else tuple(ts)


def atleast_2d(*tensors: Any) -> Any:
    ts = [_atleast(_t(x), 2) for x in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                                       else tensors)]
    return ts[0] if len(ts) == 1 else tuple(ts)


def hstack(tensors: Any) -> Tensor:
    """Join side by side: along dim 0 for 1-D tensors, else dim 1 (``torch.hstack``)."""
    ts = [_atleast(t, 1) for t in _tensors(tensors, "hstack")]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """Join one above the other: 1-D tensors become rows (``torch.vstack``, also ``row_stack``)."""
    return cat([_atleast(t, 2) for t in _tensors(tensors, "vstack")], 0)


row_stack = vstack


def column_stack(tensors: Any) -> Tensor:
    """Join as columns: 0-D and 1-D tensors become columns (``torch.column_stack``)."""
    ts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensors(tensors, "column_stack")]
    return cat(ts, 1)


def dstack(tensors: Any) -> Tensor:
    """Join along the third dim, 1-D tensors as (1, n, 1) and matrices as (m, n, 1) (``torch.dstack``)."""
    ts = []
    for t in _tensors(tensors, "dstack"):
        t = t.reshape(1, -1, 1) if t.ndim <= 1 else t.unsqueeze(-1) if t.ndim == 2 else t
        ts.append(t)
    return cat(ts, 2)


# ---------------------------------------------------------------------- grids and broadcasting
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (``torch.meshgrid``): ``indexing='ij'`` (the default, as PyTorch)
    or ``'xy'`` (the first two dims swapped, as NumPy's default). Differentiable: reshape and expand."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [_t(x) for x in tensors]
    indexing = "ij" if indexing is None else indexing
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.shape}")
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    grids = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = shape[i]
        grids.append(t.reshape(*view).expand(*shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape the given shapes broadcast to (``torch.broadcast_shapes``)."""
    try:
        return tuple(np.broadcast_shapes(*[(s,) if isinstance(s, numbers.Integral) else tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {list(shapes)} cannot be broadcast together") from None


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (differentiable: the gradients sum back)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [_t(x) for x in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(t if t.shape == shape else t.expand(*shape) for t in ts)


# ---------------------------------------------------------------------- indices
def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002 - PyTorch's name
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or with ``as_tuple`` one 1-D
    index tensor per dim (what ``x[mask]`` style indexing takes)."""
    a = _t(input)._data
    if as_tuple:
        if a.ndim == 0:
            return (Tensor._make(np.flatnonzero(a.reshape(1)).astype(np.int64)),)
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(a))
    return Tensor._make(np.argwhere(a).astype(np.int64).reshape(-1, a.ndim))


def argwhere(input: Any) -> Tensor:  # noqa: A002
    """``nonzero(input)``."""
    return nonzero(input)


# ---------------------------------------------------------------------- conversions and dtypes
def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can (``torch.as_tensor``): a Tensor of the right
    dtype is returned as it is; a NumPy array of the right dtype is wrapped without a copy."""
    check_device(device)
    d = None if dtype is None else np.dtype(dtype)
    if isinstance(data, Tensor):
        return data if d is None or data.dtype == d else data.to(d)
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d) and data.dtype.kind in "biufc":
        return Tensor._make(data)
    return Tensor(data, dtype=d)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor (``torch.asarray``): shares memory unless ``copy=True`` or a dtype change needs one;
    ``copy=False`` raises when a copy is needed."""
    check_device(device)
    d = None if dtype is None else np.dtype(dtype)
    if isinstance(obj, Tensor):
        shared = obj if d is None or obj.dtype == d else None
        if shared is None and copy is False:
            raise ValueError(f"asarray: copy=False but converting {obj.dtype} to {d} needs a copy")
        out = obj.detach().clone() if copy else shared if shared is not None else obj.detach().to(d)
    elif isinstance(obj, np.ndarray):
        needs_copy = (d is not None and obj.dtype != d) or obj.dtype.kind not in "biufc"
        if needs_copy and copy is False:
            raise ValueError(f"asarray: copy=False but converting {obj.dtype} to {d} needs a copy")
        out = Tensor(obj, dtype=d) if copy or needs_copy else Tensor._make(obj)
    else:
        if copy is False and not hasattr(obj, "__array__"):
            raise ValueError(f"asarray: copy=False but a {type(obj).__name__} has to be copied into a tensor")
        out = Tensor(obj, dtype=d)
    if requires_grad:
        out.requires_grad_(True)
    return out


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` → ``to`` (``torch.can_cast``): any cast that does not
    go down a category (complex → float → integer → bool) is allowed, narrowing within a category too."""
    return category(np.dtype(from_)) <= category(np.dtype(to))


def is_complex(input: Any) -> bool:  # noqa: A002
    return _t(input).dtype.kind == "c"


class inference_mode(no_grad):
    """``torch.inference_mode``: ops record no graph (here the same as ``no_grad``); ``mode=False``
    leaves recording as it is. A context manager and a decorator (``@inference_mode()`` or bare)."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = False if mode else None

    def __enter__(self) -> None:
        if self._mode is None:
            from minigrad._grad_mode import _state

            self._prev = _state.enabled
            return
        super().__enter__()

    def __call__(self, fn: Any) -> Any:
        if self._mode is None:
            return fn
        return super().__call__(fn)

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)
