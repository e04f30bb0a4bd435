"""Gradient clipping, max-norm constraints and parameter vectors (``torch.nn.utils`` semantics).

All of these change arrays in place and record no graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad.nn.module import Module
from minigrad.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "max_norm_", "parameters_to_vector", "vector_to_parameters"]


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _scale_grad_(param: Tensor, grad: Tensor, factor: float) -> None:
    """param.grad (``grad``) ← factor·grad, in place when the gradient array is ours to change."""
    if grad.requires_grad or not grad._data.flags.writeable:
        param.grad = Tensor._make(grad._data * factor)
    else:
        data = grad._writable()
        data *= factor


def _vector_norm(x: np.ndarray, norm_type: float) -> float:
    """The ``norm_type`` norm of all of ``x``, accumulated in float64 (a float16 sum of squares overflows at 256)."""
    x = x.ravel().astype(np.float64, copy=False)
    if norm_type == 2.0:
        return math.sqrt(np.dot(x, x))
    x = np.abs(x)
    if norm_type == math.inf:
        return float(x.max()) if x.size else 0.0
    if norm_type == -math.inf:
        return float(x.min())  # the caller refuses empty gradients: min has no identity
    if norm_type == 1.0:
        return float(x.sum())
    if norm_type == 0:
        return float(np.count_nonzero(x))
    with np.errstate(divide="ignore"):  # 0 ** -p is inf, and the norm then 0, as in torch
        return float(np.sum(x**norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Rescale gradients so that their total norm is at most ``max_norm``; returns the norm before clipping.

        total = ‖(‖g₁‖, ‖g₂‖, …)‖   (the norm of all gradients as one vector; ``norm_type`` p, inf: max |g|,
                                      -inf: min |g|)
        g ← g · min(1, max_norm / (total + 1e-6))

    Norms are accumulated in float64; the total is returned in the gradients' promoted dtype (as torch's)
    and the scale is computed from that. Parameters without a gradient are skipped.
    ``error_if_nonfinite`` raises on a nan/inf total.
    """
    norm_type = float(norm_type)
    grads = [(p, g) for p in _as_list(parameters) if (g := p.grad) is not None]
    if not grads:
        return Tensor(0.0)
    if norm_type == -math.inf and any(g._data.size == 0 for _, g in grads):
        shapes = [g.shape for _, g in grads]
        raise RuntimeError(
            f"clip_grad_norm_: cannot compute the -inf norm (the smallest |g|) of an empty gradient "
            f"(gradient shapes {shapes}): min has no identity"
        )
    norms = np.array([_vector_norm(g._data, norm_type) for _, g in grads])
    dtype = np.result_type(*(g._data.dtype for _, g in grads))
    with np.errstate(over="ignore"):  # a total beyond the dtype's range is inf, as in torch
        total = np.asarray(_vector_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}, so they cannot be "
            "clipped; set error_if_nonfinite=False to scale them anyway"
        )
    clip_coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for p, g in grads:
        _scale_grad_(p, g, clip_coef)
    return Tensor._make(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element into ``[−clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        grad = p.grad
        if grad is None:
            continue
        if grad.requires_grad or not grad._data.flags.writeable:
            p.grad = Tensor._make(np.clip(grad._data, -clip_value, clip_value))
        else:
            data = grad._writable()
            np.clip(data, -clip_value, clip_value, out=data)


def max_norm_(params_or_module: Module | Tensor | Iterable[Tensor], max_norm: float, dim: int = 1) -> None:
    """Max-norm constraint, in place: each slice's norm over ``dim`` is made ≤ ``max_norm``.

    For a Linear weight W (out, in) and ``dim=1`` the slices are the rows W[i, :] -- the
    incoming weights of one neuron: ``w ← w · max_norm/‖w‖₂`` where ‖w‖₂ > max_norm
    (with ``torch.renorm``'s 1e-7 added to the norm, so the result is never above the
    bound); rows inside the ball are untouched. A module contributes its weight matrices
    only (as the penalties in ``nn.regularization``); a list contributes every tensor.
    Call it after each optimizer step.
    """
    from minigrad.nn.regularization import _tensors

    max_norm = float(max_norm)
    if max_norm < 0:
        raise ValueError(f"max_norm_: max_norm must be ≥ 0, got {max_norm}")
    for w in _tensors(params_or_module):
        if w.ndim == 0 or not -w.ndim <= dim < w.ndim:
            raise ValueError(f"max_norm_: cannot take norms over dim {dim} of a tensor of shape {w.shape}")
        norms = np.sqrt((w._data * w._data).sum(axis=dim, keepdims=True))
        too_long = norms > max_norm
        if too_long.any():
            scale = np.where(too_long, max_norm / (norms + 1e-7), 1.0)
            data = w._writable()
            data *= scale.astype(w.dtype, copy=False)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D Tensor (in order)."""
    from minigrad.ops.shape import cat

    params = _as_list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given")
    return cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec: Any, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters (in place; they stay leaves)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got: {type(vec).__name__}")
    params = _as_list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(
            f"vector_to_parameters: vec has shape {vec.shape}, expected ({total},) for parameters of shapes "
            f"{[p.shape for p in params]}"
        )
    start = 0
    for p in params:
        n = p.numel()
        p._writable()[...] = vec._data[start : start + n].reshape(p.shape)
        start += n
