"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

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
)

if TYPE_CHECKING:
    from .optimizer import ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``).

    Each step, for every parameter ``θ`` whose gradient ``g`` is not ``None``
    (learning rate ``η``, momentum ``μ``, dampening ``τ``, weight decay ``λ``)::

        g ← g + λ·θ                                  (weight decay: the gradient of ½λ‖θ‖²)
        b ← g                    on the first step,  b ← μ·b + (1 − τ)·g  after it   (if μ ≠ 0)
        g ← g + μ·b  (nesterov)        or            g ← b                          (if μ ≠ 0)
        θ ← θ − η·g

    ``b`` (the exponentially weighted average of past gradients) lives in
    ``state[p]["momentum_buffer"]``. ``maximize=True`` ascends (uses ``−g``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_hyperparameter(lr, "Invalid learning rate")
        _check_hyperparameter(momentum, "Invalid momentum value")
        _check_hyperparameter(weight_decay, "Invalid weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            **_implementation_flags("SGD", {"foreach": foreach, "differentiable": differentiable, "fused": fused}),
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None if closure is None else _call_closure(closure)
        self._check_writeable()  # before any state changes: a failed step changes nothing
        for group in self.param_groups:
            # Python floats keep float32 arrays float32 (a NumPy float64 scalar would upcast)
            lr, mu, tau, wd = (
                float(group["lr"]),
                float(group["momentum"]),
                float(group["dampening"]),
                float(group["weight_decay"]),
            )
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                theta, g = p._writable(), p._grad._data  # the write counted: a graph that saved p refuses backward
                if maximize:
                    g = -g
                if wd != 0:
                    g = g + wd * theta  # a new array: p.grad is left as backward() made it
                if mu != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = _new_state(np.array(g, copy=True))
                        b = buf._data
                    else:
                        b = buf._data
                        b *= mu
                        b += g if tau == 0 else (1 - tau) * g
                    g = g + mu * b if nesterov else b
                theta -= lr * g
        return loss
