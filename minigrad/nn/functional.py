"""``nn.functional`` (``F``): layers and losses as plain functions of Tensors.

Everything here is composed of recorded Tensor ops (or calls a fused op), so
gradients -- and gradients of gradients -- come from the engine. Signatures
follow ``torch.nn.functional``.

Losses take ``reduction='mean'|'sum'|'none'``. Unlike PyTorch's ``mse_loss`` and
``l1_loss`` (which broadcast with a warning), every elementwise loss requires
the target to have the input's shape: ``(N, 1)`` predictions against ``(N,)``
targets would silently broadcast to an ``(N, N)`` loss.
"""

from __future__ import annotations

import numbers
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.errors import ShapeError
from minigrad.ops import activation as _act
from minigrad.ops import declare as _declare
from minigrad.ops.elementwise import where
from minigrad.ops.index import Embedding as _EmbeddingOp
from minigrad.ops.linalg import linear
from minigrad.ops.loss import binary_cross_entropy as _binary_cross_entropy
from minigrad.ops.loss import cross_entropy_with_indices
from minigrad.ops.normalization import batch_norm_train
from minigrad.ops.random import dropout as _dropout
from minigrad.ops.shape import pad as _pad
from minigrad.tensor import Tensor, _as_float

__all__ = [
    "linear",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "layer_norm",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
]

REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------- activations
# relu, leaky_relu, elu, sigmoid, tanh, silu and softplus are made from their ops' declarations (minigrad/ops/
# declare.py, at the end of this file); the ones below check their arguments or fix the op's, so are written here.
def _softmax_dim(name: str, dim: int | None, ndim: int) -> int:
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (max subtracted first); ``dtype`` casts the input first."""
    if dtype is not None:
        input = input.astype(dtype)
    return input.softmax(_softmax_dim("softmax", dim, input.ndim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (max subtracted first)."""
    if dtype is not None:
        input = input.astype(dtype)
    return input.log_softmax(_softmax_dim("log_softmax", dim, input.ndim))


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Inverted dropout: y = x ⊙ m / (1 − p), m ~ Bernoulli(1 − p); the input itself if not training or p = 0.

    ``generator`` draws the mask (default: the generator ``mg.manual_seed`` seeds).
    """
    return _dropout(input, p, training, generator)


# ---------------------------------------------------------------------- normalisation
def _check_per_channel(name: str, tensor: Tensor | None, what: str, size: int, input_shape: tuple) -> None:
    if tensor is not None and tuple(tensor.shape) != (size,):
        raise ShapeError(
            f"{name}: {what} should have shape ({size},), one value per channel of the input of shape "
            f"{input_shape}, got shape {tuple(tensor.shape)}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over the batch (and length) dims of ``(N, C)`` or ``(N, C, L, ...)`` input.

    Training (batch statistics, per channel)::

        μ = mean(z),   σ² = mean((z − μ)²)   (biased),   ẑ = (z − μ) / √(σ² + ε),   y = γ·ẑ + β

    and, when running statistics are given, they are updated in place (no graph)::

        running_mean ← (1 − momentum)·running_mean + momentum·μ
        running_var  ← (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)   (unbiased, n values per channel)

    Not training: ẑ = (z − running_mean) / √(running_var + ε).

    An empty batch in training gives an empty output (on the graph of the input, γ and β) and
    leaves the running statistics as they are, as PyTorch; a single value per channel is refused.
    """
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input with a batch and a channel dim (N, C, ...), got shape {input.shape}"
        )
    C = input.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        _check_per_channel("batch_norm", t, what, C, input.shape)
    channel_shape = (C,) + (1,) * (input.ndim - 2)
    if training:
        n = input.numel() // C if C else 0
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        if n == 0:  # no values to normalise, nor statistics to learn from
            return _affine(input.clone(), weight, bias, channel_shape)
        # one fused node (minigrad.ops.normalization); the tests check it against these formulas composed
        y, mu, var = batch_norm_train(input, weight, bias, eps)
        if running_mean is not None:
            _update_running(running_mean, mu, momentum)
        if running_var is not None:
            _update_running(running_var, var * (n / (n - 1)), momentum)
        return y

    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    # the running statistics are constants here: plain arrays in the input's dtype, broadcast per channel
    mean = running_mean._data.reshape(channel_shape).astype(input.dtype, copy=False)
    inv_std = (1.0 / np.sqrt(running_var._data.reshape(channel_shape) + eps)).astype(input.dtype, copy=False)
    return _affine((input - mean) * inv_std, weight, bias, channel_shape)


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, channel_shape: tuple[int, ...]) -> Tensor:
    """γ·y + β with γ, β (C,) broadcast per channel (dim 1)."""
    if weight is not None:
        y = y * (weight if y.ndim == 2 else weight.reshape(channel_shape))
    if bias is not None:
        y = y + (bias if y.ndim == 2 else bias.reshape(channel_shape))
    return y


