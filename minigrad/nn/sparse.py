"""``Embedding``: a trainable lookup table, one row of features per token id (``torch.nn.Embedding``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._device import check_device
from minigrad._dtype import get_default_dtype
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``: ``emb(ids)`` is ``weight[ids]``.

    ``weight`` has shape ``(num_embeddings, embedding_dim)`` and starts as ``N(0, 1)`` (PyTorch's
    init); an input of integer ids of shape ``(*)`` gives ``(*, embedding_dim)``. Looking up a row
    is multiplying its one-hot vector by ``weight``, so in backward each row's gradient is the sum
    of the gradients of the places that looked it up. The row ``padding_idx`` starts at zero and
    gets no gradient (it stays as it is while training). ``max_norm``, ``norm_type`` and
    ``scale_grad_by_freq`` as in ``F.embedding``; ``sparse=True`` is not supported.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        generator: Any = None,
    ) -> None:
        super().__init__()
        check_device(device)
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse=True is not supported in minigrad (no sparse gradients); "
                "use the default sparse=False"
            )
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise AssertionError(
                    f"Padding_idx must be within num_embeddings (got {padding_idx} for {self.num_embeddings} rows)"
                )
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
            self.weight = Parameter(Tensor._make(np.empty(shape, dtype=dtype)), requires_grad=not _freeze)
            self.reset_parameters(generator)
        else:
            if tuple(_weight.shape) != shape:
                raise AssertionError(
                    f"Shape of weight does not match num_embeddings and embedding_dim "
                    f"(got {tuple(_weight.shape)}, expected {shape})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self, generator: Any = None) -> None:
        """Draw the weight from N(0, 1) again (and zero the padding row)."""
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight._writable()[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(
            input, self.weight, self.padding_idx, self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D; shared, not copied), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embeddings parameter is expected to be 2-dimensional, got shape {tuple(embeddings.shape)}"
            )
        rows, cols = embeddings.shape
        return cls(
            rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings, _freeze=freeze
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s
