"""Matrix products: ``matmul`` (1-D, 2-D, batched) and the fused ``linear`` layer op."""
from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function, ShapeError
from minigrad.ops import dual
from minigrad.tensor import Tensor


class MatMul(Function):
    """Z = A @ B;  ∂A = G @ Bᵀ,  ∂B = Aᵀ @ G

    1-D operands are treated as a row (A) or a column (B) vector, as NumPy does;
    broadcast batch dims are summed away by the engine.
    """

    save_inputs = True

    def forward(self, a, b):
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
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

    def backward(self, g):
        x, W, b = self.inputs
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
