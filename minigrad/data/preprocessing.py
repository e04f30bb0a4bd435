"""Standardising inputs with statistics of the training split only."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._dtype import get_default_dtype

from ._convert import as_array_like, is_tensor, to_tensor


class Standardizer:
    """Per-feature standardisation ``(x - mean) / std`` (as scikit-learn's ``StandardScaler``).

    ``fit(X_train)`` computes ``mean_`` and ``std_`` over the samples (axis 0,
    population std, ``ddof=0``) of the training split only; ``transform(X)``
    then applies those same statistics to any split — validation and test data
    are never looked at when fitting, so no information leaks from them.
    A feature that is constant in the training data (``std_ == 0``, such as
    the always-blank corner pixels of the digits) is divided by 1 instead
    (``scale_``), so it becomes (about) 0 rather than NaN.

    Float inputs keep their dtype; integer inputs give the default float
    dtype. Arrays give arrays, Tensors give (constant) Tensors.
    """

    mean_: np.ndarray
    std_: np.ndarray
    scale_: np.ndarray

    def __init__(self) -> None:
        self.n_samples_seen_: int | None = None

    def fit(self, X_train: Any) -> Standardizer:
        """Learn the per-feature mean and std of ``X_train``; returns ``self``."""
        X = as_array_like(X_train)
        if X.ndim == 0 or X.shape[0] == 0:
            raise ValueError(f"Standardizer.fit: need at least one sample, got shape {X.shape}")
        X64 = X.astype(np.float64, copy=False)
        self.mean_ = X64.mean(axis=0)
        self.std_ = X64.std(axis=0)
        # A feature with a single value has std 0 in exact arithmetic, but the computed one can be
        # rounding noise (3 × 0.2 gives ~3e-17), which would blow it up to ±1: test the range instead.
        constant = (np.ptp(X64, axis=0) == 0) | (self.std_ == 0)
        self.scale_ = np.where(constant, 1.0, self.std_)
        self.n_samples_seen_ = X.shape[0]
        return self

    def _check_fitted(self, who: str, X: np.ndarray) -> None:
        if self.n_samples_seen_ is None:
            raise RuntimeError(f"Standardizer.{who}: not fitted yet; call fit(X_train) first")
        if X.ndim == 0 or X.shape[1:] != self.mean_.shape:
            raise ValueError(
                f"Standardizer.{who}: fitted on samples of shape {self.mean_.shape}, got data of shape {X.shape}"
            )

    def transform(self, X: Any) -> Any:
        """``(X - mean_) / scale_`` with the training statistics."""
        data = as_array_like(X)
        self._check_fitted("transform", data)
        out = ((data - self.mean_) / self.scale_).astype(_float_dtype(data), copy=False)
        return to_tensor(out) if is_tensor(X) else out

    def fit_transform(self, X_train: Any) -> Any:
        """``fit(X_train)`` then ``transform(X_train)``."""
        return self.fit(X_train).transform(X_train)

    def inverse_transform(self, X: Any) -> Any:
        """Undo :meth:`transform`: ``X * scale_ + mean_``."""
        data = as_array_like(X)
        self._check_fitted("inverse_transform", data)
        out = (data * self.scale_ + self.mean_).astype(_float_dtype(data), copy=False)
        return to_tensor(out) if is_tensor(X) else out

    def __repr__(self) -> str:
        if self.n_samples_seen_ is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(fitted on {self.n_samples_seen_} samples of shape {self.mean_.shape})"


def _float_dtype(data: np.ndarray) -> np.dtype:
    return data.dtype if np.issubdtype(data.dtype, np.floating) else get_default_dtype()


def standardize(X_train: Any, *others: Any, return_standardizer: bool = False) -> tuple[Any, ...]:
    """Standardise ``X_train`` and every array in ``others`` with ``X_train``'s statistics.

    ``X_tr, X_val, X_te = standardize(X_train, X_val, X_test)``; always a tuple
    (``(X_tr,)`` for one argument). With ``return_standardizer=True`` the
    fitted :class:`Standardizer` is appended, to apply to new data later.
    """
    scaler = Standardizer().fit(X_train)
    out = (scaler.transform(X_train), *(scaler.transform(X) for X in others))
    return (*out, scaler) if return_standardizer else out
