"""A leaf's gradient node (AccumulateGrad) follows its array when the array is replaced.

Function.apply takes a leaf's node as it is (the hot path), so the places that replace a leaf's
array (``t.data = ...``, ``Tensor._take_memory`` used by Module casts and ``out=`` resizing) keep the
node's shape and dtype in sync: a gradient is fitted to the node's shape and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _use(t: mg.Tensor) -> None:
    """Put ``t`` in a graph and backward through it (so its node exists)."""
    (t * 2).sum().backward()


def test_data_setter_new_shape() -> None:
    w = mg.ones(3, requires_grad=True)
    _use(w)
    w.data = mg.ones(5)
    w.grad = None
    _use(w)
    assert w.grad is not None and w.grad.shape == (5,)
    np.testing.assert_array_equal(w.grad.numpy(), np.full(5, 2.0, np.float32))


def test_data_setter_new_dtype_same_shape() -> None:
    w = mg.ones(3, requires_grad=True)
    _use(w)
    w.data = mg.ones(3, dtype=mg.float64)
    w.grad = None
    _use(w)
    assert w.grad is not None and w.grad.dtype == np.float64  # was float32: the node's stale dtype


def test_module_cast_after_backward() -> None:
    m = nn.Linear(3, 2)
    x = mg.ones(4, 3)
    m(x).sum().backward()
    m.double()
    m.zero_grad()
    m(x.double()).sum().backward()
    assert m.weight.grad is not None and m.bias.grad is not None
    assert m.weight.grad.dtype == np.float64 and m.bias.grad.dtype == np.float64


def test_module_cast_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    w0 = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    x0 = np.linspace(-1, 1, 12).reshape(4, 3)
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w0))
        theirs.bias.zero_()
    ours.weight.data = mg.tensor(w0)
    ours.bias.data = mg.zeros(2)
    for m, lib in ((ours, mg), (theirs, torch)):
        m(lib.ones(4, 3)).sum().backward()
        m.double()
        m.zero_grad()
        (m(lib.tensor(x0)) ** 2).sum().backward()
    assert str(ours.weight.grad.dtype) == str(theirs.weight.grad.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
