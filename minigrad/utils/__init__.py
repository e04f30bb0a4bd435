"""``mg.utils``: as ``torch.utils``, the data-loading tools live in :mod:`minigrad.utils.data`."""

from __future__ import annotations

from minigrad.utils import data

__all__ = ["data"]
