"""``mg.backends``: what PyTorch code asks of its accelerator backends. minigrad computes on the CPU
with NumPy, so none is available and the cuDNN switches change nothing."""

from __future__ import annotations

from minigrad.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