def _update_running(stat: Tensor, batch_value: np.ndarray, momentum: float) -> None:
    """stat ← (1 − momentum)·stat + momentum·batch_value, in place on the buffer's array."""
    stat._writable()[...] = (1 - momentum) * stat._data + momentum * batch_value


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation: each sample is normalised over its last ``len(normalized_shape)`` dims.

        μ = mean(x),   σ² = mean((x − μ)²),   y = γ·(x − μ)/√(σ² + ε) + β

    (statistics per sample, so it works for a batch of one and is the same in training and eval).
    """
    shape = (
        (int(normalized_shape),) if isinstance(normalized_shape, (int, numbers.Integral)) else tuple(normalized_shape)
    )
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k :]) != shape:
        raise ShapeError(
            f"layer_norm: given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ShapeError(f"layer_norm: {what} should have the normalized shape {shape}, got {tuple(t.shape)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    mu = input.mean(dims, keepdim=True)
    centered = input - mu
    var = (centered * centered).mean(dims, keepdim=True)
    y = centered / (var + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


# ---------------------------------------------------------------------- loss helpers
def _check_reduction(reduction: str, name: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: {reduction!r} is not a valid value for reduction; use 'mean', 'sum' or 'none'")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _elementwise_target(input: Tensor, target: Any, name: str, *, floating: bool) -> Tensor:
    """The target of an elementwise loss: the input's shape, and (cast to) the input's float dtype."""
    target = _as_tensor(target)
    if target.shape != input.shape:
        raise ShapeError(
            f"{name}: target of shape {target.shape} does not match input of shape {input.shape}; they must be "
            "the same (reshape one of them, e.g. target.reshape(-1, 1) or input.squeeze(1))"
        )
    if target.dtype.kind not in "fc":
        if floating:
            raise TypeError(
                f"{name}: the target must be a floating tensor (probabilities in [0, 1]), got dtype {target.dtype}; "
                "convert it with .float()"
            )
        if target.dtype.kind not in "biu":
            raise TypeError(f"{name}: target of dtype {target.dtype} is not numeric")
    if target.dtype != input.dtype and input.dtype.kind == "f":
        target = target.astype(input.dtype)
    return target


# ---------------------------------------------------------------------- regression losses
def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: ℓᵢ = (xᵢ − yᵢ)²."""
    _check_reduction(reduction, "mse_loss")
    target = _elementwise_target(input, target, "mse_loss", floating=False)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ℓᵢ = |xᵢ − yᵢ| (gradient sign(xᵢ − yᵢ), 0 at a tie)."""
    _check_reduction(reduction, "l1_loss")
    target = _elementwise_target(input, target, "l1_loss", floating=False)
    return _reduce((input - target).abs(), reduction)


# ---------------------------------------------------------------------- binary classification
def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: ℓᵢ = −wᵢ·[yᵢ·log xᵢ + (1 − yᵢ)·log(1 − xᵢ)].

    One fused node with PyTorch's numerics (``minigrad.ops.loss.BinaryCrossEntropy``): each log
    is clamped at −100 in the value, and the gradient is (x − y)/max(x(1 − x), 10⁻¹²), so
    confidently wrong predictions still learn. Input and target must lie in [0, 1] (NaN is
    refused, as PyTorch). For logits use ``binary_cross_entropy_with_logits``: it is stabler
    than ``sigmoid`` followed by this.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    input = _as_float(input)  # integer/bool predictions compute in the default float dtype
    target = _elementwise_target(input, target, "binary_cross_entropy", floating=True)
    loss = _binary_cross_entropy(input, target)
    if weight is not None:
        loss = loss * _as_tensor(weight)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean", pos_weight: Any = None
) -> Tensor:
    """Binary cross-entropy of logits x (σ(x) the probability), in a form that never overflows::

        ℓ = max(x, 0) − x·y + log(1 + e^{−|x|})                            (= −[y·log σ(x) + (1−y)·log(1−σ(x))])
        ℓ = (1 − y)·x + (1 + (p − 1)·y)·(log(1 + e^{−|x|}) + max(−x, 0))   with ``pos_weight`` p

    then multiplied by ``weight``. e^{−|x|} ≤ 1, so logits of ±1000 are fine. ``max`` is the
    ``maximum`` op, whose tie at x = 0 splits the gradient in halves, making ∂ℓ/∂x = σ(x) − y
    exact there too.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    target = _elementwise_target(input, target, "binary_cross_entropy_with_logits", floating=True)
    log1p_exp = (1 + (-input.abs()).exp()).log()  # log(1 + e^{−|x|}) ∈ (0, log 2]
    if pos_weight is None:
        loss = input.maximum(0.0) - input * target + log1p_exp
    else:
        log_weight = 1 + (_as_tensor(pos_weight) - 1) * target
        loss = (1 - target) * input + log_weight * (log1p_exp + (-input).maximum(0.0))
    if weight is not None:
        loss = loss * _as_tensor(weight)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------- multi-class classification
