"""minigrad.diagnostics: per-layer statistics, vanishing gradients, dead and saturated units, init comparison."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.diagnostics import build_mlp, compare_inits, layer_stats, plot_comparison


def _batch(n: int = 128, d: int = 32, classes: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.integers(0, classes, n)


def test_ten_layer_sigmoid_network_has_vanishing_gradients():
    x, y = _batch()
    model = build_mlp(
        depth=10, width=32, in_features=32, activation="sigmoid", init="xavier", generator=np.random.default_rng(0)
    )
    report = layer_stats(model, x, y, nn.CrossEntropyLoss(), lr=0.1)
    norms = report.grad_norms()
    assert len(norms) == 10 == len(report.of_kind("Linear"))
    assert norms[0] < 1e-3 * norms[-1]  # orders of magnitude smaller at the input side
    assert norms[0] < norms[4] < norms[-1]
    # with He init and ReLU the first and last layers' gradients stay within two orders of magnitude
    relu = layer_stats(
        build_mlp(10, 32, 32, activation="relu", init="he", generator=np.random.default_rng(0)),
        x,
        y,
        nn.CrossEntropyLoss(),
    )
    relu_norms = relu.grad_norms()
    assert relu_norms[0] > 1e-2 * relu_norms[-1]


def test_dead_relu_fraction_on_a_constructed_layer():
    lin = nn.Linear(3, 4)
    lin.weight.numpy()[...] = np.array([[0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=np.float32)
    lin.bias.numpy()[...] = np.array([-1, -5, 10, 10], dtype=np.float32)  # units 0 and 1 are always negative
    model = nn.Sequential(lin, nn.ReLU(), nn.Linear(4, 2))
    x = np.random.default_rng(0).uniform(-1, 1, (50, 3)).astype(np.float32)
    report = layer_stats(model, x)
    (relu,) = report.of_kind("ReLU")
    assert relu.dead_frac == 0.5
    assert report.of_kind("Linear")[0].dead_frac is None
    # a unit that is zero for some samples but not all is not dead
    lin.bias.numpy()[...] = np.array([-1, -5, 0, 10], dtype=np.float32)
    (relu,) = layer_stats(model, x).of_kind("ReLU")
    assert relu.dead_frac == 0.5


def test_saturated_tanh_and_sigmoid_units():
    x, _ = _batch(64, 8)
    lin = nn.Linear(8, 16)
    lin.weight.numpy()[...] *= 100  # huge pre-activations: the tails
    for act, kind in ((nn.Tanh(), "Tanh"), (nn.Sigmoid(), "Sigmoid")):
        (row,) = layer_stats(nn.Sequential(lin, act), x).of_kind(kind)
        assert row.saturated_frac > 0.9
    lin.weight.numpy()[...] *= 1e-4  # near zero: the linear middle
    (row,) = layer_stats(nn.Sequential(lin, nn.Tanh()), x).of_kind("Tanh")
    assert row.saturated_frac == 0.0


def test_layer_stats_values_and_update_ratio():
    x, y = _batch(32, 6, 3)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    report = layer_stats(model, x, y, nn.CrossEntropyLoss(), lr=0.01)
    first = report[0]
    h = x @ model[0].weight.numpy().T + model[0].bias.numpy()
    assert first.act_mean == pytest.approx(h.mean(), rel=1e-5) and first.act_std == pytest.approx(h.std(), rel=1e-5)
    assert first.shape == (32, 5)
    # gradient statistics match a plain backward pass
    loss = nn.CrossEntropyLoss()(model(mg.tensor(x)), mg.tensor(y))
    loss.backward()
    g = np.linalg.norm(model[0].weight.grad.numpy())
    assert first.grad_norm == pytest.approx(g, rel=1e-5)
    assert first.update_ratio == pytest.approx(0.01 * g / np.linalg.norm(model[0].weight.numpy()), rel=1e-5)
    assert report.loss == pytest.approx(loss.item(), rel=1e-6)


def test_layer_stats_leaves_grads_and_running_stats_alone():
    x, y = _batch(32, 6, 3)
    model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    model.train()
    for p in model.parameters():
        p.grad = None
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    report = layer_stats(model, x, y, nn.CrossEntropyLoss())
    assert all(p.grad is None for p in model.parameters())
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in model.state_dict().items())
    assert [r.kind for r in report] == ["Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert report.of_kind("BatchNorm1d")[0].grad_norm is None  # γ is not a weight matrix
    assert all(h == [] for h in _forward_hooks(model))  # hooks removed


def _forward_hooks(model):
    return [list(getattr(m, "_forward_hooks", {}).values()) for m in model.modules()]


def test_layer_stats_needs_both_y_and_loss_fn():
    with pytest.raises(ValueError, match="both"):
        layer_stats(nn.Linear(2, 2), np.zeros((1, 2), np.float32), y=np.zeros(1, dtype=np.int64))


def test_report_table_and_records():
    x, y = _batch(16, 4, 2)
    report = layer_stats(
        nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), x, y, nn.CrossEntropyLoss(), lr=1e-3
    )
    lines = report.as_table().splitlines()
    assert lines[0].startswith("| # | layer | type | output | act mean | act std | dead | saturated")
    assert sum(line.startswith("| ") for line in lines[2:]) == 3
    records = report.to_records()
    assert [r["kind"] for r in records] == ["Linear", "Tanh", "Linear"] and "values" not in records[0]


def test_compare_inits_shows_the_course_claims():
    reports = compare_inits(depth=10, width=32, in_features=32, activation="relu", batch_size=128)
    assert list(reports) == ["zeros", "small", "xavier", "he", "he+bn"]
    stds = {k: [r.act_std for r in rep.of_kind("ReLU")] for k, rep in reports.items()}
    assert len(stds["he"]) == 9
    assert max(stds["zeros"]) == 0.0  # every unit computes the same (zero): symmetry never broken
    assert stds["small"][-1] < 1e-6 < stds["small"][0]  # activations shrink layer after layer
    assert stds["xavier"][-1] < 0.3 * stds["xavier"][0]  # Xavier halves the ReLU variance at each layer
    assert 0.3 < stds["he"][-1] / stds["he"][0] < 3  # He keeps the spread
    assert 0.5 < stds["he+bn"][-1] / stds["he+bn"][0] < 2
    assert len(reports["he+bn"].of_kind("BatchNorm1d")) == 9
    small = reports["small"].grad_norms()
    he = reports["he"].grad_norms()
    assert max(small) < 1e-6 * min(he)


def test_plots_write_files(tmp_path):
    pytest.importorskip("matplotlib")
    reports = compare_inits(
        depth=4, width=8, in_features=8, activation="tanh", batch_size=16, inits=("small", "xavier")
    )
    plot_comparison(reports, tmp_path / "cmp.png", histograms=True)
    reports["xavier"].plot(tmp_path / "one.png")
    for name in ("cmp.png", "one.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_build_mlp_rejects_unknown_options():
    with pytest.raises(ValueError, match="init"):
        build_mlp(init="magic")
    with pytest.raises(ValueError, match="activation"):
        build_mlp(activation="swish")
