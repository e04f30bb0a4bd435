"""Fused loss ops: softmax cross-entropy with class-index targets, in one stable node."""
from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._grad_mode import is_grad_enabled
from minigrad.autograd.function import Function
from minigrad.ops.reduce import _stable_max
from minigrad.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


class CrossEntropy(Function):
    """ℓᵢ = logsumexp(xᵢ) − xᵢ[tᵢ] = −log softmax(xᵢ)[tᵢ];  ∂xᵢ = g · (softmax(xᵢ) − onehot(tᵢ))

    The max is subtracted before exponentiating, so logits of ±1000 give finite
    values and gradients. ``mean`` divides by the batch size N.
    """

    save_inputs = True

    def forward(self, x, target):
        shifted = x - _stable_max(x, 1)
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        self.probs = e / total
        self.rows = np.arange(x.shape[0])
        losses = np.log(total[:, 0]) - shifted[self.rows, target]
        if self.reduction == "mean":
            return np.asarray(np.add.reduce(losses) / x.shape[0], dtype=x.dtype)
        if self.reduction == "sum":
            return np.asarray(np.add.reduce(losses), dtype=x.dtype)
        return losses

    def backward(self, g):
        x, target = self.inputs
        n = x.shape[0]
        if self.reduction == "mean":
            g = g / n
        g_rows = g.reshape(-1, 1) if self.reduction == "none" else g
        if is_grad_enabled():  # differentiating twice: the softmax must be on the graph
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[self.rows, target] = 1
            return (x.softmax(1) - onehot) * g_rows, None
        # the same, on the softmax the forward already computed: (p − onehot(t)) · g
        grad = self.probs.copy()
        grad[self.rows, target] -= 1
        grad *= g_rows
        return grad, None

    def release(self) -> None:
        super().release()
        self.probs = None


def cross_entropy_with_indices(x: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits ``x`` (N, C) against class indices ``target`` (N,)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if x.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be 2-D (N, C), got shape {x.shape}")
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: class-index targets must be integers, got dtype {t.dtype} "
            "(for class probabilities give a float target of the logits' shape)"
        )
    if t.shape != (x.shape[0],):
        raise ValueError(
            f"cross_entropy: target of shape {t.shape} does not fit logits of shape {x.shape}; "
            f"expected class indices of shape ({x.shape[0]},)"
        )
    # one reduction checks 0 ≤ t < C: as unsigned integers, negative targets become huge
    unsigned = t.view(np.uint64) if t.dtype == np.int64 else t.astype(np.uint64)
    if t.size and np.maximum.reduce(unsigned, axis=None) >= x.shape[1]:
        bad = t[(t < 0) | (t >= x.shape[1])][0]
        raise IndexError(f"cross_entropy: target {bad} is out of bounds for {x.shape[1]} classes")
    return CrossEntropy.apply(x, t, reduction=reduction)
