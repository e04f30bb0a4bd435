"""Data for training: datasets, mini-batch loading, splits, standardisation, bundled digits, MNIST IDX files.

```python
from minigrad.data import load_digits, train_test_split, standardize, TensorDataset, DataLoader

X, y = load_digits()                                   # 1797 × 64 float32, int64 labels 0..9
X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=0)  # stratified 80/20
X_tr, X_te = standardize(X_tr, X_te)                   # training statistics only
for xb, yb in DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True):
    ...
```
"""

from __future__ import annotations

from .dataset import Dataset, TensorDataset, collate
from .digits import load_digits
from .idx import IdxFormatError, load_mnist, read_idx, write_idx
from .loader import DataLoader
from .preprocessing import Standardizer, standardize
from .split import split_indices, stratified_split, train_test_split, train_val_test_split
from .transforms import GaussianNoise

__all__ = [
    "DataLoader",
    "Dataset",
    "GaussianNoise",
    "IdxFormatError",
    "Standardizer",
    "TensorDataset",
    "collate",
    "load_digits",
    "load_mnist",
    "read_idx",
    "split_indices",
    "standardize",
    "stratified_split",
    "train_test_split",
    "train_val_test_split",
    "write_idx",
]
