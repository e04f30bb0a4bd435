"""Reference solutions and checks for the "Try it" exercises of notebook 05 · Normalisation.

The notebook imports this module (``importlib.import_module("solutions.05_normalization")``). Each
exercise there has a stub ``my_...`` that raises ``NotImplementedError``; its check cell calls
:func:`try_it`, which runs the check on the learner's function and, while it is still a stub, on
the reference solution below — so CI keeps the references and the checks correct. With
``MINIGRAD_SOLUTIONS=0`` a stub is an error instead (the reference is not used).
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.autograd import gradcheck

from ._try_it import try_it  # noqa: F401 - the notebook calls solutions.try_it


# ------------------------------------------------------------------ exercise 1: batch norm with Tensor ops
def batch_norm(z, gamma, beta, eps=1e-5):
    """Training-mode batch norm of ``z`` (b, n) with Tensor ops, the course's formulas (biased variance)."""
    mu = z.mean(0, keepdim=True)
    var = ((z - mu) ** 2).mean(0, keepdim=True)
    return gamma * (z - mu) / (var + eps) ** 0.5 + beta


def check_batch_norm(fn):
    """Forward against nn.BatchNorm1d in training mode; backward by gradcheck (float64) and against BatchNorm1d's."""
    rng = np.random.default_rng(0)
    z = mg.tensor(rng.normal(3, 2, (16, 5)), requires_grad=True)
    gamma = mg.tensor(rng.uniform(0.5, 2, 5), requires_grad=True)
    beta = mg.tensor(rng.normal(0, 1, 5), requires_grad=True)
    out = fn(z, gamma, beta)
    assert isinstance(out, mg.Tensor) and out.shape == (16, 5), "return a (16, 5) Tensor built with Tensor ops"
    bn = nn.BatchNorm1d(5, dtype=np.float64)
    bn.weight.data[...] = gamma.numpy()
    bn.bias.data[...] = beta.numpy()
    z2 = mg.tensor(z.numpy(), requires_grad=True)
    ref = bn(z2)
    err = float(np.abs(out.numpy() - ref.numpy()).max())
    assert err < 1e-6, f"forward differs from nn.BatchNorm1d by {err:.1e}"
    cot = rng.normal(size=(16, 5))
    (out * mg.tensor(cot)).sum().backward()
    (ref * mg.tensor(cot)).sum().backward()
    gerr = float(np.abs(z.grad.numpy() - z2.grad.numpy()).max())
    assert gerr < 1e-6, f"∂L/∂z differs from BatchNorm1d's backward by {gerr:.1e}"
    zs = mg.tensor(rng.normal(3, 2, (6, 3)), requires_grad=True)
    gs = mg.tensor(rng.uniform(0.5, 2, 3), requires_grad=True)
    bs = mg.tensor(rng.normal(0, 1, 3), requires_grad=True)
    assert gradcheck(lambda a, g, b: fn(a, g, b), (zs, gs, bs)), "gradcheck failed"
    print(f"batch norm: forward within {err:.1e} of nn.BatchNorm1d, ∂L/∂z within {gerr:.1e}, gradcheck passes")
    return err


# ------------------------------------------------------------------ exercise 2: fold batch norm into Linear
def fold_batchnorm(linear, bn):
    """``(W', b')`` with ``x W'ᵀ + b' = bn(linear(x))`` for ``bn`` in eval mode (running statistics)."""
    scale = bn.weight.numpy() / np.sqrt(bn.running_var.numpy() + bn.eps)
    W = linear.weight.numpy() * scale[:, None]
    b = (linear.bias.numpy() - bn.running_mean.numpy()) * scale + bn.bias.numpy()
    return W, b


def check_fold(fn, model, X):
    """The folded Linear against Linear → BatchNorm1d (eval) of ``model``'s first block, on ``X``."""
    linear, bn = model[0], model[1]
    model.eval()
    with mg.no_grad():
        want = bn(linear(mg.tensor(X))).numpy()
    W, b = fn(linear, bn)
    W, b = np.asarray(W), np.asarray(b)
    assert W.shape == linear.weight.shape and b.shape == (linear.weight.shape[0],), "W' like linear.weight, b' like its bias"
    got = X @ W.T + b
    err = float(np.abs(got - want).max() / np.abs(want).max())
    assert err < 1e-4, f"the folded layer differs from Linear → BatchNorm1d by {err:.1e} (relative)"
    print(f"folded Linear: relative difference {err:.1e} from Linear → BatchNorm1d in eval mode, one matmul saved")
    return err


# ------------------------------------------------------------------ exercise 3: variance after dropout
def dropout_variance(mean, var, keep):
    """Variance of ``x·D/keep`` for x with the given mean and variance, D ~ Bernoulli(keep) independent of x."""
    return (var + mean ** 2) / keep - mean ** 2


def check_dropout_variance(fn):
    """The formula against Monte Carlo for several (mean, var, keep), and section 4's case (1, 1, 0.5) → 3."""
    rng = np.random.default_rng(0)
    for mean, var, keep in ((1.0, 1.0, 0.5), (0.0, 2.0, 0.8), (2.0, 0.5, 0.9), (-1.0, 0.25, 0.3)):
        x = mean + np.sqrt(var) * rng.standard_normal(2_000_000)
        mc = float((x * (rng.random(x.size) < keep) / keep).var())
        got = float(fn(mean, var, keep))
        assert abs(got - mc) < 0.02 * mc + 1e-3, f"(mean, var, keep) = {(mean, var, keep)}: you say {got:.4f}, Monte Carlo {mc:.4f}"
    assert abs(fn(1.0, 1.0, 0.5) - 3.0) < 1e-12
    print("variance after inverted dropout: matches Monte Carlo in four cases; (1, 1, 0.5) → 3")
    return True


# ------------------------------------------------------------------ exercise 4: the largest stable step
def largest_stable_lr(H):
    """Gradient descent on a quadratic with Hessian H is stable for α < 2/λmax(H)."""
    return 2.0 / np.linalg.eigvalsh(H)[-1]


def check_largest_stable_lr(fn, H):
    """GD on ½·dᵀHd from a random start: 0.98× the answer converges, 1.02× diverges."""
    alpha = float(fn(H))
    d0 = np.random.default_rng(1).normal(size=len(H))

    def final_size(lr, steps=3000):
        d = d0.copy()
        for _ in range(steps):
            d = d - lr * (H @ d)
        return float(np.linalg.norm(d))

    below, above = final_size(0.98 * alpha), final_size(1.02 * alpha)
    assert below < np.linalg.norm(d0) and above > 1e3 * np.linalg.norm(d0), (
        f"α = {alpha:.3e}: at 0.98α the distance went {np.linalg.norm(d0):.2f} → {below:.2e}, at 1.02α → {above:.2e}")
    print(f"α_max = {alpha:.3e}: at 0.98·α_max GD shrinks the error to {below:.1e}, at 1.02·α_max it grows to {above:.1e}")
    return alpha
