"""The named tuples ops return (``torch.return_types``): ``values, indices = x.max(1)``, ``.values``, and a
repr that prints as PyTorch's, so ``print(torch.max(x, 1))`` gives the same lines under both."""

from __future__ import annotations

from typing import Any


def _repr(self: Any) -> str:
    items = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self, strict=True))
    return f"torch.return_types.{type(self).__name__}(\n{items})"


def torch_repr(*classes: type) -> None:
    """Make the named tuple classes (named as PyTorch's) print as ``torch.return_types.<name>(...)``."""
    for cls in classes:
        setattr(cls, "__repr__", _repr)  # noqa: B010 - a method set on classes made at runtime
