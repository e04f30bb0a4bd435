"""Hyperparameter search: grid search, random search, coarse-to-fine refinement.

```python
from minigrad.tune import LogUniform, IntUniform, random_search, refine

space = {"lr": LogUniform(1e-4, 1e-1),        # sampled evenly over decades (log10 scale)
         "l2": LogUniform(1e-5, 1e-1),
         "width": IntUniform(32, 256),         # linear scale
         "dropout": [0.0, 0.2, 0.5]}           # a list: choices
coarse = random_search(train_fn, space, n_trials=20, seed=0)   # train_fn(params) -> val accuracy
fine = random_search(train_fn, refine(coarse, space, top_k=3), n_trials=20, seed=1)
print((coarse + fine).as_table())
```

``train_fn(params) -> float`` trains one model with the hyperparameters in the
dict ``params`` and returns its validation score; ``mode="max"`` (default) when
higher is better (accuracy), ``mode="min"`` for a loss. Never score on the test set.
As the course says: random search beats grid search when only a few of the
hyperparameters matter (each trial tries a new value of every one); sample
learning rates and penalties on a log₁₀ scale, widths and layer counts linearly;
then search again, more finely, around the best.
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad._table import format_number, markdown_table

__all__ = [
    "Choice",
    "IntUniform",
    "LogUniform",
    "Results",
    "Trial",
    "Uniform",
    "grid_search",
    "random_search",
    "refine",
    "sample",
]


# ---------------------------------------------------------------------- search-space dimensions
class _Range:
    """A continuous (or integer) interval sampled uniformly in some coordinate."""

    low: float
    high: float

    def __init__(self, low: float, high: float) -> None:
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"{type(self).__name__}: {name} must be a finite number, got {v!r}")
        if low > high:
            raise ValueError(f"{type(self).__name__}: low={low} is above high={high}")
        self.low, self.high = low, high

    # coordinates in which sampling is uniform (identity here, log10 for LogUniform)
    def to_unit(self, value: float) -> float:
        return float(value)

    def from_unit(self, u: float) -> Any:
        return float(u)

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval in sampling coordinates."""
        return self.to_unit(self.low), self.to_unit(self.high)

    def sample(self, rng: np.random.Generator) -> Any:
        lo, hi = self.bounds
        return self.from_unit(rng.uniform(lo, hi))

    def grid(self, n: int) -> list[Any]:
        """``n`` points evenly spaced in sampling coordinates, ends included."""
        lo, hi = self.bounds
        points = [self.from_unit(u) for u in np.linspace(lo, hi, n)]
        return list(dict.fromkeys(points))  # IntUniform may round two points onto one

    def narrowed(self, lo: float, hi: float) -> _Range:
        """The same kind of range over ``[lo, hi]`` given in sampling coordinates."""
        return type(self)(self.from_unit(lo), self.from_unit(hi))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.low, self.high))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low:.6g}, {self.high:.6g})"


class Uniform(_Range):
    """A float uniform on ``[low, high]`` (linear scale: dropout rates, momentum)."""


class LogUniform(_Range):
    """A float whose log₁₀ is uniform on ``[log10(low), log10(high)]``.

    Each decade gets the same share of samples: ``LogUniform(1e-4, 1e-1)``
    puts a third of them in each of [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 1e-1] —
    the scale for learning rates and penalty strengths, where 1e-4 and 1e-3
    differ as much as 1e-2 and 1e-1. ``low`` must be > 0.
    """

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if low <= 0:
            raise ValueError(f"LogUniform: low must be > 0 (it is sampled as 10**u), got {low}")

    def to_unit(self, value: float) -> float:
        return math.log10(value)

    def from_unit(self, u: float) -> float:
        return float(10.0**u)


