"""nn.utils: gradient clipping, the max-norm constraint and parameter vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

RNG = np.random.default_rng(4)


def params_with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(mg.tensor(np.ones_like(np.asarray(g, dtype=np.float64))))
        (p * mg.tensor(np.asarray(g, dtype=np.float64))).sum().backward()
        params.append(p)
    return params


def test_clip_grad_norm_by_hand():
    ps = params_with_grads([3.0, 0.0], [[4.0]])  # total 2-norm 5
    total = nn.utils.clip_grad_norm_(ps, max_norm=1.0)
    assert isinstance(total, mg.Tensor) and total.item() == pytest.approx(5.0)
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(ps[0].grad.numpy(), [3 * coef, 0.0])
    np.testing.assert_allclose(ps[1].grad.numpy(), [[4 * coef]])
    # inside the ball: unchanged (the coefficient is clamped to 1)
    ps = params_with_grads([0.3, 0.4])
    arr = ps[0].grad.numpy()
    assert nn.utils.clip_grad_norm_(ps, 1.0).item() == pytest.approx(0.5)
    assert ps[0].grad.numpy() is arr
    np.testing.assert_array_equal(arr, [0.3, 0.4])


def test_clip_grad_norm_other_norms_and_edge_cases():
    ps = params_with_grads([1.0, -6.0], [2.0])
    assert nn.utils.clip_grad_norm_(ps, 100.0, norm_type=math.inf).item() == 6.0
    assert nn.utils.clip_grad_norm_(ps, 100.0, norm_type=1).item() == 9.0
    assert nn.utils.clip_grad_norm_(ps[0], 100.0, norm_type=3).item() == pytest.approx((1 + 216) ** (1 / 3))
    assert nn.utils.clip_grad_norm_([nn.Parameter(mg.ones(2))], 1.0).item() == 0.0  # no gradients at all
    bad = params_with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm"):
        nn.utils.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)


def with_grads(*grads: np.ndarray) -> list[nn.Parameter]:
    """Parameters whose ``.grad`` is each array, in the array's dtype."""
    params = []
    for g in grads:
        p = nn.Parameter(mg.ones(*g.shape, dtype=g.dtype))
        p.grad = mg.tensor(g.copy())
        params.append(p)
    return params


def test_clip_grad_norm_accumulates_in_float64_not_in_the_first_gradients_dtype():
    a, b = with_grads(np.float16([300.0, 300.0]), np.float32([1000.0, 1000.0]))
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    want = math.sqrt(2 * 300.0**2 + 2 * 1000.0**2)  # torch: 1476.48, in the promoted dtype float32
    assert total.dtype == np.float32 and total.item() == pytest.approx(want, rel=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), 1000.0 / (want + 1e-6), rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy().astype(np.float64), 300.0 / want, rtol=1e-3)
    # one float16 gradient: its sum of squares (180000) is beyond float16, its norm is not
    (a,) = with_grads(np.float16([300.0, 300.0]))
    total = nn.utils.clip_grad_norm_(a, 1000.0)
    assert total.dtype == np.float16 and total.item() == pytest.approx(300.0 * math.sqrt(2), rel=1e-3)
    np.testing.assert_array_equal(a.grad.numpy(), [300.0, 300.0])


def test_clip_grad_norm_minus_inf_is_the_smallest_magnitude():
    ps = params_with_grads([3.0, -4.0, 2.0], [[-2.5]])
    assert nn.utils.clip_grad_norm_(ps, 100.0, norm_type=-math.inf).item() == 2.0
    nn.utils.clip_grad_norm_(ps, 1.0, norm_type=-math.inf)
    np.testing.assert_allclose(ps[1].grad.numpy(), [[-2.5 / (2.0 + 1e-6)]])
    with pytest.raises(RuntimeError, match=r"-inf norm .* empty gradient"):  # torch: min has no identity
        nn.utils.clip_grad_norm_(with_grads(np.zeros(0), np.ones(2)), 1.0, norm_type=-math.inf)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, -math.inf, 3.0, 0.5, -2.0, 0.0])
def test_clip_grad_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    grads = [rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal(4), np.float32([0.0, 2.0, -1.0])]
    for max_norm in (0.5, 1e3):
        ps = with_grads(*grads)
        tps = [torch.nn.Parameter(torch.ones(g.shape, dtype=torch.from_numpy(g).dtype)) for g in grads]
        for tp, g in zip(tps, grads, strict=True):
            tp.grad = torch.from_numpy(g.copy())
        total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        t_total = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
        assert total.dtype == t_total.numpy().dtype
        np.testing.assert_allclose(total.numpy(), t_total.numpy(), rtol=1e-6)
        for p, tp in zip(ps, tps, strict=True):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_value():
    ps = params_with_grads([-3.0, 0.5, 2.0])
    ps.append(nn.Parameter(mg.ones(1)))  # no grad: skipped
    nn.utils.clip_grad_value_(ps, 1.0)
    np.testing.assert_array_equal(ps[0].grad.numpy(), [-1.0, 0.5, 1.0])
    assert ps[1].grad is None


def test_max_norm_rows_of_a_linear_weight():
    lin = nn.Linear(2, 3, dtype=np.float64)
    w0 = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 2.0]])
    lin.load_state_dict({"weight": w0, "bias": np.array([10.0, 10.0, 10.0])})
    nn.utils.max_norm_(nn.Sequential(lin), max_norm=1.0)
    w = lin.weight.numpy()
    norms = np.linalg.norm(w, axis=1)
    assert np.all(norms <= 1.0)
    np.testing.assert_allclose(w[0], [0.6, 0.8], rtol=1e-6)  # scaled back onto the ball, direction kept
    np.testing.assert_array_equal(w[1], [0.3, 0.4])  # inside: untouched
    np.testing.assert_allclose(w[2], [0.0, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(lin.bias.numpy(), 10.0)  # biases are not constrained
    # columns with dim=0, on a list of tensors
    t = mg.tensor(np.array([[3.0, 0.1], [4.0, 0.1]]))
    nn.utils.max_norm_([t], 2.0, dim=0)
    np.testing.assert_allclose(np.linalg.norm(t.numpy(), axis=0), [2.0, math.sqrt(0.02)], rtol=1e-6)
    with pytest.raises(ValueError):
        nn.utils.max_norm_([mg.ones(3)], 1.0)


def test_parameters_to_vector_and_back():
    lin = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(lin.parameters())
    assert v.shape == (8,)
    np.testing.assert_array_equal(v.numpy(), np.concatenate([lin.weight.numpy().ravel(), lin.bias.numpy()]))
    arrays = [p.numpy() for p in lin.parameters()]
    nn.utils.vector_to_parameters(mg.arange(8.0), lin.parameters())
    np.testing.assert_array_equal(lin.weight.numpy(), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(lin.bias.numpy(), [6, 7])
    assert all(p.numpy() is a for p, a in zip(lin.parameters(), arrays))  # in place
    assert all(p.is_leaf and p.requires_grad for p in lin.parameters())
    with pytest.raises(ValueError, match=r"expected \(8,\)"):
        nn.utils.vector_to_parameters(mg.zeros(7), lin.parameters())
    with pytest.raises(TypeError):
        nn.utils.vector_to_parameters(np.zeros(8), lin.parameters())
