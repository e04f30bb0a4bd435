"""``nn.Parameter``: a leaf Tensor that requires grad and that Modules register as a parameter."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A trainable leaf tensor: ``nn.Parameter(mg.tensor(...))`` shares the tensor's data."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = Tensor(data)._data
        if requires_grad and arr.dtype.kind not in "fc":
            raise TypeError(f"Parameter: only floating-point data can require grad, got {arr.dtype}")
        self._init_leaf(arr, bool(requires_grad), data.name if isinstance(data, Tensor) else None)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
