"""Tensor factories: ``zeros``, ``ones``, ``rand``, ``arange``, ... (PyTorch signatures)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minigrad._device import check_device
from minigrad._dtype import get_default_dtype
from minigrad._random import resolve_generator
from minigrad.tensor import Tensor, _check_requires_grad, check_numeric


def _shape(size: tuple, op: str) -> tuple[int, ...]:
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0:
            raise ValueError(f"{op}: sizes must be non-negative ints, got {size!r}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def _leaf(arr: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    check_device(device)
    _check_requires_grad(arr.dtype, requires_grad)
    return Tensor._make(arr, bool(requires_grad))


def tensor(
    data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None, device: Any = None
) -> Tensor:
    """A new Tensor (copies ``data``); Python floats become the default dtype (float32)."""
    check_device(device)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor sharing memory with ``array`` (no copy; its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(check_numeric(array, "from_numpy"))


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of zeros; the shape as varargs or one tuple (as ``torch.zeros``)."""
    return _leaf(np.zeros(_shape(size, "zeros"), dtype=_float_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ones; the shape as varargs or one tuple (as ``torch.ones``)."""
    return _leaf(np.ones(_shape(size, "ones"), dtype=_float_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape with unspecified values (as ``torch.empty``: read none before writing)."""
    return _leaf(np.empty(_shape(size, "empty"), dtype=_float_dtype(dtype)), requires_grad, device)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (the dtype inferred from it unless given)."""
    if dtype is None:
        dtype = np.asarray(fill_value).dtype if not isinstance(fill_value, float) else get_default_dtype()
        if np.dtype(dtype) == np.float64:
            dtype = get_default_dtype()
    if not isinstance(fill_value, (bool, int, float, complex, np.number, np.bool_, Tensor)):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__}")
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _leaf(np.full(_shape((size,), "full"), value, dtype=np.dtype(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """The n×m identity matrix (``m`` defaults to ``n``)."""
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); integers unless a bound or ``dtype`` is float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = np.int64 if all_int else get_default_dtype()
    return _leaf(np.arange(start, end, step).astype(dtype), requires_grad, device)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return _leaf(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad, device)


def rand(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples from [0, 1)."""
    rng = resolve_generator(generator)
    return _leaf(rng.random(_shape(size, "rand")).astype(_float_dtype(dtype)), requires_grad, device)


def randn(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples."""
    rng = resolve_generator(generator)
    return _leaf(rng.standard_normal(_shape(size, "randn")).astype(_float_dtype(dtype)), requires_grad, device)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    generator: Any = None,
    dtype: Any = np.int64,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(low, high, size)`` or ``randint(high, size)``."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None or high is None:
        raise TypeError("randint: give randint(low, high, size) or randint(high, size), with size a tuple")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    rng = resolve_generator(generator)
    arr = rng.integers(low, high, size=_shape((size,), "randint")).astype(dtype)
    return _leaf(arr, requires_grad, device)


def randperm(
    n: int, generator: Any = None, dtype: Any = np.int64, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    return _leaf(resolve_generator(generator).permutation(int(n)).astype(dtype), requires_grad, device)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(mean, std²); ``mean``/``std`` numbers (then ``size`` is needed) or tensors (broadcast)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    sd = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(sd) < 0):
        raise RuntimeError(f"normal: std must be >= 0, got {std!r}")
    shape = _shape((size,), "normal") if size is not None else np.broadcast_shapes(np.shape(m), np.shape(sd))
    if dtype is None:
        kinds = [np.asarray(v).dtype for v in (m, sd) if isinstance(v, np.ndarray)]
        dtype = kinds[0] if kinds and kinds[0].kind == "f" else get_default_dtype()
    arr = resolve_generator(generator).normal(m, sd, size=shape).astype(dtype)
    return _leaf(arr, requires_grad, device)


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    return t.shape, (t.dtype if dtype is None else np.dtype(dtype))


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Zeros with ``t``'s shape (and dtype unless given)."""
    shape, d = _like(t, dtype)
    return _leaf(np.zeros(shape, dtype=d), requires_grad, device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Ones with ``t``'s shape (and dtype unless given)."""
    shape, d = _like(t, dtype)
    return _leaf(np.ones(shape, dtype=d), requires_grad, device)


def full_like(
    t: Tensor, fill_value: float, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """``fill_value`` with ``t``'s shape (and dtype unless given)."""
    shape, d = _like(t, dtype)
    return _leaf(np.full(shape, fill_value, dtype=d), requires_grad, device)


def rand_like(
    t: Tensor,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples in [0, 1) with ``t``'s shape (and float dtype unless given)."""
    shape, d = _like(t, dtype)
    return _leaf(resolve_generator(generator).random(shape).astype(d), requires_grad, device)


def randn_like(
    t: Tensor,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples with ``t``'s shape (and float dtype unless given)."""
    shape, d = _like(t, dtype)
    return _leaf(resolve_generator(generator).standard_normal(shape).astype(d), requires_grad, device)
