"""Random ops: the Bernoulli keep-mask behind (inverted) dropout."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._dtype import get_default_dtype
from minigrad._random import resolve_generator
from minigrad.autograd.function import Function
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


def bernoulli(p: Any, shape: tuple[int, ...] | None = None, generator: Any = None, dtype: Any = None) -> Tensor:
    """A tensor of 0s and 1s, each 1 with probability ``p`` (a number or a tensor of probabilities)."""
    rng = resolve_generator(generator)
    probs = p._data if isinstance(p, Tensor) else np.asarray(p)
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError(f"bernoulli: probabilities must lie in [0, 1], got {p!r}")
    if shape is None:
        shape = probs.shape
    if dtype is None:
        dtype = probs.dtype if probs.dtype.kind == "f" and probs.ndim else get_default_dtype()
    return Tensor._make((rng.random(shape) < probs).astype(dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False, generator: Any = None) -> Tensor:
    """Indices drawn from the categorical distributions in the rows of ``input`` (non-negative weights,
    not necessarily normalised), as ``torch.multinomial``: shape ``(num_samples,)`` or ``(rows, num_samples)``."""
    w = np.asarray(input._data if isinstance(input, Tensor) else input, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {w.shape}")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise RuntimeError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either inf, nan or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > w.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} > {w.shape[-1]} categories without replacement")
    rng = resolve_generator(generator)
    out = np.stack([rng.choice(len(r), size=num_samples, replace=replacement, p=r / t) for r, t in zip(rows, totals)])
    return Tensor._make(out.reshape(w.shape[:-1] + (num_samples,)).astype(np.int64))


@declare(method="dropout", function="dropout", functional="dropout", module="Dropout", params={"p": 0.5})
class Dropout(Function):
    """y = x · m / (1 − p) with m ~ Bernoulli(1 − p);  ∂x = g · m / (1 − p) (the same mask)"""

    # parameters (apply's keyword arguments)
    p: float
    rng: np.random.Generator | None  # dropped after forward

    def forward(self, x):
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.keep_mask = keep
        self.rng = None
        out = x * keep
        out *= 1.0 / (1.0 - self.p)
        return out

    def backward(self, g):
        return g * self.keep_mask * (1.0 / (1.0 - self.p))


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator: Any = None) -> Tensor:
    """Inverted dropout: zero each element with probability ``p``, scale the rest by 1/(1−p).

    Identity (the same tensor) when not training or ``p == 0``.
    """
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p < 1.0:
        raise ValueError(
            f"dropout: p (the drop probability) must be in [0, 1), got {p!r}; "
            "p = 1 would drop everything and the 1/(1-p) scale would be infinite"
        )
    if not training or p == 0:
        return x
    return Dropout.apply(x, p=float(p), rng=resolve_generator(generator))
