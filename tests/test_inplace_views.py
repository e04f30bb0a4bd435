"""In-place ops and writes through views under autograd, as PyTorch does them (API.md revision 2).

A write through a view changes the base and the base's history (CopySlices); an in-place op on
a non-leaf extends its history; graphs that saved a tensor before it changed refuse backward.
Each case is checked by hand-computed numbers, and against torch when it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import grad

X = [[1.0, 2.0], [3.0, 4.0]]

# (code run on h = x * 1.0, with x = X; h's values after it; x.grad after h.sum().backward())
WRITES = [
    ("h[0][1] = 9.0", [[1, 9], [3, 4]], [[1, 0], [1, 1]]),
    ("row = h[0]; row += 10", [[11, 12], [3, 4]], [[1, 1], [1, 1]]),
    ("h.T[0] = 9", [[9, 2], [9, 4]], [[0, 1], [0, 1]]),
    ("h.reshape(4)[3] = 9", [[1, 2], [3, 9]], [[1, 1], [1, 0]]),
    ("h.unsqueeze(0)[0, 1, 1] = 9", [[1, 2], [3, 9]], [[1, 1], [1, 0]]),
    ("h[1, 0] = 7", [[1, 2], [7, 4]], [[1, 1], [0, 1]]),
    ("h *= 2", [[2, 4], [6, 8]], [[2, 2], [2, 2]]),
    ("h /= 2", [[0.5, 1], [1.5, 2]], [[0.5, 0.5], [0.5, 0.5]]),
    ("h.mul_(3)", [[3, 6], [9, 12]], [[3, 3], [3, 3]]),
    ("h[0] *= 2", [[2, 4], [3, 4]], [[2, 2], [1, 1]]),
    ("h[h > 2] *= 0", [[1, 2], [0, 0]], [[1, 1], [0, 0]]),
    ("h[0] = h[0] * 2", [[2, 4], [3, 4]], [[2, 2], [1, 1]]),
    ("h[:, 1] += h[:, 0]", [[1, 3], [3, 7]], [[2, 1], [2, 1]]),
    ("h.zero_()", [[0, 0], [0, 0]], [[0, 0], [0, 0]]),
    ("h.fill_(2.0)", [[2, 2], [2, 2]], [[0, 0], [0, 0]]),
    ("h[0].fill_(5.0)", [[5, 5], [3, 4]], [[0, 0], [1, 1]]),
]


def _run(code, lib, x):
    h = x * 1.0
    exec(code, {"h": h, "mg": lib, "torch": lib})
    return h


@pytest.mark.parametrize("code,values,grad_x", WRITES, ids=[w[0] for w in WRITES])
def test_writes_reach_the_base_and_its_gradient(code, values, grad_x):
    x = mg.tensor(X, dtype=mg.float64, requires_grad=True)
    h = _run(code, mg, x)
    np.testing.assert_array_equal(h.numpy(), values)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), grad_x)


@pytest.mark.parametrize("code", [w[0] for w in WRITES])
def test_writes_match_torch_including_second_order(code):
    torch = pytest.importorskip("torch")
    results = []
    for lib, make in (
        (mg, lambda: mg.tensor(X, dtype=mg.float64, requires_grad=True)),
        (torch, lambda: torch.tensor(X, dtype=torch.float64, requires_grad=True)),
    ):
        x = make()
        h = _run(code, lib, x)
        y = (h * h * x).sum()
        (g,) = (grad if lib is mg else torch.autograd.grad)(y, x, create_graph=True)
        (gg,) = (grad if lib is mg else torch.autograd.grad)(g.sum(), x, allow_unused=True)
        results.append(
            [
                np.asarray(h.detach().numpy()),
                np.asarray(g.detach().numpy()),
                None if gg is None else np.asarray(gg.detach().numpy()),
            ]
        )
    for a, b in zip(*results):
        if b is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_the_same_code_writes_through_with_grad_on_and_off():
    for enabled in (True, False):
        x = mg.tensor(X, requires_grad=True)
        with mg.set_grad_enabled(enabled):
            h = x * 1.0
            h[0][1] = 9.0
        assert h.tolist() == [[1.0, 9.0], [3.0, 4.0]]


def test_a_multiply_with_a_tensor_in_place_differentiates_both():
    x = mg.tensor(X, dtype=mg.float64, requires_grad=True)
    u = mg.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=mg.float64, requires_grad=True)
    t = x * 1.0
    t *= u
    t.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), u.numpy())
    np.testing.assert_array_equal(u.grad.numpy(), X)


def test_a_view_made_before_its_base_changed_sees_the_new_history():
    x = mg.tensor(X, requires_grad=True)
    h = x * 1.0
    row = h[0]
    h[0, 1] = 9.0  # through the base, not through row
    assert row.tolist() == [1.0, 9.0]
    row.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0], [0, 0]])


def test_a_constant_tensor_written_with_a_value_that_requires_grad_gets_history():
    x = mg.tensor(X, requires_grad=True)
    h = mg.zeros(2, 2)
    h[0][0] = x[1, 1]  # through a view of a tensor that needs no grad
    assert h.requires_grad and h.grad_fn is not None
    (h * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0], [0, 3]])


def test_copy_into_a_tensor_records_the_source():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = mg.zeros(3, 2)
    h.copy_(x * 2)  # broadcast over the rows
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_a_graph_that_saved_a_tensor_refuses_backward_after_a_write_through_a_view():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = h.sin().sum()  # sin saves h
    v = h[:]
    v += x
    assert h.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_a_view_of_a_leaf_that_requires_grad_cannot_be_written_with_grad_on():
    w = mg.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        w[0].mul_(2)
    with mg.no_grad():  # the optimizer's way
        w[0].mul_(2)
    assert w.tolist() == [[2.0, 4.0], [3.0, 4.0]]


def test_writing_an_expanded_view_is_refused():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    e = (x * 1.0).expand(3, 2)
    with pytest.raises(RuntimeError):
        e[0, 0] = 5.0


def test_in_place_results_keep_the_tensors_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    h += mg.tensor([0.5, 0.5], dtype=mg.float64, requires_grad=True)
    assert h.dtype == np.float32
    n = mg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="add_"):
        n += 0.5  # a float result can't be written into an int64 tensor, as in PyTorch
