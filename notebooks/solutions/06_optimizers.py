"""Reference solutions and checks for the "Try it" exercises of notebook 06 · Optimizers.

The notebook imports this module (``importlib.import_module("solutions.06_optimizers")``). Each
exercise there has a stub ``my_...`` that raises ``NotImplementedError``; its check cell calls
:func:`try_it`, which runs the check on the learner's function and, while it is still a stub, on
the reference solution below — so CI keeps the references and the checks correct. With
``MINIGRAD_SOLUTIONS=0`` a stub is an error instead (the reference is not used).
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import optim

from ._try_it import try_it  # noqa: F401 - the notebook calls solutions.try_it


# ------------------------------------------------------------------ exercise 1: momentum, by hand
def momentum_step(w, v, g, lr, beta):
    """One step of SGD with momentum in PyTorch's form: ``v ← β·v + g``, ``w ← w − α·v``."""
    v = beta * v + g
    return w - lr * v, v


def check_momentum(fn, X, y, start, lr=0.3, beta=0.9, steps=20):
    """``fn``'s 20 steps on the least-squares loss of ``(X, y)`` against ``optim.SGD(momentum=β)``'s."""
    Xt, yt = mg.tensor(X), mg.tensor(y)
    w_t = mg.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = optim.SGD([w_t], lr=lr, momentum=beta)
    w, v = np.array(start, dtype=float), np.zeros(len(start))
    worst = 0.0
    for _ in range(steps):
        g = 2 * X.T @ (X @ w - y) / len(y)  # the gradient of mean (x·w − y)², by hand
        w, v = fn(w, v, g, lr, beta)
        opt.zero_grad()
        ((Xt @ w_t - yt) ** 2).mean().backward()
        opt.step()
        worst = max(worst, float(np.abs(np.asarray(w) - w_t.numpy()).max()))
    assert worst < 1e-10, f"after up to {steps} steps your w differs from optim.SGD's by {worst:.2e}"
    print(f"momentum: {steps} steps agree with optim.SGD(momentum={beta}) to {worst:.1e}")
    return worst


# ------------------------------------------------------------------ exercise 2: Adam, by hand
def adam_step(w, m, v, g, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step (``t`` counts from 1): returns the new ``w, m, v``."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g**2
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def check_adam(fn, X, y, start, lr=0.1, steps=20):
    """``fn``'s 20 steps against ``optim.Adam``'s on the least-squares loss of ``(X, y)``."""
    Xt, yt = mg.tensor(X), mg.tensor(y)
    w_t = mg.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = optim.Adam([w_t], lr=lr)
    w = np.array(start, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    worst = 0.0
    for t in range(1, steps + 1):
        g = 2 * X.T @ (X @ w - y) / len(y)
        w, m, v = fn(w, m, v, g, t, lr)
        opt.zero_grad()
        ((Xt @ w_t - yt) ** 2).mean().backward()
        opt.step()
        worst = max(worst, float(np.abs(np.asarray(w) - w_t.numpy()).max()))
    assert worst < 1e-10, f"after up to {steps} steps your w differs from optim.Adam's by {worst:.2e}"
    print(f"Adam: {steps} steps agree with optim.Adam(lr={lr}) to {worst:.1e}")
    return worst


# ------------------------------------------------------------------ exercise 3: find the bug
def buggy_gd(X, y, start, lr, steps):
    """Batch gradient descent on mean (x·w − y)² — with a bug: the loss jumps up and down and never settles."""
    Xt, yt = mg.tensor(X), mg.tensor(y)
    w = mg.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((Xt @ w - yt) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return w.numpy(), np.array(losses)


def fixed_gd(X, y, start, lr, steps):
    """The same loop, fixed: the gradients must be zeroed before every backward (they accumulate)."""
    Xt, yt = mg.tensor(X), mg.tensor(y)
    w = mg.tensor(np.array(start, dtype=float), requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((Xt @ w - yt) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return w.numpy(), np.array(losses)


def check_gd(fn, X, y, start, lr=0.5, steps=50):
    """``fn`` must follow batch GD written in NumPy, ``w ← w − α·2Xᵀ(Xw − y)/m``, step for step."""
    w = np.array(start, dtype=float)
    for _ in range(steps):
        w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
    w_fn, losses = fn(X, y, start, lr, steps)
    err = float(np.abs(np.asarray(w_fn) - w).max())
    w_bug, losses_bug = buggy_gd(X, y, start, lr, steps)
    print(f"buggy loop: loss {losses_bug[0]:.3g} → {losses_bug[-1]:.3g};  yours: {losses[0]:.3g} → {losses[-1]:.3g}; "
          f"|w − NumPy GD's w| = {err:.1e}")
    assert err < 1e-10, f"your final w differs from plain gradient descent's by {err:.2e}"
    assert losses[-1] < losses[0], "the loss should go down"
    return err


# ------------------------------------------------------------------ exercise 4: predict, then measure
def max_stable_lr(X):
    """The largest stable batch-GD learning rate for mean (x·w − y)²: ``2/λmax`` of the Hessian ``2XᵀX/m``."""
    H = 2 * X.T @ X / len(X)
    return 2 / np.linalg.eigvalsh(H)[-1]


def check_max_lr(fn, X, y, start, steps=300):
    """Batch GD just below ``fn(X)`` must converge and just above it diverge."""
    predicted = float(fn(X))
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    excess = {}
    for factor in (0.97, 1.03):
        w = np.array(start, dtype=float)
        for _ in range(steps):
            w = w - factor * predicted * 2 * X.T @ (X @ w - y) / len(y)
        excess[factor] = float(np.mean((X @ w - y) ** 2) - np.mean((X @ w_star - y) ** 2))
    print(f"predicted limit α = {predicted:.4f}; excess loss after {steps} steps at 0.97× it: {excess[0.97]:.1e}, "
          f"at 1.03×: {excess[1.03]:.1e}")
    assert excess[0.97] < 1e-2, "GD just below your limit should converge"
    assert excess[1.03] > 1e2, "GD just above your limit should diverge: your limit is too low"
    return predicted
