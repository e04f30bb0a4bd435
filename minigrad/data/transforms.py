"""Transforms applied to batches of inputs, e.g. by ``DataLoader(..., transform=...)``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from minigrad._dtype import get_default_dtype
from minigrad._random import resolve_generator

from ._convert import as_array_like, is_tensor, to_tensor


class GaussianNoise:
    """Add ``N(0, std²)`` noise to every input element: jitter, a regulariser for training.

    ``x ↦ x + std · ε`` with ``ε ~ N(0, 1)`` drawn fresh on every call from
    ``generator`` (by default the one ``mg.manual_seed`` seeds, looked up at
    call time). Use it on the training loader only:
    ``DataLoader(train_ds, 64, shuffle=True, transform=GaussianNoise(0.1))``.

    A NumPy array gives a new array (float dtypes kept, integers become the
    default float dtype; the input is not modified); a Tensor gives
    ``x + noise`` computed with Tensor ops, so gradients still flow to ``x``.
    """

    std: float
    generator: np.random.Generator | None

    def __init__(self, std: float, generator: np.random.Generator | None = None) -> None:
        if isinstance(std, bool) or not isinstance(std, numbers.Real) or not math.isfinite(std) or std < 0:
            raise ValueError(f"GaussianNoise: std must be a finite number >= 0, got {std!r}")
        if generator is not None:
            resolve_generator(generator)  # TypeError for anything but a Generator
        self.std = float(std)
        self.generator = generator

    def __call__(self, x: Any) -> Any:
        data = as_array_like(x)
        dtype = data.dtype if np.issubdtype(data.dtype, np.floating) else get_default_dtype()
        rng = resolve_generator(self.generator)
        noise = (self.std * rng.standard_normal(data.shape)).astype(dtype, copy=False)
        if is_tensor(x):
            return x + to_tensor(noise)
        return data.astype(dtype, copy=False) + noise

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std})"
