"""Reference solutions of the "Try it" exercises of notebook 02 · Activations.

The notebook's check cells run the learner's function and, while it is still a stub (it raises
``NotImplementedError``), this reference solution instead — so CI executes and checks these.
Set ``MINIGRAD_SOLUTIONS=0`` to make the check cells refuse to fall back.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.autograd import Function

from ._try_it import try_it


def check(mine, reference, test, name):
    """``test(mine)``, or ``test(reference)`` while ``mine`` is a stub (see ``_try_it``)."""
    return try_it(name, test, mine, reference)


# ---------------------------------------------------------------- exercise 1: SiLU's backward
class SiLU(Function):
    """SiLU (swish): ``f(x) = x·σ(x)``, ``f'(x) = σ(x) + x·σ(x)(1 − σ(x))``."""

    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + (-x).exp())
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * (s + x * s * (1 - s))


# ---------------------------------------------------------------- exercise 2: ELU with α = 0.1
def elu_small_alpha_ratio(mlp, weight_grad_norms):
    """‖dW[1]‖ / ‖dW[10]‖ of 02's 10-layer network with ELU(α = 0.1) and He init."""
    model = mlp(lambda: nn.ELU(alpha=0.1), "he")
    g = weight_grad_norms(model)
    return float(g[0] / g[-1])


# ---------------------------------------------------------------- exercise 3: the training-loop bug
def train_clipped(model, X_train, y_train, loss_fn, steps=300, lr=0.03, clip=5.0, seed=0):
    """Mini-batch SGD with the gradient norm clipped *between* backward() and step()."""
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        idx = rng.choice(len(X_train), 64, replace=False)
        opt.zero_grad()
        loss = loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx]))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(float(loss))
    return np.array(losses)


# ---------------------------------------------------------------- exercise 4: dead fraction by hand
def dead_fraction(model, X):
    """Per ReLU layer of a Sequential: the fraction of units whose output is 0 for every row of X."""
    out, a = [], mg.tensor(X)
    with mg.no_grad():
        for m in model:
            a = m(a)
            if isinstance(m, nn.ReLU):
                out.append(float(np.all(a.numpy() == 0, axis=0).mean()))
    return np.array(out)
