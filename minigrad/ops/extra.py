"""PyTorch's wider surface, part 2 (issue 12): tan, erf, atan2, cumprod, einsum, and the functions
composed from ops (median, lerp, addmm, tensordot, cross, cdist).

The composed ones need no gradient rule of their own: their gradients are those of the ops they are
made of (indexing, ``Einsum``, ``Norm``, arithmetic), so second derivatives come for free.
"""

from __future__ import annotations

import math
import numbers
import string
from collections import namedtuple
from typing import Any, Literal

import numpy as np

from minigrad._return_types import torch_repr
from minigrad.autograd.function import Function, ShapeError
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor, _as_float, _promote, _wrap_dim

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_erf_scalar = np.frompyfunc(math.erf, 1, 1)

#: the named tuple torch.median returns with ``dim`` (``torch.return_types.median``)
MedianResult = namedtuple("median", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
torch_repr(MedianResult)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


# ---------------------------------------------------------------------- elementwise
@declare(method="tan", function="tan")
class Tan(Function):
    """y = tan x;  ∂x = g · (1 + y²)"""

    save_output = True

    def forward(self, x):
        return np.tan(x)

    def backward(self, g, y):
        return g * (1.0 + y * y)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf elementwise with ``math.erf`` (exact near 0, where 1 − erfc x would cancel)."""
    x = np.asarray(x)
    return np.asarray(_erf_scalar(x), dtype=x.dtype if x.dtype.kind == "f" else np.float64)


@declare(method="erf", function="erf")
class Erf(Function):
    """y = erf x = (2/√π)∫₀ˣ e^{−t²} dt;  ∂x = g · (2/√π) · e^{−x²}"""

    save_inputs = True

    def forward(self, x):
        return erf_array(x)

    def backward(self, g, x):
        return g * (dual.exp(-(x * x)) * _TWO_OVER_SQRT_PI)


@declare(method="atan2", function="atan2")
class Atan2(Function):
    """z = atan2(a, b) (the angle of the point (b, a));  ∂a = g · b / (a² + b²),  ∂b = −g · a / (a² + b²)"""

    save_inputs = True

    def forward(self, a, b):
        return np.arctan2(a, b)

    def backward(self, g, a, b):
        need_a, need_b = self.needs_input_grad
        r2 = a * a + b * b
        return (g * b / r2 if need_a else None), (-g * a / r2 if need_b else None)

    def error(self, arrays: list, exc: Exception) -> Exception:
        return ShapeError(f"atan2: shapes {np.shape(arrays[0])} and {np.shape(arrays[1])} cannot be broadcast together")


def tan(x: Any) -> Tensor:
    """tan x, elementwise."""
    return Tan.apply(_as_float(_t(x)))


def erf(x: Any) -> Tensor:
    """The error function, elementwise."""
    return Erf.apply(_as_float(_t(x)))


def atan2(input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """atan2(input, other): the angle in (−π, π] of the point (other, input), elementwise with broadcasting."""
    a, b = _promote(_t(input), other, "atan2", true_divide=True)
    return Atan2.apply(a, b)


def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """start + weight · (end − start) (``torch.lerp``); ``weight`` a number or a tensor."""
    start = _t(input)
    return start + weight * (end - start)


def addmm(input: Any, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:  # noqa: A002
    """β · input + α · (mat1 @ mat2); with β = 0 ``input`` is ignored (its nan/inf do not propagate)."""
    for m, what in ((mat1, "mat1"), (mat2, "mat2")):
        if _t(m).ndim != 2:
            raise RuntimeError(f"addmm: {what} must be a matrix, got a {_t(m).ndim}-D tensor of shape {_t(m).shape}")
    product = _t(mat1) @ mat2
    if alpha != 1:
        product = alpha * product
    if beta == 0:
        return product
    return product + (input if beta == 1 else beta * _t(input))


# ---------------------------------------------------------------------- cumprod
@declare(method="cumprod", function="cumprod")
class CumProd(Function):
    """yᵢ = Π_{j≤i} xⱼ along ``dim``;  ∂xᵢ = (Σ_{j≥i} gⱼ yⱼ) / xᵢ  (used when no xᵢ is 0; see ``cumprod``)"""

    # parameters (apply's keyword arguments)
    dim: int

    save_inputs = True
    save_output = True

    def forward(self, x):
        return np.cumprod(x, axis=self.dim)

    def backward(self, g, x, y):
        d = self.dim
        gy = g * y
        if isinstance(gy, Tensor):
            return gy.flip(d).cumsum(d).flip(d) / x
        return np.flip(np.cumsum(np.flip(gy, d), axis=d), d) / x


def cumprod(x: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim`` (integers multiply in int64).

    Where some xᵢ is 0 and a gradient is needed, ``(Σ gⱼyⱼ)/xᵢ`` is 0/0: the products are then taken
    as Π over a masked copy, yⱼ = Π_k (xₖ if k ≤ j else 1), whose ``prod`` gradient is exact at zeros
    (O(n²) memory along ``dim``, only in that case).
    """
    x = _t(x)
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "biu":
        x = x.to(np.int64)
    if x.ndim == 0:
        return cumprod(x.reshape(1), 0).reshape(())
    d = _wrap_dim(dim, x.ndim, "cumprod")
    if x.requires_grad and x.dtype.kind in "fc" and not np.all(x._data):
        moved = x.movedim(d, -1)
        n = moved.shape[-1]
        below = np.tril(np.ones((n, n), dtype=bool))  # below[j, k]: k ≤ j
        from minigrad.ops.elementwise import where

        expanded = where(below, moved.unsqueeze(-2), 1.0)  # (..., j, k)
        return expanded.prod(-1).movedim(-1, d)
    return CumProd.apply(x, dim=d)


# ---------------------------------------------------------------------- median
def median(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (the ⌊(n−1)/2⌋-th smallest value), as PyTorch: of all elements (a 0-d tensor) or
    ``(values, indices)`` along ``dim``. The gradient goes to the selected element. NaN propagates."""
    from minigrad.ops.index import GetItem
    from minigrad.ops.select import _take_along

    x = _t(x)
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError("median() input tensor cannot be empty")
        flat = x.reshape(-1)
        a = flat._data
        order = np.argsort(a, kind="stable")  # NaN sorts last
        nan = np.flatnonzero(np.isnan(a)) if a.dtype.kind in "fc" else np.empty(0, np.intp)
        k = int(nan[0]) if len(nan) else int(order[(a.size - 1) // 2])
        return GetItem.apply(flat, index=k)
    if x.ndim == 0:
        return MedianResult(GetItem.apply(x, index=()), Tensor._make(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "median")
    a = x._data
    n = a.shape[d]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    order = np.argsort(a, axis=d, kind="stable")
    idx = np.take(order, [(n - 1) // 2], axis=d)
    if a.dtype.kind in "fc":
        isnan = np.isnan(a)
        if isnan.any():  # a row with a NaN has NaN as its median, at its first NaN
            has_nan = isnan.any(axis=d, keepdims=True)
            idx = np.where(has_nan, np.argmax(isnan, axis=d, keepdims=True), idx)
    values = _take_along(x, d, idx)
    indices = idx.astype(np.int64, copy=False)
    if not keepdim:
        values = values.squeeze(d)
        indices = np.squeeze(indices, d)
    return MedianResult(values, Tensor._make(indices))


# ---------------------------------------------------------------------- einsum
_LETTERS = string.ascii_letters


def _parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Input and output subscripts of ``equation``, in explicit form with any ``...`` spelled out as letters."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        explicit = True
    else:
        lhs, out, explicit = eq, "", False
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum(): the equation {equation!r} has {len(ins)} operands but {len(shapes)} were given")
    used = set(eq) - {".", ",", "-", ">"}
    bad = sorted(c for c in used if c not in _LETTERS)
    if bad:
        raise ValueError(f"einsum(): invalid subscript {bad[0]!r} in {equation!r}: subscripts are letters a-z, A-Z")
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shape in zip(ins, shapes):
        if "..." in s:
            n_ell = max(n_ell, len(shape) - (len(s) - 3))
    ell = "".join(spare[:n_ell])
    expanded = []
    for s, shape in zip(ins, shapes):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k :] if k > 0 else "")
        if len(s) != len(shape):
            raise ValueError(
                f"einsum(): the subscripts {s!r} do not match an operand of shape {tuple(shape)} in {equation!r}"
            )
        expanded.append(s)
    if explicit:
        out = out.replace("...", ell)
    else:  # implicit: the broadcast dims, then the letters that occur once, in alphabetical order
        counts = {c: "".join(expanded).count(c) for c in set("".join(expanded))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return expanded, out


def _einsum_any(equation: str, *operands: Any) -> Any:
    """einsum on arrays, or recorded when any operand is a Tensor (a gradient rule's two modes)."""
    if any(isinstance(o, Tensor) for o in operands):
        return Einsum.apply(*operands, equation=equation)
    return np.einsum(equation, *operands, optimize=len(operands) > 2)


@declare(function="einsum")
class Einsum(Function):
    """z = einsum(equation, x₁, …, xₙ);  ∂xₖ = einsum(out, the other operands' subscripts → xₖ's subscripts)

    (a repeated subscript of xₖ, as in 'ii', goes back through an identity operand; a subscript only xₖ
    has, summed away, comes back through a ones operand: its gradient is broadcast).
    """

    # parameters (apply's keyword arguments)
    equation: str

    save_inputs = True

    def forward(self, *arrays):
        return np.einsum(self.equation, *arrays, optimize=len(arrays) > 2)

    def backward(self, g, *operands):
        lhs, out = self.equation.split("->")
        subs = lhs.split(",")
        sizes: dict[str, int] = {}
        for s, o in zip(subs, operands):
            for c, n in zip(s, np.shape(o)):
                sizes[c] = max(sizes.get(c, 1), n)
        dtype = np.asarray(dual.array(g)).dtype
        grads = []
        for k, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [(s, o) for j, (s, o) in enumerate(zip(subs, operands)) if j != k]
            present = set(out).union(*[set(s) for s, _ in others])
            spare = iter(c for c in _LETTERS if c not in set(lhs) | set(out))
            target, extra, seen = [], [], set()
            for c in subs[k]:
                if c in seen:  # a repeated subscript: a fresh letter tied to c by an identity
                    f = next(spare)
                    target.append(f)
                    extra.append((c + f, np.eye(sizes[c], dtype=dtype)))
                else:
                    seen.add(c)
                    target.append(c)
                    if c not in present:
                        extra.append((c, np.ones(sizes[c], dtype=dtype)))
            in_subs = [out] + [s for s, _ in others] + [s for s, _ in extra]
            eq = ",".join(in_subs) + "->" + "".join(target)
            grads.append(_einsum_any(eq, g, *[o for _, o in others], *[o for _, o in extra]))
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (``torch.einsum``): ``einsum('ij,jk->ik', a, b)``, the implicit form ``'ij,jk'``,
    ``...`` for broadcast dims; the operands also as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a string, got {type(equation).__name__}")
    tensors = [_t(o) for o in operands]
    if not tensors:
        raise ValueError("einsum(): must provide at least one operand")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            from minigrad._dtype import promote_types

            dtype = promote_types(dtype, t.dtype)
    tensors = [t if t.dtype == dtype else t.to(dtype) for t in tensors]
    ins, out = _parse_einsum(equation, [t.shape for t in tensors])
    for c in set(out):
        if out.count(c) > 1:
            raise ValueError(f"einsum(): output subscript {c!r} appears more than once in {equation!r}")
        if not any(c in s for s in ins):
            raise ValueError(f"einsum(): output subscript {c!r} does not appear in the operands of {equation!r}")
    sizes: dict[str, int] = {}
    for s, t in zip(ins, tensors):
        for c, n in zip(s, t.shape):
            if sizes.get(c, n) != n and 1 not in (n, sizes[c]):
                raise ShapeError(
                    f"einsum(): subscript {c!r} has size {n} for an operand of shape {t.shape} "
                    f"in {equation!r}, which does not match the size {sizes[c]} it has elsewhere"
                )
            sizes[c] = max(sizes.get(c, 1), n)
    return Einsum.apply(*tensors, equation=",".join(ins) + "->" + out)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Σ over the last ``dims`` dims of ``a`` and the first of ``b`` (or over the dims listed in
    ``dims = ([dims of a], [dims of b])``), as ``torch.tensordot``; built on einsum."""
    a, b = _t(a), _t(b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    da: list[Any]
    db: list[Any]
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, numbers.Integral) else list(da)
        db = [db] if isinstance(db, numbers.Integral) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"tensordot: both dimension lists should have the same length, got {da} and {db}")
    da = [_wrap_dim(d, a.ndim, "tensordot") for d in da]
    db = [_wrap_dim(d, b.ndim, "tensordot") for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(
                f"tensordot: contracted dimensions need to match, but first has size {a.shape[i]} "
                f"in dim {i} and second has size {b.shape[j]} in dim {j}"
            )
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [c for j, c in enumerate(sb) if j not in db]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


# ---------------------------------------------------------------------- cross, cdist
def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (by default the first dim of size 3, as ``torch.cross``;
    ``torch.linalg.cross`` uses −1), with broadcasting."""
    a, b = _t(input), _t(other)
    if a.ndim != b.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions, got shapes {a.shape} and {b.shape}"
        )
    a, b = _promote(a, b, "cross")
    shape = np.broadcast_shapes(a.shape, b.shape) if a.shape != b.shape else a.shape
    if a.shape != shape:
        a = a.expand(*shape)
    if b.shape != shape:
        b = b.expand(*shape)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {tuple(shape)}")
    d = _wrap_dim(dim, len(shape), "cross")
    if shape[d] != 3:
        raise RuntimeError(f"cross: inputs dimension {dim} must have length 3, got shapes {tuple(shape)}")
    a0, a1, a2 = a.unbind(d)
    b0, b1, b2 = b.unbind(d)
    from minigrad.ops.shape import stack

    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """‖x1ᵢ − x2ⱼ‖ₚ for every pair of rows: (…, P, M) and (…, R, M) give (…, P, R). The gradient is 0
    where a distance is 0 (as PyTorch)."""
    x1, x2 = _t(x1), _t(x2)
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"cdist: X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


# ---------------------------------------------------------------------- inverse trigonometric and hyperbolic
@declare(method="asin", function="asin")
class Asin(Function):
    """y = arcsin x;  ∂x = g / √(1 − x²)"""

    save_inputs = True

    def forward(self, x):
        return np.arcsin(x)

    def backward(self, g, x):
        return g * (1.0 - x * x) ** -0.5


@declare(method="acos", function="acos")
class Acos(Function):
    """y = arccos x;  ∂x = −g / √(1 − x²)"""

    save_inputs = True

    def forward(self, x):
        return np.arccos(x)

    def backward(self, g, x):
        return -g * (1.0 - x * x) ** -0.5


@declare(method="atan", function="atan")
class Atan(Function):
    """y = arctan x;  ∂x = g / (1 + x²)"""

    save_inputs = True

    def forward(self, x):
        return np.arctan(x)

    def backward(self, g, x):
        return g / (1.0 + x * x)


@declare(method="sinh", function="sinh")
class Sinh(Function):
    """y = sinh x;  ∂x = g · cosh x"""

    save_inputs = True

    def forward(self, x):
        return np.sinh(x)

    def backward(self, g, x):
        return g * (cosh(x) if isinstance(x, Tensor) else np.cosh(x))


@declare(method="cosh", function="cosh")
class Cosh(Function):
    """y = cosh x;  ∂x = g · sinh x"""

    save_inputs = True

    def forward(self, x):
        return np.cosh(x)

    def backward(self, g, x):
        return g * (sinh(x) if isinstance(x, Tensor) else np.sinh(x))


@declare(method="asinh", function="asinh")
class Asinh(Function):
    """y = arsinh x;  ∂x = g / √(x² + 1)"""

    save_inputs = True

    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, g, x):
        return g * (x * x + 1.0) ** -0.5


@declare(method="acosh", function="acosh")
class Acosh(Function):
    """y = arcosh x (x ≥ 1);  ∂x = g / √(x² − 1)"""

    save_inputs = True

    def forward(self, x):
        return np.arccosh(x)

    def backward(self, g, x):
        return g * (x * x - 1.0) ** -0.5


@declare(method="atanh", function="atanh")
class Atanh(Function):
    """y = artanh x (|x| < 1);  ∂x = g / (1 − x²)"""

    save_inputs = True

    def forward(self, x):
        return np.arctanh(x)

    def backward(self, g, x):
        return g / (1.0 - x * x)


def asin(x: Any) -> Tensor:
    """arcsin x, elementwise (nan outside [−1, 1])."""
    return Asin.apply(_as_float(_t(x)))


def acos(x: Any) -> Tensor:
    """arccos x, elementwise (nan outside [−1, 1])."""
    return Acos.apply(_as_float(_t(x)))


def atan(x: Any) -> Tensor:
    """arctan x, elementwise."""
    return Atan.apply(_as_float(_t(x)))


def sinh(x: Any) -> Tensor:
    """sinh x = (eˣ − e⁻ˣ)/2;  ∂x = g · cosh x."""
    return Sinh.apply(_as_float(_t(x)))


def cosh(x: Any) -> Tensor:
    """cosh x = (eˣ + e⁻ˣ)/2;  ∂x = g · sinh x."""
    return Cosh.apply(_as_float(_t(x)))


def asinh(x: Any) -> Tensor:
    """asinh x = log(x + √(x² + 1));  ∂x = g / √(x² + 1)."""
    return Asinh.apply(_as_float(_t(x)))


def acosh(x: Any) -> Tensor:
    """arcosh x, elementwise (nan below 1)."""
    return Acosh.apply(_as_float(_t(x)))


def atanh(x: Any) -> Tensor:
    """artanh x, elementwise (±inf at ±1, nan beyond)."""
    return Atanh.apply(_as_float(_t(x)))


def erfc(x: Any) -> Tensor:
    """1 − erf x, without the cancellation for large x."""
    from minigrad.ops.activation import Erfc

    return Erfc.apply(_as_float(_t(x)))


# ---------------------------------------------------------------------- composed elementwise functions
def logit(x: Any, eps: float | None = None) -> Tensor:
    """log(p / (1 − p)), with p clamped to [eps, 1 − eps] when ``eps`` is given."""
    p = _as_float(_t(x))
    if eps is not None:
        p = p.clamp(eps, 1.0 - eps)
    return (p / (1.0 - p)).log()


def xlogy(x: Any, y: Any) -> Tensor:
    """x · log y, and 0 where x = 0 (even where y = 0 or inf), as PyTorch; nan where y is nan."""
    from minigrad.ops.elementwise import where

    xt = _as_float(_t(x))
    y = _as_float(_t(y))
    ya = y._data
    # where x = 0 and log y is -inf, nan or inf, 0·log y is taken as 0 (and its gradients as 0, as PyTorch);
    # elsewhere the ordinary product, so ∂/∂x = log y also at x = 0
    fixed = np.broadcast_to(xt._data == 0, np.broadcast_shapes(xt.shape, y.shape)) & ((ya <= 0) | np.isinf(ya))
    if not fixed.any():
        return xt * y.log()
    return where(fixed, 0.0, xt * where(fixed, 1.0, y).log())


def hypot(a: Any, b: Any) -> Tensor:
    """√(a² + b²), elementwise with broadcasting."""
    a, b = _promote(_t(a), b, "hypot", true_divide=True)
    return (a * a + b * b).sqrt()


def logaddexp(a: Any, b: Any) -> Tensor:
    """log(eᵃ + eᵇ) = max(a, b) + log1p(e^{−|a − b|}), stable for large values."""
    from minigrad.ops.elementwise import Maximum

    a, b = _promote(_t(a), b, "logaddexp", true_divide=True)
    return Maximum.apply(a, b) + (-(a - b).abs()).exp().log1p()


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:  # noqa: A002
    """input + value · tensor1 · tensor2."""
    return _t(input) + value * (_t(tensor1) * tensor2)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:  # noqa: A002
    """input + value · tensor1 / tensor2."""
    return _t(input) + value * (_t(tensor1) / tensor2)


def deg2rad(x: Any) -> Tensor:
    """x · π/180: degrees to radians."""
    return _as_float(_t(x)) * (math.pi / 180.0)


def rad2deg(x: Any) -> Tensor:
    """x · 180/π: radians to degrees."""
    return _as_float(_t(x)) * (180.0 / math.pi)


def fmod(a: Any, b: Any) -> Tensor:
    """The remainder of a / b with the sign of a (C's fmod): a − b · trunc(a / b)."""
    a, b = _promote(_t(a), b, "fmod")
    if a.dtype.kind in "iu":
        return Tensor._make(np.fmod(a._data, b._data if isinstance(b, Tensor) else b))
    return a - b * (a / b).trunc()


# ---------------------------------------------------------------------- reductions and differences
def diff(x: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The n-th forward difference along ``dim`` (``out[i] = x[i + 1] − x[i]``, repeated n times)."""
    from minigrad.ops.shape import cat

    x = _t(x)
    d = _wrap_dim(dim, x.ndim, "diff")
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, x, append) if t is not None], d)
    for _ in range(n):
        if x.shape[d] == 0:
            break
        hi = tuple(slice(1, None) if i == d else slice(None) for i in range(x.ndim))
        lo = tuple(slice(None, -1) if i == d else slice(None) for i in range(x.ndim))
        x = (x[hi] != x[lo]) if x.dtype.kind == "b" else x[hi] - x[lo]
    return x


def nansum(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Σ with nan counted as 0 (its gradient there is 0)."""
    from minigrad.ops.elementwise import where

    x = _t(x)
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind in "fc":
        x = where(np.isnan(x._data), 0.0, x)
    return x.sum(dim, keepdim)


def nanmean(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the values that are not nan."""
    x = _t(x)
    if dtype is not None:
        x = x.to(dtype)
    count = Tensor._make((~np.isnan(x._data)).astype(x.dtype))
    return nansum(x, dim, keepdim) / count.sum(dim, keepdim)


def var_mean(x: Any, dim: Any = None, *, correction: float = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim``."""
    x = _t(x)
    return x.var(dim, correction=correction, keepdim=keepdim), x.mean(dim, keepdim)


def std_mean(x: Any, dim: Any = None, *, correction: float = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim``."""
    x = _t(x)
    return x.std(dim, correction=correction, keepdim=keepdim), x.mean(dim, keepdim)


def inner(a: Any, b: Any) -> Tensor:
    """Σ over the last dim of both (the dot product for vectors); a product for 0-d inputs."""
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, dims=([-1], [-1]))


def kron(a: Any, b: Any) -> Tensor:
    """The Kronecker product: block (i, j) of the result is a[i, j] · b (any equal number of dims)."""
    a, b = _t(a), _t(b)
    n = max(a.ndim, b.ndim)
    a = a.reshape(*((1,) * (n - a.ndim) + a.shape))
    b = b.reshape(*((1,) * (n - b.ndim) + b.shape))
    # a[i, j] b[k, l] laid out as (i, k, j, l), then merged pairwise
    inter = [v for i in range(n) for v in (a.shape[i], 1)]
    bshape = [v for i in range(n) for v in (1, b.shape[i])]
    prod = a.reshape(*inter) * b.reshape(*bshape)
    return prod.reshape(*[a.shape[i] * b.shape[i] for i in range(n)])


def rot90(x: Any, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90° k times in the plane of ``dims``, from the first dim towards the second."""
    x = _t(x)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    d0, d1 = (_wrap_dim(d, x.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return x.flip(d1).transpose(d0, d1)
    if k == 2:
        return x.flip(d0, d1)
    if k == 3:
        return x.flip(d0).transpose(d0, d1)
    return x.clone()


def _running_extreme(x: Any, dim: int, op: str, better: Any) -> Any:
    """``(values, indices)`` of the running max/min along ``dim``; ties take the later index, as PyTorch."""
    from minigrad.ops.select import _take_along

    x = _t(x)
    if x.ndim == 0:
        return MinMaxResult(op, x * 1, Tensor._make(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, op)
    a = np.moveaxis(x._data, d, -1)
    idx = np.zeros(a.shape, dtype=np.int64)
    best = a[..., 0].copy() if a.shape[-1] else a[..., :0]
    for i in range(1, a.shape[-1]):
        cur = a[..., i]
        take = better(cur, best) | (cur == best)
        if a.dtype.kind in "fc":  # a nan, once seen, stays (and a later nan takes over)
            take = (take & ~np.isnan(best)) | np.isnan(cur)
        best = np.where(take, a[..., i], best)
        idx[..., i] = np.where(take, i, idx[..., i - 1])
    idx = np.moveaxis(idx, -1, d)
    return MinMaxResult(op, _take_along(x, d, idx), Tensor._make(idx))


def MinMaxResult(op: str, values: Tensor, indices: Tensor) -> Any:  # noqa: N802 - a named-tuple factory
    return _RESULTS[op](values, indices)


_RESULTS: dict[str, Any] = {
    "cummax": namedtuple("cummax", ["values", "indices"]),
    "cummin": namedtuple("cummin", ["values", "indices"]),
}
torch_repr(*_RESULTS.values())


def cummax(x: Any, dim: int) -> Any:
    """``(values, indices)``: the largest value so far along ``dim`` and where it is; gradients go there."""
    return _running_extreme(x, dim, "cummax", np.greater)


def cummin(x: Any, dim: int) -> Any:
    """``(values, indices)``: the smallest value so far along ``dim`` and where it is."""
    return _running_extreme(x, dim, "cummin", np.less)


AminmaxResult = namedtuple("aminmax", ["min", "max"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
torch_repr(AminmaxResult)


def aminmax(x: Any, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over all elements or along ``dim``."""
    x = _t(x)
    return AminmaxResult(x.amin(dim, keepdim), x.amax(dim, keepdim))


def quantile(x: Any, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The q-quantiles along ``dim`` (of all elements when None), interpolating between the sorted values as
    PyTorch's 'linear', 'lower', 'higher', 'nearest' or 'midpoint'; a tensor ``q`` adds a leading dim."""
    from minigrad.ops.select import _take_along

    x = _t(x)
    if x.dtype.kind not in "f":
        raise RuntimeError(f"quantile() input tensor must be either float or double dtype, got {x.dtype}")
    qs = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    modes = ("linear", "lower", "higher", "nearest", "midpoint")
    if interpolation not in modes:
        raise ValueError(f"quantile() interpolation must be one of {modes}. Got {interpolation!r}")
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = _wrap_dim(dim, x.ndim, "quantile")
    n = x.shape[d]
    if n == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    order = np.argsort(x._data, axis=d, kind="stable")
    sorted_x = _take_along(x, d, order)
    outs = []
    for qv in qs.reshape(-1):
        pos = qv * (n - 1)
        lo, hi = int(math.floor(pos)), int(math.ceil(pos))
        take = [slice(None)] * x.ndim
        take[d] = slice(lo, lo + 1)
        below = sorted_x[tuple(take)]
        take[d] = slice(hi, hi + 1)
        above = sorted_x[tuple(take)]
        frac = pos - lo
        if interpolation == "lower":
            v = below
        elif interpolation == "higher":
            v = above
        elif interpolation == "nearest":
            v = below if round(pos) == lo else above  # round half to even, as PyTorch
        elif interpolation == "midpoint":
            v = below + (above - below) * 0.5 if hi != lo else below
        else:
            v = below + (above - below) * frac if hi != lo else below
        if dim is None:
            v = v.reshape(*((1,) * len(x.shape))) if keepdim else v.reshape(())
        elif not keepdim:
            v = v.squeeze(d)
        outs.append(v)
    if qs.ndim == 0:
        return outs[0]
    from minigrad.ops.shape import stack

    return stack(outs, 0)


def kthvalue(x: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the k-th smallest value along ``dim`` (k counts from 1)."""
    from minigrad.ops.select import _take_along

    x = _t(x)
    d = _wrap_dim(dim, x.ndim, "kthvalue")
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}: k = {k}, size {n}")
    if x.ndim == 0:
        return _KTH(x * 1, Tensor._make(np.zeros((), np.int64)))
    idx = np.take(np.argsort(x._data, axis=d, kind="stable"), [k - 1], axis=d)
    values, indices = _take_along(x, d, idx), idx.astype(np.int64)
    if not keepdim:
        values, indices = values.squeeze(d), np.squeeze(indices, d)
    return _KTH(values, Tensor._make(indices))


_KTH = namedtuple("kthvalue", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
torch_repr(_KTH)


# ---------------------------------------------------------------------- a few more of the namespace
def logcumsumexp(x: Any, dim: int) -> Tensor:
    """log Σ_{j≤i} e^{xⱼ} along ``dim``, with the max subtracted so large values do not overflow."""
    x = _as_float(_t(x))
    if x.ndim == 0:
        return x * 1.0
    d = _wrap_dim(dim, x.ndim, "logcumsumexp")
    m = np.max(x._data, axis=d, keepdims=True) if x.shape[d] else np.zeros(())
    m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype)
    return (x - m).exp().cumsum(d).log() + m


def baddbmm(input: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:  # noqa: A002
    """β · input + α · (batch1 @ batch2) for batches of matrices."""
    product = _t(batch1).bmm(batch2)
    product = product if alpha == 1 else alpha * product
    return product if beta == 0 else product + (input if beta == 1 else beta * _t(input))


def addbmm(input: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:  # noqa: A002
    """β · input + α · Σ_b batch1[b] @ batch2[b]."""
    product = _t(batch1).bmm(batch2).sum(0)
    product = product if alpha == 1 else alpha * product
    return product if beta == 0 else product + (input if beta == 1 else beta * _t(input))


def addmv(input: Any, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:  # noqa: A002
    """β · input + α · (mat @ vec)."""
    product = _t(mat).mv(vec)
    product = product if alpha == 1 else alpha * product
    return product if beta == 0 else product + (input if beta == 1 else beta * _t(input))


def float_power(a: Any, b: Any) -> Tensor:
    """aᵇ computed in float64 (as PyTorch's ``float_power``)."""
    a = _t(a).to(np.float64)
    return a ** (b.to(np.float64) if isinstance(b, Tensor) else float(b))


def rsub(a: Any, b: Any, *, alpha: float = 1) -> Tensor:
    """b − α · a."""
    return b - alpha * _t(a) if alpha != 1 else b - _t(a)


def take(x: Any, index: Any) -> Tensor:
    """The elements of the flattened ``x`` at ``index`` (the result has index's shape)."""
    from minigrad.ops.index import GetItem

    x = _t(x)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    n = x.numel()
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"take: index out of range for a tensor of {n} elements (input shape {x.shape})")
    return GetItem.apply(x.reshape(-1), index=idx)


def combinations(x: Any, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of the elements of a 1-D tensor, as rows (differentiable: indexing)."""
    import itertools

    from minigrad.ops.index import GetItem

    x = _t(x)
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {x.shape}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if r == 0 or idx.size == 0:
        return Tensor._make(np.zeros((0,) if r == 0 else (0, r), dtype=x.dtype))
    return GetItem.apply(x, index=idx)


def searchsorted(
    sorted_sequence: Any,
    values: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: Literal["left", "right"] | None = None,
    sorter: Any = None,
) -> Tensor:
    """Where each of ``values`` would go in the (last-dim) sorted ``sorted_sequence`` to keep it sorted."""
    seq = _t(sorted_sequence)._data
    vals = values._data if isinstance(values, Tensor) else np.asarray(values)
    side = side or ("right" if right else "left")
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        seq = np.take_along_axis(seq, order, axis=-1)
    if seq.ndim <= 1:
        out = np.searchsorted(seq, vals, side=side)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(
                f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                f"dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
            )
        flat_s, flat_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(flat_s, flat_v)]).reshape(vals.shape)
    return Tensor._make(np.asarray(out).astype(np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each value given 1-D sorted ``boundaries`` (``right``: boundaries[i-1] <= x < boundaries[i])."""
    b = _t(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def signbit(x: Any) -> Tensor:
    """Whether the sign bit is set (True for −0.0 too)."""
    return Tensor._make(np.signbit(_t(x)._data))


def copysign(a: Any, b: Any) -> Tensor:
    """|a| with the sign of b (its gradient: sign(a)·sign-of-b per element)."""
    a = _as_float(_t(a))
    bb = b._data if isinstance(b, Tensor) else np.asarray(b)
    sign = np.where(np.signbit(bb), -1.0, 1.0).astype(a.dtype)
    out = a.abs() * Tensor._make(sign)
    if isinstance(b, Tensor) and b.requires_grad:  # b gets a zero gradient, as PyTorch's (a step in b)
        from minigrad.ops.elementwise import where

        out = where(np.ones(out.shape, dtype=bool), out, b)
    return out


def heaviside(x: Any, values: Any) -> Tensor:
    """0 where x < 0, ``values`` where x = 0, 1 where x > 0 (no gradient)."""
    xa = _t(x)._data
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    return Tensor._make(np.heaviside(xa, v).astype(np.result_type(xa, v)))


def sinc(x: Any) -> Tensor:
    """sin(πx)/(πx), and 1 at 0."""
    from minigrad.ops.elementwise import where

    x = _as_float(_t(x))
    zero = x._data == 0
    px = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, px.sin() / px)


def fmax(a: Any, b: Any) -> Tensor:
    """The elementwise maximum, ignoring nan (nan only where both are nan)."""
    return _nan_ignoring(a, b, "fmax")


def fmin(a: Any, b: Any) -> Tensor:
    """The elementwise minimum, ignoring nan (nan only where both are nan)."""
    return _nan_ignoring(a, b, "fmin")


def _nan_ignoring(a: Any, b: Any, op: str) -> Tensor:
    from minigrad.ops.elementwise import Maximum, Minimum, where

    a, b = _promote(_t(a), b, op)
    b = _t(b)
    pick = (Maximum if op == "fmax" else Minimum).apply(a, b)
    if a.dtype.kind not in "fc":
        return pick
    a_nan, b_nan = np.isnan(a._data), np.isnan(b._data)
    if not (a_nan.any() or b_nan.any()):
        return pick
    return where(a_nan, b, where(b_nan, a, pick))


ModeResult = namedtuple("mode", ["values", "indices"])  # type: ignore[name-match]  # torch.return_types' name, shown by repr
torch_repr(ModeResult)


def mode(x: Any, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among equally frequent ones)
    and the index of its last occurrence; the gradient goes there."""
    from minigrad.ops.select import _take_along

    x = _t(x)
    if x.ndim == 0:
        return ModeResult(x * 1, Tensor._make(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "mode")
    a = np.moveaxis(x._data, d, -1)
    flat = a.reshape(-1, a.shape[-1])
    idx = np.empty(flat.shape[0], dtype=np.int64)
    for r, row in enumerate(flat):
        uniq, counts = np.unique(row, return_counts=True)  # sorted: ties go to the smallest value
        best = uniq[np.argmax(counts)]
        idx[r] = np.flatnonzero((row == best) | (np.isnan(row) & np.isnan(best)))[-1]
    idx = np.expand_dims(idx.reshape(a.shape[:-1]), d)
    values = _take_along(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, d)
    return ModeResult(values, Tensor._make(idx))


def nanmedian(x: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` of the values that are not nan (nan only where all are nan)."""
    from minigrad.ops.index import GetItem
    from minigrad.ops.select import _take_along

    x = _t(x)
    if x.dtype.kind not in "fc":
        return median(x, dim, keepdim)
    if dim is None:
        flat = x.reshape(-1)
        a = flat._data
        ok = np.flatnonzero(~np.isnan(a))
        if ok.size == 0:
            return GetItem.apply(flat, index=0) if a.size else median(x)
        k = ok[np.argsort(a[ok], kind="stable")[(ok.size - 1) // 2]]
        return GetItem.apply(flat, index=int(k))
    if x.ndim == 0:
        return MedianResult(GetItem.apply(x, index=()), Tensor._make(np.zeros((), np.int64)))
    d = _wrap_dim(dim, x.ndim, "nanmedian")
    a = x._data
    order = np.argsort(np.where(np.isnan(a), np.inf, a), axis=d, kind="stable")
    count = np.sum(~np.isnan(a), axis=d, keepdims=True)
    k = np.maximum(count - 1, 0) // 2
    idx = np.take_along_axis(order, k, axis=d)
    values = _take_along(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, d)
    return MedianResult(values, Tensor._make(idx.astype(np.int64)))
