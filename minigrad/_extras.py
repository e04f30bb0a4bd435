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
def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
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
    """Each tensor viewed with at least 1 dimension (one tensor in, one out; several in, a tuple)."""
    ts = [
        _atleast(_t(x), 1)
        for x in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors)
    ]
    return ts[0] if len(ts) == 1 else tuple(ts)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 2 dimensions (one tensor in, one out; several in, a tuple)."""
    ts = [
        _atleast(_t(x), 2)
        for x in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors)
    ]
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
        raise ValueError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
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


def asarray(
    obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None, requires_grad: bool = False
) -> Tensor:
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

    _mode: bool | None  # type: ignore[assignment]  # None: leave recording as it is (checked before use)

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


# ---------------------------------------------------------------------- more of PyTorch's namespace
#: ``torch.Size``: shapes are tuples here, so ``x.shape == mg.Size([2, 3])`` and ``isinstance(x.shape, mg.Size)``
Size = tuple


def empty_like(input: Any, *, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:  # noqa: A002
    """A tensor shaped like ``input`` (filled with zeros: NumPy gives no uninitialised memory worth having)."""
    check_device(device)
    x = _t(input)
    d = x.dtype if dtype is None else np.dtype(dtype)
    _check_requires_grad(d, requires_grad)
    return Tensor._make(np.zeros(x.shape, dtype=d), bool(requires_grad))


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s`` (the default float dtype unless ``dtype`` is given)."""
    check_device(device)
    d = get_default_dtype() if dtype is None else np.dtype(dtype)
    _check_requires_grad(d, requires_grad)
    return Tensor._make(np.asarray(s, dtype=d), bool(requires_grad))


def randint_like(
    input: Any,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: Any = None,  # noqa: A002
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    """Random integers in [low, high) shaped like ``input`` (``randint_like(x, high)`` or ``(x, low, high)``)."""
    from minigrad._random import resolve_generator

    check_device(device)
    if high is None:
        low, high = 0, low
    x = _t(input)
    d = x.dtype if dtype is None else np.dtype(dtype)
    return Tensor._make(resolve_generator(generator).integers(low, high, x.shape).astype(d))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = np.int64, device: Any = None) -> Tensor:
    """The (2, n) indices of the upper triangle of a row × col matrix, row by row."""
    check_device(device)
    return Tensor._make(np.stack(np.triu_indices(row, offset, col)).astype(dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = np.int64, device: Any = None) -> Tensor:
    """The (2, n) indices of the lower triangle of a row × col matrix, row by row."""
    check_device(device)
    return Tensor._make(np.stack(np.tril_indices(row, offset, col)).astype(dtype))


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """Values at ``indices`` along ``dim`` (broadcast against each other), or of the flattened input."""
    from minigrad.ops.select import _take_along

    x = _t(input)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        return _take_along(x.reshape(-1), 0, idx.reshape(-1))
    from minigrad.tensor import _wrap_dim

    d = _wrap_dim(dim, x.ndim, "take_along_dim")
    shape = list(
        np.broadcast_shapes(
            tuple(n if i != d else 1 for i, n in enumerate(x.shape)),
            tuple(n if i != d else 1 for i, n in enumerate(idx.shape)),
        )
    )
    xs, is_ = list(shape), list(shape)
    xs[d], is_[d] = x.shape[d], idx.shape[d]
    if tuple(xs) != x.shape:
        x = x.expand(*xs)
    return _take_along(x, d, np.broadcast_to(idx, tuple(is_)))


def select(input: Any, dim: int, index: int) -> Tensor:  # noqa: A002
    """``input`` indexed at ``index`` along ``dim`` (that dim removed)."""
    x = _t(input)
    from minigrad.tensor import _wrap_dim

    d = _wrap_dim(dim, x.ndim, "select")
    return x[(slice(None),) * d + (index,)]


def cartesian_prod(*tensors: Any) -> Tensor:
    """All combinations of the elements of 1-D tensors, as rows (one tensor: itself)."""
    ts = [_t(x) for x in tensors]
    if len(ts) == 1:
        return ts[0]
    from minigrad.ops.shape import stack

    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], 1)


