"""Colours: gradient norms on a log scale through viridis, readable text on a fill, the legend."""

from __future__ import annotations

import math
from collections.abc import Iterable

#: matplotlib's viridis at 9 evenly spaced points (perceptually uniform, colour-blind safe,
#: lightness increasing from start to end)
_VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")
_ZERO_COLOR = "#d9d9d9"  # a gradient that is exactly zero (dead units, unused outputs)
_NONFINITE_COLOR = "#e31a1c"  # inf or nan
_OP_COLOR = "#eeeeee"
_LEAF_COLOR = "#dbe9f6"  # leaves that require grad, when no gradient colour applies
_INPUT_COLOR = "#f4f4f4"  # tensors that need no grad


class LogColorScale:
    """Gradient norms to colours: ``log10(norm)`` mapped linearly from ``[lo, hi]`` onto viridis.

    Zero is light grey, inf/nan red; norms outside the range clip to its ends.
    """

    def __init__(self, lo: float, hi: float) -> None:
        if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"LogColorScale: the range must be finite and positive, got ({lo}, {hi})")
        self.lo, self.hi = min(lo, hi), max(lo, hi)

    @classmethod
    def from_values(cls, values: Iterable[float | None]) -> LogColorScale | None:
        """The scale spanning the finite nonzero magnitudes in ``values`` (None if there are none)."""
        mags = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
        if not mags:
            return None
        return cls(min(mags), max(mags))

    def position(self, value: float) -> float:
        """Where ``|value|`` sits on the scale, from 0 (``lo``) to 1 (``hi``)."""
        v = abs(value)
        if v == 0:
            return 0.0
        if not math.isfinite(v):
            return 1.0
        span = math.log10(self.hi) - math.log10(self.lo)
        if span == 0:
            return 1.0
        return min(1.0, max(0.0, (math.log10(v) - math.log10(self.lo)) / span))

    def color(self, value: float) -> str:
        """The fill colour for a gradient norm (``#rrggbb``)."""
        if not math.isfinite(value):
            return _NONFINITE_COLOR
        if value == 0:
            return _ZERO_COLOR
        return _viridis(self.position(value))

    def ticks(self, n: int = 6) -> list[float]:
        """``n`` values evenly spaced on the log scale, ``lo`` to ``hi``."""
        if self.lo == self.hi:
            return [self.lo]
        a, b = math.log10(self.lo), math.log10(self.hi)
        return [10 ** (a + (b - a) * k / (n - 1)) for k in range(n)]


def _viridis(t: float) -> str:
    x = t * (len(_VIRIDIS) - 1)
    k = min(int(x), len(_VIRIDIS) - 2)
    f = x - k
    c0, c1 = _hex_rgb(_VIRIDIS[k]), _hex_rgb(_VIRIDIS[k + 1])
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(c0, c1))


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _font_for(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    if not fill.startswith("#"):
        return "black"
    r, g, b = (c / 255 for c in _hex_rgb(fill))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "black"


def _filled(fill: str, **attrs: str) -> dict[str, str]:
    """Node attributes filled with ``fill`` (``a:b`` for a gradient), with readable text."""
    attrs = dict(attrs)
    attrs.setdefault("style", "filled")
    attrs["fillcolor"] = fill
    font = _font_for(fill.split(":")[0])
    if font != "black":
        attrs["fontcolor"] = font
    return attrs


def _legend(scale: LogColorScale | None, values: list[float | None]) -> str:
    """An HTML-like label: the colour scale's ticks, plus zero / inf-nan swatches when present."""
    cells = []
    if scale is not None:
        for v in scale.ticks():
            c = scale.color(v)
            cells.append(f'<TD BGCOLOR="{c}"><FONT COLOR="{_font_for(c)}">{v:.2g}</FONT></TD>')
    if any(v == 0 for v in values):
        cells.append(f'<TD BGCOLOR="{_ZERO_COLOR}">0</TD>')
    if any(v is not None and not math.isfinite(v) for v in values):
        cells.append(f'<TD BGCOLOR="{_NONFINITE_COLOR}"><FONT COLOR="white">inf/nan</FONT></TD>')
    cells.append('<TD BGCOLOR="white">none</TD>')
    title = "gradient norm ‖grad‖ (log scale)"
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR>'
        f'<TD COLSPAN="{len(cells)}" BORDER="0"><B>{title}</B></TD></TR><TR>{"".join(cells)}</TR></TABLE>>'
    )
