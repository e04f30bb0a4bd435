"""``mg.backends.cudnn``: the cuDNN switches PyTorch code sets for reproducibility or speed
(``torch.backends.cudnn.deterministic = True``). They can be set and read, and change nothing:
minigrad has no cuDNN, and its CPU results are deterministic anyway."""

from __future__ import annotations

enabled: bool = True
deterministic: bool = False
benchmark: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """``False``: there is no cuDNN."""
    return False


def version() -> None:
    """``None``, as PyTorch without cuDNN."""
    return None
