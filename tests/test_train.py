"""minigrad.train: fit, evaluate, EarlyStopping, History, clipping hooks, schedulers, progress output."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset
from minigrad.train import Callback, EarlyStopping, History, accuracy, evaluate, fit, snapshot


def _blobs(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (rng.standard_normal((n, 4)) + 3 * np.eye(3, 4)[y]).astype(np.float32)
    return X, y


def _loaders(batch: int = 20) -> tuple[DataLoader, DataLoader]:
    X, y = _blobs()
    train = DataLoader(TensorDataset(X[:45], y[:45]), batch, shuffle=True, generator=np.random.default_rng(0))
    val = DataLoader(TensorDataset(X[45:], y[45:]), 100)
    return train, val


def _mlp() -> nn.Module:
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


class Probe(nn.Module):
    """Records (training flag, grad mode) at every forward."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 3)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x):
        self.calls.append((self.training, mg.is_grad_enabled()))
        return self.lin(x)


def _params_equal(model: nn.Module, state: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(v.numpy(), state[k]) for k, v in model.state_dict().items())


# ---------------------------------------------------------------------- EarlyStopping
def test_early_stopping_scripted_sequence_stops_and_restores():
    model = _mlp()
    es = EarlyStopping(patience=3)
    es.on_train_begin(model)
    val_losses = [1.0, 0.8, 0.9, 0.7, 0.75, 0.71, 0.72, 0.5, 0.4]
    snapshots = {}
    stopped_at = None
    for epoch, value in enumerate(val_losses, start=1):
        for p in model.parameters():  # "training": the weights move every epoch
            p.data += 0.1 * epoch
        snapshots[epoch] = snapshot(model)
        if es.on_epoch_end(epoch, {"val_loss": value}):
            stopped_at = epoch
            break
    assert es.best_epoch == 4 and es.best == 0.7
    assert stopped_at == 7 == es.stopped_epoch  # best epoch + patience
    assert not _params_equal(model, snapshots[4])
    es.on_train_end(model)
    assert _params_equal(model, snapshots[4])


def test_early_stopping_min_delta_and_max_mode():
    es = EarlyStopping(patience=2, min_delta=0.05, monitor="val_accuracy", mode="max", restore_best=False)
    es.on_train_begin(None)
    stops = [es.on_epoch_end(e, {"val_accuracy": v}) for e, v in enumerate([0.5, 0.6, 0.63, 0.64], 1)]
    # 0.63 and 0.64 are not 0.05 better than 0.6: two epochs without improvement
    assert stops == [False, False, False, True]
    assert es.best_epoch == 2


def test_early_stopping_missing_metric_is_clear():
    es = EarlyStopping(patience=1)
    es.on_train_begin(None)
    with pytest.raises(KeyError, match="val_loss"):
        es.on_epoch_end(1, {"loss": 1.0})


def test_fit_early_stopping_end_to_end_restores_best_weights():
    """Validation losses scripted through the loss function; weights snapshotted by a callback."""
    model = _mlp()
    script = [0.9, 0.5, 0.6, 0.4, 0.45, 0.41, 0.8, 0.1]
    ce = nn.CrossEntropyLoss()
    val_calls = []

    def loss_fn(out, y):
        if model.training:
            return ce(out, y)
        val_calls.append(1)
        return mg.tensor(script[len(val_calls) - 1])

    snapshots = {}

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs):
            snapshots[epoch] = snapshot(model)

    train, val = _loaders()
    es = EarlyStopping(patience=2)
    history = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.1),
        train,
        val,
        epochs=len(script),
        callbacks=[Snap(), es],
        progress=False,
    )
    assert history.epochs == [1, 2, 3, 4, 5, 6]  # best at 4, no improvement at 5 and 6
    assert history.stopped_epoch == 6 and history.best_epoch == 4
    assert history.val_loss == pytest.approx(script[:6])
    assert _params_equal(model, snapshots[4])
    assert not np.array_equal(snapshots[4]["0.weight"], snapshots[6]["0.weight"])


# ---------------------------------------------------------------------- fit
def test_fit_history_lengths_and_learning():
    model = _mlp()
    train, val = _loaders()
    history = fit(
        model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), train, val, epochs=15, progress=False
    )
    assert len(history) == 15 and history.epochs == list(range(1, 16))
    for values in (history.train_loss, history.val_loss, history.train_acc, history.val_acc, history.lr):
        assert len(values) == 15 and not np.isnan(values).any()
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] > 0.8
    assert history.best_epoch == int(np.argmin(history.val_loss)) + 1
    assert history.stopped_epoch is None
    table = history.as_table()
    assert table.splitlines()[0].startswith("| epoch | train loss | train acc | val loss | val acc")
    assert len(table.splitlines()) == 2 + 15 and "(best)" in table
    assert "15 epochs" in repr(history)


