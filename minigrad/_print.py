"""How a tensor prints: PyTorch's layout, so printed output reads the same as in PyTorch.

Floats print with 4 decimals (``tensor([0.5000, 1.0000])``), or as ``1.`` when every value is
a whole number, or in scientific notation when the values span more than three orders of
magnitude (or exceed 1e8, or go below 1e-4); all entries share one width. Rows wrap at 80
columns, and tensors of more than 1000 elements show the first and last 3 along each dim.
"""

from __future__ import annotations

import math

import numpy as np

PRECISION = 4
THRESHOLD: float = 1000
EDGEITEMS = 3
LINEWIDTH = 80
#: None: scientific notation when the values call for it; True/False: always/never (``set_printoptions``)
SCI_MODE: bool | None = None

_PROFILES: dict[str, dict[str, float]] = {
    "default": {"PRECISION": 4, "THRESHOLD": 1000, "EDGEITEMS": 3, "LINEWIDTH": 80},
    "short": {"PRECISION": 2, "THRESHOLD": 1000, "EDGEITEMS": 2, "LINEWIDTH": 80},
    "full": {"PRECISION": 4, "THRESHOLD": math.inf, "EDGEITEMS": 3, "LINEWIDTH": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print (``torch.set_printoptions``): ``profile`` ('default', 'short', 'full') first, then
    each option given; ``sci_mode`` True/False forces scientific notation on/off, None (always reset
    when omitted, as PyTorch) chooses from the values."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        globals().update(_PROFILES[profile])
    if precision is not None:
        PRECISION = int(precision)
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = int(edgeitems)
    if linewidth is not None:
        LINEWIDTH = int(linewidth)
    SCI_MODE = None if sci_mode is None else bool(sci_mode)


class _Formatter:
    """One format for every element of an array, chosen from its values as PyTorch does."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"  # complex values print as Python does
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max((len(str(v)) for v in values.tolist()), default=1)
            return
        # as PyTorch, only the finite nonzero values set the width: zeros, nan and inf are not padded for
        # (tensor([nan, inf, 1.]), tensor([0., nan])), but are padded to it
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitude = np.abs(finite)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if SCI_MODE is not None:
            self.sci_mode = SCI_MODE
        self.width = max(len(self._format(v)) for v in finite.tolist())

    def _format(self, v: float) -> str:
        if not self.floating:
            return str(v)
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            s = f"{v:.0f}"
            return s if math.isinf(v) or math.isnan(v) else s + "."
        return f"{v:.{PRECISION}f}"

    def __call__(self, v: float) -> str:
        return self._format(v).rjust(self.width)


def _summarized(a: np.ndarray) -> np.ndarray:
    """The values that will be printed (edge items only, for a large tensor)."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.concatenate([_summarized(row).reshape(-1) for row in a]) if a.ndim > 1 and a.size else a.reshape(-1)


def _layout(a: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    if a.ndim == 1:
        items = a.tolist()
        strs = [fmt(v) for v in items]
        if summarize and len(items) > 2 * EDGEITEMS:
            strs = strs[:EDGEITEMS] + [" ..."] + strs[-EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(strs[i : i + per_line]) for i in range(0, len(strs), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows: range | list[int | None] = range(a.shape[0])
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        rows = [*range(EDGEITEMS), None, *range(a.shape[0] - EDGEITEMS, a.shape[0])]
    parts = ["..." if i is None else _layout(a[i], fmt, indent + 1, summarize) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_str(a: np.ndarray, indent: int) -> str:
    """The values part of ``repr``: what follows ``tensor(``, laid out as PyTorch lays it out."""
    if a.size == 0:
        return "[]"  # (repr adds the size, as PyTorch)
    summarize = a.size > THRESHOLD
    shown = _summarized(a) if summarize else a.reshape(-1)
    return _layout(a, _Formatter(shown), indent, summarize)
