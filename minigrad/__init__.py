"""minigrad: a readable reverse-mode autodiff engine with a NumPy-backed Tensor.

    import minigrad as mg
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    (x.tanh() @ x.T).sum().backward()
    x.grad
"""
from minigrad.tensor import Tensor  # noqa: I001  (Tensor first: the ops import it)
from minigrad import autograd
from minigrad import cuda
from minigrad._device import device
from minigrad._dtype import get_default_dtype, promote_types, result_type, set_default_dtype
from minigrad._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad._random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from minigrad.autograd.function import ShapeError
from minigrad.creation import (
    arange, empty, eye, from_numpy, full, full_like, linspace, normal, ones, ones_like, rand, rand_like, randint,
    randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from minigrad.ops.random import multinomial
from minigrad.functions import (
    abs, amax, amin, argmax, argmin, bernoulli, broadcast_to, cat, clamp, clip, cos, dropout, elu, exp,
    flatten, leaky_relu, linear, log, log_softmax, logsumexp, matmul, max, maximum, mean, min, minimum,
    numel, pad, permute, relu, reshape, sigmoid, sin, softmax, sqrt, squeeze, stack, std, sum, tanh,
    transpose, unsqueeze, var, where,
)
from minigrad.functions import (  # PyTorch's wider function surface
    add, all, allclose, any, argsort, bincount, bmm, ceil, chunk, clone, count_nonzero, cumsum, diag, diagonal,
    dist, div, divide, dot, eq, equal, exp2, expm1, fix, flip, fliplr, flipud, floor, floor_divide, frac, gather,
    ge, ger, gt, histc, histogram, index_select, is_floating_point, is_nonzero, isclose, isfinite, isinf, isnan,
    isneginf, isposinf, le, log10, log1p, log2, logical_and, logical_not, logical_or, logical_xor, lt, masked_fill,
    masked_select, mm, moveaxis, movedim, mul, multiply, mv, nan_to_num, narrow, ne, neg, negative, norm, outer,
    pow, prod, reciprocal, remainder, repeat_interleave, roll, round, rsqrt, scatter, scatter_add, sign, sort,
    split, square, sub, subtract, t, tile, topk, trace, tril, triu, true_divide, trunc, unbind, unique,
)
from minigrad.tensor import is_tensor

# dtypes: NumPy's, under PyTorch's names too (x.dtype == mg.float32 == mg.float == np.float32)
from minigrad._dtype import ALIASES as _D  # noqa: E402

float32 = float = _D["float32"]
float64 = double = _D["float64"]
float16 = half = _D["float16"]
int64 = long = _D["int64"]
int32 = int = _D["int32"]
int16 = short = _D["int16"]
int8, uint8, bool = _D["int8"], _D["uint8"], _D["bool"]
complex64 = cfloat = _D["complex64"]
complex128 = cdouble = _D["complex128"]
finfo = __import__("numpy").finfo
iinfo = __import__("numpy").iinfo

__version__ = "0.1.0"


def __getattr__(name: str):
    # the higher layers load on first use, so `import minigrad` stays light
    import importlib

    if name in ("nn", "optim", "data", "viz", "train", "tune", "diagnostics", "serialization"):
        return importlib.import_module(f"minigrad.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("minigrad.serialization"), name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
