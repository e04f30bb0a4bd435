"""Undoing broadcasting: the one place a gradient is summed down to its input's shape.

An op's rule may return the gradient at the broadcast shape its forward produced; the
engine sums the dims broadcasting added (leading) or stretched (size 1) away, here.
"""

from __future__ import annotations

import numpy as np

from minigrad.errors import ShapeError


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the dims broadcasting added or stretched so it has ``shape``."""
    lead = x.ndim - len(shape)
    if lead < 0:
        return np.broadcast_to(x, shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
    out = np.add.reduce(x, axis=axes, keepdims=True) if axes else x
    if lead:
        out = out.reshape(out.shape[lead:])
    if out.shape != shape:
        raise ShapeError(f"sum_to: can't reduce shape {x.shape} to {shape}")
    return out