def test_fit_switches_train_and_eval_modes_at_the_right_moments():
    mg.manual_seed(0)
    model = Probe()
    train, val = _loaders(batch=15)  # 3 training batches, 1 validation batch
    model.eval()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01), train, val, epochs=2, progress=False)
    epoch = [(True, True)] * 3 + [(False, False)]  # train with grad, then evaluate under no_grad in eval mode
    assert model.calls == epoch * 2
    assert model.training is False  # the mode it had before fit


def test_evaluate_uses_eval_mode_no_grad_and_restores_mode():
    mg.manual_seed(0)
    model = Probe()
    _, val = _loaders()
    model.train()
    result = evaluate(model, val, nn.CrossEntropyLoss())
    assert model.calls == [(False, False)] and model.training is True
    assert set(result) == {"loss", "accuracy"} and 0 <= result["accuracy"] <= 1


def test_regression_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3)).astype(np.float32)
    y = X @ np.array([[1.0], [2.0], [-1.0]], dtype=np.float32)
    model = nn.Linear(3, 1)
    loader = DataLoader(TensorDataset(X, y), 10)
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), loader, loader, epochs=3, progress=False)
    assert np.isnan(history.train_acc).all() and np.isnan(history.val_acc).all()
    assert "acc" not in history.as_table().splitlines()[0]


def test_accuracy_metric():
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        accuracy(np.zeros((3, 2)), np.zeros(3))  # float targets


def test_custom_metric_is_recorded():
    model = _mlp()
    train, val = _loaders()

    def top_score(out, y):
        return float(out.max(axis=1).mean())

    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        train,
        val,
        epochs=2,
        progress=False,
        metrics=("loss", ("top", top_score)),
    )
    assert set(history.metrics) == {"top", "val_top"} and len(history.metrics["top"]) == 2
    assert np.isnan(history.train_acc).all()


class _RecordingSGD(optim.SGD):
    """Records the total gradient norm it sees at each step."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.norms: list[float] = []

    def step(self, closure=None):
        grads = [p.grad.numpy() for g in self.param_groups for p in g["params"] if p.grad is not None]
        self.norms.append(float(np.sqrt(sum(float((gr.astype(np.float64) ** 2).sum()) for gr in grads))))
        return super().step(closure)


def test_clip_grad_norm_is_applied_before_each_step():
    model = _mlp()
    train, _ = _loaders()
    opt = _RecordingSGD(model.parameters(), lr=0.1)
    fit(model, nn.CrossEntropyLoss(), opt, train, epochs=2, progress=False, clip_grad_norm=0.01)
    assert len(opt.norms) == 2 * len(train)
    assert max(opt.norms) <= 0.01 * (1 + 1e-4)


def test_max_norm_is_applied_after_each_step():
    model = _mlp()
    train, _ = _loaders()
    norms = []

    class RowNorms(Callback):
        def on_epoch_end(self, epoch, logs):
            norms.extend(
                np.linalg.norm(m.weight.numpy(), axis=1).max() for m in model.modules() if isinstance(m, nn.Linear)
            )

    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.5),
        train,
        epochs=3,
        progress=False,
        max_norm=0.3,
        callbacks=[RowNorms()],
    )
    assert max(norms) <= 0.3 * (1 + 1e-5)


def test_scheduler_steps_once_per_epoch_and_plateau_gets_the_metric():
    model = _mlp()
    train, val = _loaders()
    opt = optim.SGD(model.parameters(), lr=1.0)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train,
        val,
        epochs=4,
        progress=False,
        scheduler=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
    )
    assert history.lr == pytest.approx([1.0, 0.5, 0.25, 0.125])

    seen = []

    class Plateau(optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, epoch=None):
            seen.append(float(metrics))
            return super().step(metrics)

    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model, nn.CrossEntropyLoss(), opt, train, val, epochs=3, progress=False, scheduler=Plateau(opt, patience=0)
    )
    assert seen == pytest.approx(history.val_loss)


def test_a_callback_can_stop_training():
    class StopAtTwo(Callback):
        def on_epoch_end(self, epoch, logs):
            return epoch == 2

    model = _mlp()
    train, _ = _loaders()
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        train,
        epochs=10,
        callbacks=[StopAtTwo()],
        progress=False,
    )
    assert len(history) == 2 and history.stopped_epoch == 2
    assert np.isnan(history.val_loss).all() and history.best_epoch in (1, 2)


def test_progress_false_prints_nothing_and_fallback_prints_lines(capsys, monkeypatch):
    model = _mlp()
    train, val = _loaders()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""

    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2") and "val_loss" in lines[1]


def test_fit_rejects_bad_batches_and_epochs():
    model = _mlp()
    with pytest.raises(ValueError, match="epochs"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), [], epochs=-1)
    with pytest.raises(TypeError, match="inputs, targets"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            [mg.zeros(2, 4)],
            epochs=1,
            progress=False,
        )


def test_history_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    model = _mlp()
    train, val = _loaders()
    history = fit(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=3, progress=False
    )
    path = tmp_path / "curves.png"
    fig = history.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 2  # loss and accuracy


def test_empty_history():
    history = History()
    assert history.best_epoch is None and len(history) == 0 and repr(history) == "History(empty)"


# ---------------------------------------------------------------------- empty batches, failures
def test_fit_skips_batches_of_zero_samples_in_the_loss_and_the_step():
    X, y = _blobs(12)
    empty = (mg.zeros(0, 4), mg.tensor(np.zeros(0, np.int64)))
    full = (mg.tensor(X), mg.tensor(y))
    runs = {}
    for name, batches in {"with": [empty, full, empty], "without": [full]}.items():
        model = _mlp()
        opt = optim.Adam(model.parameters(), lr=0.1)
        history = fit(model, nn.CrossEntropyLoss(), opt, batches, epochs=2, progress=False)
        runs[name] = (history, snapshot(model), opt.state[model[0].weight]["step"])
    (with_empty, weights, steps), (without, ref_weights, ref_steps) = runs["with"], runs["without"]
    assert np.isfinite(with_empty.train_loss).all()
    assert with_empty.train_loss == without.train_loss and with_empty.train_acc == without.train_acc
    assert steps == ref_steps == 2  # Adam's step count: the empty batches took no step
    assert all(np.array_equal(weights[k], ref_weights[k]) for k in ref_weights)


def test_evaluate_skips_batches_of_zero_samples():
    model = _mlp()
    X, y = _blobs(12)
    full = (mg.tensor(X), mg.tensor(y))
    empty = (mg.zeros(0, 4), mg.tensor(np.zeros(0, np.int64)))
    assert evaluate(model, [empty, full], nn.CrossEntropyLoss()) == evaluate(model, [full], nn.CrossEntropyLoss())
    with pytest.raises(ValueError, match="no samples"):
        evaluate(model, [empty], nn.CrossEntropyLoss())


class Ends(Callback):
    """Records which hooks ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def on_train_begin(self, model):
        self.calls.append("begin")

    def on_train_end(self, model):
        self.calls.append("end")


