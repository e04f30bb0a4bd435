"""Devices: minigrad computes on the CPU, and accepts PyTorch's ``device=`` so device-agnostic code runs.

``mg.device("cpu")``, ``"cpu"`` and ``"cpu:0"`` name the one device there is; any other
device (``"cuda"``, ``"mps"``, ...) raises a ``RuntimeError`` that says so.
"""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801 - PyTorch's name
    """A device name, as ``torch.device``; only ``"cpu"`` exists here."""

    __slots__ = ("type", "index")
    type: str  # "cpu"
    index: int | None

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device name such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if idx:
            if index is not None or not idx.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(idx)
        if name != "cpu":
            raise RuntimeError(
                f"device {type!r} is not available: minigrad computes on the CPU only "
                "(write device-agnostic code with device = 'cuda' if mg.cuda.is_available() else 'cpu')"
            )
        if index not in (None, 0):
            raise RuntimeError(f"device: there is one CPU device (index 0), got index {index}")
        self.type = name
        self.index = index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


CPU = device("cpu")


def check_device(dev: Any) -> None:
    """Accept ``None`` and the CPU (as a string or a ``device``); raise for any other device."""
    if dev is not None and not (dev is CPU or dev == "cpu"):
        device(dev)  # raises with the reason, or accepts "cpu:0"
