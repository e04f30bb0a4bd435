"""``Linear`` (y = x Wᵀ + b) and the shape helpers ``Identity``, ``Flatten`` and ``Unflatten``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._dtype import get_default_dtype
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.ops.linalg import linear
from minigrad.tensor import Tensor, _wrap_dim


class Identity(Module):
    """y = x (arguments to the constructor are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """Flatten dims ``start_dim``…``end_dim`` into one: ``(N, C, L)`` → ``(N, C·L)`` by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: ``Unflatten(1, (2, 3))`` maps ``(N, 6)`` to ``(N, 2, 3)``.

    The sizes must multiply up to the size of ``dim``; one of them may be −1 (inferred).
    The inverse of ``Flatten``.
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(dim, str):
            raise NotImplementedError("Unflatten: named dimensions are not supported in minigrad; give dim as an int")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"unflattened_size must be a tuple of ints, but found type {type(unflattened_size).__name__}"
            )
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError(
                    f"unflattened_size must be tuple of ints, but found element of type {type(size).__name__} "
                    f"at pos {i}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, x: Tensor) -> Tensor:
        d = _wrap_dim(self.dim, x.ndim, "Unflatten")
        size = x.shape[d]
        sizes = list(self.unflattened_size)
        if sizes.count(-1) > 1:
            raise RuntimeError(f"unflatten: only one dimension can be inferred, got sizes {sizes}")
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes and known != 0 and size % known == 0:
            sizes[sizes.index(-1)] = size // known
        if -1 in sizes or math.prod(sizes) != size:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(self.unflattened_size)} don't multiply up to the size of dim "
                f"{self.dim} ({size}) in the input tensor of shape {tuple(x.shape)}"
            )
        return x.reshape(*x.shape[:d], *sizes, *x.shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Linear(Module):
    """A fully connected layer: ``y = x Wᵀ + b``, W of shape ``(out_features, in_features)``.

    With the course's notation, a batch ``x`` of shape ``(b, n[l−1])`` gives
    ``z = x W[l]ᵀ + b[l]`` of shape ``(b, n[l])``; any leading dims are batch dims.
    Computed by one fused graph node (``minigrad.ops.linalg.linear``).

    Default initialisation (PyTorch's): ``W, b ~ U[−1/√fan_in, 1/√fan_in]``, from
    ``kaiming_uniform_(W, a=√5)`` (gain √(1/3), so r = √3·gain/√fan_in = 1/√fan_in).
    ``generator`` makes it reproducible; ``dtype`` defaults to ``mg.get_default_dtype()``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = None,
        *,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        self.weight = Parameter(Tensor._make(np.empty((self.out_features, self.in_features), dtype=dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.empty(self.out_features, dtype=dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: np.random.Generator | None = None) -> None:
        """Draw W and b from ``U[−1/√fan_in, 1/√fan_in]`` again (PyTorch's default init)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
