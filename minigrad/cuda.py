"""``mg.cuda``: what device-agnostic PyTorch code asks of CUDA. minigrad has none."""

from __future__ import annotations


def is_available() -> bool:
    """``False``: minigrad computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed (as ``torch.cuda.manual_seed`` without CUDA); seeds the CPU with ``mg.manual_seed``."""


manual_seed_all = manual_seed


def __getattr__(name: str):
    if name == "amp":  # torch.cuda.amp.autocast / GradScaler
        raise AttributeError(
            "minigrad does not support torch.cuda.amp: mixed precision needs a GPU; minigrad "
            "computes on the CPU in the dtypes you choose (drop autocast and GradScaler)"
        )
    raise AttributeError(f"module 'minigrad.cuda' has no attribute {name!r}")