class IntUniform(_Range):
    """An int uniform on ``{low, …, high}`` (both included): widths, layer counts, batch sizes."""

    def __init__(self, low: int, high: int) -> None:
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise ValueError(f"IntUniform: {name} must be an int, got {v!r}")
        super().__init__(int(low), int(high))

    def to_unit(self, value: float) -> float:
        return float(value)

    def from_unit(self, u: float) -> int:
        return int(round(u))

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(int(self.low), int(self.high), endpoint=True))

    def narrowed(self, lo: float, hi: float) -> IntUniform:
        low, high = int(math.floor(lo + 0.5)), int(math.floor(hi + 0.5))
        return IntUniform(low, max(low, high))

    def __repr__(self) -> str:
        return f"IntUniform({int(self.low)}, {int(self.high)})"


@dataclass(frozen=True)
class Choice:
    """One of ``values`` with equal probability (a plain list or tuple in a space means the same)."""

    values: tuple

    def __init__(self, values: Iterable[Any]) -> None:
        vals = tuple(values)
        if not vals:
            raise ValueError("Choice: needs at least one value")
        object.__setattr__(self, "values", vals)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]

    def grid(self, n: int | None = None) -> list[Any]:
        return list(self.values)

    def __repr__(self) -> str:
        return f"Choice({list(self.values)!r})"


Dimension = _Range | Choice
Space = Mapping[str, Any]


def _dimension(name: str, spec: Any) -> Dimension:
    if isinstance(spec, (_Range, Choice)):
        return spec
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise ValueError(f"search space: {name!r} is an empty list of choices; give at least one value")
        return Choice(spec)
    # a single fixed value is a choice of one
    if isinstance(spec, (numbers.Number, str, bool)) or spec is None:
        return Choice([spec])
    raise TypeError(
        f"search space: {name!r} must be a list of choices, Uniform, LogUniform, IntUniform or a fixed "
        f"value, got {type(spec).__name__}"
    )


def _dimensions(space: Space) -> dict[str, Dimension]:
    if not isinstance(space, Mapping) or not space:
        raise ValueError("search space must be a non-empty dict of name -> choices or range")
    return {str(name): _dimension(str(name), spec) for name, spec in space.items()}


def sample(space: Space, rng: np.random.Generator | int | None = None) -> dict[str, Any]:
    """One random point of ``space`` (dimensions sampled in the dict's order)."""
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return {name: dim.sample(gen) for name, dim in _dimensions(space).items()}


