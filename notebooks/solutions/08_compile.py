"""Reference solutions and checks for the "Try it" exercises of notebook 08 · Compiling a training step.

The notebook imports this module (``importlib.import_module("solutions.08_compile")``). Each exercise
there has a stub ``my_...`` that raises ``NotImplementedError``; its check cell calls :func:`try_it`,
which runs the check on the learner's function and, while it is still a stub, on the reference
solution below — so CI keeps the references and the checks correct. With ``MINIGRAD_SOLUTIONS=0`` a
stub is an error instead.
"""
from __future__ import annotations

import warnings
from collections import Counter

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.compile import CompileWarning

from ._try_it import try_it  # noqa: F401 - the notebook calls solutions.try_it


def _setup(seed=0, momentum=0.9):
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=momentum)
    return model, opt


def _batch(n, seed):
    rng = np.random.default_rng(seed)
    return mg.tensor(rng.standard_normal((n, 8)).astype(np.float32)), mg.tensor(rng.integers(0, 3, n))


def _plain_step(model, opt):
    def train_step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


# ------------------------------------------------------------------ exercise 1: how many traces?
def trace_count(batch_sizes):
    """Each new guard set (here: a new batch size) is traced on its first two calls (the second trace checks
    the first); every later call with that batch size replays. So a size seen k times costs min(k, 2) traces."""
    return sum(min(k, 2) for k in Counter(batch_sizes).values())


def check_trace_count(fn):
    cases = [[32] * 5, [32, 32, 16, 32, 16, 16], [8, 16, 32, 8, 16, 32, 8], [5], [7, 7, 9, 9, 9, 9, 11, 7]]
    for sizes in cases:
        model, opt = _setup()
        step = mg.compile(_plain_step(model, opt))
        for i, n in enumerate(sizes):
            step(*_batch(n, i))
        predicted = int(fn(list(sizes)))
        print(f"batch sizes {sizes}: you predict {predicted} traces, compile made {step.traces}")
        assert predicted == step.traces, f"for {sizes} compile traced {step.traces} times, not {predicted}"
    return True


# ------------------------------------------------------------------ exercise 2: make the step compilable
def make_step(model, opt):
    """A step that returns the loss instead of reading it: ``.item()`` happens outside, on the returned value."""

    def train_step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


def check_make_step(fn, steps=12):
    """Trains twice from the same seed: the logging loop of the notebook run eagerly, and ``mg.compile(fn(model,
    opt))`` with ``.item()`` taken on what it returns. The logged losses must agree, without a fallback."""
    model, opt = _setup(1)
    reference = []
    mg.manual_seed(7)
    for i in range(steps):
        x, y = _batch(16, i)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        reference.append(loss.item())
    model, opt = _setup(1)
    step = mg.compile(fn(model, opt))
    mg.manual_seed(7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        try:
            logged = [float(step(*_batch(16, i)).item()) for i in range(steps)]
        except CompileWarning as exc:
            raise AssertionError(f"mg.compile fell back to eager mode: {exc}") from None
    print(f"{steps} steps: {step.traces} traced, {steps - step.traces} replayed; "
          f"first losses {np.round(logged[:3], 4)}")
    assert step.eager_reason is None and step.traces == 2, "the step should be traced twice and then replayed"
    assert np.allclose(logged, reference, rtol=1e-6), "the logged losses differ from the eager loop's"
    return logged


# ------------------------------------------------------------------ exercise 3: which changes retrace?
def _change_lr(model, opt, x, y):
    opt.param_groups[0]["lr"] = 0.01
    return x, y


def _change_momentum(model, opt, x, y):
    opt.param_groups[0]["momentum"] = 0.5
    return x, y


def _change_values(model, opt, x, y):
    return mg.tensor(x.numpy() * 2), y


def _change_batch(model, opt, x, y):
    return _batch(len(y) + 4, 99)


def _change_eval(model, opt, x, y):
    model.eval()
    return x, y


def _change_layer(model, opt, x, y):
    model[3] = nn.Linear(16, 3)
    opt.param_groups[0]["params"][-2:] = list(model[3].parameters())
    return x, y


CHANGES = {
    "new values in x, same shape": _change_values,
    "a different batch size": _change_batch,
    "model.eval()": _change_eval,
    "the learning rate changed (as a scheduler does)": _change_lr,
    "the momentum changed": _change_momentum,
    "a layer replaced by a new nn.Linear": _change_layer,
}


def retraces(change):
    """Guards: argument shapes and dtypes, modules' training flags, the parameters and submodules (the same
    objects), grad mode. Hyperparameters are read live by the replayed optimizer step, and values are data."""
    return change in ("a different batch size", "model.eval()", "a layer replaced by a new nn.Linear")


def check_retraces(fn):
    results = {}
    for name, change in CHANGES.items():
        model, opt = _setup()
        step = mg.compile(_plain_step(model, opt))
        x, y = _batch(16, 0)
        for _ in range(3):
            step(x, y)
        before = step.traces
        step(*change(model, opt, x, y))
        measured = step.traces > before
        predicted = bool(fn(name))
        results[name] = measured
        print(f"{name:<50} retraced: {measured!s:<5}  you said: {predicted}")
        assert predicted == measured, f"{name}: compile {'did' if measured else 'did not'} retrace"
    return results
