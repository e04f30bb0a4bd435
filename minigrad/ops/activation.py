"""Activation functions (course notation: σ' = σ(1−σ), tanh' = 1 − tanh², ...)."""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """σ(x) on an array in the stable two-sided form (no exponential overflows)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


@declare(method="sigmoid", function="sigmoid", functional="sigmoid", module="Sigmoid", floating=True)
class Sigmoid(Function):
    """y = 1 / (1 + e⁻ˣ);  ∂x = g · y · (1 − y)

    Computed in the two-sided stable form: e = e^(−|x|), y = 1/(1+e) for x ≥ 0 and
    e/(1+e) for x < 0, so no exponential overflows.
    """

    save_output = True

    def forward(self, x):
        return sigmoid_array(x)

    def backward(self, g, y):
        return g * y * (1.0 - y)


@declare(method="tanh", function="tanh", functional="tanh", module="Tanh", floating=True)
class Tanh(Function):
    """y = tanh x;  ∂x = g · (1 − y²)"""

    save_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, g, y):
        return g * (1.0 - y * y)


def _zero(dtype: type) -> np.ndarray:
    zero: np.ndarray = np.zeros((), dtype)
    zero.flags.writeable = False
    return zero


#: a read-only 0-d zero of each float dtype, for ReLU's max and mask: NumPy converts a Python ``0``
#: operand anew on every call (~2.5k instructions, a fifth of a 32×64 ReLU); the same values, bit for bit
_ZEROS = {np.dtype(t): _zero(t) for t in (np.float16, np.float32, np.float64, np.longdouble)}


@declare(method="relu", function="relu", functional="relu", module="ReLU", inplace=True)
class ReLU(Function):
    """y = max(x, 0);  ∂x = g · 1[x > 0]  (0 at x = 0, as PyTorch)"""

    save_output = True

    def forward(self, x):
        return np.maximum(x, _ZEROS.get(x.dtype, 0))  # (integers and bools: the Python 0, for its promotion)

    def backward(self, g, y):
        y = dual.array(y)
        return g * (y > _ZEROS.get(y.dtype, 0))


@declare(
    method="leaky_relu",
    function="leaky_relu",
    functional="leaky_relu",
    module="LeakyReLU",
    params={"negative_slope": 0.01},
    inplace=True,
)
class LeakyReLU(Function):
    """y = x for x > 0, else s·x;  ∂x = g for x > 0, else g · s"""

    # parameters (apply's keyword arguments)
    negative_slope: float

    save_inputs = True

    def forward(self, x):
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, g, x):
        return g * np.where(dual.array(x) > 0, 1.0, self.negative_slope).astype(g.dtype)


@declare(
    method="elu", function="elu", functional="elu", module="ELU", params={"alpha": 1.0}, inplace=True, floating=True
)
class ELU(Function):
    """y = x for x > 0, else α(eˣ − 1);  ∂x = g for x > 0, else g · α·eˣ  (= g · (y + α))

    The rule reads the input, as PyTorch's does, so updating the output in place is allowed.
    """

    # parameters (apply's keyword arguments)
    alpha: float

    save_inputs = True

    def forward(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, g, x):
        positive = dual.array(x) > 0
        return dual.where(positive, g, g * self.alpha * dual.exp(dual.where(positive, 0.0, x)))


# ---------------------------------------------------------------------- smooth activations (GELU, SiLU, Softplus)
_erfc_scalar = np.frompyfunc(math.erfc, 1, 1)
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_C = 0.044715


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc on an array, elementwise with ``math.erfc`` (correct to the last bit; NumPy has no erf).

    About 0.15 µs an element: GELU's ``approximate='tanh'`` form is the fast one.
    """
    x = np.asarray(x)
    return np.asarray(_erfc_scalar(x), dtype=x.dtype if x.dtype.kind == "f" else np.float64)


