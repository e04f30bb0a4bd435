"""Train / validation / test splits, stratified by class and reproducible by seed."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._random import resolve_generator

from ._convert import as_array_like

Seed = int | np.random.Generator | None


def _rng(seed: Seed, who: str) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for an int; a Generator as is; ``None``: the ``mg.manual_seed`` one."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    if seed is None or isinstance(seed, np.random.Generator):
        return resolve_generator(seed)
    raise TypeError(f"{who}: seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}")


def _count(size: float | int, n: int, name: str, who: str) -> int:
    """A split size in samples: a fraction in [0, 1) rounds up (as scikit-learn); an int is a count."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"{who}: {name} must be a fraction in [0, 1) or a count, got {size!r}")
    if isinstance(size, numbers.Integral):
        if not 0 <= size <= n:
            raise ValueError(f"{who}: {name}={size} samples is not in [0, {n}] (the data has {n})")
        return int(size)
    if not 0.0 <= size < 1.0:
        raise ValueError(f"{who}: {name} must be a fraction in [0, 1) or an int count, got {size}")
    return math.ceil(size * n)


def _check_sizes(n: int, sizes: Sequence[float | int], names: Sequence[str], who: str) -> list[int]:
    """Sample counts ``[train, *others]``: others from ``sizes``; train, the rest, must be non-empty."""
    if n == 0:
        raise ValueError(f"{who}: cannot split an empty data set")
    counts = [_count(s, n, name, who) for s, name in zip(sizes, names, strict=True)]
    n_train = n - sum(counts)
    if n_train <= 0:
        detail = ", ".join(f"{name}={c}" for name, c in zip(names, counts, strict=True))
        raise ValueError(f"{who}: {detail} samples leave no training samples out of {n}")
    return [n_train, *counts]