# ---------------------------------------------------------------------- results
@dataclass
class Trial:
    """One evaluated point: its ``params``, the validation ``score``, trial ``index`` and ``seconds``."""

    params: dict[str, Any]
    score: float
    index: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Results:
    """Trials sorted best first (``mode="max"``: highest score first; ``"min"``: lowest); NaN scores last.

    ``results.best`` is the best :class:`Trial`, ``results.best.params`` its
    hyperparameters; iterate, index or ``len()`` like a list; ``as_table()`` is
    markdown, ``to_records()`` a list of flat dicts (for pandas); ``a + b``
    merges two searches (e.g. coarse and fine).
    """

    def __init__(self, trials: Iterable[Trial], mode: str = "max") -> None:
        if mode not in ("max", "min"):
            raise ValueError(f"Results: mode must be 'max' or 'min', got {mode!r}")
        self.mode = mode
        sign = -1.0 if mode == "max" else 1.0

        def key(t: Trial) -> tuple:
            bad = t.score is None or math.isnan(t.score)
            return (bad, 0.0 if bad else sign * t.score, t.index)

        self.trials: list[Trial] = sorted(trials, key=key)

    @property
    def best(self) -> Trial:
        if not self.trials:
            raise ValueError("Results: no trials")
        return self.trials[0]

    def top(self, k: int) -> list[Trial]:
        """The ``k`` best trials with a finite score."""
        return [t for t in self.trials if t.score is not None and math.isfinite(t.score)][:k]

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self.trials)

    def __getitem__(self, i: int) -> Trial:
        return self.trials[i]

    def __add__(self, other: Results) -> Results:
        if not isinstance(other, Results):
            return NotImplemented
        if other.mode != self.mode:
            raise ValueError(f"Results: cannot merge mode={self.mode!r} with mode={other.mode!r}")
        offset = 1 + max((t.index for t in self.trials), default=-1)
        renumbered = [Trial(t.params, t.score, t.index + offset, t.seconds, t.extra) for t in other.trials]
        return Results(self.trials + renumbered, self.mode)

    def param_names(self) -> list[str]:
        names: dict[str, None] = {}
        for t in self.trials:
            names.update(dict.fromkeys(t.params))
        return list(names)

    def to_records(self) -> list[dict[str, Any]]:
        """``[{"rank": 1, "trial": i, **params, "score": s, "seconds": t}, ...]`` best first."""
        return [
            {"rank": rank, "trial": t.index, **t.params, "score": t.score, "seconds": t.seconds, **t.extra}
            for rank, t in enumerate(self.trials, 1)
        ]

    def as_table(self, max_rows: int | None = None) -> str:
        """A markdown table, best first, one row per trial."""
        names = self.param_names()
        header = ["rank", "trial", *names, "score", "seconds"]
        rows = []
        for rank, t in enumerate(self.trials[:max_rows] if max_rows else self.trials, 1):
            cells = [
                str(rank),
                str(t.index),
                *(_fmt(t.params.get(n, "")) for n in names),
                _fmt(t.score),
                f"{t.seconds:.1f}",
            ]
            rows.append(cells)
        return markdown_table(header, rows, align="r" * len(header))

    def __repr__(self) -> str:
        if not self.trials:
            return f"Results(0 trials, mode={self.mode!r})"
        return (
            f"Results({len(self.trials)} trials, mode={self.mode!r}, best={self.best.score:.6g} "
            f"with {self.best.params})"
        )


def _fmt(v: Any) -> str:
    # floats to 4 significant figures; hyperparameters of other types (int, str, bool, None) as they are
    return format_number(v, ".4g") if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------- searches
def _run(
    train_fn: Callable[[dict[str, Any]], float],
    points: Iterable[dict[str, Any]],
    mode: str,
    progress: bool,
    total: int,
) -> Results:
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' (higher score is better) or 'min', got {mode!r}")
    trials: list[Trial] = []
    for i, params in enumerate(points):
        start = time.perf_counter()
        try:
            value = train_fn(dict(params))
            extra: dict[str, Any] = {}
            if isinstance(value, Mapping):  # {"score": ..., other numbers to keep}
                extra = {k: v for k, v in value.items() if k != "score"}
                value = value["score"]
            score = float(value)
        except BaseException as exc:  # also Ctrl-C: the finished trials stay reachable
            exc.partial_results = Results(trials, mode)  # type: ignore[attr-defined]
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(
                    f"tune: trial {i} ({dict(params)}) raised; the {len(trials)} finished trials are in "
                    "this exception's .partial_results"
                )
            raise
        seconds = time.perf_counter() - start
        trials.append(Trial(dict(params), score, i, seconds, extra))
        if progress:
            shown = ", ".join(f"{k}={_fmt(v)}" for k, v in params.items())
            print(f"trial {i + 1}/{total}: {shown} -> {score:.6g} ({seconds:.1f}s)", flush=True)
    return Results(trials, mode)


