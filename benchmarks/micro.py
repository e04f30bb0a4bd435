"""Microbenchmarks: per-op overhead, backward time of long chains, and the digits demo's epoch time.

``python -m benchmarks.micro [--quick]`` runs them alone; ``benchmarks.run`` includes them
unless ``--no-micro``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.engines import torch_threads  # noqa: E402
from minigrad._table import format_fixed, markdown_table  # noqa: E402

# ----------------------------------------------------------------------------- per-op overhead

OVERHEAD_SHAPE = (4, 4)
OVERHEAD_LINKS = 100
"""Each link is ``y = tanh(y * a + b)``: three elementwise ops; a final ``sum`` makes it scalar."""


def _minigrad():
    """The minigrad module, or why it cannot be used yet."""
    try:
        import minigrad as mg

        mg.tensor  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"not importable yet: {type(exc).__name__}: {exc}"
    return mg


def _overhead_numpy() -> tuple[Callable[[], None], Callable[[], None]] | str:
    x, a, b = _overhead_data()

    def forward() -> None:
        y = x
        for _ in range(OVERHEAD_LINKS):
            y = np.tanh(y * a + b)
        y.sum()

    return forward, lambda: None


def _taped_chain(x, a, b, tanh: Callable, clear_grad: Callable[[], None]):
    """forward/backward closures for the chain y ← tanh(y·a + b) in a tape-based engine."""
    state: dict = {}

    def forward() -> None:
        clear_grad()
        y = x
        for _ in range(OVERHEAD_LINKS):
            y = tanh(y * a + b)
        state["out"] = y.sum()

    def backward() -> None:
        state.pop("out").backward()

    return forward, backward


def _overhead_minigrad() -> tuple[Callable[[], None], Callable[[], None]] | str:
    mg = _minigrad()
    if isinstance(mg, str):
        return mg
    data, a_data, b_data = _overhead_data()
    x = mg.tensor(data, requires_grad=True)
    return _taped_chain(x, mg.tensor(a_data), mg.tensor(b_data), lambda t: t.tanh(), lambda: setattr(x, "grad", None))


def _overhead_torch() -> tuple[Callable[[], None], Callable[[], None]] | str:
    try:
        import torch
    except ImportError:
        return "not installed"
    torch.set_num_threads(torch_threads())
    data, a_data, b_data = _overhead_data()
    x = torch.from_numpy(data).requires_grad_(True)
    return _taped_chain(
        x, torch.from_numpy(a_data), torch.from_numpy(b_data), torch.tanh, lambda: setattr(x, "grad", None)
    )


def _overhead_mygrad() -> tuple[Callable[[], None], Callable[[], None]] | str:
    try:
        import mygrad
    except ImportError:
        return "not installed"
    data, a_data, b_data = _overhead_data()
    a, b = mygrad.tensor(a_data, constant=True), mygrad.tensor(b_data, constant=True)
    return _taped_chain(mygrad.tensor(data), a, b, mygrad.tanh, lambda: None)


def _overhead_autograd() -> tuple[Callable[[], None], Callable[[], None]] | str:
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return "not installed"
    x, a, b = _overhead_data()
    state: dict = {}

    def chain(y):
        for _ in range(OVERHEAD_LINKS):
            y = anp.tanh(y * a + b)
        return anp.sum(y)

    def forward() -> None:
        state["vjp"] = autograd.make_vjp(chain)(x)[0]

    def backward() -> None:
        state.pop("vjp")(np.float32(1.0))

    return forward, backward


def _overhead_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x, a, b = (rng.uniform(-1, 1, OVERHEAD_SHAPE).astype(np.float32) for _ in range(3))
    return x, a, b


OVERHEAD_BUILDERS = {
    "numpy (forward only)": _overhead_numpy,
    "minigrad": _overhead_minigrad,
    "torch": _overhead_torch,
    "mygrad": _overhead_mygrad,
    "autograd": _overhead_autograd,
}


def per_op_overhead(repeats: int, engines: Sequence[str]) -> str:
    """µs per op of a 301-op elementwise chain on 4×4 float32 tensors, forward and backward."""
    built: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {}
    notes = []
    for label, builder in OVERHEAD_BUILDERS.items():
        if label.split()[0] not in engines:
            continue
        made = builder()
        if isinstance(made, str):
            notes.append(f"- {label}: skipped ({made})")
        else:
            built[label] = made
    n_ops = 3 * OVERHEAD_LINKS + 1
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in built}
    for r in range(repeats + 2):  # two warm-up rounds, then interleaved rounds
        for label, (forward, backward) in built.items():
            t0 = time.perf_counter()
            forward()
            t1 = time.perf_counter()
            backward()
            t2 = time.perf_counter()
            if r >= 2:
                times[label][0].append(t1 - t0)
                times[label][1].append(t2 - t1)
    rows = []
    for label, (fwd, bwd) in times.items():
        f_us, b_us = np.median(fwd) * 1e6 / n_ops, np.median(bwd) * 1e6 / n_ops
        has_backward = not label.startswith("numpy")
        rows.append(
            [
                label,
                format_fixed(f_us),
                format_fixed(b_us) if has_backward else "–",
                format_fixed(f_us + b_us) if has_backward else "–",
            ]
        )
    table = markdown_table(
        ["engine", "forward µs/op", "backward µs/op", "forward+backward µs/op"], rows, spaced_rule=True
    )
    return "\n".join(
        [
            f"**Per-op overhead**: a chain `y = tanh(y * a + b)` × {OVERHEAD_LINKS} then `sum` ({n_ops} ops) on "
            f"{OVERHEAD_SHAPE[0]}×{OVERHEAD_SHAPE[1]} float32 tensors; median of {repeats} runs, divided by "
            f"the op count",
            "",
            table,
            *([""] + notes if notes else []),
        ]
    )


# ----------------------------------------------------------------------------- long chains


def _chain_minigrad(n_ops: int) -> tuple[float, float] | str:
    mg = _minigrad()
    if isinstance(mg, str):
        return mg
    x = mg.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for i in range(n_ops - 1):
        y = y * 0.9999 if i % 2 == 0 else y + 0.0001  # fixed point at 1: no overflow, no denormals
    out = y.sum()
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def _chain_torch(n_ops: int) -> tuple[float, float] | str:
    try:
        import torch
    except ImportError:
        return "not installed"
    torch.set_num_threads(torch_threads())
    x = torch.ones(4, dtype=torch.float32, requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for i in range(n_ops - 1):
        y = y * 0.9999 if i % 2 == 0 else y + 0.0001
    out = y.sum()
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


CHAIN_BUILDERS = {"minigrad": _chain_minigrad, "torch": _chain_torch}


def chains(lengths: Sequence[int], repeats: int, engines: Sequence[str]) -> str:
    """Forward and backward time of chains of ``lengths`` ops; the µs/op column shows linearity."""
    rows = []
    notes = []
    for name, builder in CHAIN_BUILDERS.items():
        if name not in engines:
            continue
        for n_ops in lengths:
            fwd, bwd = [], []
            for _ in range(repeats):
                gc.collect()
                got = builder(n_ops)
                if isinstance(got, str):
                    break
                fwd.append(got[0])
                bwd.append(got[1])
            if isinstance(got, str):
                notes.append(f"- {name}: skipped ({got})")
                break
            f, b = float(np.median(fwd)), float(np.median(bwd))
            rows.append(
                [
                    name,
                    f"{n_ops:,}".replace(",", " "),
                    format_fixed(f * 1e3),
                    format_fixed(b * 1e3),
                    format_fixed(b * 1e6 / n_ops),
                ]
            )
    table = markdown_table(["engine", "ops", "forward ms", "backward ms", "backward µs/op"], rows, spaced_rule=True)
    return "\n".join(
        [
            "**Long chains**: `y = y * 0.9999` and `y = y + 0.0001` alternating on a 4-element float32 "
            f"tensor, then `sum().backward()`; median of {repeats} run(s). Backward µs/op stays flat when "
            "backward time grows linearly with the graph.",
            "",
            table,
            *([""] + notes if notes else []),
        ]
    )


# ----------------------------------------------------------------------------- digits epoch

DIGITS_SAMPLES = 1437
DIGITS_BATCH = 32


def digits_data() -> tuple[np.ndarray, np.ndarray, str]:
    """The first 1 437 digits (the demo's training split size) from ``minigrad.data.load_digits``,
    scaled to [0, 1], as float32; random data of that shape when it does not exist yet."""
    try:
        from minigrad.data import load_digits  # type: ignore[attr-defined]

        loaded = load_digits()
        x, y = _split_xy(loaded)
        if x.ndim == 2 and x.shape[1] == 64 and len(x) >= DIGITS_SAMPLES and len(y) == len(x):
            x = x[:DIGITS_SAMPLES].astype(np.float32)
            x /= max(float(x.max()), 1.0)
            return x, y[:DIGITS_SAMPLES].astype(np.int64), "minigrad.data.load_digits"
    except Exception:  # not written yet, or an unexpected return shape: measure on random data
        pass
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (DIGITS_SAMPLES, 64)).astype(np.float32)
    y = rng.integers(0, 10, DIGITS_SAMPLES, dtype=np.int64)
    return x, y, "random data of the digits' shape (minigrad.data.load_digits not available)"


def _split_xy(loaded: object) -> tuple[np.ndarray, np.ndarray]:
    def arr(value: object) -> np.ndarray:
        if hasattr(value, "numpy") and callable(value.numpy):
            value = value.numpy()
        return np.asarray(value)

    if isinstance(loaded, dict):
        for xk, yk in (("data", "target"), ("X", "y"), ("x", "y"), ("X_train", "y_train")):
            if xk in loaded and yk in loaded:
                return arr(loaded[xk]), arr(loaded[yk])
    if isinstance(loaded, (tuple, list)) and len(loaded) >= 2:
        first, second = loaded[0], loaded[1]
        if isinstance(first, (tuple, list)):  # ((X_train, y_train), (X_test, y_test))
            return arr(first[0]), arr(first[1])
        return arr(first), arr(second)
    for xk, yk in (("data", "target"), ("X", "y")):
        if hasattr(loaded, xk) and hasattr(loaded, yk):
            return arr(getattr(loaded, xk)), arr(getattr(loaded, yk))
    raise TypeError("unrecognised load_digits() result")


def _digits_minigrad(x: np.ndarray, y: np.ndarray) -> Callable[[], None] | str:
    try:
        import minigrad as mg
        import minigrad.nn.functional as F
        from minigrad import nn, optim

        nn.Linear, optim.Adam, F.cross_entropy  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"not importable yet: {type(exc).__name__}: {exc}"
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def epoch() -> None:
        order = rng.permutation(len(x))
        for start in range(0, len(x), DIGITS_BATCH):
            idx = order[start : start + DIGITS_BATCH]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(mg.tensor(x[idx])), mg.tensor(y[idx]))
            loss.backward()
            optimizer.step()

    return epoch


def _digits_torch(x: np.ndarray, y: np.ndarray) -> Callable[[], None] | str:
    try:
        import torch
    except ImportError:
        return "not installed"
    torch.set_num_threads(torch_threads())
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def epoch() -> None:
        order = rng.permutation(len(x))
        for start in range(0, len(x), DIGITS_BATCH):
            idx = order[start : start + DIGITS_BATCH]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(torch.from_numpy(x[idx])), torch.from_numpy(y[idx]))
            loss.backward()
            optimizer.step()

    return epoch


def _digits_sklearn(x: np.ndarray, y: np.ndarray) -> Callable[[], None] | str:
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return "not installed"
    # max_iter=1 with warm_start: every fit() is one more epoch of the same network
    clf = MLPClassifier(
        hidden_layer_sizes=(128, 64),
        solver="adam",
        batch_size=DIGITS_BATCH,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )

    def epoch() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(x, y)

    return epoch


DIGITS_BUILDERS = {"minigrad": _digits_minigrad, "sklearn": _digits_sklearn, "torch": _digits_torch}


def digits_epoch(epochs: int, engines: Sequence[str]) -> str:
    """Seconds per epoch of the 64-128-64-10 ReLU MLP with Adam, batch 32, 1 437 samples."""
    x, y, source = digits_data()
    built: dict[str, Callable[[], None]] = {}
    notes = []
    for name, builder in DIGITS_BUILDERS.items():
        if name != "sklearn" and name not in engines:
            continue
        made = builder(x, y)
        if isinstance(made, str):
            notes.append(f"- {name}: skipped ({made})")
        else:
            built[name] = made
    times: dict[str, list[float]] = {name: [] for name in built}
    for r in range(epochs + 1):  # the first epoch warms up (and initialises scikit-learn's model)
        for name, epoch in built.items():
            t0 = time.perf_counter()
            epoch()
            if r:
                times[name].append(time.perf_counter() - t0)
    base = float(np.median(times["sklearn"])) if times.get("sklearn") else None
    rows = []
    for name, values in times.items():
        median = float(np.median(values))
        spread = f"{format_fixed(min(values) * 1e3)}–{format_fixed(max(values) * 1e3)}"
        rows.append([name, format_fixed(median * 1e3), spread, f"{median / base:.2f}×" if base else "–"])
    table = markdown_table(["engine", "ms per epoch", "min–max", "× scikit-learn"], rows, spaced_rule=True)
    return "\n".join(
        [
            f"**Digits demo epoch**: 64-128-64-10 MLP with ReLU, Adam (lr 1e-3), batch {DIGITS_BATCH}, "
            f"{DIGITS_SAMPLES} float32 samples ({source}); scikit-learn's "
            "`MLPClassifier(hidden_layer_sizes=(128, 64), solver='adam', batch_size=32, max_iter=1, "
            f"warm_start=True)`, one `fit` per epoch; median of {epochs} epoch(s) after one warm-up epoch",
            "",
            table,
            *([""] + notes if notes else []),
        ]
    )


# ----------------------------------------------------------------------------- entry points


ALL_ENGINES = ("numpy", "minigrad", "torch", "autograd", "mygrad")


def run(quick: bool = False, engines: Sequence[str] = ALL_ENGINES) -> str:
    """All three microbenchmarks as one markdown section."""
    if quick:
        parts = [per_op_overhead(10, engines), chains((1_000, 10_000), 1, engines), digits_epoch(1, engines)]
    else:
        parts = [per_op_overhead(50, engines), chains((1_000, 10_000, 100_000), 3, engines), digits_epoch(5, engines)]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.micro", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, chains up to 10 000 ops")
    args = parser.parse_args(argv)
    print(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
