"""The UCI optical handwritten digits (8×8, 1797 samples), shipped with the package.

Source, licence (CC BY 4.0) and provenance: ``DIGITS_LICENSE.md`` beside this file.
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
N_SAMPLES, N_FEATURES, N_CLASSES = 1797, 64, 10


@functools.lru_cache(maxsize=1)
def _digits_table() -> np.ndarray:
    """The raw 1797 × 65 integer table (64 pixel counts, then the label); read once."""
    with resources.files(__package__).joinpath(DIGITS_FILE).open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape != (N_SAMPLES, N_FEATURES + 1):
        raise RuntimeError(
            f"load_digits: {DIGITS_FILE} has shape {table.shape}, expected {(N_SAMPLES, N_FEATURES + 1)}; "
            f"the packaged file is damaged"
        )
    table.flags.writeable = False
    return table


def load_digits(dtype: np.dtype | type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The optical digits data set: ``X`` of shape ``(1797, 64)``, ``y`` of shape ``(1797,)``.

    Each row of ``X`` is an 8×8 image, row by row, whose pixels count the ink
    in a 4×4 block of the original 32×32 bitmap: integers 0..16, returned as
    ``dtype`` (``float32`` by default; ``X.reshape(-1, 8, 8)`` gives images).
    ``y`` holds the digit 0..9 as ``int64``. This is the UCI test set (13
    writers), the same data as ``sklearn.datasets.load_digits``. Fresh arrays
    are returned on every call.
    """
    table = _digits_table()
    return table[:, :N_FEATURES].astype(dtype), table[:, N_FEATURES].copy()
