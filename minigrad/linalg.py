"""``mg.linalg``: the norms of ``torch.linalg`` (vector and matrix), differentiable through existing ops,
and ``cross``. Decompositions, inverses and solvers are left out: asking for one says so."""

from __future__ import annotations

import math
from typing import Any

from minigrad.ops.extra import cross as _cross
from minigrad.tensor import Tensor, _wrap_dim

__all__ = ["cross", "matrix_norm", "norm", "vector_norm"]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _float(x: Tensor, dtype: Any, op: str) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{op}: Expected a floating point or complex tensor as input. Got {x.dtype}")
    return x


def vector_norm(
    x: Any,
    ord: float = 2,
    dim: Any = None,
    keepdim: bool = False,
    *,  # noqa: A002
    dtype: Any = None,
) -> Tensor:
    """‖x‖ₒᵣ𝒹 = (Σ|x|^ord)^(1/ord) over ``dim`` (all elements when None, whatever the shape); ord = inf,
    −inf (max, min |x|) and 0 (the count of non-zeros) too."""
    x = _float(_t(x), dtype, "vector_norm")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if isinstance(dim, list):
        dim = tuple(dim)
    if float(ord) == 0:  # the count of non-zeros: a step function, recorded with its zero gradient as PyTorch
        from minigrad.ops.reduce import norm_dims

        return x.abs().sign().sum(norm_dims(dim, x.ndim, "linalg.vector_norm"), keepdim=keepdim)
    return x.norm(float(ord), dim=dim, keepdim=keepdim)


def matrix_norm(
    A: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A matrix norm over the two dims ``dim``: 'fro' (√Σ|aᵢⱼ|²), 1 / −1 (max / min column sum of |A|),
    inf / −inf (max / min row sum). 'nuc', 2 and −2 need singular values and are not supported."""
    A = _float(_t(A), dtype, "matrix_norm")
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got shape {A.shape}"
        )
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    r, c = (_wrap_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if r == c:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({r}, {c})")
    if ord == "fro":
        return A.norm(2, dim=(r, c), keepdim=keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"linalg.matrix_norm: ord={ord!r} needs singular values (an SVD), which "
            f"minigrad does not implement; 'fro', 1, -1, inf and -inf are supported"
        )
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    # 1-norms sum |A| down the rows (over r) and take the extreme column; inf-norms the reverse
    summed, other = (r, c) if abs(ord) == 1 else (c, r)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(other, keepdim=True) if ord > 0 else sums.amin(other, keepdim=True)
    return out if keepdim else out.squeeze(max(r, c)).squeeze(min(r, c))


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm when ``dim`` is an int (or ``A`` is 1-D), a matrix norm when
    ``dim`` is a 2-tuple (or ``A`` is 2-D); with ``ord`` and ``dim`` both None the 2-norm of all elements."""
    A = _t(A)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")


def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (−1 by default), with broadcasting."""
    return _cross(input, other, dim)


_NO_DECOMPOSITIONS = (
    "minigrad does not implement matrix inverses, solvers or decompositions (it covers "
    "MLP-scale ops); for values without gradients use numpy.linalg on .numpy()"
)
_UNSUPPORTED = {
    "inv",
    "inv_ex",
    "pinv",
    "det",
    "slogdet",
    "solve",
    "solve_ex",
    "lstsq",
    "cholesky",
    "cholesky_ex",
    "qr",
    "svd",
    "svdvals",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "lu",
    "lu_factor",
    "matrix_exp",
    "matrix_power",
    "matrix_rank",
    "cond",
    "tensorinv",
    "tensorsolve",
}


def __getattr__(name: str) -> Any:
    if name in _UNSUPPORTED:
        raise AttributeError(f"minigrad does not support torch.linalg.{name}: {_NO_DECOMPOSITIONS}")
    raise AttributeError(f"module 'minigrad.linalg' has no attribute {name!r}")
