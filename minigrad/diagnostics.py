"""Per-layer activation and gradient statistics: seeing vanishing/exploding gradients and the effect of init.

```python
from minigrad.diagnostics import layer_stats, compare_inits

report = layer_stats(model, x, y, nn.CrossEntropyLoss(), lr=1e-3)
print(report.as_table())       # per layer: activation mean/std, dead ReLUs, saturation, ‖∇W‖, update/weight
report.plot("layers.png")

reports = compare_inits(depth=10, activation="tanh")  # zero / small random / Xavier / He / He + BatchNorm
for name, r in reports.items():
    print(name, r.as_table(), sep="\\n")
```

What to look for (the course's claims): with a good initialisation the
activations keep about the same spread in every layer and the gradient norms
stay within an order of magnitude from the first layer to the last.
Small-random init makes activations (and so weight gradients) shrink layer
after layer; sigmoid/tanh units saturate (derivative ≈ 0) and gradients
vanish; zero init gives every unit of a layer the same value, so symmetry is
never broken; batch normalisation restores the spread whatever the init.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from minigrad._grad_mode import enable_grad, no_grad
from minigrad._table import format_number, markdown_table
from minigrad.tensor import Tensor

__all__ = ["LayerStats", "Report", "build_mlp", "compare_inits", "layer_stats", "plot_comparison"]

SATURATION = 0.99  # |tanh| > 0.99, or sigmoid outside [0.01, 0.99]: derivative below ~0.02 of its peak

_ACTIVATIONS = ("ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax")


@dataclass
class LayerStats:
    """Statistics of one module's output (and of its weight) on one batch.

    - ``act_mean``, ``act_std``: mean and standard deviation of all output values.
    - ``dead_frac`` (ReLU family): fraction of units (features, dim 1) whose
      output is exactly 0 for every sample of the batch — they pass no gradient.
    - ``saturated_frac`` (Sigmoid, Tanh): fraction of output values in the flat
      tails, ``|tanh| > 0.99`` or ``σ < 0.01`` or ``σ > 0.99``.
    - ``grad_norm``: ‖∂loss/∂W‖₂ of the module's weight matrix (after backward;
      Linear layers — not batch norm's scale ``γ``);
      ``weight_norm``: ‖W‖₂; ``update_ratio``: ‖lr·∂loss/∂W‖ / ‖W‖, the relative
      size of one plain gradient step (around 1e-3 is healthy; much smaller
      learns slowly, much larger is unstable).
    - ``out_grad_std``: standard deviation of ∂loss/∂output (the gradient that
      flows back into this layer).
    """

    index: int
    name: str
    kind: str
    shape: tuple[int, ...]
    act_mean: float
    act_std: float
    dead_frac: float | None = None
    saturated_frac: float | None = None
    weight_norm: float | None = None
    grad_norm: float | None = None
    update_ratio: float | None = None
    out_grad_std: float | None = None
    values: np.ndarray | None = field(default=None, repr=False)  # a sample of outputs, for histograms


class Report:
    """The per-layer statistics of :func:`layer_stats`: ``layers`` (a list of :class:`LayerStats`),
    ``loss`` (when a loss was given), ``lr``, ``as_table()``, ``to_records()``, ``plot()``."""

    def __init__(
        self, layers: Sequence[LayerStats], loss: float | None = None, lr: float | None = None, title: str = ""
    ) -> None:
        self.layers = list(layers)
        self.loss = loss
        self.lr = lr
        self.title = title

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, i: int) -> LayerStats:
        return self.layers[i]

    def of_kind(self, *kinds: str) -> list[LayerStats]:
        """The rows whose module class name is one of ``kinds`` (e.g. ``"Linear"``)."""
        return [row for row in self.layers if row.kind in kinds]

    def grad_norms(self) -> list[float]:
        """‖∂loss/∂W‖ of every layer with a weight, first layer first."""
        return [row.grad_norm for row in self.layers if row.grad_norm is not None]

    def to_records(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in asdict(row).items() if k != "values"} for row in self.layers]

    def as_table(self) -> str:
        """A markdown table, one row per hooked module, input side first."""
        header = [
            "#",
            "layer",
            "type",
            "output",
            "act mean",
            "act std",
            "dead",
            "saturated",
            "‖W‖",
            "‖∇W‖",
            "‖lr·∇W‖/‖W‖",
        ]
        rows = []
        for row in self.layers:
            cells = [
                str(row.index),
                row.name,
                row.kind,
                "×".join(map(str, row.shape)),
                format_number(row.act_mean, ".3g"),
                format_number(row.act_std, ".3g"),
                format_number(row.dead_frac, ".0%"),
                format_number(row.saturated_frac, ".0%"),
                format_number(row.weight_norm, ".3g"),
                format_number(row.grad_norm, ".2e"),
                format_number(row.update_ratio, ".2e"),
            ]
            rows.append(cells)
        lines = [markdown_table(header, rows, align="rrll" + "r" * 7)]
        if self.loss is not None:
            lines.append(f"\nloss = {self.loss:.4g}" + (f", lr = {self.lr:g}" if self.lr is not None else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Report({len(self.layers)} layers{', ' + self.title if self.title else ''})"

    def plot(self, path: str | Any | None = None, histograms: bool = False) -> Any:
        """Activation std per layer and weight-gradient norm per layer (log scale); a matplotlib Figure.

        ``histograms=True`` adds one histogram of output values per
        activation layer (the picture of saturation and dead units).
        ``path``: also save it there and close it. Needs matplotlib.
        """
        return plot_comparison({self.title or "model": self}, path=path, histograms=histograms)


def _kind(module: Any) -> str:
    return type(module).__name__


def _leaf_modules(model: Any) -> list[tuple[str, Any]]:
    """The modules without children (Linear, activations, norms, dropout …), in registration order."""
    named = list(model.named_modules()) if hasattr(model, "named_modules") else [("", m) for m in model.modules()]
    leaves = [(name or type(m).__name__, m) for name, m in named if not list(m.children())]
    skip = ("Dropout", "Identity", "Flatten")
    return [(name, m) for name, m in leaves if _kind(m) not in skip]


def _unit_view(out: np.ndarray) -> np.ndarray:
    """Output as (samples, units): features are dim 1, every other dim counts as samples."""
    if out.ndim == 1:
        return out.reshape(-1, 1)
    return np.moveaxis(out, 1, -1).reshape(-1, out.shape[1])


def _dead_fraction(out: np.ndarray) -> float:
    units = _unit_view(out)
    return float(np.mean(np.all(units == 0, axis=0)))


def _saturated_fraction(out: np.ndarray, kind: str) -> float:
    if kind == "Tanh":
        return float(np.mean(np.abs(out) > SATURATION))
    return float(np.mean((out < 1 - SATURATION) | (out > SATURATION)))


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a.astype(np.float64, copy=False).ravel()))


def layer_stats(
    model: Any,
    x: Any,
    y: Any = None,
    loss_fn: Callable[[Any, Any], Tensor] | None = None,
    lr: float | None = None,
    modules: Iterable[tuple[str, Any]] | None = None,
    sample_size: int = 2000,
) -> Report:
    """Run ``model`` on the batch ``x`` and collect per-layer statistics (see :class:`LayerStats`).

    Every leaf module except Dropout/Identity/Flatten (or the ``(name, module)``
    pairs in ``modules``) is watched with a forward hook. With ``y`` and
    ``loss_fn`` the loss is backpropagated too, giving weight-gradient norms,
    the gradient flowing into each layer, and — with ``lr`` — the
    update-to-weight ratio ‖lr·∇W‖/‖W‖. The model runs in its current
    train/eval mode; its parameters' ``.grad`` and its buffers (batch-norm
    running statistics) are left as they were.
    """
    if (y is None) != (loss_fn is None):
        raise ValueError("layer_stats: pass both y and loss_fn for gradient statistics, or neither")
    watched = list(modules) if modules is not None else _leaf_modules(model)
    if not watched:
        raise ValueError("layer_stats: the model has no modules to watch")
    x_t = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    want_grad = loss_fn is not None
    outputs: dict[int, Tensor] = {}

    def make_hook(i: int) -> Callable:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            if isinstance(output, Tensor):
                if want_grad and output.requires_grad:
                    output.retain_grad()
                outputs[i] = output

        return hook

    params = list(model.parameters())
    saved_grads = [p.grad for p in params]
    saved_buffers = {
        k: np.array(v._data if isinstance(v, Tensor) else v, copy=True) for k, v in model.state_dict().items()
    }
    handles = [m.register_forward_hook(make_hook(i)) for i, (_, m) in enumerate(watched)]
    loss_value = None
    try:
        for p in params:
            p.grad = None
        with enable_grad() if want_grad else no_grad():
            out = model(x_t)
            if loss_fn is not None:  # want_grad
                y_t = y if isinstance(y, Tensor) else Tensor(np.asarray(y))
                loss = loss_fn(out, y_t)
                loss_value = float(loss.item())
                loss.backward()
        rows: list[LayerStats] = []
        rng = np.random.default_rng(0)
        for i, (name, m) in enumerate(watched):
            if i not in outputs:
                continue  # not used in this forward pass
            t = outputs[i]
            data = t._data
            kind = _kind(m)
            flat = data.ravel()
            sample = flat if flat.size <= sample_size else rng.choice(flat, sample_size, replace=False)
            row = LayerStats(
                index=len(rows),
                name=name,
                kind=kind,
                shape=tuple(data.shape),
                act_mean=float(data.mean()),
                act_std=float(data.std()),
                values=np.array(sample, dtype=np.float64),
            )
            if kind in ("ReLU",):
                row.dead_frac = _dead_fraction(data)
            elif kind in ("Sigmoid", "Tanh"):
                row.saturated_frac = _saturated_fraction(data, kind)
            weight = getattr(m, "weight", None)
            if isinstance(weight, Tensor) and weight.ndim >= 2:  # weight matrices, not norm scales
                row.weight_norm = _norm(weight._data)
                if want_grad:
                    g = weight.grad
                    row.grad_norm = _norm(g._data) if g is not None else 0.0
                    if lr is not None:
                        row.update_ratio = (
                            lr * row.grad_norm / row.weight_norm
                            if row.weight_norm > 0
                            else math.inf
                            if row.grad_norm > 0
                            else 0.0
                        )
            if want_grad and t.grad is not None:
                row.out_grad_std = float(t.grad._data.std())
            rows.append(row)
    finally:
        for h in handles:
            h.remove()
        for p, g in zip(params, saved_grads, strict=True):
            p.grad = g
        _restore_buffers(model, saved_buffers)
    return Report(rows, loss=loss_value, lr=lr)


def _restore_buffers(model: Any, saved: Mapping[str, np.ndarray]) -> None:
    """Load the saved state back (the parameters are unchanged anyway; running statistics may have moved)."""
    model.load_state_dict(dict(saved))


# ---------------------------------------------------------------------- initialisation experiments
INITS = ("zeros", "small", "xavier", "he", "he+bn")


def build_mlp(
    depth: int = 10,
    width: int = 64,
    in_features: int = 64,
    out_features: int = 10,
    activation: str = "relu",
    init: str = "he",
    batchnorm: bool = False,
    generator: np.random.Generator | None = None,
) -> Any:
    """A ``depth``-layer MLP (``depth - 1`` hidden layers of ``width``) with the given initialisation.

    ``init``: ``"zeros"`` (all weights 0 — no symmetry breaking),
    ``"small"`` (``0.01·N(0, 1)``), ``"xavier"`` (normal, ``σ² = 2/(fan_in+fan_out)``),
    ``"he"`` (normal, ``σ² = 2/fan_in``),
    ``"lecun"`` (``σ² = 1/fan_in``), ``"default"`` (PyTorch's Linear default);
    ``"<init>+bn"`` also puts a ``BatchNorm1d`` before every hidden activation.
    Biases start at 0 (except ``"default"``). ``activation``: relu, tanh, sigmoid,
    leaky_relu, elu.
    """
    from minigrad import nn
    from minigrad.nn import init as nn_init

    if init.endswith("+bn"):
        init, batchnorm = init[:-3], True
    acts = {
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "sigmoid": nn.Sigmoid,
        "leaky_relu": getattr(nn, "LeakyReLU", None),
        "elu": getattr(nn, "ELU", None),
    }
    act = acts.get(activation)
    if act is None:
        raise ValueError(f"build_mlp: activation must be one of {sorted(acts)}, got {activation!r}")
    if init not in ("zeros", "small", "xavier", "he", "lecun", "default"):
        raise ValueError(f"build_mlp: unknown init {init!r}; use zeros, small, xavier, he, lecun or default")
    if depth < 1:
        raise ValueError(f"build_mlp: depth must be >= 1, got {depth}")
    layers: list[Any] = []
    sizes = [in_features] + [width] * (depth - 1) + [out_features]
    for i in range(depth):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        w = lin.weight
        if init == "zeros":
            nn_init.zeros_(w)
        elif init == "small":
            nn_init.normal_(w, 0.0, 0.01, generator=generator)
        elif init == "xavier":
            nn_init.xavier_normal_(w, generator=generator)  # the course's formula: no activation gain
        elif init == "he":
            nn_init.kaiming_normal_(w, nonlinearity="relu", generator=generator)
        elif init == "lecun":
            nn_init.normal_(w, 0.0, 1.0 / math.sqrt(sizes[i]), generator=generator)
        if init != "default" and lin.bias is not None:
            nn_init.zeros_(lin.bias)
        layers.append(lin)
        if i < depth - 1:
            if batchnorm:
                layers.append(nn.BatchNorm1d(sizes[i + 1]))
            layers.append(act())
    return nn.Sequential(*layers)


def compare_inits(
    depth: int = 10,
    width: int = 64,
    in_features: int = 64,
    out_features: int = 10,
    activation: str = "relu",
    inits: Sequence[str] = INITS,
    batch_size: int = 256,
    x: Any = None,
    y: Any = None,
    lr: float = 1e-3,
    seed: int = 0,
) -> dict[str, Report]:
    """:func:`layer_stats` of the same deep MLP under several initialisations, on the same batch.

    Builds :func:`build_mlp` (``depth`` Linear layers, ``activation`` between
    them) once per entry of ``inits`` and runs one forward/backward with
    cross-entropy on ``x``/``y`` (default: a standard-normal batch with random
    labels — like standardised inputs). Returns ``{init: Report}``; plot them
    together with :func:`plot_comparison`.
    """
    from minigrad import nn

    rng = np.random.default_rng(seed)
    if x is None:
        x = rng.standard_normal((batch_size, in_features))
    if y is None:
        y = rng.integers(0, out_features, size=np.asarray(x).shape[0])
    from minigrad._dtype import get_default_dtype

    x_arr = np.asarray(x._data if isinstance(x, Tensor) else x).astype(get_default_dtype())
    y_arr = np.asarray(y._data if isinstance(y, Tensor) else y).astype(np.int64)
    reports: dict[str, Report] = {}
    for name in inits:
        model = build_mlp(
            depth, width, in_features, out_features, activation, name, generator=np.random.default_rng(seed)
        )
        model.train()
        report = layer_stats(model, x_arr, y_arr, nn.CrossEntropyLoss(), lr=lr)
        report.title = f"{name} ({activation}, depth {depth})"
        reports[name] = report
    return reports


def plot_comparison(reports: Mapping[str, Report], path: str | Any | None = None, histograms: bool = False) -> Any:
    """One figure comparing reports: activation std per activation layer, and ‖∇W‖ per Linear (log scale).

    With ``histograms`` a row of output histograms per report is added.
    ``path``: save there and close. Returns the matplotlib Figure.
    """
    from minigrad.train import _pyplot

    plt = _pyplot("diagnostics plots")
    n_rows = 1 + (len(reports) if histograms else 0)
    fig = plt.figure(figsize=(12, 4 + 2.4 * (n_rows - 1)))
    grid = fig.add_gridspec(n_rows, 2)
    ax_act, ax_grad = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    for label, report in reports.items():
        acts = [r for r in report.layers if r.kind in _ACTIVATIONS] or report.layers
        ax_act.plot(range(1, len(acts) + 1), [r.act_std for r in acts], marker="o", label=label)
        weighted = [r for r in report.layers if r.grad_norm is not None]
        if weighted:
            norms = np.array([r.grad_norm for r in weighted], dtype=np.float64)
            shown = np.where(norms > 0, norms, np.nan)  # log scale: exact zeros (zero init) are not drawn
            ax_grad.plot(range(1, len(weighted) + 1), shown, marker="o", label=label)
    ax_act.set_title("activation std per layer")
    ax_act.set_xlabel("activation layer (input side first)")
    ax_act.set_ylabel("std of outputs")
    ax_grad.set_title("weight-gradient norm per layer")
    ax_grad.set_xlabel("Linear layer (input side first)")
    ax_grad.set_ylabel("‖∂loss/∂W‖ (log scale)")
    ax_grad.set_yscale("log")
    for ax in (ax_act, ax_grad):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if histograms:
        for r_i, (label, report) in enumerate(reports.items(), start=1):
            acts = [r for r in report.layers if r.kind in _ACTIVATIONS] or report.layers
            sub = grid[r_i, :].subgridspec(1, len(acts))
            for j, row in enumerate(acts):
                ax = fig.add_subplot(sub[0, j])
                if row.values is not None and row.values.size:
                    ax.hist(row.values, bins=30, color="tab:blue")
                ax.set_yticks([])
                ax.tick_params(labelsize=6)
                ax.set_title(f"{label}: {j + 1}" if j == 0 else str(j + 1), fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
