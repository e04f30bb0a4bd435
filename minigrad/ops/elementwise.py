"""Arithmetic and elementwise math. Broadcasting is undone by the engine, not here."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function, ShapeError
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor


def broadcast_error(op: str, a: Any, b: Any, exc: Exception | None = None) -> ShapeError:
    sa, sb = np.shape(a), np.shape(b)
    return ShapeError(
        f"{op}: shapes {sa} and {sb} cannot be broadcast together (compared from the last dimension, "
        f"each pair of sizes must be equal or one of them 1)"
    )


class _Binary(Function):
    """An elementwise op of two operands (Tensors, arrays or Python scalars)."""

    def error(self, arrays: list, exc: Exception) -> Exception:
        return broadcast_error(self.name[: -len("Backward")].lower(), arrays[0], arrays[1], exc)


@declare(method="add", function="add")
class Add(_Binary):
    """z = a + b;  ∂a = g,  ∂b = g"""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


@declare(method="sub", function="sub")
class Sub(_Binary):
    """z = a − b;  ∂a = g,  ∂b = −g"""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


@declare(method="mul", function="mul")
class Mul(_Binary):
    """z = a · b;  ∂a = g · b,  ∂b = g · a"""

    save_inputs = True
    save_for = staticmethod(lambda need: (need[1], need[0]))  # a for ∂b, b for ∂a

    def forward(self, a, b):
        return a * b

    def backward(self, g, a, b):
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


@declare(method="div", function="div")
class Div(_Binary):
    """z = a / b;  ∂a = g / b,  ∂b = −g · a / b²"""

    save_inputs = True
    save_for = staticmethod(lambda need: (need[1], True))  # b for both, a for ∂b

    def forward(self, a, b):
        return a / b

    def backward(self, g, a, b):
        need_a, need_b = self.needs_input_grad
        return (g / b if need_a else None), (-g * a / (b * b) if need_b else None)


@declare(method="neg", function="neg")
class Neg(Function):
    """z = −a;  ∂a = −g"""

    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class PowScalar(Function):
    """z = aᶜ for a constant c;  ∂a = g · c · aᶜ⁻¹  (0 when c = 0, also at a = 0)"""

    # parameters (apply's keyword arguments)
    exponent: float

    save_inputs = True

    def forward(self, a):
        return a**self.exponent

    def backward(self, g, a):
        c = self.exponent
        if c == 0:
            return g * 0.0
        if c == 1:
            return g
        return g * c * a ** (c - 1)


@declare(method="pow", function="pow")
class Pow(_Binary):
    """z = aᵇ;  ∂a = g · b · aᵇ⁻¹ (0 where b = 0),  ∂b = g · z · log a (0 where a = 0 and b ≥ 0)"""

    save_inputs = True
    save_output = True

    def forward(self, a, b):
        return np.power(a, b)

    def backward(self, g, a, b, y):
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            ga = dual.where(np.asarray(dual.array(b)) == 0, 0.0, g * b * a ** (b - 1))
        if need_b:
            zero_base = (np.asarray(dual.array(a)) == 0) & (np.asarray(dual.array(b)) >= 0)
            if zero_base.any():  # d/db 0ᵇ = 0 for b ≥ 0 (log 0 would give nan)
                gb = dual.where(zero_base, 0.0, g * y * dual.log(dual.where(zero_base, 1.0, a)))
            else:
                gb = g * y * dual.log(a)
        return ga, gb


@declare(method="exp", function="exp")
class Exp(Function):
    """y = eˣ;  ∂x = g · y"""

    save_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, g, y):
        return g * y


@declare(method="log", function="log")
class Log(Function):
    """y = log x;  ∂x = g / x"""

    save_inputs = True

    def forward(self, x):
        return np.log(x)

    def backward(self, g, x):
        return g / x


@declare(method="sqrt", function="sqrt")
class Sqrt(Function):
    """y = √x;  ∂x = g / (2y)"""

    save_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, g, y):
        return g / (2.0 * y)


@declare(method="abs", function="abs")
class Abs(Function):
    """y = |x|;  ∂x = g · sign(x)  (0 at 0, as PyTorch)"""

    save_inputs = True

    def forward(self, x):
        return np.abs(x)

    def backward(self, g, x):
        return g * np.sign(dual.array(x))


@declare(method="sin", function="sin")
class Sin(Function):
    """y = sin x;  ∂x = g · cos x"""

    save_inputs = True

    def forward(self, x):
        return np.sin(x)

    def backward(self, g, x):
        return g * dual.cos(x)


@declare(method="cos", function="cos")
class Cos(Function):
    """y = cos x;  ∂x = −g · sin x"""

    save_inputs = True

    def forward(self, x):
        return np.cos(x)

    def backward(self, g, x):
        return -g * dual.sin(x)


@declare(method="clamp", function="clamp")
class Clamp(Function):
    """y = min(max(x, lo), hi);  ∂x = g where lo ≤ x ≤ hi (edges included, as PyTorch), else 0"""

    # parameters (apply's keyword arguments)
    lo: Any  # a number, an array or None
    hi: Any

    save_inputs = True

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, g, x):
        x = dual.array(x)
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return g * inside


@declare(method="maximum", function="maximum")
class Maximum(_Binary):
    """z = max(a, b);  the gradient goes to the larger operand, split equally on ties"""

    save_inputs = True

    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, g, a, b):
        return _split(g, a, b, np.greater, self.needs_input_grad)


@declare(method="minimum", function="minimum")
class Minimum(_Binary):
    """z = min(a, b);  the gradient goes to the smaller operand, split equally on ties"""

    save_inputs = True

    def forward(self, a, b):
        return np.minimum(a, b)

    def backward(self, g, a, b):
        return _split(g, a, b, np.less, self.needs_input_grad)


def _split(g: Any, a: Any, b: Any, wins: Any, needs: tuple) -> tuple:
    ad, bd = dual.array(a), dual.array(b)
    tie = 0.5 * (ad == bd)
    ga = g * (wins(ad, bd) + tie).astype(g.dtype) if needs[0] else None
    gb = g * (wins(bd, ad) + tie).astype(g.dtype) if needs[1] else None
    return ga, gb


@declare(method="where", function="where")
class Where(Function):
    """z = a where cond else b;  ∂a = g where cond else 0,  ∂b = g where not cond else 0"""

    def forward(self, cond, a, b):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        _, need_a, need_b = self.needs_input_grad
        ga = dual.where(self.cond, g, 0.0) if need_a else None
        gb = dual.where(self.cond, 0.0, g) if need_b else None
        return None, ga, gb

    def error(self, arrays: list, exc: Exception) -> Exception:
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        return ShapeError(f"where: condition and branches of shapes {shapes} cannot be broadcast together")


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise ``a if cond else b`` (``torch.where``); ``cond`` is a bool Tensor or array."""
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    if c.dtype != np.bool_:
        c = c.astype(bool)
    a = _scalar_or_self(a)
    b = _scalar_or_self(b)
    return Where.apply(c, a, b)