def _allocate(class_counts: np.ndarray, totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-class sample counts for each split (K × S) with exact row and column sums.

    Cell ``(k, s)`` gets ``floor`` or ``ceil`` of ``class_counts[k] * totals[s] / n``
    — each class's share of each split is within one sample of proportional —
    and column ``s`` sums to ``totals[s]``. The leftover samples after the floors
    form a 0/1 matrix with given margins; Ryser's greedy (rows in decreasing
    order, each into the columns with most room left) finds one whenever one
    exists, and one does here because the fractional parts are such a matrix.
    """
    n = int(class_counts.sum())
    scaled = class_counts[:, None].astype(np.int64) * totals[None, :].astype(np.int64)
    floors, remainders = np.divmod(scaled, n)
    row_left = class_counts - floors.sum(axis=1)
    col_left = totals - floors.sum(axis=0)
    extra = np.zeros_like(floors)
    tie = rng.permutation(len(class_counts))  # random order among classes with equal leftovers
    for k in np.lexsort((tie, -row_left)):
        if row_left[k] == 0:
            continue
        # most room first, then the cell whose proportional share was rounded down most, then at random
        order = np.lexsort((rng.random(len(totals)), -remainders[k], -col_left))
        chosen = order[: row_left[k]]
        if np.any(col_left[chosen] <= 0):  # cannot happen (see docstring); fail loudly rather than mis-split
            raise RuntimeError("stratified split: internal allocation error")
        extra[k, chosen] = 1
        col_left[chosen] -= 1
    return floors + extra


def split_indices(
    y_or_n: Any,
    sizes: Sequence[float | int],
    *,
    stratify: bool = True,
    shuffle: bool = True,
    seed: Seed = None,
    names: Sequence[str] | None = None,
) -> tuple[np.ndarray, ...]:
    """Index arrays ``(train_idx, *other_idx)`` that partition ``range(n)``.

    ``y_or_n``: the labels (1-D, for stratification) or just the number of
    samples. ``sizes``: the size of each split after the training one, as a
    fraction in [0, 1) (rounded up) or a count; training takes the rest.
    With ``stratify`` every class is split in the same proportions as the
    whole (each class's count in each split within one sample of
    proportional); each split's indices come in random order. ``seed``: an
    int or ``numpy.random.Generator`` makes the split reproducible; ``None``
    uses the generator ``mg.manual_seed`` seeds.
    """
    who = "split_indices"
    names = list(names) if names is not None else [f"sizes[{i}]" for i in range(len(sizes))]
    if len(names) != len(sizes):
        raise ValueError(f"{who}: got {len(sizes)} sizes but {len(names)} names")
    if isinstance(y_or_n, (int, np.integer)) and not isinstance(y_or_n, bool):
        if stratify:
            raise ValueError(f"{who}: stratify=True needs the labels, not just the number of samples")
        n, labels = int(y_or_n), None
    else:
        labels = as_array_like(y_or_n)
        if labels.ndim != 1:
            raise ValueError(f"{who}: labels must be 1-D (one class per sample), got shape {labels.shape}")
        n = labels.shape[0]
    totals = np.asarray(_check_sizes(n, sizes, names, who), dtype=np.int64)
    rng = _rng(seed, who)
    if not stratify:
        if not shuffle:
            order = np.arange(n)
        else:
            order = rng.permutation(n)
        return tuple(np.split(order, np.cumsum(totals)[:-1]))
    if not shuffle:
        raise ValueError(f"{who}: a stratified split is always shuffled; pass stratify=False for shuffle=False")
    assert labels is not None  # an int y_or_n with stratify was refused above
    _, class_of, class_counts = np.unique(labels, return_inverse=True, return_counts=True)
    class_of = class_of.reshape(-1)
    per_class = _allocate(class_counts, totals, rng)
    parts: list[list[np.ndarray]] = [[] for _ in totals]
    by_class = np.argsort(class_of, kind="stable")
    starts = np.concatenate([[0], np.cumsum(class_counts)])
    for k in range(len(class_counts)):
        members = rng.permutation(by_class[starts[k] : starts[k + 1]])
        for s, chunk in enumerate(np.split(members, np.cumsum(per_class[k])[:-1])):
            parts[s].append(chunk)
    return tuple(rng.permutation(np.concatenate(p)) for p in parts)


def train_test_split(
    X: Any,
    y: Any,
    test_size: float | int = 0.2,
    *,
    stratify: bool = True,
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(X, y)`` into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size``: a fraction (rounded up: 0.2 of 1797 is 360) or a count.
    Stratified by ``y`` by default; reproducible with an int ``seed``
    (e.g. five 80/20 splits with ``seed=0..4``). Returns NumPy arrays.
    """
    X_arr, y_arr = _pair(X, y, "train_test_split")
    train, test = split_indices(
        y_arr if stratify else len(y_arr),
        [test_size],
        stratify=stratify,
        shuffle=shuffle,
        seed=seed,
        names=["test_size"],
    )
    return X_arr[train], X_arr[test], y_arr[train], y_arr[test]


def train_val_test_split(
    X: Any,
    y: Any,
    val_size: float | int = 0.1,
    test_size: float | int = 0.2,
    *,
    stratify: bool = True,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(X, y)`` three ways: ``X_train, X_val, X_test, y_train, y_val, y_test``.

    ``val_size`` and ``test_size`` are fractions of the whole data (rounded
    up) or counts; training gets the rest. Stratified by ``y`` by default,
    reproducible with an int ``seed``. Returns NumPy arrays.
    """
    X_arr, y_arr = _pair(X, y, "train_val_test_split")
    train, val, test = split_indices(
        y_arr if stratify else len(y_arr),
        [val_size, test_size],
        stratify=stratify,
        seed=seed,
        names=["val_size", "test_size"],
    )
    return X_arr[train], X_arr[val], X_arr[test], y_arr[train], y_arr[val], y_arr[test]


def stratified_split(
    X: Any, y: Any, test_size: float | int = 0.2, *, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``train_test_split(X, y, test_size, stratify=True, seed=seed)``."""
    return train_test_split(X, y, test_size, stratify=True, seed=seed)


def _pair(X: Any, y: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    X_arr, y_arr = as_array_like(X), as_array_like(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(f"{who}: X and y need a first (sample) dimension, got shapes {X_arr.shape}, {y_arr.shape}")
    if X_arr.shape[0] != y_arr.shape[0]:
        raise ValueError(
            f"{who}: X and y must have the same number of samples, got shapes {X_arr.shape} and {y_arr.shape}"
        )
    return X_arr, y_arr
