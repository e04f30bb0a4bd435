"""A training loop with validation metrics, early stopping, gradient clipping and loss curves.

```python
from minigrad.train import fit, EarlyStopping

history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
              train_loader, val_loader, epochs=100,
              callbacks=[EarlyStopping(patience=10)])   # restores the best weights at the end
print(history.as_table())
history.plot("curves.png")       # train vs validation: the over-/under-fitting gap
```

Each epoch: ``model.train()``, then for every mini-batch ``optimizer.zero_grad()``,
forward, ``loss.backward()``, optional gradient clipping
(``nn.utils.clip_grad_norm_``), ``optimizer.step()``, optional max-norm
projection (``nn.utils.max_norm_``); then the validation set is evaluated
under ``mg.no_grad()`` with ``model.eval()`` (dropout off, batch norm on its
running statistics), the learning-rate scheduler steps, and the callbacks run.
Epochs are numbered from 1.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from minigrad._grad_mode import no_grad
from minigrad._table import format_number, markdown_table
from minigrad.tensor import Tensor

__all__ = ["Callback", "EarlyStopping", "History", "evaluate", "fit"]

MetricFn = Callable[[np.ndarray, np.ndarray], float]


# ---------------------------------------------------------------------- metrics
def _is_classification(outputs: np.ndarray, targets: np.ndarray) -> bool:
    """Accuracy makes sense for (N, C) scores against N integer class labels."""
    return (
        outputs.ndim == 2
        and outputs.shape[1] > 1
        and targets.ndim == 1
        and np.issubdtype(targets.dtype, np.integer)
        and targets.shape[0] == outputs.shape[0]
    )


def accuracy(outputs: Any, targets: Any) -> float:
    """Fraction of rows whose highest score is the target class: ``mean(argmax(outputs, 1) == targets)``."""
    out, tgt = _array(outputs), _array(targets)
    if not _is_classification(out, tgt):
        raise ValueError(
            f"accuracy: needs (N, C) scores and N integer labels, got shapes {out.shape} and {tgt.shape} ({tgt.dtype})"
        )
    return float(np.mean(out.argmax(axis=1) == tgt))


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _normalise_metrics(metrics: Sequence[str | tuple[str, MetricFn]] | Mapping[str, MetricFn]) -> dict:
    """``{"loss": None, "accuracy": accuracy, name: fn, ...}`` from the ``metrics`` argument."""
    items: Iterable = metrics.items() if isinstance(metrics, Mapping) else metrics
    out: dict[str, MetricFn | None] = {}
    for item in items:
        if isinstance(item, str):
            if item == "loss":
                out["loss"] = None
            elif item in ("accuracy", "acc"):
                out["accuracy"] = accuracy
            else:
                raise ValueError(f"fit: unknown metric {item!r}; use 'loss', 'accuracy' or a (name, fn) pair")
        else:
            name, fn = item
            if not callable(fn):
                raise TypeError(f"fit: metric {name!r} is not callable")
            out[str(name)] = fn
    return out


class _Meter:
    """Sample-weighted running means of the loss and of each metric over one pass."""

    def __init__(self, metric_fns: dict[str, MetricFn | None]) -> None:
        self.metric_fns = metric_fns
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, value: float, n: int) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + value * n
        self.counts[name] = self.counts.get(name, 0) + n

    def update(self, loss: float, outputs: Any, targets: Any) -> None:
        out, tgt = _array(outputs), _array(targets)
        n = out.shape[0] if out.ndim else 1
        if n == 0:
            return  # no samples: the loss (nan for a mean) would make the whole average nan
        self.add("loss", loss, n)
        for name, fn in self.metric_fns.items():
            if fn is None:
                continue
            if fn is accuracy and not _is_classification(out, tgt):
                continue  # regression: no accuracy
            self.add(name, float(fn(out, tgt)), n)

    def result(self) -> dict[str, float]:
        return {name: self.sums[name] / self.counts[name] for name in self.sums if self.counts[name]}


def _split_batch(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    raise TypeError(
        "fit/evaluate: each batch must be an (inputs, targets) pair, e.g. from "
        f"DataLoader(TensorDataset(X, y)); got {type(batch).__name__}"
    )


def _is_empty(inputs: Any) -> bool:
    """Whether a batch's inputs (a Tensor or array) hold zero samples; inputs without a shape are not."""
    shape = getattr(inputs, "shape", None)
    return isinstance(shape, tuple) and len(shape) > 0 and shape[0] == 0


