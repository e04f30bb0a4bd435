"""Node text: numbers, shapes, data summaries, gradient lines, op names, DOT escaping."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: tensors with at most this many elements show their values (show_data); larger ones, statistics
_SMALL = 8


def _fmt(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return str(v) if v != 0 else "0"
    return f"{v:.4g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _data_lines(a: np.ndarray) -> list[str]:
    if a.size <= _SMALL:
        if a.ndim == 0:
            return [_fmt(float(a)) if a.dtype.kind == "f" else str(a.item())]
        text = np.array2string(a, separator=", ", max_line_width=10**6, formatter={"float_kind": lambda v: f"{v:.4g}"})
        return [" ".join(text.split())]
    with np.errstate(all="ignore"):
        x = a.astype(np.float64, copy=False)
        mean, std, lo, hi = float(x.mean()), float(x.std()), float(x.min()), float(x.max())
    return [
        f"mean {_fmt(mean)}  std {_fmt(std)}",
        f"min {_fmt(lo)}  max {_fmt(hi)}",
    ]


def _shape_line(shape: tuple[int, ...], dtype: Any) -> str:
    dims = ", ".join(str(d) for d in shape)
    return f"({dims}{',' if len(shape) == 1 else ''}) {np.dtype(dtype).name}"


def _grad_line(v: float, size: int) -> str:
    return f"grad {_fmt(v)}" if size == 1 else f"‖grad‖ {_fmt(v)}"


def _escape(text: str) -> str:
    """Text for a plain DOT label (``\\n`` joins lines)."""
    return text.replace("\\", "\\\\")


def _escape_record(text: str) -> str:
    """Text for one field of a record label."""
    text = text.replace("\\", "\\\\")
    for ch in "{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _op_name(node: Any) -> str:
    name = node.name
    return name[: -len("Backward")] if name.endswith("Backward") and len(name) > 8 else name
