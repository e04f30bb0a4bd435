"""Module-level forms of the Tensor methods (``mg.exp(x)`` beside ``x.exp()``), as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import _extras
from minigrad.ops import declare as _declare
from minigrad.ops import extra as _extra
from minigrad.ops.elementwise import Maximum, Minimum, where
from minigrad.ops.linalg import linear
from minigrad.ops.linalg import matmul as _matmul
from minigrad.ops.random import bernoulli, dropout, multinomial
from minigrad.ops.shape import cat, pad, stack
from minigrad.tensor import Tensor, _operand


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _into(out: Any, result: Tensor, op: str) -> Tensor:
    """PyTorch's ``out=``: ``result`` written into ``out`` (resized when the shapes differ), ``out`` returned.
    Not differentiable, as in PyTorch: an input that requires grad (grad mode on) raises."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result.requires_grad:
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad"
        )
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(f"{op}(): result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape == result.shape:
        out.copy_(result)
    else:  # PyTorch resizes out to the result's shape
        out._check_inplace(op)
        out._take_memory(result._data.astype(out.dtype))
    return out


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics (``input @ other``); ``out=`` as in PyTorch."""
    return _into(out, _matmul(input, other), "matmul")


def exp(x: Tensor) -> Tensor:
    """eˣ, elementwise."""
    return _t(x).exp()


def log(x: Tensor) -> Tensor:
    """Natural logarithm, elementwise."""
    return _t(x).log()


def sqrt(x: Tensor) -> Tensor:
    """√x, elementwise."""
    return _t(x).sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """|x|, elementwise (gradient sign(x), 0 at 0)."""
    return _t(x).abs()


def sin(x: Tensor) -> Tensor:
    """sin x, elementwise."""
    return _t(x).sin()


def cos(x: Tensor) -> Tensor:
    """cos x, elementwise."""
    return _t(x).cos()


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to [min, max]; the gradient passes where min ≤ x ≤ max."""
    return _t(x).clamp(min, max)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; ties split the gradient equally."""
    return (
        Maximum.apply(_operand(a), _operand(b))
        if isinstance(a, Tensor) or isinstance(b, Tensor)
        else Maximum.apply(_t(a), _operand(b))
    )


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; ties split the gradient equally."""
    return (
        Minimum.apply(_operand(a), _operand(b))
        if isinstance(a, Tensor) or isinstance(b, Tensor)
        else Minimum.apply(_t(a), _operand(b))
    )


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:  # noqa: A001
    """Σ of the elements over ``dim`` (an int or a tuple; all by default)."""
    return _t(x).sum(dim, keepdim, **kw)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """The mean over ``dim`` (an int or a tuple; all by default)."""
    return _t(x).mean(dim, keepdim, **kw)


def var(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """Variance Σ(x − x̄)²/(N − correction) over ``dim``; ``correction=1`` (default) is unbiased."""
    return _t(x).var(dim, **kw)


def std(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """Standard deviation √var over ``dim`` (``correction=1`` by default)."""
    return _t(x).std(dim, **kw)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``torch.max``: the largest value, ``(values, indices)`` along ``dim``, or ``maximum(x, other)``."""
    return _t(x).max(dim, keepdim)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``torch.min``: the smallest value, ``(values, indices)`` along ``dim``, or ``minimum(x, other)``."""
    return _t(x).min(dim, keepdim)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """Largest values over ``dim`` (an int or a tuple; values only); ties share the gradient."""
    return _t(x).amax(dim, keepdim, **kw)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """Smallest values over ``dim`` (an int or a tuple; values only); ties share the gradient."""
    return _t(x).amin(dim, keepdim, **kw)


def argmax(
    x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """Index of the largest value (over ``dim``, or of the flattened tensor); ``axis``/``keepdims`` work too."""
    return _t(x).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(
    x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """Index of the smallest value (over ``dim``, or of the flattened tensor); ``axis``/``keepdims`` work too."""
    return _t(x).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """log Σ exp(x) over ``dim``, computed stably with the max subtracted."""
    return _t(x).logsumexp(dim, keepdim, **kw)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / Σ exp(x) along ``dim`` (stable)."""
    return _t(x).softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """x − logsumexp(x) along ``dim`` (stable)."""
    return _t(x).log_softmax(dim)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (a view when possible)."""
    return _t(x).reshape(*shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim`` to ``end_dim`` merged into one."""
    return _t(x).flatten(start_dim, end_dim)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Dimensions ``dim0`` and ``dim1`` swapped (a view)."""
    return _t(x).transpose(dim0, dim1)


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Dimensions reordered (a view)."""
    return _t(x).permute(*dims)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """A new dimension of size 1 at ``dim``."""
    return _t(x).unsqueeze(dim)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Dimensions of size 1 removed (only ``dim`` if given)."""
    return _t(x).squeeze(dim)


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    """A view broadcast to ``shape``; the gradient sums back over the broadcast dimensions."""
    return _t(x).broadcast_to(shape)


def numel(x: Tensor) -> int:
    """The number of elements."""
    return _t(x).numel()


__all__ = [
    "abs",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "bernoulli",
    "broadcast_to",
    "cat",
    "clamp",
    "clip",
    "cos",
    "dropout",
    "exp",
    "flatten",
    "linear",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "numel",
    "pad",
    "permute",
    "reshape",
    "sin",
    "softmax",
    "sqrt",
    "squeeze",
    "stack",
    "std",
    "sum",
    "transpose",
    "unsqueeze",
    "var",
    "where",
]


# ---------------------------------------------------------------------- PyTorch's wider function surface
# (the forms of the Tensor methods in tensor.py's "wider tensor surface" section; no builtins below:
# this module's sum/max/min/abs/all/any/round/pow are the tensor versions)
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """input ** exponent (either may be a number)."""
    return input**exponent if isinstance(input, Tensor) or isinstance(exponent, Tensor) else _t(input) ** exponent


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input + alpha · other; ``out=`` as in PyTorch."""
    return _into(out, _t(input).add(other, alpha=alpha), "add")


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input − alpha · other; ``out=`` as in PyTorch."""
    return _into(out, _t(input).sub(other, alpha=alpha), "sub")


subtract = sub


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    """input · other, elementwise; ``out=`` as in PyTorch."""
    return _into(out, _t(input) * other, "mul")


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None) -> Tensor:
    """input / other; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (no gradient); ``out=``
    as in PyTorch."""
    return _into(out, _t(input).div(other, rounding_mode=rounding_mode), "div")


divide = div


def true_divide(input: Any, other: Any) -> Tensor:
    """input / other (always a float result)."""
    return _t(input) / other


def floor_divide(input: Any, other: Any) -> Tensor:
    """⌊input / other⌋ (no gradient)."""
    return _t(input) // other


def remainder(input: Any, other: Any) -> Tensor:
    """input − other · ⌊input / other⌋ (Python's %)."""
    return _t(input) % other


def neg(input: Any) -> Tensor:
    """−x."""
    return -_t(input)


negative = neg


def reciprocal(input: Any) -> Tensor:
    """1/x."""
    return _t(input).reciprocal()


def square(input: Any) -> Tensor:
    """x²."""
    return _t(input).square()


def rsqrt(input: Any) -> Tensor:
    """1/√x."""
    return _t(input).rsqrt()


def log10(input: Any) -> Tensor:
    """log₁₀ x."""
    return _t(input).log10()


def log2(input: Any) -> Tensor:
    """log₂ x."""
    return _t(input).log2()


def log1p(input: Any) -> Tensor:
    """log(1 + x), accurate for small x."""
    return _t(input).log1p()


def expm1(input: Any) -> Tensor:
    """eˣ − 1, accurate for small x."""
    return _t(input).expm1()


def exp2(input: Any) -> Tensor:
    """2ˣ."""
    return _t(input).exp2()


def sign(input: Any) -> Tensor:
    """−1, 0 or 1 by the sign of each element (gradient 0)."""
    return _t(input).sign()


def floor(input: Any) -> Tensor:
    """⌊x⌋ (gradient 0)."""
    return _t(input).floor()


def ceil(input: Any) -> Tensor:
    """⌈x⌉ (gradient 0)."""
    return _t(input).ceil()


def round(input: Any, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Rounded to ``decimals`` places, halves to even (gradient 0)."""
    return _t(input).round(decimals)


def trunc(input: Any) -> Tensor:
    """Rounded toward 0 (gradient 0)."""
    return _t(input).trunc()


fix = trunc


def frac(input: Any) -> Tensor:
    """x − trunc(x)."""
    return _t(input).frac()


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN → ``nan``, ±inf → ``posinf``/``neginf`` (default: the dtype's largest/smallest finite value)."""
    return _t(input).nan_to_num(nan, posinf, neginf)


def isnan(input: Any) -> Tensor:
    """True where an element is NaN."""
    return _t(input).isnan()


def isinf(input: Any) -> Tensor:
    """True where an element is ±inf."""
    return _t(input).isinf()


def isposinf(input: Any) -> Tensor:
    """True where an element is +inf."""
    return _t(input).isposinf()


def isneginf(input: Any) -> Tensor:
    """True where an element is −inf."""
    return _t(input).isneginf()


def isfinite(input: Any) -> Tensor:
    """True where an element is neither NaN nor ±inf."""
    return _t(input).isfinite()


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol · |other|, elementwise."""
    return _t(input).isclose(_t(other), rtol, atol, equal_nan)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element of input is close to other's (a Python bool, as torch.allclose)."""
    return _t(input).allclose(_t(other), rtol, atol, equal_nan)


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and the same values."""
    return _t(input).equal(_t(other))


def eq(input: Any, other: Any) -> Tensor:
    """input == other, elementwise (a bool tensor)."""
    return _t(input) == other


def ne(input: Any, other: Any) -> Tensor:
    """input != other, elementwise (a bool tensor)."""
    return _t(input) != other


def lt(input: Any, other: Any) -> Tensor:
    """input < other, elementwise (a bool tensor)."""
    return _t(input) < other


def le(input: Any, other: Any) -> Tensor:
    """input ≤ other, elementwise (a bool tensor)."""
    return _t(input) <= other


def gt(input: Any, other: Any) -> Tensor:
    """input > other, elementwise (a bool tensor)."""
    return _t(input) > other


def ge(input: Any, other: Any) -> Tensor:
    """input ≥ other, elementwise (a bool tensor)."""
    return _t(input) >= other


def logical_not(input: Any) -> Tensor:
    """Elementwise NOT of the truth values."""
    return _t(input).logical_not()


def logical_and(input: Any, other: Any) -> Tensor:
    """Elementwise AND of the truth values."""
    return _t(input).logical_and(other)


def logical_or(input: Any, other: Any) -> Tensor:
    """Elementwise OR of the truth values."""
    return _t(input).logical_or(other)


def logical_xor(input: Any, other: Any) -> Tensor:
    """Elementwise XOR of the truth values."""
    return _t(input).logical_xor(other)


def all(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether every element (over ``dim``) is nonzero, as a bool tensor."""
    return _t(input).all(dim, keepdim)


def any(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether some element (over ``dim``) is nonzero, as a bool tensor."""
    return _t(input).any(dim, keepdim)


def prod(input: Any, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Π of the elements (over one ``dim``); zeros get exact gradients."""
    return _t(input).prod(dim, keepdim, dtype=dtype)


def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``."""
    return _t(input).cumsum(dim, dtype=dtype)


def norm(
    input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, out: Any = None, dtype: Any = None
) -> Tensor:
    """The p-norm (Σ|x|ᵖ)^(1/p) over ``dim`` (all elements by default)."""
    if out is not None:
        raise NotImplementedError("norm: out= is not supported by minigrad; use the returned tensor")
    return _t(input).norm(p, dim, keepdim, dtype)


def dist(input: Any, other: Any, p: float = 2) -> Tensor:
    """‖input − other‖ₚ."""
    return _t(input).dist(other, p)


def count_nonzero(input: Any, dim: Any = None) -> Tensor:
    """The number of non-zero elements (over ``dim``)."""
    return _t(input).count_nonzero(dim)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors."""
    return _t(input).mm(_t(mat2))


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of (b, n, m) and (b, m, p) tensors."""
    return _t(input).bmm(_t(mat2))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The matrix-vector product."""
    return _t(input).mv(_t(vec))


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-D tensors."""
    return _t(input).dot(_t(other))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors."""
    return _t(input).outer(_t(vec2))


ger = outer


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor's diagonal matrix, or a matrix's diagonal (offset by ``diagonal``)."""
    return _t(input).diag(diagonal)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal at ``offset`` of the matrices in dims ``dim1``, ``dim2`` (a view)."""
    return _t(input).diagonal(offset, dim1, dim2)


def trace(input: Tensor) -> Tensor:
    """Σ of a matrix's main diagonal."""
    return _t(input).trace()


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (elements above ``diagonal`` set to 0)."""
    return _t(input).tril(diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (elements below ``diagonal`` set to 0)."""
    return _t(input).triu(diagonal)


def t(input: Tensor) -> Tensor:
    """The transpose of a tensor of at most 2 dimensions."""
    return _t(input).t()


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` near-equal pieces along ``dim`` (views)."""
    return _t(input).chunk(chunks, dim)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size_or_sections`` along ``dim`` (views)."""
    return _t(tensor).split(split_size_or_sections, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, as a tuple."""
    return _t(input).unbind(dim)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` entries from ``start`` along ``dim`` (a view)."""
    return _t(input).narrow(dim, start, length)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Dimension(s) ``source`` moved to ``destination``."""
    return _t(input).movedim(source, destination)


moveaxis = movedim


def flip(input: Tensor, dims: Any) -> Tensor:
    """A copy with the order of elements reversed along ``dims``."""
    return _t(input).flip(dims)


def fliplr(input: Tensor) -> Tensor:
    """Columns reversed (``flip(input, [1])``)."""
    return _t(input).fliplr()


def flipud(input: Tensor) -> Tensor:
    """Rows reversed (``flip(input, [0])``)."""
    return _t(input).flipud()


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted along ``dims`` by ``shifts``, wrapping around."""
    return _t(input).roll(shifts, dims)


def tile(input: Tensor, dims: Any) -> Tensor:
    """The tensor repeated ``dims`` times per dimension."""
    return _t(input).tile(dims)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place."""
    return _t(input).repeat_interleave(repeats, dim)


def clone(input: Tensor) -> Tensor:
    """A differentiable copy with its own memory."""
    return _t(input).clone()


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """``(values, indices)`` sorted along ``dim``."""
    return _t(input).sort(dim, descending, stable)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort along ``dim``."""
    return _t(input).argsort(dim, descending, stable)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (or smallest) along ``dim``."""
    return _t(input).topk(k, dim, largest, sorted)


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for ``dim=0``, and so on per dimension."""
    return _t(input).gather(dim, index)


def scatter(input: Tensor, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None) -> Tensor:
    """A copy with ``src`` written at ``index`` along ``dim``."""
    return _t(input).scatter(dim, index, src, value, reduce=reduce)


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """A copy with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    return _t(input).scatter_add(dim, index, src)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The entries at ``index`` along ``dim``."""
    return _t(input).index_select(dim, index)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``value`` where ``mask`` is True, else ``input``."""
    return _t(input).masked_fill(mask, value)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements where ``mask`` is True, as a 1-D tensor."""
    return _t(input).masked_select(mask)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,  # noqa: A002
    dim: int | None = None,
) -> Any:
    """The sorted unique elements (optionally their inverse indices and counts)."""
    return _t(input).unique(sorted, return_inverse, return_counts, dim)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Counts (or summed ``weights``) of each non-negative integer value."""
    return _t(input).bincount(weights, minlength)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Histogram of ``bins`` equal bins between ``min`` and ``max``."""
    return _t(input).histc(bins, min, max)


def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: Tensor | None = None,  # noqa: A002
    density: bool = False,
) -> Any:
    """``(hist, bin_edges)`` as torch.histogram: ``bins`` equal bins (or the given edges)."""
    return _t(input).histogram(bins, range=range, weight=weight, density=density)


def is_floating_point(input: Tensor) -> bool:
    """True for float dtypes."""
    return _t(input).is_floating_point()


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor."""
    return bool(_t(input))


__all__ += [
    "add",
    "all",
    "allclose",
    "any",
    "argsort",
    "bincount",
    "bmm",
    "ceil",
    "chunk",
    "clone",
    "count_nonzero",
    "cumsum",
    "diag",
    "diagonal",
    "dist",
    "div",
    "divide",
    "dot",
    "eq",
    "equal",
    "exp2",
    "expm1",
    "fix",
    "flip",
    "fliplr",
    "flipud",
    "floor",
    "floor_divide",
    "frac",
    "gather",
    "ge",
    "ger",
    "gt",
    "histc",
    "histogram",
    "index_select",
    "is_floating_point",
    "is_nonzero",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "le",
    "log10",
    "log1p",
    "log2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "masked_fill",
    "masked_select",
    "mm",
    "moveaxis",
    "movedim",
    "mul",
    "multiply",
    "mv",
    "nan_to_num",
    "narrow",
    "ne",
    "neg",
    "negative",
    "norm",
    "outer",
    "pow",
    "prod",
    "reciprocal",
    "remainder",
    "repeat_interleave",
    "roll",
    "round",
    "rsqrt",
    "scatter",
    "scatter_add",
    "sign",
    "sort",
    "split",
    "square",
    "sub",
    "subtract",
    "t",
    "tile",
    "topk",
    "trace",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "unbind",
    "unique",
]


# ---------------------------------------------------------------------- one callable, both of PyTorch's namespaces
#: Tensor methods PyTorch also has as torch.<name>(input, ...): here the method, its first argument named input
FUNCTION_FORMS = (
    "abs_",
    "clamp_",
    "clip_",
    "detach",
    "detach_",
    "exp_",
    "fill_",
    "get_device",
    "index_fill",
    "is_complex",
    "log_",
    "neg_",
    "relu_",
    "sigmoid_",
    "sqrt_",
    "tanh_",
    "zero_",
)
_function_forms = _declare.function_forms(Tensor, FUNCTION_FORMS, __name__)
globals().update(_function_forms)
__all__ += list(_function_forms)


def _bernoulli_method(self: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """0s and 1s in this tensor's shape and dtype: each 1 with the probability in this tensor, or ``p``."""
    if p is None:
        return bernoulli(self, generator=generator, dtype=self.dtype)
    return bernoulli(p, self.shape, generator=generator, dtype=self.dtype)


def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    """``where(condition, self, other)``: this tensor where ``condition`` holds, else ``other``."""
    return where(condition, self, other)


#: functions PyTorch also has as Tensor.<name>(self, ...): here the function of the tensor
METHOD_FORMS = {
    "addbmm": _extra.addbmm,
    "bernoulli": _bernoulli_method,
    "bitwise_and": _extras.bitwise_and,
    "bitwise_not": _extras.bitwise_not,
    "bitwise_or": _extras.bitwise_or,
    "bitwise_xor": _extras.bitwise_xor,
    "gcd": _extras.gcd,
    "heaviside": _extra.heaviside,
    "is_nonzero": is_nonzero,
    "isreal": _extras.isreal,
    "lcm": _extras.lcm,
    "multinomial": multinomial,
    "select": _extras.select,
    "take_along_dim": _extras.take_along_dim,
    "vdot": _extras.vdot,
    "where": _where_method,
}
_declare.install_method_forms(Tensor, METHOD_FORMS)
