"""Weight initialisation schemes (``torch.nn.init`` formulas, plus LeCun).

Each initialiser fills the tensor's array in place -- the same array object, the
same dtype, no graph node -- and returns ``tensor``. Random ones take
``generator=`` (a ``numpy.random.Generator``) and otherwise draw from the
default generator that ``mg.manual_seed`` seeds. Samples are drawn in float64
and rounded to the tensor's dtype, so a float32 and a float64 tensor filled
from the same seed hold the same values up to rounding.

Why the scales: a layer ``y = W x`` with i.i.d. weights of variance ``σ²``
multiplies the variance of its inputs by ``fan_in·σ²`` (and that of the
backward signal by ``fan_out·σ²``). Keeping activations at the same variance
in every layer -- so gradients neither vanish nor explode -- asks for
``σ² = 1/fan_in`` (LeCun), ``σ² = 2/fan_in`` for ReLU layers, which zero half
their inputs (He/Kaiming), or the compromise ``σ² = 2/(fan_in + fan_out)``
(Xavier/Glorot, for tanh/sigmoid). A uniform ``U[−r, r]`` has variance
``r²/3``, hence ``r = √3·σ``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from minigrad._random import resolve_generator

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "trunc_normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
]

T = TypeVar("T", bound="Tensor | np.ndarray")  # a Tensor (or, for convenience, a bare ndarray): returned as given

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
_NONLINEARITIES = (*_LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
_MODES = ("fan_in", "fan_out")


# ---------------------------------------------------------------------- helpers
def _array(tensor: Tensor | np.ndarray, scheme: str) -> np.ndarray:
    data = tensor if isinstance(tensor, np.ndarray) else getattr(tensor, "_data", None)
    if not isinstance(data, np.ndarray):
        raise TypeError(f"nn.init.{scheme}: expected a minigrad Tensor, got {type(tensor).__name__}")
    if not isinstance(tensor, np.ndarray):
        data = tensor._writable()  # filled in place: a graph that saved this tensor will refuse backward
    return data


def _float_array(tensor: Tensor | np.ndarray, scheme: str) -> np.ndarray:
    data = _array(tensor, scheme)
    if not np.issubdtype(data.dtype, np.floating):
        raise TypeError(f"nn.init.{scheme}: random initialisation needs a floating-point tensor, got {data.dtype}")
    return data


def _fill_uniform(data: np.ndarray, low: float, high: float, generator: np.random.Generator | None) -> None:
    """``data[...] = U[low, high)`` samples, computed as ``low + (high − low)·u`` in float64."""
    gen = resolve_generator(generator)
    if data.dtype == np.float64 and data.flags.c_contiguous:
        gen.random(out=data)  # no temporary: the same numbers gen.uniform(low, high) would give
        data *= high - low
        data += low
    else:
        data[...] = gen.uniform(low, high, size=data.shape)


def _fill_normal(data: np.ndarray, mean: float, std: float, generator: np.random.Generator | None) -> None:
    """``data[...] = N(mean, std²)`` samples, computed as ``mean + std·z`` in float64."""
    gen = resolve_generator(generator)
    if data.dtype == np.float64 and data.flags.c_contiguous:
        gen.standard_normal(out=data)  # the same numbers gen.normal(mean, std) would give
        data *= std
        data += mean
    else:
        data[...] = gen.normal(mean, std, size=data.shape)


def _is_empty(data: np.ndarray) -> bool:
    if data.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def _fans(tensor: Tensor | np.ndarray, scheme: str) -> tuple[int, int]:
    shape = _array(tensor, scheme).shape
    if len(shape) < 2:
        raise ValueError(
            f"nn.init.{scheme}: fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions (got shape {tuple(shape)}); initialise 1-D tensors such as biases with "
            "zeros_, constant_, uniform_ or normal_"
        )
    receptive_field = math.prod(shape[2:])  # 1 for a Linear weight (out, in)
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Tensor | np.ndarray, mode: str, scheme: str) -> int:
    mode_ = mode.lower() if isinstance(mode, str) else mode
    if mode_ not in _MODES:
        raise ValueError(f"nn.init.{scheme}: Mode {mode} not supported, please use one of {list(_MODES)}")
    fan_in, fan_out = _fans(tensor, scheme)
    return fan_in if mode_ == "fan_in" else fan_out


# ---------------------------------------------------------------------- gains and fans
def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for a nonlinearity: the factor that keeps activation variances steady.

    ============================  =========================
    linear, conv*, sigmoid        1
    tanh                          5/3
    relu                          √2
    leaky_relu (slope a)          √(2 / (1 + a²)), a = 0.01 by default (``param``)
    selu                          3/4
    ============================  =========================
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            negative_slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # found empirically (pytorch/pytorch#50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; expected one of: {', '.join(_NONLINEARITIES)}")


def _calculate_fan_in_and_fan_out(tensor: Tensor | np.ndarray) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``.

    ``fan_in = in·r`` and ``fan_out = out·r`` with receptive field ``r = prod(kernel)``
    (``r = 1`` for a 2-D ``Linear`` weight). Needs at least 2 dimensions.
    """
    return _fans(tensor, "_calculate_fan_in_and_fan_out")


