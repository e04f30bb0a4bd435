"""Reference solutions and checks for the "Try it" exercises of notebook 07 · Tuning and the recipe.

The notebook imports this module (``importlib.import_module("solutions.07_tuning")``). Each exercise
there has a stub ``my_...`` that raises ``NotImplementedError``; its check cell calls :func:`try_it`,
which runs the check on the learner's function and, while it is still a stub, on the reference
solution below — so CI keeps the references and the checks correct. With ``MINIGRAD_SOLUTIONS=0`` a
stub is an error instead.
"""
from __future__ import annotations

import math

import numpy as np

import minigrad as mg
from minigrad import optim
from minigrad.optim import lr_scheduler
from minigrad.tune import LogUniform, random_search

from ._try_it import try_it  # noqa: F401 - the notebook calls solutions.try_it


# ------------------------------------------------------------------ exercise 1: log-uniform sampling
def log_uniform(low, high, n, rng):
    """``n`` samples whose log₁₀ is uniform between log₁₀ low and log₁₀ high."""
    return 10 ** rng.uniform(np.log10(low), np.log10(high), size=n)


def check_log_uniform(fn, n=8000):
    rng = np.random.default_rng(0)
    d = np.asarray(fn(1e-5, 1.0, n, rng), dtype=float)
    assert d.shape == (n,), f"expected {n} samples, got shape {d.shape}"
    assert d.min() >= 1e-5 and d.max() <= 1.0, "samples must lie in [low, high]"
    shares = [float(np.mean((d >= 10.0**k) & (d < 10.0 ** (k + 1)))) for k in range(-5, 0)]
    print("share of samples per decade 1e-5…1e-4, …, 0.1…1:", "  ".join(f"{s:.3f}" for s in shares))
    assert all(abs(s - 0.2) < 0.02 for s in shares), "each of the five decades should get about 20 %"
    d2 = np.asarray(fn(1e-5, 1.0, n, np.random.default_rng(1)), dtype=float)
    assert not np.allclose(np.sort(d), np.sort(d2)), "use the rng you are given (different seeds, different samples)"
    return shares


# ------------------------------------------------------------------ exercise 2: predict, then measure
def p_hit(n, frac):
    """Probability that at least one of ``n`` independent random trials lands in a region holding ``frac``
    of the (sampling) space: one minus the probability that all miss."""
    return 1 - (1 - frac) ** n


def check_p_hit(fn, frac=0.05, repeats=400):
    """Compare ``fn(n, frac)`` with random_search over LogUniform(1e-4, 1): the good region is the top
    ``frac`` of the range in log₁₀, i.e. lr ≥ 10^(−4·frac)."""
    threshold = 10 ** (-4 * frac)
    rows = []
    for n in (5, 20, 60):
        hits = np.mean([random_search(lambda p: float(p["lr"] >= threshold), {"lr": LogUniform(1e-4, 1.0)},
                                      n_trials=n, seed=s).best.score for s in range(repeats)])
        predicted = float(fn(n, frac))
        rows.append((n, predicted, hits))
        print(f"n = {n:>2}: predicted {predicted:.3f}, measured over {repeats} searches {hits:.3f}")
        assert abs(predicted - hits) < 0.06, f"n = {n}: your prediction {predicted:.3f} vs measured {hits:.3f}"
    needed = next(n for n in range(1, 1000) if fn(n, frac) >= 0.95)
    print(f"trials needed to hit the top {frac:.0%} with probability ≥ 95 %: {needed}")
    assert needed == 59, f"expected 59 trials for 95 %, your function gives {needed}"
    return rows


# ------------------------------------------------------------------ exercise 3: read the curves
def diagnose(train_loss, val_loss, high=0.3, gap=0.1):
    """``"under"`` if the training loss is above ``high``; else ``"over"`` if validation exceeds training by
    more than ``gap``; else ``"good"``."""
    if train_loss > high:
        return "under"
    if val_loss - train_loss > gap:
        return "over"
    return "good"


def check_diagnose(fn, measured):
    """``measured``: {name: (train_loss, val_loss, expected verdict)} from the notebook's runs, plus edge cases."""
    cases = dict(measured)
    cases.update({"high and far apart": (1.0, 2.0, "under"), "inside the gap": (0.1, 0.19, "good"),
                  "just over the gap": (0.1, 0.2001, "over")})
    for name, (tr, va, expected) in cases.items():
        got = fn(tr, va)
        print(f"{name:<22} train {tr:.4f}  validation {va:.4f}  → {got}")
        assert got == expected, f"{name}: expected {expected!r}, got {got!r}"
    return True


# ------------------------------------------------------------------ exercise 4: schedules by formula
def cosine_lr(t, base_lr, T_max, eta_min=0.0):
    """The learning rate of cosine annealing at epoch ``t``."""
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def check_cosine(fn, base_lr=0.3, T_max=40, eta_min=1e-3):
    w = mg.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=base_lr)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min)
    worst = 0.0
    for t in range(T_max + 1):
        worst = max(worst, abs(float(fn(t, base_lr, T_max, eta_min)) - opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
    print(f"your cosine schedule vs CosineAnnealingLR over epochs 0…{T_max}: max |difference| {worst:.1e}")
    assert worst < 1e-9, f"your learning rates differ from CosineAnnealingLR's by up to {worst:.2e}"
    return worst
