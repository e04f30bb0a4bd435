"""Weight penalties (L1, L2, elastic net) and ``RegularizedLoss``.

Given a Module, a penalty covers its *weight matrices* only -- the parameters with
two or more dims outside normalisation layers (``Linear.weight``) -- never biases
nor BatchNorm/LayerNorm's γ and β, as in the course: ``J + (λ/2m)·Σ_l ‖W[l]‖²``.
Given a list (or any iterable) of tensors, it covers every tensor in it.

The penalties are recorded Tensor ops, so ``loss + λ·l2_penalty(model)`` adds
``λ·W`` to each weight's gradient ("weight decay").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigrad.nn.module import Module
from minigrad.nn.normalization import BatchNorm1d, LayerNorm
from minigrad.tensor import Tensor

ParamsOrModule = Module | Tensor | Iterable[Tensor]

#: modules whose parameters are never penalised
NORMALIZATION_LAYERS: tuple[type[Module], ...] = (BatchNorm1d, LayerNorm)


def weight_matrices(module: Module) -> list[Tensor]:
    """The parameters a penalty covers in ``module``: those with ≥ 2 dims outside normalisation layers."""
    seen: set[int] = set()
    weights: list[Tensor] = []
    for sub in module.modules():
        if isinstance(sub, NORMALIZATION_LAYERS):
            continue
        for param in sub.parameters(recurse=False):
            if param.ndim >= 2 and id(param) not in seen:
                seen.add(id(param))
                weights.append(param)
    return weights


def _tensors(params_or_module: ParamsOrModule) -> list[Tensor]:
    if isinstance(params_or_module, Module):
        return weight_matrices(params_or_module)
    if isinstance(params_or_module, Tensor):
        return [params_or_module]
    tensors = list(params_or_module)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"penalty: expected a Module, a Tensor or an iterable of Tensors, got a {type(t).__name__}")
    return tensors


def _total(terms: list[Tensor]) -> Tensor:
    if not terms:
        return Tensor(0.0)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l1_penalty(params_or_module: ParamsOrModule) -> Tensor:
    """L1 = Σ_W Σ|W| (its gradient sign(W) drives small weights to exactly 0: sparsity)."""
    return _total([w.abs().sum() for w in _tensors(params_or_module)])


def l2_penalty(params_or_module: ParamsOrModule) -> Tensor:
    """L2 = ½·Σ_W ‖W‖² (squared Frobenius norms); its gradient is W itself."""
    return _total([(w * w).sum() for w in _tensors(params_or_module)]) * 0.5


def elastic_net_penalty(params_or_module: ParamsOrModule, l1_ratio: float = 0.5) -> Tensor:
    """Elastic net = r·L1 + (1 − r)·L2 with ``r = l1_ratio`` in [0, 1] (L2 = ½·Σ‖W‖²)."""
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"elastic_net_penalty: l1_ratio must be in [0, 1], got {l1_ratio}")
    tensors = _tensors(params_or_module)
    return l1_penalty(tensors) * l1_ratio + l2_penalty(tensors) * (1.0 - l1_ratio)


class RegularizedLoss(Module):
    """``loss_fn(*args) + l1·L1(model) + l2·L2(model)``, L1 = Σ|W|, L2 = ½·Σ‖W‖² over the model's weight matrices.

    With ``l2 = λ/m`` this is the course's ``J + (λ/2m)·Σ‖W‖²``. The model is only
    read, not registered as a child (its parameters stay out of this module's
    ``parameters()`` and ``state_dict``).
    """

    model: Module  # read, not registered (set with object.__setattr__)

    def __init__(self, loss_fn: Any, model: Module, l1: float = 0.0, l2: float = 0.0) -> None:
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"RegularizedLoss: model must be an nn.Module, got {type(model).__name__}")
        if l1 < 0 or l2 < 0:
            raise ValueError(f"RegularizedLoss: penalty strengths must be ≥ 0, got l1={l1}, l2={l2}")
        self.loss_fn = loss_fn
        object.__setattr__(self, "model", model)  # not a child: see the docstring
        self.l1 = float(l1)
        self.l2 = float(l2)

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:
        loss = self.loss_fn(*args, **kwargs)
        if self.l1:
            loss = loss + l1_penalty(self.model) * self.l1
        if self.l2:
            loss = loss + l2_penalty(self.model) * self.l2
        return loss

    def extra_repr(self) -> str:
        return f"l1={self.l1}, l2={self.l2}"