def _class_weight(weight: Any, C: int, name: str) -> Tensor | None:
    if weight is None:
        return None
    weight = _as_tensor(weight)
    if weight.shape != (C,):
        raise ShapeError(f"{name}: weight should have one entry per class, shape ({C},), got {weight.shape}")
    return weight


def _index_shape(input: Tensor) -> tuple[int, ...]:
    """The shape of class-index targets: () for input (C,), (N,) for (N, C), (N, d₁, ...) for (N, C, d₁, ...)."""
    return () if input.ndim == 1 else (input.shape[0], *input.shape[2:])


def _index_target(input: Tensor, target: Tensor, name: str) -> np.ndarray:
    """Class-index targets as an integer array of the shape the input asks for."""
    t = target._data
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class-index targets must be an integer tensor, got dtype {t.dtype}"
            + (
                " (for class probabilities give a float target of the input's shape)"
                if name == "cross_entropy"
                else " (use .long())"
            )
        )
    if input.ndim == 0:
        raise ShapeError(f"{name}: the input needs a class dim, got a 0-d tensor")
    expected = _index_shape(input)
    if t.shape != expected:
        raise ShapeError(
            f"{name}: target of shape {t.shape} does not fit input of shape {input.shape}; expected class "
            f"indices of shape {expected}"
        )
    return t


