"""Weight penalties and RegularizedLoss: which tensors they cover, their values and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.regularization import weight_matrices

RNG = np.random.default_rng(9)


def model():
    mg.manual_seed(0)
    return nn.Sequential(
        nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.LayerNorm((4,)), nn.Linear(4, 2), nn.Residual(nn.Linear(2, 2))
    )


def test_a_module_contributes_its_weight_matrices_only():
    net = model()
    covered = weight_matrices(net)
    assert [id(w) for w in covered] == [id(net[0].weight), id(net[4].weight), id(net[5].module.weight)]
    # a LayerNorm over two dims has a 2-D γ, still not penalised
    ln = nn.Sequential(nn.LayerNorm((2, 3)), nn.Linear(3, 1))
    assert weight_matrices(ln) == [ln[1].weight]
    shared = nn.Linear(2, 2)
    assert weight_matrices(nn.Sequential(shared, shared)) == [shared.weight]


def test_penalty_values_by_hand():
    net = model()
    ws = [net[0].weight.numpy(), net[4].weight.numpy(), net[5].module.weight.numpy()]
    l1 = sum(np.abs(w).sum() for w in ws)
    l2 = 0.5 * sum((w**2).sum() for w in ws)
    assert nn.l1_penalty(net).item() == pytest.approx(l1, rel=1e-6)
    assert nn.l2_penalty(net).item() == pytest.approx(l2, rel=1e-6)
    assert nn.elastic_net_penalty(net, l1_ratio=0.3).item() == pytest.approx(0.3 * l1 + 0.7 * l2, rel=1e-6)
    assert nn.elastic_net_penalty(net, l1_ratio=1.0).item() == pytest.approx(l1, rel=1e-6)
    # a list covers every tensor in it, biases included
    b = net[0].bias
    assert nn.l2_penalty([net[0].weight, b]).item() == pytest.approx(
        0.5 * ((ws[0] ** 2).sum() + (b.numpy() ** 2).sum()), rel=1e-6
    )
    assert nn.l1_penalty([]).item() == 0.0
    with pytest.raises(ValueError, match="l1_ratio"):
        nn.elastic_net_penalty(net, l1_ratio=1.5)
    with pytest.raises(TypeError):
        nn.l1_penalty([1.0, 2.0])


def test_penalty_gradients_are_sign_and_w():
    w = mg.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    nn.l2_penalty([w]).backward()
    np.testing.assert_allclose(w.grad.numpy(), w.numpy())  # ∂(½‖W‖²)/∂W = W
    w.grad = None
    nn.l1_penalty([w]).backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.sign(w.numpy()))
    assert gradcheck(lambda w: nn.elastic_net_penalty([w], 0.4), [w])
    assert gradgradcheck(lambda w: nn.l2_penalty([w]), [w])


def test_regularized_loss_adds_the_penalties_and_weight_decay_to_the_gradient():
    net = model()
    x = mg.tensor(RNG.standard_normal((6, 3)).astype(np.float32))
    y = mg.tensor(RNG.integers(0, 2, 6))
    crit = nn.RegularizedLoss(nn.CrossEntropyLoss(), net, l1=0.01, l2=0.1)
    assert list(crit.parameters()) == [] and list(crit.state_dict()) == []
    assert repr(crit) == "RegularizedLoss(\n  l1=0.01, l2=0.1\n  (loss_fn): CrossEntropyLoss()\n)"
    total = crit(net(x), y)
    base = F.cross_entropy(net(x), y)
    expected = base.item() + 0.01 * nn.l1_penalty(net).item() + 0.1 * nn.l2_penalty(net).item()
    assert total.item() == pytest.approx(expected, rel=1e-6)
    total.backward()
    g_total = {n: p.grad.numpy().copy() for n, p in net.named_parameters()}
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    for name, p in net.named_parameters():
        extra = g_total[name] - p.grad.numpy()
        if p.ndim == 2:  # weights get l2·W + l1·sign(W)
            np.testing.assert_allclose(extra, 0.1 * p.numpy() + 0.01 * np.sign(p.numpy()), atol=1e-6, err_msg=name)
        else:  # biases and BatchNorm/LayerNorm parameters get nothing
            np.testing.assert_allclose(extra, 0.0, atol=1e-7, err_msg=name)
    plain = nn.RegularizedLoss(F.mse_loss, net)
    assert plain(mg.ones(2), mg.zeros(2)).item() == 1.0
    with pytest.raises(ValueError):
        nn.RegularizedLoss(F.mse_loss, net, l2=-1.0)
