"""Loss modules: thin wrappers around the ``nn.functional`` losses (formulas there).

Each takes ``reduction='mean'|'sum'|'none'`` (keyword) and is called as
``loss_fn(input, target)``. Class and positive weights are buffers, as in PyTorch
(so they appear in the ``state_dict``).
"""

from __future__ import annotations

from typing import Any

from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.tensor import Tensor


def _buffer(value: Any) -> Tensor | None:
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error ℓᵢ = (xᵢ − yᵢ)², reduced by ``reduction``."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ℓᵢ = |xᵢ − yᵢ|."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities ℓᵢ = −wᵢ·[yᵢ·log xᵢ + (1 − yᵢ)·log(1 − xᵢ)] (logs clamped at −100)."""

    weight: Tensor | None  # a buffer

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, stable for any x: ℓ = max(x, 0) − x·y + log(1 + e^{−|x|}).

    ``pos_weight`` p (one per class, broadcast over the last dim) weighs the positive term:
    ℓ = −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))].
    """

    weight: Tensor | None  # buffers
    pos_weight: Tensor | None

    def __init__(self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits: ℓᵢ = −log softmax(xᵢ)[tᵢ] for class indices tᵢ, or
    −Σ_c p_ic·log softmax(xᵢ)_c for class probabilities p (a float target of the logits' shape).

    Optional class ``weight``, ``ignore_index`` and ``label_smoothing`` as in PyTorch.
    """

    weight: Tensor | None  # a buffer

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities: ℓᵢ = −w[tᵢ]·xᵢ[tᵢ] (use after ``LogSoftmax``)."""

    weight: Tensor | None  # a buffer

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1: ℓᵢ = ½(xᵢ − yᵢ)²/β where |xᵢ − yᵢ| < β, else |xᵢ − yᵢ| − ½β (robust to outliers)."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber: ℓᵢ = ½(xᵢ − yᵢ)² where |xᵢ − yᵢ| < δ, else δ·(|xᵢ − yᵢ| − ½δ)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(Module):
    """KL divergence of log-probabilities ``input`` from ``target``: ℓᵢ = yᵢ·(log yᵢ − xᵢ).

    ``reduction='batchmean'`` gives the KL divergence per sample (sum / batch size);
    ``log_target=True`` takes the target as log-probabilities too.
    """

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__()
        if reduction not in F.REDUCTIONS + ("batchmean",):
            raise ValueError(
                f"KLDivLoss: {reduction!r} is not a valid value for reduction; use 'mean', 'batchmean', 'sum' or 'none'"
            )
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