def nll_loss(
    input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d₁, ...) at class indices.

        ℓᵢ = −w[tᵢ]·input[i, tᵢ]   (0 where tᵢ = ignore_index);   mean = Σᵢ ℓᵢ / Σᵢ w[tᵢ]

    ``nll_loss(log_softmax(x, 1), t)`` is ``cross_entropy(x, t)``.
    """
    return _nll(input, _as_tensor(target), weight, ignore_index, reduction, "nll_loss")


def _nll(input: Tensor, target: Tensor, weight: Any, ignore_index: int, reduction: str, name: str) -> Tensor:
    _check_reduction(reduction, name)
    t = _index_target(input, target, name)
    C = input.shape[0] if input.ndim == 1 else input.shape[1]
    weight = _class_weight(weight, C, name)
    if input.ndim == 1:
        logp = input.reshape(1, C)
    elif input.ndim == 2:
        logp = input
    else:  # (N, C, d₁, ...) → (N·d₁·..., C): the class dim last, one row per prediction
        logp = input.permute(0, *range(2, input.ndim), 1).reshape(-1, C)
    t_flat = t.reshape(-1)
    valid = t_flat != ignore_index
    all_valid = bool(valid.all())
    out_of_range = valid & ((t_flat < 0) | (t_flat >= C))
    if out_of_range.any():
        raise IndexError(f"{name}: Target {t_flat[out_of_range][0]} is out of bounds for {C} classes.")
    safe_t = t_flat if all_valid else np.where(valid, t_flat, 0)
    picked = logp[np.arange(t_flat.size), safe_t]  # log p of each sample's class
    if weight is not None:
        w = weight._data[safe_t].astype(input.dtype, copy=False) * valid
    elif not all_valid:
        w = valid.astype(input.dtype)
    else:
        w = None
    losses = -picked if w is None else -picked * w
    if reduction == "none":
        return losses.reshape(t.shape)
    if reduction == "sum":
        return losses.sum()
    if w is None:
        return losses.mean()
    with np.errstate(divide="ignore", invalid="ignore"):  # weights summing to 0: ±inf or nan, as PyTorch
        return losses.sum() / w.sum()


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C) (or (C,), or (N, C, d₁, ...)).

    Class-index targets (integers, shape (N,)): ℓᵢ = −log softmax(xᵢ)[tᵢ] = logsumexp(xᵢ) − xᵢ[tᵢ]
    (one fused, stable node in the plain case; with ``weight``, ``ignore_index`` or
    ``label_smoothing`` ε as PyTorch: (1 − ε)·nll + ε·mean over classes of −w_c·log p_c).

    Probability targets (floats, the input's shape): ℓᵢ = −Σ_c w_c·p_ic·log softmax(xᵢ)_c,
    with p smoothed to (1 − ε)·p + ε/C; ``mean`` divides by the number of samples.

    Log-softmax subtracts the max first, so logits of ±1000 give finite values and gradients.
    """
    if input._data.dtype.kind not in "fc":  # integer/bool logits compute in the default float dtype
        input = _as_float(input)
    if not isinstance(target, Tensor):
        target = _as_tensor(target)
    x, t = input._data, target._data
    if weight is None and label_smoothing == 0 and x.ndim == 2 and t.ndim == 1 and t.dtype.kind in "iu":
        # the plain case (the training hot path): one fused softmax + CE node. It refuses targets outside
        # [0, C), so an ignore_index outside [0, C) (the default, -100) needs no check of its own: such
        # targets (ignored) and out-of-range ones (PyTorch's IndexError) go to the general path below
        if not 0 <= ignore_index < x.shape[1] or not (t == ignore_index).any():
            try:
                return cross_entropy_with_indices(input, t, reduction)
            except IndexError:
                pass
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    C = input.shape[class_dim] if input.ndim else 0
    weight = _class_weight(weight, C, "cross_entropy")
    weight_shape = (C,) + (1,) * (input.ndim - 2) if input.ndim > 1 else (C,)

    if target.shape == input.shape and target.dtype.kind in "fc":  # class probabilities
        if ignore_index >= 0:
            raise ValueError("cross_entropy: ignore_index is not supported for probability targets")
        p = target if target.dtype == input.dtype else target.astype(input.dtype)
        if label_smoothing > 0:
            p = p * (1 - label_smoothing) + label_smoothing / C
        if weight is not None:
            p = p * weight._data.reshape(weight_shape).astype(input.dtype, copy=False)
        losses = -(p * input.log_softmax(class_dim)).sum(class_dim)
        return _reduce(losses, reduction)

    if target.shape == input.shape:
        raise TypeError(
            f"cross_entropy: a target of the input's shape {input.shape} holds class probabilities and must be "
            f"floating, got dtype {target.dtype}; class-index targets have shape {_index_shape(input)}"
        )
    if target.dtype.kind in "fc" and target.ndim == input.ndim:
        raise ShapeError(
            f"cross_entropy: a float target holds class probabilities and must have the input's shape "
            f"{input.shape}, got {target.shape}; class-index targets are integers of shape {_index_shape(input)}"
        )
    t = _index_target(input, target, "cross_entropy")
    logp = input.log_softmax(class_dim)
    nll = _nll(logp, target, weight, ignore_index, reduction, "cross_entropy")
    if label_smoothing == 0:
        return nll
    # the smoothing term: −Σ_c w_c·log p_c per sample (0 where ignored), reduced like the nll
    valid = t != ignore_index
    w = weight._data.reshape(weight_shape).astype(input.dtype, copy=False) if weight is not None else None
    smooth = -(logp * w if w is not None else logp).sum(class_dim)
    if not valid.all():
        smooth = smooth * valid.astype(input.dtype)
    if reduction == "mean":
        total = weight._data[t[valid]].sum() if weight is not None else valid.sum()
        with np.errstate(divide="ignore", invalid="ignore"):  # weights summing to 0: ±inf or nan, as PyTorch
            smooth = smooth.sum() / float(total)
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / C)


