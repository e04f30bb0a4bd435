"""Adagrad: per-weight step sizes from the sum of all past squared gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .optimizer import (
    Optimizer,
    _call_closure,
    _check_hyperparameter,
    _implementation_flags,
    _new_state,
    _with_grads,
)

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

    from .optimizer import ParamsT

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011; ``torch.optim.Adagrad``).

    Each step ``t = 1, 2, ...``, for every parameter ``θ`` whose gradient ``g``
    is not ``None`` (learning rate ``η``, ``lr_decay`` ``δ``, weight decay ``λ``)::

        g ← g + λ·θ                        (weight decay)
        η_t = η / (1 + (t − 1)·δ)
        G ← G + g²                         (G starts at initial_accumulator_value)
        θ ← θ − η_t·g / (√G + ε)

    ``G`` lives in ``state[p]["sum"]``, ``t`` in ``state[p]["step"]``. As in
    torch, the state of every parameter is created with the optimizer.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_hyperparameter(lr, "Invalid learning rate")
        _check_hyperparameter(lr_decay, "Invalid lr_decay value")
        _check_hyperparameter(weight_decay, "Invalid weight_decay value")
        _check_hyperparameter(initial_accumulator_value, "Invalid initial_accumulator_value value")
        _check_hyperparameter(eps, "Invalid epsilon value")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            **_implementation_flags("Adagrad", {"differentiable": differentiable, "fused": fused}),
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        state["step"] = 0
        state["sum"] = _new_state(np.full_like(p._data, float(group["initial_accumulator_value"])))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = _call_closure(closure)
        self._check_writeable()  # before any state changes: a failed step changes nothing
        for group in self.param_groups:
            lr, lr_decay = float(group["lr"]), float(group["lr_decay"])
            eps, wd, maximize = float(group["eps"]), float(group["weight_decay"]), group["maximize"]
            for p, theta, g in _with_grads(group):
                state = self.state[p] or self._init_state(p, group)  # groups added later start here
                t = state["step"] = state["step"] + 1
                if maximize:
                    g = -g
                if wd != 0:
                    g = g + wd * theta

                lr_t = lr / (1 + (t - 1) * lr_decay)
                G = state["sum"]._data
                G += g * g
                std = np.sqrt(G)
                std += eps
                update = np.divide(g, std, out=std)
                update *= lr_t
                theta -= update
        return loss
