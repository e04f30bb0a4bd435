"""``DataLoader``: mini-batches of a dataset, reshuffled every epoch."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from minigrad._random import resolve_generator

from ._convert import as_array_like, is_tensor, to_tensor
from .dataset import Dataset, collate


class DataLoader:
    """Iterate over ``dataset`` in mini-batches of ``batch_size`` samples (``torch.utils.data.DataLoader``).

    Each batch is what a sample is, stacked and turned into minigrad Tensors: a
    tuple ``(X_batch, y_batch)`` for a :class:`TensorDataset` of two tensors, a
    single Tensor for samples that are single arrays, a dict for dict samples.
    Dtypes are kept (``int64`` labels stay ``int64``).

    - ``shuffle``: draw a new permutation of the samples at the start of every
      epoch (every ``iter(loader)``) from ``generator`` — a
      ``numpy.random.Generator``; by default the one ``mg.manual_seed`` seeds,
      looked up when the epoch starts.
    - ``drop_last``: drop the last batch when it has fewer than ``batch_size``
      samples (kept by default).
    - ``transform``: a callable applied to the inputs of each batch (the first
      field of a tuple/list sample, or the whole batch for single-array
      samples; dict batches are left alone) as a NumPy array, before it
      becomes a Tensor — e.g. :class:`GaussianNoise` for input jitter in
      training. Other fields (the targets) are untouched.

    - ``collate_fn``: as PyTorch's, a callable that makes the batch from the
      list of samples; the loader returns what it returns, untouched
      (``transform`` does not apply). ``torch.utils.data.default_collate`` is
      PyTorch's default, for collate functions that build on it.
    - ``num_workers``, ``pin_memory``: accepted for PyTorch code and ignored:
      batches are loaded in the calling process, into CPU memory.

    ``len(loader)`` is the number of batches per epoch:
    ``ceil(n / batch_size)``, or ``floor`` with ``drop_last``.
    """

    def __init__(
        self,
        dataset: Dataset | Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        transform: Callable[[np.ndarray], Any] | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must define __len__ and __getitem__, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(
                f"DataLoader: batch_size must be a positive int, got {batch_size!r} ({type(batch_size).__name__})"
            )
        if batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        for flag_name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"DataLoader: {flag_name} must be a bool, got {type(flag).__name__}")
        if generator is not None:
            resolve_generator(generator)  # raises TypeError for anything but a Generator
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {type(transform).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative int, got {num_workers!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.transform = transform
        self.collate_fn = collate_fn
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            return resolve_generator(self.generator).permutation(n)
        return np.arange(n)

    def batch_indices(self) -> Iterator[np.ndarray]:
        """The index array of each batch for one epoch (draws the epoch's permutation)."""
        order = self._order()
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size]

    def _fetch(self, indices: np.ndarray) -> Any:
        get_batch = getattr(self.dataset, "get_batch", None)
        if get_batch is not None:
            return get_batch(indices)
        return collate([self.dataset[int(i)] for i in indices])

    def _finish(self, batch: Any) -> Any:
        if isinstance(batch, Mapping):
            return {key: _wrap(v) for key, v in batch.items()}
        if isinstance(batch, list):  # strings, kept as a list (collate makes tuples of fields)
            return batch
        if isinstance(batch, tuple):
            fields: list[Any] = [v if isinstance(v, list) else as_array_like(v) for v in batch]
            if self.transform is not None and fields:
                fields[0] = self.transform(fields[0])
            return tuple(_wrap(v) for v in fields)
        if self.transform is not None:
            batch = self.transform(as_array_like(batch))
        return _wrap(batch)

    def __iter__(self) -> Iterator[Any]:
        for indices in self.batch_indices():
            if self.collate_fn is not None:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])
            else:
                yield self._finish(self._fetch(indices))

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def _wrap(value: Any) -> Any:
    """Arrays become Tensors; a transform may already have returned a Tensor; strings stay a list."""
    if is_tensor(value) or isinstance(value, list):
        return value
    return to_tensor(as_array_like(value))