def _check_loader(loader: Iterable, name: str, epochs: int) -> None:
    """Refuse, before any training, a loader with no batches, or an iterator that one epoch would exhaust."""
    if isinstance(loader, Iterator):
        if epochs > 1:
            raise ValueError(
                f"fit: {name} is an iterator ({type(loader).__name__}), which one epoch would exhaust, but "
                f"epochs={epochs}; pass a list or a DataLoader"
            )
        return
    try:
        n = len(loader)  # type: ignore[arg-type]
    except TypeError:
        return  # no length: an empty one is found when it runs
    if n == 0:
        raise ValueError(f"fit: {name} is empty (len 0), so there is nothing to train on or measure")


def evaluate(
    model: Any,
    loader: Iterable,
    loss_fn: Callable[[Any, Any], Tensor],
    metrics: Sequence[str | tuple[str, MetricFn]] | Mapping[str, MetricFn] = ("loss", "accuracy"),
) -> dict[str, float]:
    """Mean loss (and accuracy, for classification) of ``model`` over ``loader``.

    Runs under ``mg.no_grad()`` with ``model.eval()`` (dropout off, batch norm
    on its running statistics) and puts the model back in the mode it was in.
    Returns ``{"loss": ..., "accuracy": ...}``, each averaged over samples
    (``accuracy`` only when outputs are ``(N, C)`` and targets integer labels).
    """
    meter = _Meter(_normalise_metrics(metrics))
    was_training = bool(getattr(model, "training", False))
    model.eval()
    try:
        with no_grad():
            for batch in loader:
                xb, yb = _split_batch(batch)
                if _is_empty(xb):
                    continue
                out = model(xb)
                meter.update(float(loss_fn(out, yb).item()), out, yb)
    finally:
        model.train(was_training)
    result = meter.result()
    if not result:
        raise ValueError("evaluate: the loader produced no samples")
    return result


