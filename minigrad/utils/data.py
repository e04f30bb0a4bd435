"""``mg.utils.data``, as ``torch.utils.data``: ``from torch.utils.data import DataLoader, TensorDataset``
works with the import swapped. The datasets and the loader are :mod:`minigrad.data`'s; ``Subset`` and
``random_split`` are PyTorch's (a random permutation from ``generator``, then consecutive pieces)."""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minigrad._random import resolve_generator
from minigrad.data import DataLoader, Dataset, TensorDataset
from minigrad.data.dataset import collate

__all__ = ["ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]


def default_collate(batch: Sequence[Any]) -> Any:
    """PyTorch's ``default_collate``: a list of samples as one batch, field by field. Tensors, NumPy arrays
    and numbers are stacked into a Tensor (Python ints give int64, floats float64, bools bool); strings stay
    a list; dicts give a dict, named tuples the same named tuple, other sequences a list of batched fields."""
    import minigrad as mg

    if len(batch) == 0:
        raise ValueError("default_collate: cannot collate an empty batch")
    elem = batch[0]
    if isinstance(elem, mg.Tensor):
        return mg.stack(list(batch))
    if isinstance(elem, (np.ndarray, np.generic)):
        return mg.from_numpy(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, numbers.Number):
        return mg.tensor(list(batch), dtype=mg.float64 if isinstance(elem, float) else None)
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch, strict=True)]
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {type(elem)}"
    )


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


class ConcatDataset(Dataset):
    """The samples of ``datasets`` one after another (``torch.utils.data.ConcatDataset``)."""

    def __init__(self, datasets: Any) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self[i] for i in index]
        index = int(index)
        if index < 0:
            if -index > len(self):
                raise ValueError(f"ConcatDataset: index {index} out of range for length {len(self)}")
            index += len(self)
        if index >= len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def __repr__(self) -> str:
        return f"ConcatDataset({len(self.datasets)} datasets, {len(self)} samples)"


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
