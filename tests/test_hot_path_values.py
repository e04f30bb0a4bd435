"""Hot-path shortcuts give the values of the plain NumPy expressions they replace, bit for bit.

ReLU compares with a cached 0-d zero of the input's dtype instead of the Python ``0`` (cheaper per
call); fused cross-entropy counts out-of-range targets with np.count_nonzero's C function.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

SPECIAL = [np.nan, -0.0, 0.0, np.inf, -np.inf, 1e-30, -1e-30, 3.5, -2.0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_same_bits_as_maximum_with_python_zero(dtype: type) -> None:
    x = np.array(SPECIAL + list(np.random.default_rng(0).standard_normal(40)), dtype).reshape(7, 7)
    t = mg.tensor(x, requires_grad=True)
    y = mg.relu(t)
    expected = np.maximum(x, 0)
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y.numpy().view(np.uint8), expected.view(np.uint8))  # NaN and -0.0 included
    y.backward(mg.ones_like(y))
    assert t.grad is not None
    np.testing.assert_array_equal(t.grad.numpy(), (x > 0).astype(dtype))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.bool_])
def test_relu_non_float_dtypes_as_before(dtype: type) -> None:
    x = np.array([-3, 0, 1, 5], dtype=np.int64).astype(dtype)
    expected = np.maximum(x, 0)  # the Python 0's promotion (bool gives int64)
    y = mg.relu(mg.tensor(x))
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y.numpy(), expected)


def test_relu_matches_torch_on_special_values() -> None:
    torch = pytest.importorskip("torch")
    x = np.array(SPECIAL, np.float32)
    ours = mg.relu(mg.tensor(x)).numpy()
    theirs = torch.relu(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("bad", [-1, -2, 5, 2**40])
def test_cross_entropy_refuses_out_of_range_targets(bad: int) -> None:
    logits = mg.tensor(np.zeros((3, 5), np.float32), requires_grad=True)
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(logits, mg.tensor(np.array([0, bad, 1], np.int64)))


def test_cross_entropy_range_check_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    t = np.array([0, 4, 2, 1], np.int64)
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    F.cross_entropy(ours, mg.tensor(t)).backward()
    torch.nn.functional.cross_entropy(theirs, torch.tensor(t)).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)
    with pytest.raises(IndexError):
        torch.nn.functional.cross_entropy(theirs, torch.tensor([0, 5, 2, 1]))
