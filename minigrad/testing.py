"""``mg.testing.assert_close``: PyTorch's comparison of tensors in tests, with its default tolerances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["assert_allclose", "assert_close"]

#: (rtol, atol) by dtype when neither is given, as ``torch.testing.assert_close``; other dtypes compare exactly
DEFAULT_TOLERANCES: dict[np.dtype, tuple[float, float]] = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.complex64): (1.3e-6, 1e-5),
    np.dtype(np.complex128): (1e-7, 1e-7),
}


def _as_array(x: Any) -> tuple[np.ndarray, bool]:
    if isinstance(x, Tensor):
        return x._data, True
    if isinstance(x, np.ndarray):
        return x, True
    return np.asarray(x), False


def _tolerances(dtype: np.dtype, rtol: float | None, atol: float | None) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    if rtol is None or atol is None:  # both None (checked above)
        return DEFAULT_TOLERANCES.get(dtype, (0.0, 0.0))
    return float(rtol), float(atol)


def _compare(
    actual: Any, expected: Any, rtol: Any, atol: Any, equal_nan: bool, check_dtype: bool, msg: Any, path: str
) -> None:
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match{path}: {sorted(actual)} != {sorted(expected)}")
        for k in actual:
            _compare(actual[k], expected[k], rtol, atol, equal_nan, check_dtype, msg, f"{path}[{k!r}]")
        return
    seqs = (list, tuple)
    if isinstance(actual, seqs) and isinstance(expected, seqs):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch{path}: {len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{path}[{i}]")
        return
    a, a_is_tensor = _as_array(actual)
    e, e_is_tensor = _as_array(expected)
    where = f"\n\nThe failure occurred for item {path}" if path else ""
    if a_is_tensor != e_is_tensor and not (isinstance(actual, Sequence) or isinstance(expected, Sequence)):
        raise AssertionError(
            f"Expected both inputs to be tensors or both to be numbers, got "
            f"{type(actual).__name__} and {type(expected).__name__}{where}"
        )
    if a.shape != e.shape:
        raise AssertionError(
            f"The values for attribute 'shape' do not match: {tuple(a.shape)} != {tuple(e.shape)}.{where}"
        )
    if check_dtype and a_is_tensor and e_is_tensor and a.dtype != e.dtype:
        raise AssertionError(f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.{where}")
    dtype = np.promote_types(a.dtype, e.dtype) if a.dtype != e.dtype else a.dtype
    r, t = _tolerances(dtype if a_is_tensor else np.dtype(np.float64) if dtype.kind == "f" else dtype, rtol, atol)
    if dtype.kind == "b" or (dtype.kind in "iu" and r == 0 and t == 0):
        ok = a == e
        a64, e64 = a.astype(np.float64), e.astype(np.float64)
    else:
        a64, e64 = (
            a.astype(np.complex128 if dtype.kind == "c" else np.float64),
            e.astype(np.complex128 if dtype.kind == "c" else np.float64),
        )
        ok = np.isclose(a64, e64, rtol=r, atol=t, equal_nan=equal_nan)
    if np.all(ok):
        return
    if msg is not None:
        raise AssertionError(msg if isinstance(msg, str) else msg(""))
    bad = ~np.asarray(ok)
    n_bad, n = int(bad.sum()), bad.size
    diff = np.abs(a64 - e64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(e64)
    kind = "Scalars are" if a.ndim == 0 and not a_is_tensor else "Tensor-likes are"
    lines = [f"{kind} not close!", ""]
    if a.ndim == 0:
        lines += [
            f"Expected {e.item()} but got {a.item()}.",
            f"Absolute difference: {float(diff):g} (up to {t:g} allowed)",
            f"Relative difference: {float(rel):g} (up to {r:g} allowed)",
        ]
    else:
        worst = np.unravel_index(int(np.argmax(np.where(bad, np.nan_to_num(diff, nan=np.inf), -np.inf))), a.shape)
        worst_rel = np.unravel_index(int(np.argmax(np.where(bad, np.nan_to_num(rel, nan=np.inf), -np.inf))), a.shape)
        lines += [
            f"Mismatched elements: {n_bad} / {n} ({100.0 * n_bad / n:.1f}%)",
            f"Greatest absolute difference: {float(diff[worst]):g} at index {tuple(int(i) for i in worst)} "
            f"(up to {t:g} allowed)",
            f"Greatest relative difference: {float(rel[worst_rel]):g} at index "
            f"{tuple(int(i) for i in worst_rel)} (up to {r:g} allowed)",
        ]
    raise AssertionError("\n".join(lines) + where)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: Any = None,
) -> None:
    """Raise ``AssertionError`` unless |actual − expected| ≤ atol + rtol·|expected| elementwise, with equal
    shapes and (``check_dtype``) dtypes. Without ``rtol``/``atol`` the tolerances are PyTorch's for the dtype:
    float16 (1e-3, 1e-5), float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7), integers and bools exact.
    Tensors, arrays, numbers, and sequences or mappings of them compare element by element."""
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, "")


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """The deprecated ``torch.testing.assert_allclose``: ``assert_close`` without the dtype check."""
    _compare(actual, expected, rtol, atol, equal_nan, False, msg or None, "")
