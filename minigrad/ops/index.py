"""Indexing: ints, slices, None, ..., integer arrays and bool masks (NumPy semantics).

The gradient of ``x[index]`` scatters g back into zeros of x's shape; with
integer arrays an index may repeat, so contributions are added (``np.add.at``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


def convert_index(index: Any) -> Any:
    """Tensors and lists in an index become NumPy arrays."""
    if isinstance(index, tuple):
        return tuple(_convert_one(i) for i in index)
    return _convert_one(index)


def _convert_one(i: Any) -> Any:
    if isinstance(i, Tensor):
        i = i._data
    elif isinstance(i, list):
        i = np.asarray(i)
    if isinstance(i, np.ndarray) and i.dtype.kind not in "biu":
        raise IndexError(f"index: tensors used as indices must be integer or bool, got {i.dtype}")
    return i


def _has_int_array(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in parts)


class GetItem(Function):
    """y = x[index];  ∂x = zeros with g scattered (added) into the indexed places"""

    # parameters (apply's keyword arguments)
    index: Any  # a NumPy index

    view_of_input = True

    def forward(self, x):
        self.in_shape = x.shape
        out = x[self.index]
        if type(out) is not np.ndarray:  # one element: NumPy gives a scalar, PyTorch a 0-d view
            index = self.index if isinstance(self.index, tuple) else (self.index,)
            if not any(i is Ellipsis for i in index):
                out = x[index + (Ellipsis,)]
        return out

    def backward(self, g):
        return dual.scatter_add(g, self.index, self.in_shape)

    def error(self, arrays, exc):
        return IndexError(f"index: {exc} (indexing a tensor of shape {np.shape(arrays[0])})")


class IndexScatter(Function):
    """y = zeros(size) with y[index] += g;  ∂g = y's gradient at index"""

    # parameters (apply's keyword arguments)
    index: Any  # a NumPy index
    size: tuple[int, ...]  # the result's shape

    def forward(self, g):
        return scatter_add_array(g, self.index, self.size)

    def backward(self, gg):
        return gg[self.index]


class IndexPut(Function):
    """y = x with y[index] = v;  ∂x = g with zeros at index,  ∂v = g[index]"""

    # parameters (apply's keyword arguments)
    index: Any  # a NumPy index

    def forward(self, x, v):
        out = x.copy()
        target = out[self.index]
        self.squeezed = None
        if np.ndim(v) > np.ndim(target) and np.size(v) == np.size(target):
            self.squeezed = np.shape(v)  # e.g. a (1,) value into one element, as PyTorch allows
            v = np.reshape(v, np.shape(target))
        out[self.index] = v
        return out

    def backward(self, g):
        need_x, need_v = self.needs_input_grad
        gx = dual.index_put(g, self.index, 0.0) if need_x else None
        gv = g[self.index] if need_v else None
        if gv is not None and self.squeezed is not None:
            gv = gv.reshape(self.squeezed)
        return gx, gv

    def error(self, arrays, exc):
        return IndexError(
            f"index assignment: {exc} (tensor of shape {np.shape(arrays[0])}, value of shape {np.shape(arrays[1])})"
        )


def scatter_add_array(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _has_int_array(index):
        np.add.at(out, index, g)  # repeated indices accumulate
    else:
        out[index] = g
    return out


def getitem(x: Tensor, index: Any) -> Tensor:
    return GetItem.apply(x, index=convert_index(index))


@declare(functional="embedding", module="Embedding")
class Embedding(Function):
    """y = W[indices] (one row of W per index);  ∂W = zeros(W.shape) with row i of g added at indices[i]

    Repeated indices add up. Rows of g at ``padding_idx`` are dropped (that row of W gets no
    gradient), and with ``scale_grad_by_freq`` each is divided by how often its index occurs
    in ``indices``, as PyTorch's ``embedding``.
    """

    # parameters (apply's keyword arguments)
    indices: np.ndarray
    padding_idx: int | None
    scale_grad_by_freq: bool

    def forward(self, weight):
        self.weight_shape = weight.shape
        return weight[self.indices]

    def backward(self, g):
        indices = self.indices
        scale = None
        if self.padding_idx is not None:
            scale = (indices != self.padding_idx).astype(dual.array(g).dtype)
        if self.scale_grad_by_freq:
            counts = np.bincount(indices.reshape(-1), minlength=self.weight_shape[0])
            freq = (1.0 / counts[indices]).astype(dual.array(g).dtype)
            scale = freq if scale is None else scale * freq
        if scale is not None:
            g = g * scale[..., None]
        return dual.scatter_add(g, indices, self.weight_shape)
