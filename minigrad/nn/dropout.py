"""``Dropout``: inverted dropout from the Bernoulli keep-mask op."""

from __future__ import annotations

import numpy as np

from minigrad.nn.module import Module
from minigrad.ops.random import dropout
from minigrad.tensor import Tensor


class Dropout(Module):
    """Inverted dropout: in training ``A ← A ⊙ D / keep_prob`` with ``D ~ Bernoulli(keep_prob)``,
    ``keep_prob = 1 − p``; the backward uses the same mask and scale. Identity in eval mode.

    The 1/(1 − p) scale keeps each activation's expectation unchanged, so nothing needs
    rescaling at test time. ``p`` must lie in [0, 1); ``p = 0`` returns the input itself.
    ``generator`` draws the masks (default: the generator ``mg.manual_seed`` seeds).
    ``inplace`` is accepted for PyTorch compatibility (computed out of place).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, *, generator: np.random.Generator | None = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
            raise ValueError(
                f"Dropout: p (the drop probability) must be in [0, 1), got {p!r}; p = 1 would drop every "
                "activation and the 1/(1 - p) scale would be infinite"
            )
        self.p = float(p)
        self.inplace = inplace
        self.generator = generator

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
