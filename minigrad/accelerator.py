"""``mg.accelerator``: PyTorch's device-agnostic accelerator query (``torch.accelerator``). minigrad has none.

The official tutorials pick their device with
``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"``,
which gives ``"cpu"`` here.
"""

from __future__ import annotations

from minigrad._device import device


def is_available() -> bool:
    """``False``: minigrad computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """``None``, as PyTorch returns when no accelerator is present."""
    return None


def device_count() -> int:
    """``0`` accelerators."""
    return 0


__all__ = ["current_accelerator", "device_count", "is_available"]
