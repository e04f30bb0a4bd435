"""dtypes: the default floating dtype (``mg.set_default_dtype``) and PyTorch's type promotion.

minigrad's dtypes are NumPy's (``x.dtype == mg.float32`` and ``x.dtype == np.float32``
both hold); PyTorch's aliases (``mg.float``, ``mg.long``, ...) name the same ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_default_dtype: np.dtype = np.dtype(np.float32)

#: PyTorch's dtype names, as NumPy dtypes (exported as ``mg.float32``, ``mg.float``, ``mg.long``, ...)
ALIASES: dict[str, np.dtype] = {
    name: np.dtype(t)
    for name, t in {
        "float32": np.float32,
        "float": np.float32,
        "float64": np.float64,
        "double": np.float64,
        "float16": np.float16,
        "half": np.float16,
        "int64": np.int64,
        "long": np.int64,
        "int32": np.int32,
        "int": np.int32,
        "int16": np.int16,
        "short": np.int16,
        "int8": np.int8,
        "uint8": np.uint8,
        "bool": np.bool_,
        "complex64": np.complex64,
        "complex128": np.complex128,
        "cfloat": np.complex64,
        "cdouble": np.complex128,
    }.items()
}


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


# ------------------------------------------------------------------ type promotion, PyTorch's rules
# Categories rank bool < integer < floating < complex. Within one category NumPy's promotion
# agrees with PyTorch's; across categories PyTorch takes the higher category's type as it is
# (int64 with float16 is float16, where NumPy widens to float64).
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def category(dtype: np.dtype) -> int:
    return _CATEGORY[dtype.kind]


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype that holds both (``torch.promote_types``)."""
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    ca, cb = category(a), category(b)
    if ca == cb:
        return np.promote_types(a, b)
    if ca == 3 or cb == 3:  # complex with a float keeps the float's precision
        c, other = (a, b) if ca == 3 else (b, a)
        return np.promote_types(c, other) if other.kind == "f" else c
    return a if ca > cb else b


def _python_number_dtype(x: Any) -> np.dtype:
    if isinstance(x, bool):
        return np.dtype(np.bool_)
    if isinstance(x, int):
        return np.dtype(np.int64)
    if isinstance(x, complex):
        return np.dtype(np.complex128 if _default_dtype == np.float64 else np.complex64)
    return _default_dtype


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A group's dtype against a weaker group's: the weaker one counts only if of a higher category."""
    if higher is None:
        return lower
    if lower is None or category(higher) >= category(lower):
        return higher
    return promote_types(higher, lower)


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an op on ``operands`` (``torch.result_type``).

    Three groups, strongest first: tensors with dimensions, 0-d tensors, Python numbers.
    A weaker group changes the result only when its category is higher, so a float32
    tensor stays float32 beside an int64 tensor, a float64 0-d tensor or a Python float,
    and an int64 tensor times a Python float is the default float dtype.
    """
    dim = zero = number = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, np.dtype) and hasattr(x, "ndim"):  # Tensors and arrays
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = _python_number_dtype(x.item() if isinstance(x, np.generic) else x)
            number = d if number is None else promote_types(number, d)
    return _combine(dim, _combine(zero, number))  # type: ignore[return-value]  # None only for no operands


def floating(dtype: np.dtype) -> np.dtype:
    """``dtype`` if it is floating (or complex), else the default float: what float-only ops compute in."""
    return dtype if dtype.kind in "fc" else _default_dtype
