"""Fused loss ops: softmax cross-entropy with class-index targets, in one stable node."""
from __future__ import annotations

import math
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
        # as unsigned integers negative targets are huge: indexing's bounds check rules out t < 0 and t ≥ C
        index = target.view(np.uint64) if target.dtype == np.int64 else target.astype(np.uint64)
        self.rows = np.arange(x.shape[0])
        losses = self._losses(x, index, np.maximum.reduce(x, axis=1, keepdims=True))
        total = np.add.reduce(losses)
        if not math.isfinite(total):  # rows of ±inf: shift those by 0 rather than by an infinite max
            losses = self._losses(x, index, _stable_max(x, 1))
            total = np.add.reduce(losses)
        if self.reduction == "mean":
            return np.asarray(total / x.shape[0], dtype=x.dtype)
        if self.reduction == "sum":
            return np.asarray(total, dtype=x.dtype)
        return losses

    def _losses(self, x: np.ndarray, index: np.ndarray, row_max: np.ndarray) -> np.ndarray:
        """ℓᵢ = log Σⱼ e^{sᵢⱼ} − sᵢ[tᵢ] with s = x − max; keeps softmax(x) for backward."""
        shifted = x - row_max
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        e /= total
        self.probs = e
        return np.log(total[:, 0]) - shifted[self.rows, index]

    def error(self, arrays: list, exc: Exception) -> Exception:
        x, t = arrays
        if isinstance(exc, IndexError) and np.ndim(x) == 2:
            bad = t[(t < 0) | (t >= x.shape[1])]
            if bad.size:
                return IndexError(f"cross_entropy: target {bad[0]} is out of bounds for {x.shape[1]} classes")
        return super().error(arrays, exc)

    def backward(self, g):
        x, target = self.inputs
        n = x.shape[0]
        if is_grad_enabled():  # differentiating twice: the softmax must be on the graph
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[self.rows, target] = 1
            if self.reduction == "mean":
                g = g / n
            g_rows = g.reshape(-1, 1) if self.reduction == "none" else g
            return (x.softmax(1) - onehot) * g_rows, None
        # the same, on the softmax the forward already computed: (p − onehot(t)) · g (/ N)
        grad = self.probs.copy()
        grad[self.rows, target] -= 1
        if self.reduction == "none":
            grad *= g.reshape(-1, 1)
            return grad, None
        if self.reduction == "mean":
            grad /= n
        if float(g) != 1.0:  # backward() from this loss passes 1: nothing to scale
            grad *= g
        return grad, None

    def release(self) -> None:
        super().release()
        self.probs = None


def cross_entropy_with_indices(x: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits ``x`` (N, C) against class indices ``target`` (N,)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
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
    return CrossEntropy.apply(x, t, reduction=reduction)
