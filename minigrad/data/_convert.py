"""Conversions between minigrad Tensors and NumPy arrays used across ``minigrad.data``.

The engine is looked up at call time (not import time), so ``minigrad.data``
can be imported by ``minigrad/__init__.py`` without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from minigrad import Tensor


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a minigrad ``Tensor``."""
    import minigrad

    tensor_type = getattr(minigrad, "Tensor", None)
    return tensor_type is not None and isinstance(obj, tensor_type)


def as_array(obj: Any, *, who: str, name: str = "input") -> np.ndarray:
    """The NumPy array behind a Tensor (no copy), or ``obj`` itself if it is an array.

    Anything else raises ``TypeError`` naming ``who`` (the calling function).
    """
    if isinstance(obj, np.ndarray):
        return obj
    if isinstance(obj, np.generic):  # a NumPy scalar: a 0-d array
        return np.asarray(obj)
    if is_tensor(obj):
        return obj._data
    raise TypeError(
        f"{who}: {name} must be a minigrad Tensor or a numpy.ndarray, got {type(obj).__name__} "
        f"(wrap lists with np.asarray(...) or mg.tensor(...))"
    )


def as_array_like(obj: Any) -> np.ndarray:
    """Tensor → its array; arrays, NumPy scalars and Python numbers/lists → ``np.asarray``."""
    if is_tensor(obj):
        return obj._data
    return np.asarray(obj)


def to_tensor(array: np.ndarray) -> Tensor:
    """Wrap a freshly made array as a Tensor, sharing memory where the engine allows; dtype kept."""
    import minigrad

    from_numpy = getattr(minigrad, "from_numpy", None)
    if from_numpy is not None and isinstance(array, np.ndarray):
        return from_numpy(array)
    return minigrad.tensor(array)
