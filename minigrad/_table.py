"""Markdown tables and number cells: the one helper behind the reports of train, tune, diagnostics and benchmarks.

::

    markdown_table(["epoch", "loss"], [["1", format_number(0.51234, ".3g")]], align="rr")
    # | epoch | loss |
    # |---:|---:|
    # | 1 | 0.512 |
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["format_fixed", "format_number", "markdown_row", "markdown_table"]


def markdown_row(cells: Sequence[str]) -> str:
    """One table row, ``| a | b |`` (for tables printed a row at a time)."""
    return "| " + " | ".join(cells) + " |"


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str]] = (), align: str | None = None, *, spaced_rule: bool = False
) -> str:
    """A GitHub markdown table of text cells.

    Args:
        header: the column titles.
        rows: the rows, each a sequence of cells (already text: see :func:`format_number`).
        align: one ``l`` (left) or ``r`` (right) per column; default: the first left, the others right.
        spaced_rule: write the rule under the header as ``| --- | ---: |`` instead of ``|---|---:|``.
    """
    align = align or "l" + "r" * (len(header) - 1)
    if len(align) != len(header) or set(align) - {"l", "r"}:
        raise ValueError(f"markdown_table: align needs one 'l' or 'r' per column ({len(header)}), got {align!r}")
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = [markdown_row(header), markdown_row(rule) if spaced_rule else "|" + "|".join(rule) + "|"]
    lines += [markdown_row(row) for row in rows]
    return "\n".join(lines)


def format_number(v: Any, spec: str = ".4g", *, nan: str = "nan", none: str = "") -> str:
    """A table cell for a value: ``none`` for None, ``nan`` for a float NaN, else ``format(v, spec)``."""
    if v is None:
        return none
    if isinstance(v, float) and math.isnan(v):
        return nan
    return format(v, spec)


def format_fixed(v: float, digits: int = 3) -> str:
    """``v`` with ``digits`` significant figures in fixed-point notation (never ``1e+03``), for timings:
    1234 -> ``1234``, 12.345 -> ``12.3``, 1.2345 -> ``1.23``, below 1 ``digits`` decimals (0.01234 -> ``0.012``)."""
    if v >= 1 and math.isfinite(v):
        decimals = max(0, digits - len(str(int(v))))
    else:
        decimals = digits
    return f"{v:.{decimals}f}"
