"""Every place the library writes a tensor's array in place counts the write (``_bump_version``).

A forgotten count is a silent stale gradient: a graph that saved the tensor would backpropagate
with the new values. So for each writer: make a graph that saves the tensor, run the writer,
and the later backward must refuse, as PyTorch's does.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn import init
from minigrad.nn import utils as nn_utils


def _saved_by_a_graph(t):
    """A loss whose backward reads ``t``'s values (Mul saves both operands)."""
    with mg.enable_grad():
        return (t * t.detach().requires_grad_()).sum()


def _param(values=(1.0, -2.0, 3.0)):
    return nn.Parameter(mg.tensor(np.array(values, dtype=np.float64)))


def _stepped(opt_cls, **kw):
    def write(p):
        p.grad = mg.ones(p.shape, dtype=p.dtype)
        opt_cls([p], **kw).step()

    return write


WRITERS = {
    "SGD": _stepped(optim.SGD, lr=0.1),
    "SGD-momentum": _stepped(optim.SGD, lr=0.1, momentum=0.9),
    "Adam": _stepped(optim.Adam, lr=0.1),
    "AdamW": _stepped(optim.AdamW, lr=0.1),
    "Adagrad": _stepped(optim.Adagrad, lr=0.1),
    "RMSprop": _stepped(optim.RMSprop, lr=0.1),
    "RMSprop-momentum": _stepped(optim.RMSprop, lr=0.1, momentum=0.9),
    "init.normal_": lambda p: init.normal_(p, generator=np.random.default_rng(0)),
    "init.constant_": lambda p: init.constant_(p, 0.5),
    "max_norm_": lambda p: nn_utils.max_norm_([p], 0.1, dim=0),
    "vector_to_parameters": lambda p: nn_utils.vector_to_parameters(mg.zeros(3, dtype=mg.float64), [p]),
    "copy_ under no_grad": lambda p: _no_grad(lambda: p.copy_(mg.zeros(3, dtype=mg.float64))),
    "data.mul_ is untracked": None,  # PyTorch's escape hatch: see the test below
}


def _no_grad(fn):
    with mg.no_grad():
        fn()


@pytest.mark.parametrize("name", [n for n, w in WRITERS.items() if w is not None])
def test_each_writer_makes_a_graph_that_saved_the_tensor_refuse_backward(name):
    p = _param()
    loss = _saved_by_a_graph(p)
    WRITERS[name](p)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_load_state_dict_counts_its_writes():
    lin = nn.Linear(3, 2).double()
    loss = _saved_by_a_graph(lin.weight)
    lin.load_state_dict({"weight": mg.zeros(2, 3, dtype=mg.float64), "bias": mg.zeros(2, dtype=mg.float64)})
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_batch_norm_statistics_and_resets_count_their_writes():
    bn = nn.BatchNorm1d(3).double()
    bn.eval()
    x = mg.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    loss = bn(x).sum()  # eval mode reads the running statistics
    bn.train()
    bn(x)  # updates them in place
    assert bn.running_mean._current_version() > 0 and bn.num_batches_tracked._current_version() > 0
    loss_w = _saved_by_a_graph(bn.weight)
    bn.reset_parameters()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss_w.backward()
    assert loss.requires_grad


def test_zero_grad_and_clipping_count_their_writes_on_gradients():
    p = _param()
    p.grad = mg.tensor(np.array([3.0, 4.0, 0.0]))
    seen = p.grad._current_version()
    nn_utils.clip_grad_norm_([p], 1.0)
    assert p.grad._current_version() > seen
    seen = p.grad._current_version()
    nn_utils.clip_grad_value_([p], 0.1)
    assert p.grad._current_version() > seen
    opt = optim.SGD([p], lr=0.1)
    g = p.grad
    seen = g._current_version()
    opt.zero_grad(set_to_none=False)
    assert g._current_version() > seen and not p.grad.numpy().any()


def test_writes_through_data_are_untracked_as_in_pytorch():
    p = _param()
    loss = _saved_by_a_graph(p)
    p.data.mul_(2.0)
    loss.backward()  # no error: .data is the escape hatch around the version check
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, -4.0, 6.0])
