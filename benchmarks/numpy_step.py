"""The hand-written NumPy MLP training step: the yardstick every engine is measured against.

An MLP ``Linear → ReLU → … → Linear`` trained with softmax cross-entropy (mean over the batch)
and plain SGD, written out the way lecture notes write backprop. The layout is PyTorch's:
``W`` has shape ``(out, in)`` and a layer computes ``y = x @ W.T + b``.

The dtype of the weights and inputs (float32 or float64) is kept throughout: Python scalars
do not upcast arrays under NumPy 2's promotion rules, and no constant here is a float64 array.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Params = list[tuple[np.ndarray, np.ndarray]]
"""One ``(W, b)`` pair per Linear layer, ``W`` of shape ``(out, in)``."""


def init_params(sizes: Sequence[int], dtype: npt.DTypeLike = np.float32, seed: int = 0) -> Params:
    """Weights as PyTorch's ``nn.Linear`` draws them: ``W, b ~ U(-1/√fan_in, 1/√fan_in)``."""
    rng = np.random.default_rng(seed)
    params: Params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(dtype)
        bias = rng.uniform(-bound, bound, size=fan_out).astype(dtype)
        params.append((weight, bias))
    return params


def make_batch(
    n_features: int, n_classes: int, batch: int, dtype: npt.DTypeLike = np.float32, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal inputs ``(batch, n_features)`` and int64 class labels ``(batch,)``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_features)).astype(dtype)
    y = rng.integers(0, n_classes, size=batch, dtype=np.int64)
    return x, y


def copy_params(params: Params) -> Params:
    """An independent copy, so that several engines can start from the same weights."""
    return [(weight.copy(), bias.copy()) for weight, bias in params]


def forward_loss(params: Params, x: np.ndarray, y: np.ndarray) -> np.floating:
    """The loss alone (used by the finite-difference check of :func:`sgd_step`)."""
    h = x
    for weight, bias in params[:-1]:
        h = np.maximum(h @ weight.T + bias, 0)
    weight, bias = params[-1]
    logits = h @ weight.T + bias
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_sumexp = np.log(np.exp(shifted).sum(axis=1))
    return np.mean(log_sumexp - shifted[np.arange(x.shape[0]), y])


def sgd_step(params: Params, x: np.ndarray, y: np.ndarray, lr: float) -> np.floating:
    """One training step; updates ``params`` in place and returns the loss before the update.

    Forward: ``h_{l+1} = relu(h_l Wᵀ + b)``, logits ``z = h_L Wᵀ + b``,
    ``loss = mean_i(log Σ_j e^{s_ij} − s_{i,y_i})`` with ``s = z − max_j z``.
    Backward: ``dz = (softmax(z) − onehot(y)) / N``; per layer ``dW = dzᵀ h``, ``db = Σ_i dz``,
    ``dh = dz W`` and through the ReLU ``dz = dh · [h > 0]``. Update: ``W −= lr · dW``.
    """
    n = x.shape[0]
    rows = np.arange(n)

    # forward, keeping each layer's input for the backward pass
    inputs = []
    h = x
    for weight, bias in params[:-1]:
        inputs.append(h)
        h = np.maximum(h @ weight.T + bias, 0)
    inputs.append(h)
    weight, bias = params[-1]
    logits = h @ weight.T + bias

    # softmax cross-entropy with the row max subtracted (no overflow in exp)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(sum_exp[:, 0]) - shifted[rows, y])

    # backward: d loss / d logits = (softmax − onehot) / N
    dz = exp / sum_exp
    dz[rows, y] -= 1
    dz /= n
    for layer in range(len(params) - 1, -1, -1):
        weight, bias = params[layer]
        h = inputs[layer]
        d_weight = dz.T @ h
        d_bias = dz.sum(axis=0)
        if layer > 0:
            # h > 0 exactly where the ReLU that produced h was active (its gradient is 0 at 0)
            dz = (dz @ weight) * (h > 0)
        weight -= lr * d_weight
        bias -= lr * d_bias
    return loss
