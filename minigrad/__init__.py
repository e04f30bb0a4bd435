"""minigrad: a readable reverse-mode autodiff engine with a NumPy-backed Tensor.

    import minigrad as mg
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    (x.tanh() @ x.T).sum().backward()
    x.grad
"""
from minigrad.tensor import Tensor  # noqa: I001  (Tensor first: the ops import it)
from minigrad import autograd
from minigrad._dtype import get_default_dtype, set_default_dtype
from minigrad._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad._random import manual_seed
from minigrad.autograd.function import ShapeError
from minigrad.creation import (
    arange, empty, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand, rand_like, randint,
    randn, randn_like, tensor, zeros, zeros_like,
)
from minigrad.functions import (
    abs, amax, amin, argmax, argmin, bernoulli, broadcast_to, cat, clamp, clip, cos, dropout, elu, exp,
    flatten, leaky_relu, linear, log, log_softmax, logsumexp, matmul, max, maximum, mean, min, minimum,
    numel, pad, permute, relu, reshape, sigmoid, sin, softmax, sqrt, squeeze, stack, std, sum, tanh,
    transpose, unsqueeze, var, where,
)

float32 = __import__("numpy").float32
float64 = __import__("numpy").float64

__version__ = "0.1.0"


def __getattr__(name: str):
    # the higher layers load on first use, so `import minigrad` stays light
    import importlib

    if name in ("nn", "optim", "data", "viz", "train", "tune", "diagnostics", "serialization"):
        return importlib.import_module(f"minigrad.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("minigrad.serialization"), name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
