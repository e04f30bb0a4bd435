"""Matrix products: ``matmul`` (1-D, 2-D, batched) and the fused ``linear`` layer op."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function, ShapeError
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


@declare(method="matmul", function="matmul")
class MatMul(Function):
    """Z = A @ B;  ∂A = G @ Bᵀ,  ∂B = Aᵀ @ G

    1-D operands are treated as a row (A) or a column (B) vector, as NumPy does;
    broadcast batch dims are summed away by the engine.
    """

    save_inputs = True

    def forward(self, a, b):
        return np.matmul(a, b)

    def backward(self, g, a, b):
        need_a, need_b = self.needs_input_grad
        a_vec, b_vec = np.ndim(a) == 1, np.ndim(b) == 1
        A = a.reshape(1, -1) if a_vec else a
        B = b.reshape(-1, 1) if b_vec else b
        if a_vec and b_vec:
            G = g.reshape(1, 1)
        elif a_vec:
            G = dual.unsqueeze(g, -2)
        elif b_vec:
            G = dual.unsqueeze(g, -1)
        else:
            G = g
        ga = gb = None
        if need_a:
            ga = G @ dual.swap_last(B)
            if a_vec:
                ga = dual.sum_to(ga, (1, a.shape[0])).reshape(a.shape)
        if need_b:
            gb = dual.swap_last(A) @ G
            if b_vec:
                gb = dual.sum_to(gb, (b.shape[0], 1)).reshape(b.shape)
        return ga, gb

    def error(self, arrays, exc):
        sa, sb = np.shape(arrays[0]), np.shape(arrays[1])
        if len(sa) == 0 or len(sb) == 0:
            return ShapeError(f"matmul: both operands need at least 1 dim, got shapes {sa} and {sb}")
        k_a = sa[-1]
        k_b = sb[0] if len(sb) == 1 else sb[-2]
        if k_a != k_b:
            return ShapeError(
                f"matmul: shapes {sa} and {sb} are not aligned: the first has {k_a} columns "
                f"(its last dim) but the second has {k_b} rows "
                f"({'its only dim' if len(sb) == 1 else 'its second-to-last dim'})"
            )
        return ShapeError(f"matmul: the batch dims of shapes {sa} and {sb} cannot be broadcast together")


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics (``a @ b``)."""
    if not isinstance(a, Tensor):
        a = Tensor(a) if not isinstance(a, np.ndarray) else a
    return a @ b


@declare(functional="linear", function="linear", module="Linear")
class Linear(Function):
    """y = x Wᵀ + b;  ∂x = g W,  ∂W = gᵀ x,  ∂b = Σ_batch g   (W has shape (out, in))

    One node for the layer instead of three (transpose, matmul, add): fewer
    temporaries, and the bias is added in place into the fresh product.
    """

    save_inputs = True

    def forward(self, x, W, b):
        out = np.matmul(x, W.T)
        if b is not None:
            if out.ndim:
                out += b
            else:
                out = out + b
        return out

    def backward(self, g, x, W, b):
        need_x, need_W, need_b = self.needs_input_grad
        g2 = g if g.ndim == 2 else g.reshape(-1, W.shape[0])
        gx = g @ W if need_x else None
        gW = gb = None
        if need_W:
            x2 = x if x.ndim == 2 else x.reshape(-1, W.shape[1])
            gW = g2.T @ x2
        if need_b:
            gb = dual.sum(g2, 0)
        return gx, gW, gb

    def error(self, arrays, exc):
        x, W = arrays[0], arrays[1]
        return ShapeError(
            f"linear: the input has {np.shape(x)[-1] if np.ndim(x) else 0} features (shape {np.shape(x)}) "
            f"but the weight of shape {np.shape(W)} expects {np.shape(W)[-1]} "
            f"(weight is (out_features, in_features))"
        )


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one node (``torch.nn.functional.linear``)."""
    w_shape, x_shape = weight._data.shape, x._data.shape
    if len(w_shape) != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {w_shape}")
    if bias is not None and bias._data.shape != w_shape[:1]:
        raise ShapeError(f"linear: bias must have shape ({w_shape[0]},), got {bias.shape}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise Linear().error([x._data, weight._data], ValueError())
    return Linear.apply(x, weight, bias)


# ---------------------------------------------------------------------- torch's named products, diagonals
def _dims_must_be(x: Tensor, ndim: int, op: str, what: str) -> None:
    if x.ndim != ndim:
        raise ShapeError(f"{op}: {what} must be {ndim}-D, got shape {x.shape}")


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (``torch.mm``; no broadcasting, unlike ``matmul``)."""
    _dims_must_be(a, 2, "mm", "self (the first matrix)")
    _dims_must_be(b, 2, "mm", "mat2 (the second matrix)")
    return a @ b


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product of (B, n, m) and (B, m, p) tensors (``torch.bmm``; no broadcasting)."""
    _dims_must_be(a, 3, "bmm", "batch1")
    _dims_must_be(b, 3, "bmm", "batch2")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeError(
            f"bmm: batch2 must have shape ({a.shape[0]}, {a.shape[2]}, p) to multiply batch1 of "
            f"shape {a.shape}, got {b.shape}"
        )
    return a @ b


def mv(a: Tensor, v: Tensor) -> Tensor:
    """Matrix times vector (``torch.mv``)."""
    _dims_must_be(a, 2, "mv", "the matrix")
    _dims_must_be(v, 1, "mv", "the vector")
    return a @ v


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of one length (``torch.dot``)."""
    _dims_must_be(a, 1, "dot", "the first tensor")
    _dims_must_be(b, 1, "dot", "the second tensor")
    if a.shape != b.shape:
        raise ShapeError(f"dot: the tensors must have the same length, got shapes {a.shape} and {b.shape}")
    return a @ b


def outer(a: Tensor, b: Tensor) -> Tensor:
    """Outer product: out[i, j] = a[i] · b[j] (``torch.outer``); gradients through the product."""
    _dims_must_be(a, 1, "outer", "the first tensor")
    _dims_must_be(b, 1, "outer", "the second tensor")
    return a.reshape(-1, 1) * b.reshape(1, -1)


def _diagonal_index(rows: int, cols: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of diagonal ``k`` of a rows×cols matrix (k > 0 above the main one)."""
    n = max(min(rows, cols - k) if k >= 0 else min(rows + k, cols), 0)
    i = np.arange(n)
    return (i, i + k) if k >= 0 else (i - k, i)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` of the matrices in dims ``dim1``, ``dim2`` (as the last dim);
    the gradient goes back to the diagonal's places. (A copy: PyTorch gives a view.)"""
    from minigrad.tensor import _wrap_dim

    if x.ndim < 2:
        raise RuntimeError(f"diagonal: needs at least 2 dims, got shape {x.shape}")
    d1, d2 = _wrap_dim(dim1, x.ndim, "diagonal"), _wrap_dim(dim2, x.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 must differ, both are {d1}")
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    m = x.permute(*rest, d1, d2)
    r, c = _diagonal_index(x.shape[d1], x.shape[d2], int(offset))
    return m[(Ellipsis, r, c)]


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """``torch.diag``: a 1-D tensor becomes a square matrix with it on diagonal ``diagonal``;
    a 2-D tensor gives that diagonal as a 1-D tensor. Differentiable both ways."""
    from minigrad.ops.index import IndexScatter

    k = int(diagonal)
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        r, c = _diagonal_index(n, n, k)
        return IndexScatter.apply(x, index=(r, c), size=(n, n))
    if x.ndim == 2:
        r, c = _diagonal_index(x.shape[0], x.shape[1], k)
        return x[r, c]
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")