def _scalar_or_self(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return x


@declare(method="clone", function="clone")
class Clone(Function):
    """y = x (a copy with its own memory);  ∂x = g"""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


class Cast(Function):
    """y = x converted to dtype ``to``;  ∂x = g converted back (by the engine)"""

    # parameters (apply's keyword arguments)
    to: np.dtype

    def forward(self, x):
        return x.astype(self.to)

    def backward(self, g):
        return g


# ---------------------------------------------------------------------- more of torch's elementwise math
_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))


@declare(method="log10", function="log10")
class Log10(Function):
    """y = log₁₀ x;  ∂x = g / (x · ln 10)"""

    save_inputs = True

    def forward(self, x):
        return np.log10(x)

    def backward(self, g, x):
        return g / (x * _LN10)


@declare(method="log2", function="log2")
class Log2(Function):
    """y = log₂ x;  ∂x = g / (x · ln 2)"""

    save_inputs = True

    def forward(self, x):
        return np.log2(x)

    def backward(self, g, x):
        return g / (x * _LN2)


@declare(method="log1p", function="log1p")
class Log1p(Function):
    """y = log(1 + x) (accurate for small x);  ∂x = g / (1 + x)"""

    save_inputs = True

    def forward(self, x):
        return np.log1p(x)

    def backward(self, g, x):
        return g / (x + 1.0)