# ---------------------------------------------------------------------- more of torch.nn.functional (API rev. 2)
__all__ += [
    "pad",
    "one_hot",
    "embedding",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "gelu",
    "hardtanh",
    "relu6",
    "normalize",
    "cosine_similarity",
]


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad with ``value`` (0 by default); ``pad`` gives (before, after) sizes from the last dim backwards, as
    PyTorch. Only ``mode='constant'``."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not supported by minigrad; only 'constant' padding")
    return _pad(input, pad, 0.0 if value is None else value)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices → one-hot vectors: ``out[..., c] = 1`` where ``tensor[...] == c``, else 0.

    The result has shape ``tensor.shape + (num_classes,)`` and dtype int64 (use ``.float()`` to feed
    it to a layer); ``num_classes=-1`` takes ``max(tensor) + 1``. Values must lie in
    ``[0, num_classes)``. (Any integer dtype is accepted; PyTorch wants int64.)
    """
    t = _as_tensor(tensor)._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor. (one_hot: got dtype {t.dtype}; "
            "convert the class indices with .long())"
        )
    num_classes = operator.index(num_classes)
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError(f"Class values must be non-negative. (one_hot: got class {t.min()})")
        if t.max() >= num_classes:
            raise RuntimeError(
                f"Class values must be smaller than num_classes. (one_hot: got class {t.max()} with "
                f"num_classes={num_classes})"
            )
    elif num_classes < 0:
        raise RuntimeError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    if t.size:
        np.put_along_axis(out, t[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._make(out)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, embedding_dim): ``out[...] = weight[input[...]]``.

    The output has shape ``input.shape + (embedding_dim,)``. In backward, repeated indices add
    their gradients into the same row; the row ``padding_idx`` gets none. ``max_norm``
    first rescales, in place, each looked-up row whose ``norm_type``-norm exceeds it to that
    norm (as PyTorch). ``scale_grad_by_freq`` divides each gradient by its index's count in
    ``input``. ``sparse=True`` is not supported (minigrad has no sparse gradients).
    """
    idx = _as_tensor(input)._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {idx.dtype} instead (while checking arguments for embedding; convert with .long())"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D (embedding: got a weight of shape {tuple(weight.shape)})")
    n = weight.shape[0]
    if padding_idx is not None:
        padding_idx = operator.index(padding_idx)
        if not -n <= padding_idx < n:
            raise AssertionError(f"Padding_idx must be within num_embeddings (got {padding_idx} for {n} rows)")
        padding_idx %= n
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(
            f"index out of range in self (embedding: index {bad} for a table of {n} rows; valid indices are "
            f"0 to {n - 1})"
        )
    if sparse:
        raise NotImplementedError(
            "embedding: sparse=True is not supported in minigrad (no sparse gradients); use the default sparse=False"
        )
    idx = idx.astype(np.intp, copy=False)
    if max_norm is not None:
        _embedding_renorm(weight, idx, float(max_norm), float(norm_type))
    return _EmbeddingOp.apply(weight, indices=idx, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq))


