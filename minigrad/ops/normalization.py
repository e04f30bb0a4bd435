"""Fused batch normalisation (training mode): one graph node instead of about ten.

The composed version -- ``μ = x.mean(dims)``, ``σ² = ((x − μ)²).mean(dims)``,
``ẑ = (x − μ)/√(σ² + ε)``, ``γ·ẑ + β`` -- is the reference the tests check this
op against (values, gradients and gradients of gradients); fused, a training
step of a BatchNorm layer runs about as fast as hand-written NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


@declare(functional="batch_norm", module="BatchNorm1d")
class BatchNorm(Function):
    """Per channel, over the ``n`` values in ``dims`` (the batch and length dims)::

        μ = mean(x),   σ² = mean((x − μ)²),   ẑ = (x − μ)/√(σ² + ε),   y = γ·ẑ + β

        ∂β = Σ g,   ∂γ = Σ g·ẑ,   ∂x = γ/√(σ² + ε) · (g − mean(g) − ẑ·mean(g·ẑ))

    ``γ``/``β`` may be ``None``. The batch statistics μ and σ² (biased) are left in
    the ``stats`` dict passed to ``apply`` (for the running averages).
    """

    # parameters (apply's keyword arguments)
    dims: tuple[int, ...]  # the reduced dims
    channel_shape: tuple[int, ...]
    eps: float
    stats: dict[str, Any]  # filled by forward with the batch statistics

    save_inputs = True

    def forward(self, x, weight, bias):
        dims = self.dims
        mean = dual.mean(x, dims, keepdims=True)
        z_hat = x - mean
        var = dual.mean(z_hat * z_hat, dims, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        z_hat *= inv_std
        self.stats["mean"], self.stats["var"] = mean, var
        self.z_hat, self.inv_std = z_hat, inv_std
        out = z_hat * weight.reshape(self.channel_shape) if weight is not None else z_hat.copy()
        if bias is not None:
            out += bias.reshape(self.channel_shape)
        return out

    def backward(self, g, x, weight, _):
        need_x, need_w, need_b = self.needs_input_grad
        dims, channel_shape = self.dims, self.channel_shape
        if isinstance(g, Tensor):
            # differentiating twice: ẑ and 1/√(σ²+ε) must be recorded functions of x
            centered = x - x.mean(axis=dims, keepdims=True)
            inv_std = 1.0 / ((centered * centered).mean(axis=dims, keepdims=True) + self.eps).sqrt()
            z_hat = centered * inv_std
        else:
            z_hat, inv_std = self.z_hat, self.inv_std
        gx = gw = gb = None
        if need_x:
            gz = g * weight.reshape(channel_shape) if weight is not None else g
            gx = inv_std * (
                gz - dual.mean(gz, dims, keepdims=True) - z_hat * dual.mean(gz * z_hat, dims, keepdims=True)
            )
        if need_w:
            gw = dual.sum(g * z_hat, dims).reshape(-1)
        if need_b:
            gb = dual.sum(g, dims).reshape(-1)
        return gx, gw, gb

    def release(self) -> None:
        super().release()
        self.z_hat = self.inv_std = None


def batch_norm_train(
    x: Tensor, weight: Tensor | None, bias: Tensor | None, eps: float
) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """Batch-normalise ``x`` (N, C, ...) with its own statistics; returns ``(y, μ, σ²)`` with μ, σ² of shape (C,)."""
    C = x.shape[1]
    dims = (0, *range(2, x.ndim))
    stats: dict[str, Any] = {}
    y = BatchNorm.apply(x, weight, bias, dims=dims, channel_shape=(C,) + (1,) * (x.ndim - 2), eps=eps, stats=stats)
    return y, stats["mean"].reshape(C), stats["var"].reshape(C)
