"""What gradient rules use besides operators, for Tensors and raw arrays alike.

A backward rule is written once. With ``create_graph=True`` the engine hands it
Tensors, so the rule records a graph (higher derivatives); otherwise it hands
it NumPy arrays, so the rule costs no more than hand-written NumPy. Operators,
``.T``, ``.reshape`` and indexing already work on both; the functions here cover
the rest. (Reductions go through ``sum``/``mean`` here rather than the ndarray
methods, which detour through Python wrappers inside NumPy: on the small arrays
of a training step that detour costs more than the arithmetic.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.broadcast import sum_to_array
from minigrad.tensor import Tensor


def array(x: Any) -> Any:
    """The values as an array (for masks and other constants of a rule)."""
    return x._data if isinstance(x, Tensor) else x


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 - the math name
    """Σ over ``axis``."""
    if isinstance(x, Tensor):
        return x.sum(axis, keepdims)
    return np.add.reduce(x, axis=axis, keepdims=keepdims)  # type: ignore[call-overload]  # numpy's stubs type keepdims as a Literal


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The mean over ``axis``."""
    if isinstance(x, Tensor):
        return x.mean(axis, keepdims)
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / n  # type: ignore[call-overload]  # numpy's stubs type keepdims as a Literal


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    return x.broadcast_to(shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)


def sum_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Sum broadcast dims away so the result has ``shape``."""
    if isinstance(x, Tensor):
        return x.sum_to(shape)
    return x if x.shape == shape else sum_to_array(x, shape)


def permute(x: Any, dims: tuple[int, ...]) -> Any:
    return x.permute(dims) if isinstance(x, Tensor) else np.transpose(x, dims)


def unsqueeze(x: Any, dim: int) -> Any:
    return x.unsqueeze(dim) if isinstance(x, Tensor) else np.expand_dims(x, dim)


def swap_last(x: Any) -> Any:
    """Swap the last two dims (the batched matrix transpose)."""
    return x.mT if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)


def where(cond: Any, a: Any, b: Any) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from minigrad.ops.elementwise import where as tensor_where

        return tensor_where(cond, a, b)
    return np.where(cond, a, b)


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def softmax(x: Any, dim: int) -> Any:
    if isinstance(x, Tensor):
        return x.softmax(dim)
    e = np.exp(x - np.maximum.reduce(x, axis=dim, keepdims=True))
    return e / np.add.reduce(e, axis=dim, keepdims=True)


def scatter_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """zeros(shape) with g added at ``index`` (repeated indices accumulate)."""
    from minigrad.ops.index import IndexScatter, scatter_add_array

    if isinstance(g, Tensor):
        return IndexScatter.apply(g, index=index, size=shape)
    return scatter_add_array(g, index, shape)


def index_put(x: Any, index: Any, value: Any) -> Any:
    """A copy of x with x[index] = value."""
    from minigrad.ops.index import IndexPut

    if isinstance(x, Tensor):
        return IndexPut.apply(x, value, index=index)
    out = x.copy()
    out[index] = value
    return out  # (value is a scalar here: the gradient rule zeroes the written places)


def zeros_like(g: Any) -> Any:
    """A gradient of zeros shaped like ``g`` (for piecewise-constant ops: floor, sign, ...)."""
    zeros = np.zeros(g.shape, dtype=g.dtype)
    return Tensor._make(zeros) if isinstance(g, Tensor) else zeros