# ---------------------------------------------------------------------- plain fills
def uniform_(tensor: T, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None) -> T:
    """Fill with samples of ``U[a, b)``."""
    _fill_uniform(_float_array(tensor, "uniform_"), float(a), float(b), generator)
    return tensor


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0, generator: np.random.Generator | None = None) -> T:
    """Fill with samples of ``N(mean, std²)`` (the course's small random init is ``std=0.01``)."""
    _fill_normal(_float_array(tensor, "normal_"), float(mean), float(std), generator)
    return tensor


def constant_(tensor: T, val: float) -> T:
    """Fill with the value ``val``."""
    _array(tensor, "constant_").fill(val)
    return tensor


def zeros_(tensor: T) -> T:
    """Fill with 0 (biases; for weights it leaves every unit of a layer identical: no symmetry breaking)."""
    _array(tensor, "zeros_").fill(0)
    return tensor


def ones_(tensor: T) -> T:
    """Fill with 1 (e.g. a normalisation layer's scale γ)."""
    _array(tensor, "ones_").fill(1)
    return tensor


def eye_(tensor: T) -> T:
    """Fill a 2-D tensor with the identity matrix (1 on the diagonal, 0 elsewhere): a linear layer that
    starts by passing its inputs through."""
    data = _array(tensor, "eye_")
    if data.ndim != 2:
        raise ValueError(f"nn.init.eye_: only tensors with 2 dimensions are supported, got shape {data.shape}")
    data[...] = np.eye(*data.shape, dtype=data.dtype)
    return tensor


def trunc_normal_(
    tensor: T,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: np.random.Generator | None = None,
) -> T:
    """``N(mean, std²)`` truncated to ``[a, b]`` (absolute bounds, as PyTorch): out-of-range samples are
    drawn again until every value lies in the interval."""
    data = _float_array(tensor, "trunc_normal_")
    if not a < b:
        raise ValueError(f"nn.init.trunc_normal_: the bounds must satisfy a < b, got a={a}, b={b}")
    if _is_empty(data):
        return tensor
    gen = resolve_generator(generator)
    values = gen.normal(mean, std, size=data.shape)
    bad = (values < a) | (values > b)
    for _ in range(1000):
        if not bad.any():
            break
        values[bad] = gen.normal(mean, std, size=int(bad.sum()))
        bad = (values < a) | (values > b)
    data[...] = np.clip(values, a, b)  # (a far-out interval keeps values drawn 1000 times clipped)
    return tensor


# ---------------------------------------------------------------------- fan-based schemes
def xavier_uniform_(tensor: T, gain: float = 1.0, generator: np.random.Generator | None = None) -> T:
    """Xavier/Glorot uniform: ``U[−r, r]`` with ``r = gain·√(6/(fan_in + fan_out))``.

    (Computed as ``√3·std`` with ``std = gain·√(2/(fan_in + fan_out))``, as torch does.)
    """
    data = _float_array(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    if _is_empty(data):
        return tensor
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    _fill_uniform(data, -bound, bound, generator)
    return tensor


def xavier_normal_(tensor: T, gain: float = 1.0, generator: np.random.Generator | None = None) -> T:
    """Xavier/Glorot normal: ``N(0, σ²)`` with ``σ = gain·√(2/(fan_in + fan_out))``."""
    data = _float_array(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    if _is_empty(data):
        return tensor
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    _fill_normal(data, 0.0, std, generator)
    return tensor


def kaiming_uniform_(
    tensor: T,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> T:
    """He/Kaiming uniform: ``U[−r, r]`` with ``r = gain·√(3/fan)``.

    ``gain = calculate_gain(nonlinearity, a)`` (``a``: the leaky-ReLU slope; the
    defaults give ``gain = √2`` and so ``r = √(6/fan_in)``); ``fan`` is
    ``fan_in`` (preserves the forward variance) or ``fan_out`` (the backward one).
    """
    data = _float_array(tensor, "kaiming_uniform_")
    fan = _fan(tensor, mode, "kaiming_uniform_")
    gain = calculate_gain(nonlinearity, a)
    if _is_empty(data):
        return tensor
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    _fill_uniform(data, -bound, bound, generator)
    return tensor


def kaiming_normal_(
    tensor: T,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> T:
    """He/Kaiming normal: ``N(0, σ²)`` with ``σ = gain/√fan`` (``σ² = 2/fan_in`` for ReLU)."""
    data = _float_array(tensor, "kaiming_normal_")
    fan = _fan(tensor, mode, "kaiming_normal_")
    gain = calculate_gain(nonlinearity, a)
    if _is_empty(data):
        return tensor
    _fill_normal(data, 0.0, gain / math.sqrt(fan), generator)
    return tensor


def lecun_uniform_(tensor: T, generator: np.random.Generator | None = None) -> T:
    """LeCun uniform: ``U[−r, r]`` with ``r = √(3/fan_in)`` (variance ``1/fan_in``)."""
    data = _float_array(tensor, "lecun_uniform_")
    fan_in, _ = _fans(tensor, "lecun_uniform_")
    if _is_empty(data):
        return tensor
    bound = math.sqrt(3.0 / fan_in)
    _fill_uniform(data, -bound, bound, generator)
    return tensor


def lecun_normal_(tensor: T, generator: np.random.Generator | None = None) -> T:
    """LeCun normal: ``N(0, σ²)`` with ``σ² = 1/fan_in`` (plain, not truncated)."""
    data = _float_array(tensor, "lecun_normal_")
    fan_in, _ = _fans(tensor, "lecun_normal_")
    if _is_empty(data):
        return tensor
    _fill_normal(data, 0.0, 1.0 / math.sqrt(fan_in), generator)
    return tensor
