"""Fused loss ops: softmax cross-entropy with class-index targets, and binary cross-entropy of
probabilities, each one stable node with PyTorch's numerics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.ops.reduce import _div_count, _stable_max
from minigrad.tensor import Tensor

try:  # np.count_nonzero's C function, without its Python wrapper and dispatcher (~2k instructions a call)
    from numpy._core.multiarray import count_nonzero as _count_nonzero
except ImportError:  # NumPy 1
    from numpy.core.multiarray import count_nonzero as _count_nonzero  # type: ignore[no-redef]

REDUCTIONS = ("mean", "sum", "none")

_ROWS: dict[int, np.ndarray] = {}  # N -> arange(N), read-only: the row indices of a batch of N, made once


def _rows(n: int) -> np.ndarray:
    if len(_ROWS) >= 64:  # many batch sizes: start again rather than grow
        _ROWS.clear()
    rows = _ROWS[n] = np.arange(n)
    rows.flags.writeable = False
    return rows


@declare(functional="cross_entropy", module="CrossEntropyLoss")
class CrossEntropy(Function):
    """ℓᵢ = logsumexp(xᵢ) − xᵢ[tᵢ] = −log softmax(xᵢ)[tᵢ];  ∂xᵢ = g · (softmax(xᵢ) − onehot(tᵢ))

    The max is subtracted before exponentiating, so logits of ±1000 give finite
    values and gradients. ``mean`` divides by the batch size N (float16 losses are summed and
    divided in float32, as PyTorch). A target outside [0, C) raises PyTorch's IndexError.
    """

    # parameters (apply's keyword arguments)
    reduction: str

    save_inputs = True

    def forward(self, x, target):
        # as unsigned integers negative targets are huge, so one comparison checks both t < 0 and t ≥ C
        # (unchecked, NumPy would take t = -1 for the last class); the checked targets then index as they are
        as_unsigned = target.view(np.uint64) if target.dtype == np.int64 else target.astype(np.uint64)
        if _count_nonzero(as_unsigned >= x.shape[1]):  # (a comparison and a count: cheaper than a reduction)
            raise IndexError("target out of bounds")
        rows = _ROWS.get(x.shape[0])
        self.rows = rows if rows is not None else _rows(x.shape[0])
        losses = self._losses(x, target, np.maximum.reduce(x, axis=1, keepdims=True))
        accumulator = np.float32 if x.dtype == np.float16 else None  # reduce._accumulator, inlined: hot
        total = np.add.reduce(losses, dtype=accumulator)
        if not math.isfinite(total):  # rows of ±inf: shift those by 0 rather than by an infinite max
            losses = self._losses(x, target, _stable_max(x, 1))
            total = np.add.reduce(losses, dtype=accumulator)
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
                return IndexError(f"cross_entropy: Target {bad[0]} is out of bounds for {x.shape[1]} classes.")
        return super().error(arrays, exc)

    def backward(self, g, x, target):
        n = x.shape[0]
        if isinstance(g, Tensor):  # differentiating twice (create_graph): the softmax must be on the graph
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[self.rows, target] = 1
            if self.reduction == "mean":
                g = _div_count(g, n)
            g_rows = g.reshape(-1, 1) if self.reduction == "none" else g
            return (x.softmax(1) - onehot) * g_rows, None
        # the same, on the softmax the forward already computed: (p − onehot(t)) · g (/ N)
        grad = self.probs.copy()
        grad[self.rows, target] -= 1
        if self.reduction == "none":
            grad *= g.reshape(-1, 1)
            return grad, None
        if self.reduction == "mean":
            if grad.dtype == np.float16:  # n itself may not fit in float16
                grad *= np.float32(1 / n)
            else:
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


@declare(functional="binary_cross_entropy", module="BCELoss")
class BinaryCrossEntropy(Function):
    """ℓ = −[t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)], elementwise;

        ∂p = g · (p − t) / max(p·(1 − p), 10⁻¹²),   ∂t = g · (log(1 − p) − log p)

    PyTorch's formulas. The forward clamps each log at −100, so a prediction of exactly 0 or
    1 costs 100, not inf; the backward is the derivative of the unclamped loss with its
    denominator kept ≥ 10⁻¹², so a confidently wrong prediction (p = 0 for t = 1) still gets
    a large gradient (−10¹²) rather than the clamp's 0, and p = t ∈ {0, 1} gets exactly 0.
    """

    save_inputs = True

    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        return (t - 1) * log_1mp - t * log_p

    def backward(self, g, p, t):
        need_p, need_t = self.needs_input_grad
        gp = gt = None
        if need_p:
            q = p * (1 - p)
            gp = g * (p - t) / dual.where(dual.array(q) > 1e-12, q, 1e-12)
        if need_t:
            with np.errstate(divide="ignore"):  # PyTorch's target gradient is ±inf at p ∈ {0, 1}
                gt = g * (dual.log(1 - p) - dual.log(p))
        return gp, gt


def _check_unit_interval(values: np.ndarray, what: str) -> None:
    """PyTorch's check that BCE's input and target are in [0, 1] (NaN fails it too)."""
    inside = (values >= 0) & (values <= 1)
    if not inside.all():
        bad = values[~inside].flat[0]
        raise RuntimeError(
            f"binary_cross_entropy: all elements of {what} should be between 0 and 1, got {bad}"
            + (
                "; apply a sigmoid first, or give the logits to binary_cross_entropy_with_logits"
                if what == "input"
                else ""
            )
        )


def binary_cross_entropy(p: Tensor, target: Tensor) -> Tensor:
    """The elementwise BCE of probabilities ``p`` against ``target`` (same shape), both in [0, 1]."""
    _check_unit_interval(p._data, "input")
    _check_unit_interval(target._data, "target")
    return BinaryCrossEntropy.apply(p, target)
