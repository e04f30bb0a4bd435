"""Reference solutions of the "Try it" exercises of notebook 03 · Initialisation.

The notebook's check cells run the learner's function and, while it is still a stub (it raises
``NotImplementedError``), this reference solution instead — so CI executes and checks these.
Set ``MINIGRAD_SOLUTIONS=0`` to make the check cells refuse to fall back.
"""
from __future__ import annotations

import math

import numpy as np

import minigrad as mg
from minigrad import nn

from ._try_it import try_it


def check(mine, reference, test, name):
    """``test(mine)``, or ``test(reference)`` while ``mine`` is a stub (see ``_try_it``)."""
    return try_it(name, test, mine, reference)


# ---------------------------------------------------------------- exercise 1: LeCun init under ReLU
LECUN_RELU_PREDICTION = 1 / math.sqrt(2)  # σ² = 1/fan_in is half of He's 2/fan_in: ReLU halves the variance


def lecun_relu_factor(deep_net, x):
    """The measured factor by which the activation std changes per layer, LeCun init, 10 × 256 ReLU."""
    model = deep_net(nn.ReLU, "none")
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0.0, 1.0 / math.sqrt(layer.in_features))
    stds = []
    a = x
    with mg.no_grad():
        for layer in model:
            a = layer(a)
            if isinstance(layer, nn.ReLU):
                stds.append(float(a.numpy().std()))
    stds = np.array(stds)
    return float(np.exp(np.mean(np.log(stds[2:] / stds[1:-1]))))  # geometric mean over layers 2 → 10


# ---------------------------------------------------------------- exercise 2: update-to-weight ratio
def update_ratios(model, x, y, loss_fn, lr):
    """‖lr·∂L/∂W‖ / ‖W‖ for every Linear layer of ``model``, input side first."""
    model.zero_grad()
    loss_fn(model(x), y).backward()
    out = []
    for m in model.modules():
        if isinstance(m, nn.Linear):
            out.append(lr * np.linalg.norm(m.weight.grad.numpy()) / np.linalg.norm(m.weight.numpy()))
    return np.array(out)


# ---------------------------------------------------------------- exercise 3: zero-init residual branch
def zero_branch_resnet(depth=30, width=64):
    """64 → width, (depth − 2)/2 residual blocks ``x + Linear(ReLU(Linear(x)))`` whose second Linear
    starts at 0 (He for the others), then width → 10: every block starts as the identity."""
    def linear(n_in, n_out, zero=False):
        lin = nn.Linear(n_in, n_out)
        if zero:
            nn.init.zeros_(lin.weight)
        else:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        return lin

    layers = [linear(64, width), nn.ReLU()]
    for _ in range((depth - 2) // 2):
        layers.append(nn.Residual(nn.Sequential(linear(width, width), nn.ReLU(), linear(width, width, zero=True))))
    layers.append(linear(width, 10))
    return nn.Sequential(*layers)
