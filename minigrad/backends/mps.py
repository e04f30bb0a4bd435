"""``mg.backends.mps``: Apple's Metal backend. minigrad has none."""

from __future__ import annotations


def is_available() -> bool:
    """``False``: minigrad computes on the CPU."""
    return False


def is_built() -> bool:
    """``False``: minigrad is not built with MPS."""
    return False
