"""``BatchNorm1d`` and ``LayerNorm`` (the math is in ``nn.functional.batch_norm``/``layer_norm``)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from minigrad._dtype import get_default_dtype
from minigrad.errors import ShapeError
from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


def _filled(shape: tuple[int, ...], value: float, dtype: np.dtype) -> Tensor:
    return Tensor._make(np.full(shape, value, dtype=dtype))


class BatchNorm1d(Module):
    """Batch normalisation of pre-activations z, per channel, for ``(N, C)`` or ``(N, C, L)`` input.

    Training::

        μ = mean_batch(z),   σ² = mean_batch((z − μ)²),   ẑ = (z − μ)/√(σ² + ε),   z̃ = γ·ẑ + β

    (the batch variance is the biased one; over N, or N·L values per channel), and the
    running averages used at test time are updated::

        running_mean ← (1 − momentum)·running_mean + momentum·μ
        running_var  ← (1 − momentum)·running_var + momentum·σ²·n/(n − 1)   (unbiased)

    ``momentum=None`` makes them cumulative averages (factor 1/num_batches_tracked). In eval
    mode ẑ uses the running statistics. ``affine`` adds the learnable γ (``weight``, ones)
    and β (``bias``, zeros; ``bias=False`` leaves it out); ``track_running_stats=False`` keeps
    no running statistics and always normalises with the batch's. γ = √(σ²+ε), β = μ
    recovers the identity.
    """

    # registered as buffers by __init__ (None without track_running_stats)
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.use_bias = affine and bias
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        C = self.num_features
        if affine:
            self.weight = Parameter(_filled((C,), 1.0, dtype))
        else:
            self.register_parameter("weight", None)
        if self.use_bias:
            self.bias = Parameter(_filled((C,), 0.0, dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _filled((C,), 0.0, dtype))
            self.register_buffer("running_var", _filled((C,), 1.0, dtype))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0."""
        if self.track_running_stats:
            for buf, value in ((self.running_mean, 0), (self.running_var, 1), (self.num_batches_tracked, 0)):
                buf = cast(Tensor, buf)  # registered when track_running_stats
                buf._writable()[...] = value

    def reset_parameters(self) -> None:
        """Running statistics reset, γ ← 1, β ← 0."""
        self.reset_running_stats()
        for param, value in ((self.weight, 1), (self.bias, 0)):
            if param is not None:
                param._writable()[...] = value

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3):
            raise ValueError(f"BatchNorm1d: expected 2D or 3D input (got {x.ndim}D input of shape {x.shape})")
        if x.shape[1] != self.num_features:
            raise ShapeError(
                f"BatchNorm1d: input of shape {x.shape} has {x.shape[1]} channels (dim 1), "
                f"but the layer was built for num_features={self.num_features}"
            )
        # checked before any state changes; an empty batch is fine (an empty output, running stats kept)
        if self.training and self.num_features and x.numel() // self.num_features == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            count = cast(Tensor, self.num_batches_tracked)  # registered when track_running_stats
            count._writable()[...] += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(count._data)
        # batch statistics in training, and in eval too when no running statistics are kept
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.use_bias}, track_running_stats={self.track_running_stats}"
        )


class LayerNorm(Module):
    """Layer normalisation: each sample normalised across its last dims (``normalized_shape``)::

        μ = mean(x),   σ² = mean((x − μ)²),   y = γ·(x − μ)/√(σ² + ε) + β

    The statistics are per sample, so it works for a batch of one and behaves the same in
    training and eval. ``elementwise_affine`` adds γ (ones) and β (zeros; ``bias=False``
    leaves it out), each of shape ``normalized_shape``.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, numbers.Integral)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.use_bias = elementwise_affine and bias
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        if elementwise_affine:
            self.weight = Parameter(_filled(self.normalized_shape, 1.0, dtype))
        else:
            self.register_parameter("weight", None)
        if self.use_bias:
            self.bias = Parameter(_filled(self.normalized_shape, 0.0, dtype))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        for param, value in ((self.weight, 1), (self.bias, 0)):
            if param is not None:
                param._writable()[...] = value

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.use_bias}"
        )