@declare(method="erfc", function="erfc")
class Erfc(Function):
    """y = erfc x = 1 − erf x = (2/√π)∫ₓ^∞ e^{−t²} dt;  ∂x = −g · (2/√π) · e^{−x²}"""

    save_inputs = True

    def forward(self, x):
        return erfc_array(x)

    def backward(self, g, x):
        return g * (dual.exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def _erfc(x):
    return Erfc.apply(x) if isinstance(x, Tensor) else erfc_array(x)


def _sigmoid(x):
    return x.sigmoid() if isinstance(x, Tensor) else sigmoid_array(x)


def normal_cdf(x):
    """Φ(x) = ½·erfc(−x/√2) (= ½(1 + erf(x/√2)) without its cancellation for x ≪ 0), the standard normal CDF.

    On Tensors it is recorded, so differentiable.
    """
    return 0.5 * _erfc(x * -_SQRT1_2)


@declare(functional="gelu", module="GELU", params={"approximate": "none"}, floating=True)  # both by hand: they check
class GELU(Function):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016), as PyTorch's ``gelu``.

    approximate='none':  y = x · Φ(x);  ∂x = g · (Φ(x) + x · φ(x)),  φ(x) = e^{−x²/2}/√(2π)
    approximate='tanh':  y = ½x(1 + tanh u) = x · σ(2u),  u = √(2/π)(x + 0.044715x³);
                         ∂x = g · (s + 2x · s(1 − s) · u'),  s = σ(2u),  u' = √(2/π)(1 + 3·0.044715x²)

    (σ(2u) is ½(1 + tanh u) without its cancellation for x ≪ 0.)
    """

    # parameters (apply's keyword arguments)
    approximate: str  # "none" or "tanh"

    save_inputs = True

    def forward(self, x):
        if self.approximate == "tanh":
            return x * sigmoid_array(2.0 * _SQRT_2_OVER_PI * (x + _GELU_TANH_C * x * x * x))
        return x * normal_cdf(x)

    def backward(self, g, x):
        if self.approximate == "tanh":
            s = _sigmoid(2.0 * _SQRT_2_OVER_PI * (x + _GELU_TANH_C * x * x * x))
            du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_C * x * x)
            return g * (s + 2.0 * x * s * (1.0 - s) * du)
        return g * (normal_cdf(x) + x * dual.exp(-0.5 * x * x) * _INV_SQRT_2PI)


@declare(functional="silu", module="SiLU", inplace=True, floating=True)
class SiLU(Function):
    """y = x · σ(x) (also called swish);  ∂x = g · σ(x) · (1 + x · (1 − σ(x)))"""

    save_inputs = True

    def forward(self, x):
        return x * sigmoid_array(x)

    def backward(self, g, x):
        s = _sigmoid(x)
        return g * s * (1.0 + x * (1.0 - s))


@declare(functional="softplus", module="Softplus", params={"beta": 1.0, "threshold": 20.0}, floating=True)
class Softplus(Function):
    """y = log(1 + e^{βx})/β, and y = x where βx > threshold (as PyTorch);  ∂x = g · σ(βx), or g there

    log(1 + eᶻ) is computed as ``logaddexp(0, z)``, which never overflows.
    """

    # parameters (apply's keyword arguments)
    beta: float
    threshold: float

    save_inputs = True

    def forward(self, x):
        z = x * self.beta
        return np.where(z > self.threshold, x, np.logaddexp(0.0, z) / self.beta)

    def backward(self, g, x):
        z = x * self.beta
        return dual.where(dual.array(z) > self.threshold, g, g * _sigmoid(z))


def _tanh_softplus(x):
    """tanh(log(1 + eˣ)) on an array, or recorded on a Tensor (for ``create_graph``)."""
    if isinstance(x, Tensor):
        return Softplus.apply(x, beta=1.0, threshold=math.inf).tanh()
    return np.tanh(np.logaddexp(0.0, x))


@declare(functional="mish", module="Mish", inplace=True, floating=True)
class Mish(Function):
    """y = x · tanh(softplus x) (Misra, 2019);  ∂x = g · (t + x · σ(x) · (1 − t²)),  t = tanh(softplus x)

    softplus x = log(1 + eˣ) is computed as ``logaddexp(0, x)``, which never overflows; its derivative is σ(x).
    """

    save_inputs = True

    def forward(self, x):
        return x * np.tanh(np.logaddexp(0.0, x))

    def backward(self, g, x):
        t = _tanh_softplus(x)
        return g * (t + x * _sigmoid(x) * (1.0 - t * t))


@declare(functional="hardtanh", module="Hardtanh", params={"min_val": -1.0, "max_val": 1.0}, inplace=True)
@declare(functional="relu6", module="ReLU6", fixed={"min_val": 0.0, "max_val": 6.0}, inplace=True)
class Hardtanh(Function):
    """y = min(max(x, min_val), max_val);  ∂x = g where min_val < x < max_val, else 0

    (0 at the corners themselves, as PyTorch's ``hardtanh``: ``relu6`` then has ReLU's 0 at 0.)
    """

    # parameters (apply's keyword arguments)
    min_val: float
    max_val: float

    save_inputs = True

    def forward(self, x):
        return np.clip(x, self.min_val, self.max_val).astype(x.dtype, copy=False)

    def backward(self, g, x):
        x = dual.array(x)
        return g * ((x > self.min_val) & (x < self.max_val))
