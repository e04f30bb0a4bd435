"""Datasets: indexable collections of samples (as ``torch.utils.data``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._convert import as_array, as_array_like, to_tensor

if TYPE_CHECKING:
    from minigrad import Tensor


class Dataset:
    """Abstract map-style dataset: subclasses define ``__len__`` and ``__getitem__(i)``.

    ``__getitem__`` returns one sample: a tuple ``(x, y, ...)`` of arrays, Tensors
    or numbers (or a single one of them, or a dict of them). ``DataLoader`` asks
    for whole batches through :meth:`get_batch`; override it when a batch can be
    fetched faster than sample by sample, as :class:`TensorDataset` does.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def get_batch(self, indices: np.ndarray) -> Any:
        """The samples at ``indices`` collated into arrays (see :func:`collate`)."""
        return collate([self[int(i)] for i in indices])


def collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples field by field into NumPy arrays.

    A sample that is a tuple/list gives a tuple of stacked arrays; a dict gives
    a dict; anything else (an array, a Tensor, a number) gives one array.
    Python ints become ``int64``, Python floats ``float64``, as PyTorch's
    ``default_collate`` does; arrays and Tensors keep their dtype. Strings stay
    a list of strings, as in PyTorch.
    """
    if len(samples) == 0:
        raise ValueError("collate: cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, Mapping):
        return {key: collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        width = len(first)
        if any(len(s) != width for s in samples):
            raise ValueError("collate: samples have different numbers of fields")
        return tuple(collate([s[k] for s in samples]) for k in range(width))
    if isinstance(first, (str, bytes)):
        return list(samples)
    return np.stack([as_array_like(s) for s in samples])


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: ``dataset[i] == (t[i] for t in tensors)``.

    Accepts minigrad Tensors or NumPy arrays, all with the same first dimension;
    the data is held as arrays without copying and keeps its dtype (float
    features stay float, integer labels stay integer). ``DataLoader`` fetches a
    batch with one fancy index per tensor.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        arrays = tuple(as_array(t, who="TensorDataset", name=f"argument {k}") for k, t in enumerate(tensors))
        for k, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {k} is 0-dimensional; every tensor needs a first (sample) dimension"
                )
        sizes = tuple(a.shape[0] for a in arrays)
        if len(set(sizes)) != 1:
            shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
            raise ValueError(
                f"TensorDataset: all tensors must have the same size in the first dimension, "
                f"got sizes {sizes} (shapes {shapes})"
            )
        self.arrays: tuple[np.ndarray, ...] = arrays

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The data as minigrad Tensors."""
        return tuple(to_tensor(a) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(to_tensor(np.asarray(a[index])) for a in self.arrays)

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """One fancy index per tensor: ``tuple(a[indices] for a in arrays)`` (copies)."""
        return tuple(a[indices] for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{tuple(a.shape)} {a.dtype}" for a in self.arrays)
        return f"TensorDataset({shapes})"
