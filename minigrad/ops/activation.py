"""Activation functions (course notation: σ' = σ(1−σ), tanh' = 1 − tanh², ...)."""
from __future__ import annotations

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual


class Sigmoid(Function):
    """y = 1 / (1 + e⁻ˣ);  ∂x = g · y · (1 − y)

    Computed in the two-sided stable form: e = e^(−|x|), y = 1/(1+e) for x ≥ 0 and
    e/(1+e) for x < 0, so no exponential overflows.
    """

    save_output = True

    def forward(self, x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0, e) / (1.0 + e)

    def backward(self, g):
        y = self.output
        return g * y * (1.0 - y)


class Tanh(Function):
    """y = tanh x;  ∂x = g · (1 − y²)"""

    save_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g):
        y = self.output
        return g * (1.0 - y * y)


class ReLU(Function):
    """y = max(x, 0);  ∂x = g · 1[x > 0]  (0 at x = 0, as PyTorch)"""

    save_output = True

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g):
        return g * (dual.array(self.output) > 0)


class LeakyReLU(Function):
    """y = x for x > 0, else s·x;  ∂x = g for x > 0, else g · s"""

    save_inputs = True

    def forward(self, x):
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, g):
        (x,) = self.inputs
        return g * np.where(dual.array(x) > 0, 1.0, self.negative_slope).astype(g.dtype)


class ELU(Function):
    """y = x for x > 0, else α(eˣ − 1);  ∂x = g for x > 0, else g · (y + α)  (= α·eˣ)"""

    save_output = True

    def forward(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, g):
        y = self.output
        return dual.where(dual.array(y) > 0, g, g * (y + self.alpha))
