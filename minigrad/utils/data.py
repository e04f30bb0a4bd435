"""``mg.utils.data``, as ``torch.utils.data``: ``from torch.utils.data import DataLoader, TensorDataset``
works with the import swapped. The datasets and the loader are :mod:`minigrad.data`'s; ``Subset`` and
``random_split`` are PyTorch's (a random permutation from ``generator``, then consecutive pieces)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._random import resolve_generator
from minigrad.data import DataLoader, Dataset, TensorDataset
from minigrad.data.dataset import collate

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]

default_collate = collate


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``torch.utils.data.Subset``)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def get_batch(self, indices: np.ndarray) -> Any:
        inner = np.asarray(self.indices, dtype=np.int64)[np.asarray(indices, dtype=np.int64)]
        get_batch = getattr(self.dataset, "get_batch", None)
        if get_batch is not None:
            return get_batch(inner)
        return collate([self.dataset[int(i)] for i in inner])

    def __repr__(self) -> str:
        return f"Subset({type(self.dataset).__name__}, {len(self)} of {len(self.dataset)})"


def _lengths(lengths: Sequence[float | int], n: int) -> list[int]:
    """Integer lengths; fractions summing to 1 become floor(n·f) with the rest dealt out one each, as PyTorch."""
    lengths = list(lengths)
    if (
        lengths
        and all(isinstance(x, numbers.Real) and not isinstance(x, numbers.Integral) for x in lengths)
        and math.isclose(sum(lengths), 1.0)
        and sum(lengths) <= 1 + 1e-9
    ):
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    if any(not isinstance(x, numbers.Integral) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    return [int(x) for x in lengths]


def random_split(dataset: Any, lengths: Sequence[float | int], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths`` (ints summing to
    ``len(dataset)``, or fractions summing to 1); ``generator`` (``mg.Generator``) makes it reproducible."""
    counts = _lengths(lengths, len(dataset))
    order = resolve_generator(generator).permutation(sum(counts)).tolist()
    pieces, start = [], 0
    for k in counts:
        pieces.append(Subset(dataset, order[start : start + k]))
        start += k
    return pieces