def grid_search(
    train_fn: Callable[[dict[str, Any]], float],
    space: Space,
    mode: str = "max",
    points_per_range: int = 3,
    progress: bool = False,
) -> Results:
    """Evaluate ``train_fn`` at every point of the Cartesian product of the dimensions.

    Lists contribute each of their values; a range contributes
    ``points_per_range`` values evenly spaced in its sampling coordinates
    (``LogUniform(1e-4, 1e-2)`` with 3 points: 1e-4, 1e-3, 1e-2). The number of
    trials is the product of the counts — it grows exponentially with the
    number of hyperparameters, which is why random search is usually better.
    ``train_fn`` may return a float or a dict with ``"score"`` and extra numbers.
    If it raises, the exception's ``partial_results`` holds the trials finished before.
    """
    if isinstance(points_per_range, bool) or not isinstance(points_per_range, numbers.Integral):
        raise TypeError(f"grid_search: points_per_range must be an int, got {points_per_range!r}")
    if points_per_range < 1:
        raise ValueError(f"grid_search: points_per_range must be >= 1, got {points_per_range}")
    dims = _dimensions(space)
    axes = {name: dim.grid(points_per_range) for name, dim in dims.items()}
    names = list(axes)
    total = math.prod(len(v) for v in axes.values())
    points = (dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values()))
    return _run(train_fn, points, mode, progress, total)


def random_search(
    train_fn: Callable[[dict[str, Any]], float],
    space: Space,
    n_trials: int,
    seed: int | np.random.Generator | None = None,
    mode: str = "max",
    progress: bool = False,
) -> Results:
    """Evaluate ``train_fn`` at ``n_trials`` points drawn independently from ``space``.

    Lists are sampled uniformly, ``Uniform``/``IntUniform`` uniformly on their
    interval, ``LogUniform`` uniformly in log₁₀. The same ``seed`` gives the
    same points (each trial's own training randomness is ``train_fn``'s
    business — seed it from the params if needed). If ``train_fn`` raises, the
    exception's ``partial_results`` holds the trials finished before.
    """
    if isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral) or n_trials < 1:
        raise ValueError(f"random_search: n_trials must be an int >= 1, got {n_trials!r}")
    dims = _dimensions(space)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    points = [{name: dim.sample(rng) for name, dim in dims.items()} for _ in range(int(n_trials))]
    return _run(train_fn, points, mode, progress, int(n_trials))


def refine(
    results: Results | Sequence[Trial], space: Space, top_k: int = 3, shrink: float = 0.5, mode: str | None = None
) -> dict[str, Any]:
    """A narrower space around the ``top_k`` best trials, for the next, finer search.

    For each range: the centre is the mean of the top trials' values in
    sampling coordinates (log₁₀ for ``LogUniform`` — a geometric mean), the new
    width is ``shrink`` × the old width, and the interval is shifted to stay
    inside the old one. Lists keep only the values that occur among the top
    trials (in their original order). Dimensions the trials don't mention are
    kept as they are.
    """
    if not 0 < shrink <= 1:
        raise ValueError(f"refine: shrink must be in (0, 1], got {shrink}")
    if top_k < 1:
        raise ValueError(f"refine: top_k must be >= 1, got {top_k}")
    if not isinstance(results, Results):
        results = Results(results, mode or "max")
    best = results.top(top_k)
    if not best:
        raise ValueError("refine: no trial with a finite score to refine around")
    new: dict[str, Any] = {}
    for name, dim in _dimensions(space).items():
        values = [t.params[name] for t in best if name in t.params]
        if not values:
            new[name] = space[name]
        elif isinstance(dim, Choice):
            kept = [v for v in dim.values if v in values]
            new[name] = list(kept) if kept else list(dim.values)
        else:
            lo, hi = dim.bounds
            centre = float(np.mean([_unit(dim, name, v) for v in values]))
            half = shrink * (hi - lo) / 2
            new_lo = min(max(centre - half, lo), hi - 2 * half)
            new[name] = dim.narrowed(new_lo, new_lo + 2 * half)
    return new


def _unit(dim: _Range, name: str, value: Any) -> float:
    """``value`` of dimension ``name`` in sampling coordinates, or a ValueError naming both."""
    try:
        u = dim.to_unit(value)
    except (TypeError, ValueError):  # e.g. log10 of a value <= 0 for a LogUniform
        u = math.nan
    if not math.isfinite(u):
        raise ValueError(f"refine: {name}={value!r} of a top trial cannot be placed in {dim!r}")
    return u