# ---------------------------------------------------------------------- history
class History:
    """Per-epoch metrics of a :func:`fit` run.

    Lists indexed alike: ``epochs`` (1, 2, …), ``train_loss``, ``val_loss``,
    ``train_acc``, ``val_acc`` (``nan`` where a metric was not measured, e.g.
    no validation set), ``lr`` (the first param group's learning rate used in
    that epoch), ``time`` (seconds per epoch); extra metrics in ``metrics``.
    ``best_epoch``: the epoch whose weights early stopping restored, or the
    epoch with the lowest validation (else training) loss; ``stopped_epoch``:
    the last epoch run when a callback stopped training early, else ``None``.

    The training loss is the mean over the epoch's mini-batches as they were
    trained (dropout on, weights still changing), as Keras reports it; the
    validation loss is measured after the epoch in eval mode.
    """

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.train_loss: list[float] = []
        self.val_loss: list[float] = []
        self.train_acc: list[float] = []
        self.val_acc: list[float] = []
        self.lr: list[float] = []
        self.time: list[float] = []
        self.metrics: dict[str, list[float]] = {}
        self.stopped_epoch: int | None = None
        self._best_epoch: int | None = None

    def _append(self, epoch: int, logs: Mapping[str, float]) -> None:
        nan = math.nan
        self.epochs.append(epoch)
        self.train_loss.append(logs.get("loss", nan))
        self.val_loss.append(logs.get("val_loss", nan))
        self.train_acc.append(logs.get("accuracy", nan))
        self.val_acc.append(logs.get("val_accuracy", nan))
        self.lr.append(logs.get("lr", nan))
        self.time.append(logs.get("time", nan))
        for key, value in logs.items():
            if key not in ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "time"):
                self.metrics.setdefault(key, [nan] * (len(self.epochs) - 1)).append(value)
        for values in self.metrics.values():  # keep every list as long as `epochs`
            if len(values) < len(self.epochs):
                values.append(nan)

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def best_epoch(self) -> int | None:
        if self._best_epoch is not None:
            return self._best_epoch
        for losses in (self.val_loss, self.train_loss):
            arr = np.asarray(losses, dtype=np.float64)
            if np.isfinite(arr).any():  # a diverged (nan or infinite) epoch is never the best
                return self.epochs[int(np.nanargmin(np.where(np.isfinite(arr), arr, np.nan)))]
        return None

    @best_epoch.setter
    def best_epoch(self, epoch: int | None) -> None:
        self._best_epoch = epoch

    def has_validation(self) -> bool:
        return any(not math.isnan(v) for v in self.val_loss)

    def as_table(self, every: int = 1) -> str:
        """A markdown table, one row per ``every`` epochs (the best and the last always shown)."""
        columns: list[tuple[str, Sequence[Any], str]] = [
            ("epoch", self.epochs, ""),
            ("train loss", self.train_loss, ".4f"),
        ]
        if any(not math.isnan(v) for v in self.train_acc):
            columns.append(("train acc", self.train_acc, ".2%"))
        if self.has_validation():
            columns.append(("val loss", self.val_loss, ".4f"))
        if any(not math.isnan(v) for v in self.val_acc):
            columns.append(("val acc", self.val_acc, ".2%"))
        columns.extend((name, values, ".4g") for name, values in self.metrics.items())
        if any(not math.isnan(v) for v in self.lr):
            columns.append(("lr", self.lr, ".3g"))
        best = self.best_epoch
        rows = []
        for i, epoch in enumerate(self.epochs):
            if every > 1 and epoch % every and epoch not in (best, self.epochs[-1], self.epochs[0]):
                continue
            cells = []
            for name, values, spec in columns:
                cell = format_number(values[i], spec, nan="")
                if name == "epoch" and epoch == best:
                    cell += " (best)"
                cells.append(cell)
            rows.append(cells)
        return markdown_table([name for name, _, _ in columns], rows, align="r" * len(columns))

    def __repr__(self) -> str:
        if not self.epochs:
            return "History(empty)"
        i = len(self.epochs) - 1
        parts = [f"{len(self.epochs)} epochs", f"train_loss={self.train_loss[i]:.4f}"]
        if self.has_validation():
            parts.append(f"val_loss={self.val_loss[i]:.4f}")
        if not math.isnan(self.val_acc[i]):
            parts.append(f"val_acc={self.val_acc[i]:.2%}")
        parts.append(f"best_epoch={self.best_epoch}")
        return "History(" + ", ".join(parts) + ")"

    def plot(self, path: str | Any | None = None, title: str | None = None) -> Any:
        """Loss and accuracy curves, train vs validation, side by side (a matplotlib ``Figure``).

        A validation loss that turns up while the training loss keeps falling is
        over-fitting (regularise more); both high and close together is
        under-fitting (more capacity, train longer). The best epoch is marked.
        ``path``: also save the figure there (PNG, SVG, PDF by extension) and
        close it. Needs matplotlib (``pip install 'minigrad[train]'``).
        """
        plt = _pyplot("History.plot")
        from matplotlib.ticker import MaxNLocator

        has_acc = any(not math.isnan(v) for v in self.train_acc + self.val_acc)
        fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 4), squeeze=False)
        axes = axes[0]
        best = self.best_epoch
        panels = [(axes[0], "loss", self.train_loss, self.val_loss)]
        if has_acc:
            panels.append((axes[1], "accuracy", self.train_acc, self.val_acc))
        for ax, label, train_values, val_values in panels:
            ax.plot(self.epochs, train_values, label=f"train {label}", color="tab:blue")
            if any(not math.isnan(v) for v in val_values):
                ax.plot(self.epochs, val_values, label=f"validation {label}", color="tab:orange")
            if best is not None:
                ax.axvline(best, color="gray", linestyle="--", linewidth=1, label=f"best epoch ({best})")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            ax.legend()
        axes[0].set_title("loss (gap between curves: over-fitting)")
        if has_acc:
            axes[1].set_title("accuracy")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
            plt.close(fig)
        return fig


def _pyplot(who: str) -> Any:
    try:
        import matplotlib

        if "matplotlib.pyplot" not in sys.modules and not _interactive():
            matplotlib.use("Agg")  # no display needed to write files
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{who} needs matplotlib, an optional dependency: pip install 'minigrad[train]' (or pip install matplotlib)"
        ) from exc
    return plt


def _interactive() -> bool:
    return "ipykernel" in sys.modules or hasattr(sys, "ps1")


