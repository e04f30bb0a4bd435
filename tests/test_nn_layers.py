"""Layers against their formulas: Linear, activations, Dropout, BatchNorm1d, LayerNorm."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.ops.normalization import BatchNorm as FusedBatchNorm

RNG = np.random.default_rng(3)


def leaf(array):
    return mg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


# ---------------------------------------------------------------------- Linear
def test_linear_computes_x_wt_plus_b_by_hand():
    lin = nn.Linear(2, 3)
    lin.load_state_dict({"weight": np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]), "bias": np.array([0.5, 0, -1])})
    y = lin(mg.tensor([[1.0, 1.0], [2.0, -2.0]]))
    np.testing.assert_allclose(y.numpy(), [[3.5, -1.0, 2.5], [-1.5, 2.0, 4.0]])
    assert y.grad_fn.name == "LinearBackward"  # one fused node
    assert nn.Linear(2, 3, bias=False)(mg.ones(1, 2)).shape == (1, 3)


def test_linear_default_init_is_uniform_in_one_over_sqrt_fan_in():
    fan_in = 250
    lin = nn.Linear(fan_in, 400, generator=np.random.default_rng(0))
    bound = 1 / math.sqrt(fan_in)
    w, b = lin.weight.numpy(), lin.bias.numpy()
    assert w.dtype == np.float32 and w.shape == (400, fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # U[−r, r] has std r/√3
    assert np.abs(b).max() <= bound
    same = nn.Linear(fan_in, 400, generator=np.random.default_rng(0))
    np.testing.assert_array_equal(same.weight.numpy(), w)
    assert nn.Linear(3, 2, dtype=np.float64).weight.dtype == np.float64


def test_linear_gradcheck_and_batch_dims():
    lin = nn.Linear(3, 2, dtype=np.float64)
    x = leaf(RNG.standard_normal((2, 4, 3)))
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), [x, lin.weight, lin.bias])
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), [x, lin.weight, lin.bias])
    assert lin(x).shape == (2, 4, 2)
    with pytest.raises(ValueError, match="features"):
        lin(mg.ones(4, 5, dtype=np.float64))


# ---------------------------------------------------------------------- activations
X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])


@pytest.mark.parametrize(
    "module,expected",
    [
        (nn.ReLU(), [[0, 0, 0, 0.5, 3]]),
        (nn.LeakyReLU(), [[-0.02, -0.005, 0, 0.5, 3]]),
        (nn.LeakyReLU(0.2), [[-0.4, -0.1, 0, 0.5, 3]]),
        (nn.ELU(), [[math.exp(-2) - 1, math.exp(-0.5) - 1, 0, 0.5, 3]]),
        (nn.ELU(alpha=2.0), [[2 * (math.exp(-2) - 1), 2 * (math.exp(-0.5) - 1), 0, 0.5, 3]]),
        (nn.Sigmoid(), [[1 / (1 + math.exp(-v)) for v in X[0]]]),
        (nn.Tanh(), [[math.tanh(v) for v in X[0]]]),
        (nn.Softmax(dim=1), [np.exp(X[0]) / np.exp(X[0]).sum()]),
        (nn.LogSoftmax(dim=1), [X[0] - np.log(np.exp(X[0]).sum())]),
    ],
)
def test_activation_formulas(module, expected):
    np.testing.assert_allclose(module(mg.tensor(X)).numpy(), expected, rtol=1e-12, atol=1e-15)


def test_activation_derivatives_match_the_course():
    x = leaf(X)
    nn.Sigmoid()(x).sum().backward()
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(x.grad.numpy(), s * (1 - s))
    x.grad = None
    nn.ELU(0.5)(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(X > 0, 1, 0.5 * np.exp(X)))
    x.grad = None
    nn.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (X > 0).astype(float))  # 0 at 0


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = nn.Softmax()(mg.tensor(X))
    np.testing.assert_allclose(y.numpy().sum(1), 1.0)


# ---------------------------------------------------------------------- Dropout
def test_dropout_keep_rate_and_scale():
    p = 0.2
    d = nn.Dropout(p, generator=np.random.default_rng(1))
    x = mg.ones(400, 500, requires_grad=True)
    y = d(x)
    kept = y.numpy() != 0
    n = kept.size
    # keep fraction ~ Binomial(n, 1-p)/n: within 5 standard deviations
    assert abs(kept.mean() - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y.numpy()[kept], 1 / (1 - p), rtol=1e-6)  # A·D/keep_prob
    assert abs(y.numpy().mean() - 1.0) < 0.01  # expectation preserved
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # the same mask and scale backward


def test_dropout_eval_and_p_zero_are_the_identity():
    x = mg.tensor(RNG.standard_normal((3, 4)))
    assert nn.Dropout(0.0)(x) is x
    d = nn.Dropout(0.9)
    d.eval()
    assert d(x) is x
    assert F.dropout(x, 0.5, training=False) is x


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, "0.5", True])
def test_dropout_validates_p(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        nn.Dropout(p)


def test_dropout_masks_differ_between_calls_and_reproduce_with_seed():
    x = mg.ones(20, 20)
    mg.manual_seed(11)
    d = nn.Dropout(0.5)
    a, b = d(x).numpy().copy(), d(x).numpy().copy()
    assert not np.array_equal(a, b)
    mg.manual_seed(11)
    np.testing.assert_array_equal(d(x).numpy(), a)


def test_dropout_gradcheck_with_a_fixed_mask():
    def fixed_mask(x):
        return F.dropout(x, 0.3, generator=np.random.default_rng(5))

    x = leaf(RNG.standard_normal((4, 6)))
    assert gradcheck(fixed_mask, [x])
    assert gradgradcheck(lambda x: fixed_mask(x) ** 2, [x])


# ---------------------------------------------------------------------- BatchNorm1d
def composed_batch_norm(x, weight, bias, eps=1e-5):
    """The course formulas as plain Tensor ops: the reference the fused op is checked against."""
    dims = (0, *range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    mu = x.mean(dims, keepdim=True)
    var = ((x - mu) ** 2).mean(dims, keepdim=True)
    z_hat = (x - mu) / (var + eps).sqrt()
    return z_hat * weight.reshape(shape) + bias.reshape(shape)


def test_batchnorm_training_by_hand():
    bn = nn.BatchNorm1d(2, dtype=np.float64)
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0], [7.0, 20.0]])
    y = bn(mg.tensor(x)).numpy()
    mu = x.mean(0)
    var = ((x - mu) ** 2).mean(0)  # biased: divide by N
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5))
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.9 * 0 + 0.1 * mu)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 * 1 + 0.1 * var * 4 / 3)  # unbiased: N − 1
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == np.int64


def test_batchnorm_affine_and_eval_use_running_statistics():
    bn = nn.BatchNorm1d(3, momentum=0.5, dtype=np.float64)
    with mg.no_grad():
        bn.weight.numpy()[...] = [1.0, 2.0, 3.0]
        bn.bias.numpy()[...] = [0.0, -1.0, 1.0]
    x = RNG.normal(2.0, 3.0, (6, 3))
    bn(mg.tensor(x))
    rm, rv = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    np.testing.assert_allclose(rm, 0.5 * x.mean(0))
    np.testing.assert_allclose(rv, 0.5 + 0.5 * x.var(0, ddof=1))
    bn.eval()
    x2 = RNG.normal(size=(2, 3))
    y = bn(mg.tensor(x2)).numpy()
    np.testing.assert_allclose(y, (x2 - rm) / np.sqrt(rv + 1e-5) * [1, 2, 3] + [0, -1, 1])
    np.testing.assert_array_equal(bn.running_mean.numpy(), rm)  # eval leaves them alone
    assert bn.num_batches_tracked.item() == 1
    bn(mg.ones(1, 3, dtype=np.float64))  # one sample is fine in eval


def test_batchnorm_three_dims_normalises_over_batch_and_length():
    bn = nn.BatchNorm1d(2, dtype=np.float64)
    x = RNG.normal(1.0, 2.0, (4, 2, 5))
    y = bn(mg.tensor(x)).numpy()
    mu = x.mean((0, 2), keepdims=True)
    var = x.var((0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5))
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x.var((0, 2), ddof=1))
    assert F.batch_norm(mg.tensor(x), None, None, training=True).shape == (4, 2, 5)


def test_batchnorm_cumulative_average_with_momentum_none():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    batches = [RNG.normal(k, 1.0, (5, 2)) for k in range(3)]
    for b in batches:
        bn(mg.tensor(b))
    # running_mean starts at 0 and, with factor 1/t, ends as the plain average of the batch means
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(0) for b in batches], axis=0))
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], axis=0))


def test_batchnorm_options():
    bn = nn.BatchNorm1d(3, affine=False)
    assert bn.weight is None and bn.bias is None and list(bn.parameters()) == []
    assert list(bn.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    free = nn.BatchNorm1d(3, track_running_stats=False, dtype=np.float64)
    assert free.running_mean is None and list(free.state_dict()) == ["weight", "bias"]
    free.eval()
    x = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(free(mg.tensor(x)).numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))
    nob = nn.BatchNorm1d(3, bias=False)
    assert [n for n, _ in nob.named_parameters()] == ["weight"]


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(mg.ones(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(mg.ones(1, 3, 1))
    assert bn.num_batches_tracked.item() == 0  # a failed call changes nothing
    with pytest.raises(ValueError, match="2D or 3D"):
        bn(mg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="num_features=3"):
        bn(mg.ones(4, 5))
    bn(mg.ones(1, 3, 2))  # N·L = 2 values per channel: fine


def test_batchnorm_fused_op_matches_composed_formulas():
    for shape in [(5, 3), (4, 3, 2)]:
        x_arr = RNG.normal(1.0, 2.0, shape)
        w_arr, b_arr = RNG.uniform(0.5, 1.5, 3), RNG.normal(size=3)
        g = RNG.normal(size=shape)
        results = []
        for fn in (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), composed_batch_norm):
            x, w, b = leaf(x_arr), leaf(w_arr), leaf(b_arr)
            y = fn(x, w, b)
            (y * mg.tensor(g)).sum().backward()
            results.append([y.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
        fused, composed = results
        assert F.batch_norm(leaf(x_arr), None, None, leaf(w_arr), None, True).grad_fn.name == "BatchNormBackward"
        for a, b in zip(fused, composed):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_gradcheck_and_gradgradcheck(shape, affine):
    x = leaf(RNG.normal(0.5, 2.0, shape))
    if affine:
        inputs = [x, leaf(RNG.uniform(0.5, 1.5, 3)), leaf(RNG.normal(size=3))]

        def fn(x, w, b):
            return F.batch_norm(x, None, None, w, b, training=True)
    else:
        inputs = [x]

        def fn(x):
            return F.batch_norm(x, None, None, training=True)

    assert gradcheck(fn, inputs)
    # Σ y = Σ β exactly, so check the second order on a nonlinear function of y
    assert gradgradcheck(lambda *a: fn(*a).tanh(), inputs)
    assert gradgradcheck(lambda *a: composed_batch_norm(*a).tanh() if affine else fn(*a).tanh(), inputs)


def test_batchnorm_eval_gradcheck():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    bn(mg.tensor(RNG.normal(size=(6, 3))))
    bn.eval()
    x = leaf(RNG.normal(size=(2, 3)))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, bn.running_mean, bn.running_var, w, b), [x, bn.weight, bn.bias])
    assert gradgradcheck(
        lambda x, w, b: F.batch_norm(x, bn.running_mean, bn.running_var, w, b).tanh(), [x, bn.weight, bn.bias]
    )


def test_batchnorm_fused_op_detects_in_place_changes_of_its_input():
    x = leaf(RNG.normal(size=(4, 3)))
    h = x * 1.0
    y = F.batch_norm(h, None, None, training=True)
    assert isinstance(y.grad_fn, FusedBatchNorm)
    h += 1.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.tanh().sum().backward()


def test_batchnorm_matches_torch_for_three_dims_momentum_none_and_no_bias():
    torch = pytest.importorskip("torch")
    for kw in [{}, {"momentum": None}, {"bias": False}]:
        ours = nn.BatchNorm1d(3, dtype=np.float64, **kw)
        theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64, **kw)
        for step in range(3):
            x = RNG.normal(step, 2.0, (4, 3, 5))
            xm, xt = leaf(x), torch.tensor(x, requires_grad=True)
            g = RNG.normal(size=x.shape)
            ym, yt = ours(xm), theirs(xt)
            np.testing.assert_allclose(ym.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
            (ym * mg.tensor(g)).sum().backward()
            (yt * torch.tensor(g)).sum().backward()
            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name).numpy(), rtol=1e-12)


# ---------------------------------------------------------------------- LayerNorm
def test_layernorm_by_hand_and_batch_of_one():
    ln = nn.LayerNorm(4, dtype=np.float64)
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    mu, var = x.mean(), x.var()
    np.testing.assert_allclose(ln(mg.tensor(x)).numpy(), (x - mu) / np.sqrt(var + 1e-5))
    ln.eval()  # the same in eval
    np.testing.assert_allclose(ln(mg.tensor(x)).numpy(), (x - mu) / np.sqrt(var + 1e-5))
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    assert nn.LayerNorm(4, elementwise_affine=False).weight is None
    assert [n for n, _ in nn.LayerNorm(4, bias=False).named_parameters()] == ["weight"]


def test_layernorm_over_two_dims_with_affine():
    ln = nn.LayerNorm((2, 3), dtype=np.float64)
    w, b = RNG.uniform(0.5, 1.5, (2, 3)), RNG.normal(size=(2, 3))
    ln.load_state_dict({"weight": w, "bias": b})
    x = RNG.normal(size=(4, 2, 3))
    mu = x.mean((1, 2), keepdims=True)
    var = x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(ln(mg.tensor(x)).numpy(), (x - mu) / np.sqrt(var + 1e-5) * w + b)
    with pytest.raises(ValueError, match=r"normalized_shape=\[2, 3\]"):
        ln(mg.ones(4, 3, 2, dtype=np.float64))


def test_layernorm_gradcheck_and_gradgradcheck():
    x = leaf(RNG.normal(size=(3, 4)))
    w, b = leaf(RNG.uniform(0.5, 1.5, 4)), leaf(RNG.normal(size=4))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), [x, w, b])
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b).tanh(), [x, w, b])
    x3 = leaf(RNG.normal(size=(2, 2, 3)))
    assert gradcheck(lambda x: F.layer_norm(x, (2, 3), eps=1e-3), [x3])


@pytest.mark.parametrize("shape", [(0, 4), (0, 4, 5), (2, 4, 0)], ids=str)
def test_batchnorm_training_on_an_empty_batch_gives_an_empty_output(shape):
    # as PyTorch: an empty output on the graph, zero gradients for γ and β, running statistics unchanged
    bn = nn.BatchNorm1d(4, dtype=np.float64)
    x = mg.zeros(*shape, dtype=np.float64, requires_grad=True)
    y = bn(x)
    assert y.shape == shape and y.requires_grad
    y.sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_array_equal(bn.weight.grad.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.bias.grad.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(4))
    assert bn.num_batches_tracked.item() == 1  # PyTorch counts the batch
    rm, rv = mg.zeros(4), mg.ones(4)
    out = F.batch_norm(mg.zeros(*shape), rm, rv, training=True)
    assert out.shape == shape
    np.testing.assert_array_equal(rm.numpy(), 0.0)
    np.testing.assert_array_equal(rv.numpy(), 1.0)
    try:
        import torch
    except ImportError:
        return
    tbn = torch.nn.BatchNorm1d(4, dtype=torch.float64)
    ty = tbn(torch.zeros(*shape, dtype=torch.float64))
    assert tuple(ty.shape) == y.shape and int(tbn.num_batches_tracked) == bn.num_batches_tracked.item()


def test_batchnorm_single_value_per_channel_is_still_refused():
    with pytest.raises(
        ValueError,
        match=r"Expected more than 1 value per channel when training, got input size "
        r"\(1, 4\)",
    ):
        F.batch_norm(mg.ones(1, 4), mg.zeros(4), mg.ones(4), training=True)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(4)(mg.ones(1, 4, 1))
