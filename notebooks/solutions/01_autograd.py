"""Reference solutions of the "Try it" exercises of notebook 01 · Autograd.

The notebook's check cells run the learner's function and, while it is still a stub (it raises
``NotImplementedError``), this reference solution instead — so CI executes and checks these.
Set ``MINIGRAD_SOLUTIONS=0`` to make the check cells refuse to fall back.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad.autograd import Function

from ._try_it import try_it


def check(mine, reference, test, name):
    """``test(mine)``, or ``test(reference)`` while ``mine`` is a stub (see ``_try_it``)."""
    return try_it(name, test, mine, reference)


# ---------------------------------------------------------------- exercise 1: softplus's backward
class Softplus(Function):
    """``f(x) = log(1 + eˣ)``; ``f'(x) = eˣ/(1 + eˣ) = σ(x)``."""

    @staticmethod
    def forward(ctx, x):
        y = (1 + x.exp()).log()
        ctx.save_for_backward(x)
        return y

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + (-x).exp())


# ---------------------------------------------------------------- exercise 2: backprop by hand, squared loss
def manual_grads(x, y, W1, b1, W2, b2):
    """Gradients of ``L = mean over the batch of ½(ŷ − y)²`` for ``ŷ = tanh(x·W1ᵀ + b1)·W2ᵀ + b2``
    (NumPy arrays in, a dict of NumPy arrays out)."""
    m = x.shape[0]
    z1 = x @ W1.T + b1
    a1 = np.tanh(z1)
    y_hat = a1 @ W2.T + b2
    dy = (y_hat - y) / m  # ∂L/∂ŷ
    dW2 = dy.T @ a1
    db2 = dy.sum(0)
    dz1 = (dy @ W2) * (1 - a1**2)
    dW1 = dz1.T @ x
    db1 = dz1.sum(0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# ---------------------------------------------------------------- exercise 3: the training-loop bug
def fit(x, y, steps=100, lr=0.1):
    """Full-batch gradient descent on the mean squared error of ``y ≈ x·w``; returns (w, losses)."""
    w = mg.zeros(x.shape[1], requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x @ w - y) ** 2).mean()
        w.grad = None  # forget the previous step's gradient: backward() adds into .grad
        loss.backward()
        with mg.no_grad():
            w -= lr * w.grad
        losses.append(float(loss))
    return w, np.array(losses)
