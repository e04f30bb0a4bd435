"""Module-level forms of the Tensor methods (``mg.exp(x)`` beside ``x.exp()``), as in PyTorch."""
from __future__ import annotations

from typing import Any

from minigrad.ops.elementwise import Maximum, Minimum, where
from minigrad.ops.linalg import linear, matmul
from minigrad.ops.random import bernoulli, dropout
from minigrad.ops.shape import cat, pad, stack
from minigrad.tensor import Tensor, _operand


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x: Tensor) -> Tensor:
    return _t(x).exp()


def log(x: Tensor) -> Tensor:
    return _t(x).log()


def sqrt(x: Tensor) -> Tensor:
    return _t(x).sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    return _t(x).abs()


def sin(x: Tensor) -> Tensor:
    return _t(x).sin()


def cos(x: Tensor) -> Tensor:
    return _t(x).cos()


def tanh(x: Tensor) -> Tensor:
    return _t(x).tanh()


def sigmoid(x: Tensor) -> Tensor:
    return _t(x).sigmoid()


def relu(x: Tensor) -> Tensor:
    return _t(x).relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _t(x).leaky_relu(negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return _t(x).elu(alpha)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    return _t(x).clamp(min, max)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; ties split the gradient equally."""
    return Maximum.apply(_operand(a), _operand(b)) if isinstance(a, Tensor) or isinstance(b, Tensor) \
        else Maximum.apply(_t(a), _operand(b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; ties split the gradient equally."""
    return Minimum.apply(_operand(a), _operand(b)) if isinstance(a, Tensor) or isinstance(b, Tensor) \
        else Minimum.apply(_t(a), _operand(b))


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:  # noqa: A001
    return _t(x).sum(dim, keepdim, **kw)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    return _t(x).mean(dim, keepdim, **kw)


def var(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    return _t(x).var(dim, **kw)


def std(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    return _t(x).std(dim, **kw)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``torch.max``: the largest value, ``(values, indices)`` along ``dim``, or ``maximum(x, other)``."""
    return _t(x).max(dim, keepdim)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``torch.min``: the smallest value, ``(values, indices)`` along ``dim``, or ``minimum(x, other)``."""
    return _t(x).min(dim, keepdim)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    return _t(x).amax(dim, keepdim, **kw)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    return _t(x).amin(dim, keepdim, **kw)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _t(x).argmax(dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _t(x).argmin(dim, keepdim)


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    return _t(x).logsumexp(dim, keepdim, **kw)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return _t(x).softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return _t(x).log_softmax(dim)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    return _t(x).reshape(*shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return _t(x).flatten(start_dim, end_dim)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return _t(x).transpose(dim0, dim1)


def permute(x: Tensor, *dims: Any) -> Tensor:
    return _t(x).permute(*dims)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return _t(x).unsqueeze(dim)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    return _t(x).squeeze(dim)


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    return _t(x).broadcast_to(shape)


def numel(x: Tensor) -> int:
    return _t(x).numel()


__all__ = [
    "abs", "amax", "amin", "argmax", "argmin", "bernoulli", "broadcast_to", "cat", "clamp", "clip", "cos",
    "dropout", "elu", "exp", "flatten", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "matmul",
    "max", "maximum", "mean", "min", "minimum", "numel", "pad", "permute", "relu", "reshape", "sigmoid", "sin",
    "softmax", "sqrt", "squeeze", "stack", "std", "sum", "tanh", "transpose", "unsqueeze", "var", "where",
]