# ---------------------------------------------------------------------- callbacks
class Callback:
    """Hooks into :func:`fit`. Override what you need.

    ``on_train_begin(model)`` and ``on_train_end(model)`` run once;
    ``on_epoch_end(epoch, logs)`` runs after every epoch with the epoch number
    (from 1) and its metrics (``loss``, ``accuracy``, ``val_loss``,
    ``val_accuracy``, ``lr``, ``time``); return ``True`` to stop training.
    """

    def on_train_begin(self, model: Any) -> None:
        """Called before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool | None:
        """Called after each epoch; ``True`` stops training."""
        return None

    def on_train_end(self, model: Any) -> None:
        """Called after the last epoch (also when stopped early, or when training raised)."""


def _copy_state(model: Any) -> dict[str, np.ndarray]:
    return {name: np.array(_array(value), copy=True) for name, value in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when the monitored metric has not improved for ``patience`` epochs; keep the best weights.

    An epoch improves on the best so far when its value is lower by more than
    ``min_delta`` (``mode="min"``, for losses) or higher by more than
    ``min_delta`` (``mode="max"``, for accuracies); a nan or infinite value
    never improves (a diverged run is not the best). After ``patience`` epochs
    in a row without improvement training stops — so it stops at epoch
    ``best_epoch + patience``. With ``restore_best`` a copy of
    ``model.state_dict()`` is kept at every improvement and loaded back when
    training ends (stopped early or not): the model returned is the one with
    the best validation score, as the course's early stopping prescribes.
    ``monitor`` names a key of the epoch logs: ``val_loss`` (default),
    ``val_accuracy``, ``loss``, ``accuracy``.
    """

    def __init__(
        self,
        patience: int = 10,
        min_delta: float = 0.0,
        monitor: str = "val_loss",
        mode: str = "min",
        restore_best: bool = True,
        verbose: bool = False,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if not (math.isfinite(min_delta) and min_delta >= 0):
            raise ValueError(f"EarlyStopping: min_delta must be a finite number >= 0, got {min_delta}")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.monitor = monitor
        self.mode = mode
        self.restore_best = restore_best
        self.verbose = verbose
        self.reset()

    def reset(self) -> None:
        """Forget the best value and the snapshot (done at the start of every training run)."""
        self.best: float = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, np.ndarray] | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.model: Any = None

    def is_improvement(self, value: float) -> bool:
        """Better than the best by more than ``min_delta``; a nan or infinite value (a diverged run) never is."""
        if not math.isfinite(value):
            return False
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, model: Any) -> None:
        self.reset()
        self.model = model

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping: monitored metric {self.monitor!r} is not in the epoch logs "
                f"{sorted(logs)}; pass a val_loader to fit() or monitor 'loss'"
            )
        value = float(logs[self.monitor])
        if self.is_improvement(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best and self.model is not None:
                self.best_state = _copy_state(self.model)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            if self.verbose:
                print(
                    f"early stopping at epoch {epoch}: best {self.monitor} {self.best:.4g} at epoch {self.best_epoch}"
                )
            return True
        return False

    def on_train_end(self, model: Any) -> None:
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"monitor={self.monitor!r}, mode={self.mode!r}, restore_best={self.restore_best})"
        )


# ---------------------------------------------------------------------- progress
class _Progress:
    """A tqdm bar over epochs when tqdm is installed, else one plain line per epoch; or nothing."""

    def __init__(self, enabled: bool, epochs: int, file: Any = None) -> None:
        self.enabled = enabled
        self.epochs = epochs
        self.bar = None
        self.file = file
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(
            total=epochs, desc="training", unit="epoch", file=file or sys.stderr, dynamic_ncols=True, leave=True
        )

    @staticmethod
    def _summary(logs: Mapping[str, float]) -> dict[str, str]:
        out = {}
        for key, label, fmt in (
            ("loss", "loss", ".4f"),
            ("accuracy", "acc", ".2%"),
            ("val_loss", "val_loss", ".4f"),
            ("val_accuracy", "val_acc", ".2%"),
        ):
            if key in logs:
                out[label] = fmt.format(logs[key])
        return out

    def update(self, epoch: int, logs: Mapping[str, float]) -> None:
        if not self.enabled:
            return
        summary = self._summary(logs)
        if self.bar is not None:
            self.bar.set_postfix(summary, refresh=False)
            self.bar.update(1)
        else:
            width = len(str(self.epochs))
            text = "  ".join(f"{k} {v}" for k, v in summary.items())
            print(f"epoch {epoch:>{width}}/{self.epochs}  {text}", file=self.file or sys.stdout, flush=True)

    def close(self, stopped: int | None = None) -> None:
        if self.bar is not None:
            if stopped is not None:
                self.bar.set_description(f"stopped early at epoch {stopped}")
            self.bar.close()


# ---------------------------------------------------------------------- fit
def _lr(optimizer: Any) -> float:
    groups = getattr(optimizer, "param_groups", None)
    return float(groups[0]["lr"]) if groups else math.nan


def _is_plateau(scheduler: Any) -> bool:
    try:
        from minigrad.optim.lr_scheduler import ReduceLROnPlateau
    except ImportError:  # pragma: no cover
        return type(scheduler).__name__ == "ReduceLROnPlateau"
    return isinstance(scheduler, ReduceLROnPlateau)