def _embedding_renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """W[i] ← W[i]·max_norm/(‖W[i]‖ + 1e-7) for each looked-up row with ‖W[i]‖ > max_norm, in place, no graph."""
    rows = np.unique(idx)
    norms = np.linalg.norm(weight._data[rows].astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        rows = rows[over]
        scale = (max_norm / (norms[over] + 1e-7))[:, None]
        weight._writable()[rows] = (weight._data[rows] * scale).astype(weight.dtype)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: ℓᵢ = ½(xᵢ − yᵢ)²/β where |xᵢ − yᵢ| < β, else |xᵢ − yᵢ| − ½β.

    Quadratic near 0 (gradient (x − y)/β), linear beyond β (gradient ±1); β = 0 is the L1 loss.
    """
    _check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta. (got beta={beta})")
    target = _elementwise_target(input, target, "smooth_l1_loss", floating=False)
    diff = input - target
    abs_diff = diff.abs()
    if beta == 0:
        return _reduce(abs_diff, reduction)
    loss = where(abs_diff._data < beta, diff * diff * (0.5 / beta), abs_diff - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None) -> Tensor:
    """Huber loss: ℓᵢ = ½(xᵢ − yᵢ)² where |xᵢ − yᵢ| < δ, else δ·(|xᵢ − yᵢ| − ½δ) (= δ · smooth L1 with β = δ).

    ``weight`` (the input's shape) multiplies each ℓᵢ before the reduction.
    """
    _check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta. (got delta={delta})")
    target = _elementwise_target(input, target, "huber_loss", floating=False)
    diff = input - target
    abs_diff = diff.abs()
    loss = where(abs_diff._data < delta, diff * diff * 0.5, (abs_diff - 0.5 * delta) * delta)
    if weight is not None:
        weight = _as_tensor(weight)
        if weight.shape != input.shape:
            raise ValueError(
                f"Weights and input must have the same size. (huber_loss: weight of shape "
                f"{weight.shape}, input of shape {input.shape})"
            )
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target ‖ q) with ``input`` = log q (log-probabilities, e.g. ``log_softmax``).

        ℓᵢ = yᵢ·(log yᵢ − xᵢ)   (0 where yᵢ = 0);   with ``log_target``: ℓᵢ = e^{yᵢ}·(yᵢ − xᵢ)

    ``reduction='batchmean'`` divides the sum by the batch size ``input.shape[0]`` (the KL
    divergence per sample, the mathematical definition); ``'mean'`` divides by the number
    of elements, as PyTorch (which also warns about it there; minigrad does not).
    """
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"kl_div: {reduction!r} is not a valid value for reduction; use 'mean', 'batchmean', 'sum' or 'none'"
        )
    target = _elementwise_target(input, target, "kl_div", floating=True)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target._data == 0
        if zero.any():  # y·log y → 0 as y → 0: take the log of 1 there, so no −inf or nan appears
            y_log_y = where(zero, 0.0, target * where(zero, 1.0, target).log())
        else:
            y_log_y = target * target.log()
        loss = y_log_y - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x·Φ(x), Φ the standard normal CDF; ``approximate='tanh'``: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. (gelu: got {approximate!r})")
    return _act.GELU.apply(_as_float(input), approximate=approximate)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); gradient 1 strictly inside (min_val, max_val), else 0."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val (hardtanh: got min_val={min_val}, max_val={max_val})")
    return _act.Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) (``hardtanh(x, 0, 6)``: gradient 0 at 0 and at 6)."""
    return _act.Hardtanh.apply(input, min_val=0.0, max_val=6.0)


def _vector_norm(x: Tensor, p: float, dim: Any) -> Tensor:
    """‖x‖_p over ``dim`` (kept), with gradient 0 where the norm is 0 (as PyTorch's norm)."""
    if p == float("inf"):
        return x.abs().amax(dim, keepdim=True)
    if p == 1:
        return x.abs().sum(dim, keepdim=True)
    if not p > 0:
        raise ValueError(f"normalize: p must be positive (or inf), got {p}")
    s = (x * x if p == 2 else x.abs() ** p).sum(dim, keepdim=True)
    nonzero = s._data > 0
    if nonzero.all():
        return s.sqrt() if p == 2 else s ** (1.0 / p)
    safe = where(nonzero, s, 1.0)  # √0 has an infinite slope: keep 0 out of the root
    return where(nonzero, safe.sqrt() if p == 2 else safe ** (1.0 / p), 0.0)


def normalize(input: Tensor, p: float = 2.0, dim: Any = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, ε) along ``dim``: unit vectors (each row, by default), zero vectors stay 0."""
    return input / _vector_norm(input, p, dim).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos θ = x₁·x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``dim`` (of the broadcast shape), which is removed."""
    x1, x2 = _as_tensor(x1), _as_tensor(x2)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1 = x1 if x1.shape == shape else x1.broadcast_to(shape)
    x2 = x2 if x2.shape == shape else x2.broadcast_to(shape)
    u1 = x1 / _vector_norm(x1, 2, dim).clamp(min=eps)
    u2 = x2 / _vector_norm(x2, 2, dim).clamp(min=eps)
    return (u1 * u2).sum(dim)


# ---------------------------------------------------------------------- the declared activations not written above
_derived = _declare.functionals(__name__, globals())
_derived.update(_declare.function_forms(Tensor, ("relu_",), __name__))  # F.relu_ is Tensor.relu_, as PyTorch's
globals().update(_derived)
__all__ += list(_derived)

_NO_CONV = "convolution and pooling are not implemented (minigrad covers MLP-scale models); flatten and use linear"
#: PyTorch's ``nn.functional`` names minigrad leaves out on purpose, with the reason the error gives
UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(
        [
            *(f"{kind}{d}d" for kind in ("conv", "conv_transpose", "max_pool", "avg_pool") for d in (1, 2, 3)),
            *(f"adaptive_{kind}_pool{d}d" for kind in ("avg", "max") for d in (1, 2, 3)),
            "interpolate",
            "unfold",
            "fold",
            "grid_sample",
        ],
        _NO_CONV,
    ),
    "scaled_dot_product_attention": "attention is not implemented; write softmax(q @ k.transpose(-2, -1) / "
    "math.sqrt(d)) @ v",
    "multi_head_attention_forward": "attention is not implemented; build it from linear, softmax and matmul",
}


def __getattr__(name: str) -> Any:
    if name in UNSUPPORTED:
        from minigrad import UnsupportedError

        raise UnsupportedError(f"minigrad does not support torch.nn.functional.{name}: {UNSUPPORTED[name]}")
    raise AttributeError(f"module 'minigrad.nn.functional' has no attribute {name!r}")