def block_diag(*tensors: Any) -> Tensor:
    """The matrices (0-D and 1-D tensors as 1 × n rows) along the diagonal of a zero matrix."""
    from minigrad.ops.shape import pad

    ts = [_t(x) for x in tensors]
    ts = [t.reshape(1, -1) if t.ndim < 2 else t for t in ts]
    if not ts:
        return Tensor._make(np.zeros((0, 0), dtype=get_default_dtype()))
    cols = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        rows.append(pad(t, (left, cols - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, 0)


def trapezoid(y: Any, x: Any = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """∫ y by the trapezoidal rule along ``dim``: spacing ``dx`` (1 by default) or sample points ``x``."""
    from minigrad.tensor import _wrap_dim

    y = _t(y)
    d = _wrap_dim(dim, y.ndim, "trapezoid")
    hi = (slice(None),) * d + (slice(1, None),)
    lo = (slice(None),) * d + (slice(None, -1),)
    mids = (y[hi] + y[lo]) * 0.5
    if x is None:
        return mids.sum(d) * (1.0 if dx is None else dx)
    xt = _t(x)
    if xt.ndim == 1:
        widths = xt[1:] - xt[:-1]
        widths = widths.reshape(*[-1 if i == d else 1 for i in range(y.ndim)])
    else:
        widths = xt[hi] - xt[lo]
    return (mids * widths).sum(d)


trapz = trapezoid


def vdot(a: Any, b: Any) -> Tensor:
    """Σ conj(a)·b of two 1-D tensors (for real tensors the dot product)."""
    a, b = _t(a), _t(b)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return (a.conj() if a.dtype.kind == "c" and hasattr(a, "conj") else a).dot(b)


def chain_matmul(*matrices: Any) -> Tensor:
    """m₁ @ m₂ @ … (deprecated in PyTorch for ``linalg.multi_dot``)."""
    out = _t(matrices[0])
    for m in matrices[1:]:
        out = out @ m
    return out


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` is in ``test_elements`` (a bool tensor; no gradient)."""
    e = _t(elements)._data
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return Tensor._make(np.isin(e, t, invert=invert))


# the knobs of PyTorch's CPU runtime: NumPy's are set outside Python, so these only remember what was asked
_settings: dict[str, Any] = {"threads": 1, "deterministic": False, "matmul_precision": "highest"}


def set_num_threads(n: int) -> None:
    """Remembered only: NumPy's BLAS threads are set by OPENBLAS_NUM_THREADS / OMP_NUM_THREADS at start."""
    _settings["threads"] = int(n)


def get_num_threads() -> int:
    """The value last given to ``set_num_threads`` (NumPy's BLAS picks its own thread count)."""
    return _settings["threads"]


def set_num_interop_threads(n: int) -> None:
    """Nothing to set: minigrad runs ops one at a time."""


def get_num_interop_threads() -> int:
    """The number of inter-op threads (minigrad runs ops one after another: 1)."""
    return 1


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """minigrad's ops are deterministic on the CPU already; the flag is remembered."""
    _settings["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` was called."""
    return _settings["deterministic"]


def set_float32_matmul_precision(precision: str) -> None:
    """Remembered only: float32 matmuls run at NumPy's (full) precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"set_float32_matmul_precision: expected 'highest', 'high' or 'medium', got {precision!r}")
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision last set (``'highest'`` by default; NumPy ignores it)."""
    return _settings["matmul_precision"]


class _LegacyTensorType(type):
    """``torch.FloatTensor`` and kin: ``isinstance(x, mg.FloatTensor)`` checks the dtype."""

    dtype_: np.dtype  # set on each class made by _legacy_type

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype_


def _legacy_type(name: str, d: Any) -> type:
    def __new__(cls: type, *args: Any) -> Tensor:  # noqa: N807
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            return Tensor(args[0], dtype=d)  # FloatTensor([1, 2]): the values
        shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], tuple) else args or (0,)
        return Tensor._make(np.zeros(tuple(int(s) for s in shape), dtype=d))  # FloatTensor(2, 3): a shape

    return _LegacyTensorType(
        name,
        (),
        {
            "__new__": __new__,
            "dtype_": np.dtype(d),
            "__doc__": f"The legacy ``torch.{name}``: ``{name}([values])`` or ``{name}(*shape)``.",
        },
    )


FloatTensor = _legacy_type("FloatTensor", np.float32)
DoubleTensor = _legacy_type("DoubleTensor", np.float64)
HalfTensor = _legacy_type("HalfTensor", np.float16)
LongTensor = _legacy_type("LongTensor", np.int64)
IntTensor = _legacy_type("IntTensor", np.int32)
ShortTensor = _legacy_type("ShortTensor", np.int16)
CharTensor = _legacy_type("CharTensor", np.int8)
ByteTensor = _legacy_type("ByteTensor", np.uint8)
BoolTensor = _legacy_type("BoolTensor", np.bool_)


def clamp_min(input: Any, min: Any) -> Tensor:  # noqa: A002
    """max(input, min), elementwise: ``clamp(input, min=min)``."""
    return _t(input).clamp(min=min)


def clamp_max(input: Any, max: Any) -> Tensor:  # noqa: A002
    """min(input, max), elementwise: ``clamp(input, max=max)``."""
    return _t(input).clamp(max=max)


def sgn(input: Any) -> Tensor:  # noqa: A002
    """The sign of each element, −1, 0 or 1 (``sign`` for real tensors)."""
    return _t(input).sign()


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    """``input`` with dimensions ``axis0`` and ``axis1`` swapped (``transpose``)."""
    return _t(input).transpose(axis0, axis1)


swapdims = swapaxes


def ravel(input: Any) -> Tensor:  # noqa: A002
    """``input`` flattened to 1-D."""
    return _t(input).reshape(-1)


def _integer_op(name: str, fn: Any) -> Any:
    def op(input: Any, other: Any = None) -> Tensor:  # noqa: A002
        a = _t(input)._data
        if other is None:
            out = fn(a)
        else:
            out = fn(a, other._data if isinstance(other, Tensor) else other)
        return Tensor._make(np.asarray(out))

    op.__name__ = name
    op.__doc__ = f"``torch.{name}`` on integer (and bool) tensors, elementwise (no gradient)."
    return op


gcd = _integer_op("gcd", np.gcd)
lcm = _integer_op("lcm", np.lcm)
bitwise_and = _integer_op("bitwise_and", np.bitwise_and)
bitwise_or = _integer_op("bitwise_or", np.bitwise_or)
bitwise_xor = _integer_op("bitwise_xor", np.bitwise_xor)
bitwise_not = _integer_op("bitwise_not", np.invert)


def isreal(input: Any) -> Tensor:  # noqa: A002
    """True where an element has no imaginary part (everywhere for real dtypes)."""
    a = _t(input)._data
    return Tensor._make(np.isreal(a) if a.dtype.kind == "c" else np.ones(a.shape, dtype=bool))