def fit(
    model: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    optimizer: Any,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    epochs: int = 10,
    callbacks: Sequence[Callback] = (),
    scheduler: Any = None,
    progress: bool = True,
    clip_grad_norm: float | None = None,
    max_norm: float | None = None,
    metrics: Sequence[str | tuple[str, MetricFn]] | Mapping[str, MetricFn] = ("loss", "accuracy"),
    compile: bool = False,  # noqa: A002 - the flag's natural name
) -> History:
    """Train ``model`` for up to ``epochs`` epochs; returns the :class:`History`.

    - ``loss_fn(outputs, targets)`` → scalar Tensor (e.g. ``nn.CrossEntropyLoss()``,
      or ``nn.RegularizedLoss(...)`` to add an L1/L2 penalty).
    - ``train_loader`` / ``val_loader``: iterables of ``(inputs, targets)``
      batches, e.g. ``DataLoader``s; the validation set is evaluated after each
      epoch under ``no_grad`` in eval mode.
    - ``callbacks``: :class:`Callback` objects, e.g. :class:`EarlyStopping`; any
      returning ``True`` from ``on_epoch_end`` stops training.
    - ``scheduler``: stepped once per epoch; a ``ReduceLROnPlateau`` gets the
      validation loss (the training loss without a validation set).
    - ``clip_grad_norm``: rescale the gradients to at most this total norm
      before each step (``nn.utils.clip_grad_norm_``); ``max_norm``: after each
      step, project every neuron's incoming weight vector into the ball of this
      radius (``nn.utils.max_norm_``).
    - ``metrics``: ``"loss"``, ``"accuracy"`` (measured only for ``(N, C)``
      outputs with integer targets) and ``(name, fn(outputs, targets))`` pairs
      on NumPy arrays, averaged over samples.
    - ``progress``: a tqdm bar (one plain line per epoch without tqdm);
      ``False`` prints nothing.
    - ``compile``: run the training step through :func:`minigrad.compile` (traced
      once per batch shape, then replayed: the same numbers, less Python).

    Batches of zero samples are skipped (no step, not in the averages). An empty
    loader is refused before any training. The model is put back in the
    train/eval mode it had when ``fit`` was called, and the callbacks'
    ``on_train_end`` runs, also when a batch raises.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    _check_loader(train_loader, "train_loader", int(epochs))
    if val_loader is not None:
        _check_loader(val_loader, "val_loader", int(epochs))
    metric_fns = _normalise_metrics(metrics)
    callbacks = list(callbacks)
    history = History()
    if clip_grad_norm is not None or max_norm is not None:
        from minigrad.nn import utils as nn_utils

    def train_step(xb: Any, yb: Any) -> tuple[Tensor, Any]:
        optimizer.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        if clip_grad_norm is not None:
            nn_utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimizer.step()
        if max_norm is not None:
            nn_utils.max_norm_(model, max_norm)
        return loss, out

    if compile:
        from minigrad.compile import compile as compile_step

        run_step = compile_step(train_step)
    else:
        run_step = train_step
    was_training = bool(getattr(model, "training", True))
    for cb in callbacks:
        cb.on_train_begin(model)
    bar = _Progress(bool(progress), int(epochs))
    stopped: int | None = None
    try:
        for epoch in range(1, int(epochs) + 1):
            start = time.perf_counter()
            lr = _lr(optimizer)
            model.train()
            meter = _Meter(metric_fns)
            for batch in train_loader:
                xb, yb = _split_batch(batch)
                if _is_empty(xb):
                    continue  # nothing to learn from; its step would still move momentum and step counts
                loss, out = run_step(xb, yb)
                meter.update(float(loss.item()), out, yb)
            logs = meter.result()
            if not logs:
                raise ValueError(f"fit: the training loader produced no samples in epoch {epoch}")
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, metrics)
                logs.update({f"val_{k}": v for k, v in val.items()})
            logs["lr"] = lr
            if scheduler is not None:
                if _is_plateau(scheduler):
                    scheduler.step(logs.get("val_loss", logs["loss"]))
                else:
                    scheduler.step()
            logs["time"] = time.perf_counter() - start
            history._append(epoch, logs)
            bar.update(epoch, logs)
            stop = False
            for cb in callbacks:
                stop = bool(cb.on_epoch_end(epoch, logs)) or stop
            if stop:
                stopped = epoch
                break
    finally:
        bar.close(stopped)
        try:
            for cb in callbacks:
                cb.on_train_end(model)
        finally:
            model.train(was_training)
    history.stopped_epoch = stopped
    for cb in callbacks:
        if isinstance(cb, EarlyStopping) and cb.best_epoch is not None:
            history.best_epoch = cb.best_epoch
    return history


def snapshot(model: Any) -> dict[str, np.ndarray]:
    """A deep copy of ``model.state_dict()`` as NumPy arrays (what :class:`EarlyStopping` keeps)."""
    return _copy_state(model)
