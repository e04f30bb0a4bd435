"""The default floating dtype (``mg.set_default_dtype``), as in PyTorch."""
from __future__ import annotations

import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_default_dtype: np.dtype = np.dtype(np.float32)


def set_default_dtype(dtype) -> None:
    """Make ``dtype`` (``np.float32`` or ``np.float64``) the dtype of Python floats and factories."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in _FLOAT_DTYPES:
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default_dtype = d


def get_default_dtype() -> np.dtype:
    """The dtype Python floats and the float factories get."""
    return _default_dtype
