"""Activation modules (the ops are in ``minigrad.ops.activation`` and ``minigrad.ops.reduce``).

Course formulas: ReLU(z) = max(z, 0), derivative 1[z > 0]; leaky ReLU slope
``negative_slope`` for z < 0; ELU(z) = α(eᶻ − 1) for z < 0, derivative ELU(z) + α;
σ(z) = 1/(1 + e⁻ᶻ), σ' = σ(1 − σ); tanh' = 1 − tanh².

ReLU, LeakyReLU, ELU, Sigmoid, Tanh, SiLU and Softplus are made from their ops' declarations
(``minigrad/ops/declare.py``, added by ``minigrad/nn/__init__.py``); the modules below check their arguments or
have PyTorch's class structure (ReLU6 is a Hardtanh), so are written here.

``inplace=True`` is accepted for PyTorch compatibility; the result is computed
out of place (same values, and autograd stays safe).
"""

from __future__ import annotations

from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.tensor import Tensor


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class Softmax(Module):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (computed with the max subtracted).

    ``dim=None`` picks PyTorch's legacy implicit dim (0 for 0-, 1- and 3-D input, else 1) with a warning.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (stable: the max is subtracted first)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """GELU(x) = x·Φ(x) (Φ the standard normal CDF); ``approximate='tanh'`` uses
    ½x(1 + tanh(√(2/π)(x + 0.044715x³))), which is faster here (no erf)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise RuntimeError(f"approximate argument must be either none or tanh. (GELU: got {approximate!r})")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardtanh(Module):
    """Hardtanh(x) = clamp(x, min_val, max_val); gradient 1 strictly between them, else 0."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val}) (Hardtanh)")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(x, 0), 6) (``Hardtanh(0, 6)``)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


# the activation modules declared on their ops and not written here are added by minigrad/nn/__init__.py
__all__ = ["Softmax", "LogSoftmax", "GELU", "Hardtanh", "ReLU6"]