@declare(method="expm1", function="expm1")
class Expm1(Function):
    """y = eˣ − 1 (accurate for small x);  ∂x = g · (y + 1)"""

    save_output = True

    def forward(self, x):
        return np.expm1(x)

    def backward(self, g, y):
        return g * (y + 1.0)


@declare(method="exp2", function="exp2")
class Exp2(Function):
    """y = 2ˣ;  ∂x = g · y · ln 2"""

    save_output = True

    def forward(self, x):
        return np.exp2(x)

    def backward(self, g, y):
        return g * y * _LN2


@declare(method="rsqrt", function="rsqrt")
class Rsqrt(Function):
    """y = 1/√x;  ∂x = −g · y³ / 2"""

    save_output = True

    def forward(self, x):
        return 1.0 / np.sqrt(x)

    def backward(self, g, y):
        return g * (y * y * y) * -0.5


class _PiecewiseConstant(Function):
    """Steps (floor, ceil, round, trunc, sign): as PyTorch, the result requires grad and ∂x = 0."""

    def backward(self, g):
        return dual.zeros_like(g)


@declare(method="floor", function="floor")
class Floor(_PiecewiseConstant):
    """y = ⌊x⌋;  ∂x = 0"""

    def forward(self, x):
        return np.floor(x)


@declare(method="ceil", function="ceil")
class Ceil(_PiecewiseConstant):
    """y = ⌈x⌉;  ∂x = 0"""

    def forward(self, x):
        return np.ceil(x)


@declare(method="round", function="round")
class Round(_PiecewiseConstant):
    """y = x rounded to ``decimals`` places, halves to even (as torch.round);  ∂x = 0"""

    # parameters (apply's keyword arguments)
    decimals: int

    def forward(self, x):
        return np.round(x, self.decimals)


@declare(method="trunc", function="trunc")
class Trunc(_PiecewiseConstant):
    """y = x rounded toward 0;  ∂x = 0"""

    def forward(self, x):
        return np.trunc(x)


@declare(method="sign", function="sign")
class Sign(_PiecewiseConstant):
    """y = sign x ∈ {−1, 0, 1};  ∂x = 0"""

    def forward(self, x):
        return np.sign(x)


@declare(method="nan_to_num", function="nan_to_num")
class NanToNum(Function):
    """y = x with nan, +inf, −inf replaced;  ∂x = g where x is finite, else 0 (as PyTorch)"""

    # parameters (apply's keyword arguments)
    nan: float
    posinf: float | None
    neginf: float | None

    save_inputs = True

    def forward(self, x):
        return np.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, g, x):
        return g * np.isfinite(dual.array(x))


@declare(method="remainder", function="remainder")
class Remainder(_Binary):
    """z = a − b·⌊a/b⌋ (the sign of b, as Python's %);  ∂a = g,  ∂b = −g · ⌊a/b⌋"""

    save_inputs = True

    def forward(self, a, b):
        return np.remainder(a, b)

    def backward(self, g, a, b):
        need_a, need_b = self.needs_input_grad
        gb = -g * np.floor_divide(dual.array(a), dual.array(b)) if need_b else None
        return (g if need_a else None), gb


class FloorDivide(_Binary):
    """z = ⌊a / b⌋ (Python's //, torch.div(rounding_mode='floor'));  ∂a = ∂b = 0"""

    def forward(self, a, b):
        return np.floor_divide(a, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (dual.zeros_like(g) if need_a else None), (dual.zeros_like(g) if need_b else None)