def test_fit_refuses_empty_or_one_shot_loaders_before_training():
    model = _mlp()
    w0 = snapshot(model)
    train, _ = _loaders()
    empty_val = DataLoader(TensorDataset(np.zeros((0, 4), np.float32), np.zeros(0, np.int64)), 5)
    cb = Ends()
    sgd = optim.SGD(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match=r"val_loader is empty \(len 0\)"):
        fit(model, nn.CrossEntropyLoss(), sgd, train, empty_val, epochs=3, callbacks=[cb], progress=False)
    with pytest.raises(ValueError, match=r"train_loader is empty"):
        fit(model, nn.CrossEntropyLoss(), sgd, [], epochs=3, callbacks=[cb], progress=False)
    X, y = _blobs(12)
    batches = iter([(mg.tensor(X), mg.tensor(y))])
    with pytest.raises(ValueError, match=r"train_loader is an iterator .* epochs=2"):
        fit(model, nn.CrossEntropyLoss(), sgd, batches, epochs=2, callbacks=[cb], progress=False)
    assert cb.calls == [] and _params_equal(model, w0)  # nothing started, nothing trained
    history = fit(model, nn.CrossEntropyLoss(), sgd, batches, epochs=1, progress=False)  # one epoch: fine
    assert len(history) == 1


def test_fit_restores_the_mode_and_ends_the_callbacks_when_a_batch_raises():
    model = _mlp()
    X, y = _blobs(12)
    good, bad = (mg.tensor(X), mg.tensor(y)), (mg.ones(2, 5), mg.tensor([0, 1]))  # 5 features: Linear(4, 8) fails
    model.eval()
    cb, es = Ends(), EarlyStopping(patience=5, monitor="loss")

    class BadSecondEpoch(Callback):  # keeps the weights of epoch 1, then makes epoch 2 raise
        def on_epoch_end(self, epoch, logs):
            weights[epoch] = snapshot(model)
            batches.append(bad)

    batches, weights = [good], {}
    with pytest.raises((ValueError, RuntimeError)):
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.5),
            batches,
            epochs=3,
            callbacks=[cb, es, BadSecondEpoch()],
            progress=False,
        )
    assert model.training is False  # the mode it had, although the second epoch raised in training mode
    assert cb.calls == ["begin", "end"]
    assert es.best_epoch == 1 and _params_equal(model, weights[1])  # on_train_end restored the best weights


def test_early_stopping_refuses_a_nan_min_delta_and_never_picks_a_diverged_epoch():
    for bad in (float("nan"), float("inf"), -0.1):
        with pytest.raises(ValueError, match="min_delta"):
            EarlyStopping(min_delta=bad)
    for diverged in (float("-inf"), float("nan")):
        es = EarlyStopping(patience=3, restore_best=False)
        es.on_train_begin(None)
        stops = [es.on_epoch_end(e, {"val_loss": v}) for e, v in enumerate([1.0, diverged, 0.9, 2.0, 3.0], 1)]
        assert es.best_epoch == 3 and es.best == 0.9 and stops == [False] * 5
    history = History()
    for epoch, loss in enumerate([1.0, float("-inf"), 0.5, float("nan")], 1):
        history._append(epoch, {"loss": loss})
    assert history.best_epoch == 3
