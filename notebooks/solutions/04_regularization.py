"""Reference solutions and checks for the "Try it" exercises of notebook 04 · Regularisation.

The notebook imports this module (``importlib.import_module("solutions.04_regularization")``). Each
exercise there has a stub ``my_...`` that raises ``NotImplementedError``; its check cell calls
:func:`try_it`, which runs the check on the learner's function and, while it is still a stub, on
the reference solution below — so CI keeps the references and the checks correct. With
``MINIGRAD_SOLUTIONS=0`` a stub is an error instead (the reference is not used).
"""
from __future__ import annotations

import numpy as np

import minigrad as mg

from ._try_it import try_it  # noqa: F401 - the notebook calls solutions.try_it


# ------------------------------------------------------------------ exercise 1: inverted dropout
def dropout(x, p, rng):
    """Inverted dropout in training mode with minigrad ops: ``x ⊙ D / keep``, ``D ~ Bernoulli(keep)``."""
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep).astype(x.numpy().dtype)
    return x * mg.tensor(mask / keep)


def check_dropout(fn, p=0.3):
    """Mean kept, the right fraction dropped, survivors scaled by 1/keep, and backward = D/keep."""
    keep = 1.0 - p
    x = mg.tensor(np.random.default_rng(0).uniform(0.5, 1.5, (2000, 50)), requires_grad=True)  # no zeros in x
    out = fn(x, p, np.random.default_rng(1))
    assert isinstance(out, mg.Tensor) and out.shape == x.shape, "return a Tensor of x's shape (use Tensor ops)"
    o, xv = out.numpy(), x.numpy()
    dropped = float((o == 0).mean())
    assert abs(dropped - p) < 0.01, f"{dropped:.3f} of the values are 0, expected about p = {p}"
    kept = o != 0
    assert np.allclose(o[kept], xv[kept] / keep), "the kept values must be x / keep (inverted dropout)"
    ratio = float(o.mean() / xv.mean())
    assert abs(ratio - 1) < 0.01, f"E[out]/E[x] = {ratio:.4f}, expected 1: inverted dropout keeps the mean"
    out.sum().backward()
    assert x.grad is not None, "the output must depend on x through Tensor ops (no .numpy() round trip)"
    expected = kept / keep
    assert np.allclose(x.grad.numpy(), expected), "backward must use the same mask and the same 1/keep"
    print(f"dropout p = {p}: {dropped:.4f} dropped, E[out]/E[x] = {ratio:.4f}, ∂Σout/∂x = D/keep on all "
          f"{x.numel()} values")
    return dropped


# ------------------------------------------------------------------ exercise 2: L1's proximal step
def soft_threshold(w, t):
    """The proximal step of ``t·Σ|w|``: ``sign(w)·max(|w| − t, 0)`` — exact zeros for |w| ≤ t."""
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def check_soft_threshold(fn, t=1e-3):
    """Against the formula; exact zeros where |w| ≤ t; a plain subgradient step makes none."""
    w = np.random.default_rng(2).normal(0, 2e-3, 10_000)
    got = np.asarray(fn(w.copy(), t), dtype=float)
    want = soft_threshold(w, t)
    assert got.shape == w.shape, f"shape {got.shape}, expected {w.shape}"
    assert np.allclose(got, want, atol=1e-15), "not sign(w)·max(|w| − t, 0)"
    exact_prox = float(np.mean(got == 0))
    subgradient = w - t * np.sign(w)  # one step of the L1 (sub)gradient with the same size
    exact_sub = float(np.mean(subgradient == 0))
    assert exact_prox > 0.3 and exact_sub == 0.0
    print(f"t = {t}: the proximal step makes {exact_prox:.1%} of the weights exactly 0, "
          f"a subgradient step of the same size {exact_sub:.1%}")
    return exact_prox


# ------------------------------------------------------------------ exercise 3: ±1-pixel shifts
def shift_images(images, dy, dx):
    """Shift 8×8 images (N, 8, 8) by (dy, dx) ∈ {−1, 0, 1}² pixels (down, right), filling with 0."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    return padded[:, 1 - dy:9 - dy, 1 - dx:9 - dx]


def check_shift(fn, X_raw):
    """Against np.roll on the interior, zeros where the image moved away, and every direction."""
    imgs = X_raw[:50].reshape(-1, 8, 8)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            got = np.asarray(fn(imgs.copy(), dy, dx))
            assert got.shape == imgs.shape, f"shape {got.shape}, expected {imgs.shape}"
            rolled = np.roll(imgs, (dy, dx), axis=(1, 2))
            rows = slice(1, 8) if dy == 1 else slice(0, 7) if dy == -1 else slice(0, 8)
            cols = slice(1, 8) if dx == 1 else slice(0, 7) if dx == -1 else slice(0, 8)
            assert np.array_equal(got[:, rows, cols], rolled[:, rows, cols]), f"(dy, dx) = ({dy}, {dx}): wrong pixels"
            border = np.ones((8, 8), bool)
            border[rows, cols] = False
            assert np.all(got[:, border] == 0), f"(dy, dx) = ({dy}, {dx}): the uncovered border must be 0"
    down = np.asarray(fn(imgs.copy(), 1, 0))
    print("shift by one pixel down: first image's top rows", imgs[0, :2].tolist(), "→", down[0, :3].tolist())
    return True


# ------------------------------------------------------------------ exercise 4: early stopping by hand
def early_stopping(val_losses, patience):
    """``(best_epoch, stopped_epoch)`` (1-based) of EarlyStopping(patience) on a curve; stopped None if never."""
    best, best_epoch = np.inf, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, None


def check_early_stopping(fn, val_curve, fitted_history, patience=10):
    """The (best, stopped) epochs on the baseline's full curve = those of the EarlyStopping run."""
    best, stopped = fn(list(val_curve), patience)
    assert (best, stopped) == (fitted_history.best_epoch, fitted_history.stopped_epoch), (
        f"you say best epoch {best}, stopped at {stopped}; EarlyStopping(patience={patience}) gave "
        f"{fitted_history.best_epoch} and {fitted_history.stopped_epoch}")
    assert fn([3, 2, 1], patience) == (3, None), "a curve that keeps improving never stops"
    assert fn([1, 2, 2, 2], 2) == (1, 3), "patience 2: best at epoch 1, stop at epoch 3"
    print(f"on the baseline's curve: best epoch {best}, stopped at epoch {stopped} — as EarlyStopping")
    return best, stopped
