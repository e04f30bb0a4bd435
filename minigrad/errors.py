"""The exceptions minigrad defines (everything else raises Python's and NumPy's own)."""

from __future__ import annotations


class ShapeError(RuntimeError, ValueError):
    """Operand shapes that don't fit an op (a RuntimeError as in PyTorch, and a ValueError)."""
