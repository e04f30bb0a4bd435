"""RMSProp: divide the step by a running root-mean-square of the gradients."""

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
    from .optimizer import ParamsT

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSProp (Hinton's lecture 6e; ``torch.optim.RMSprop``).

    Each step, for every parameter ``θ`` whose gradient ``g`` is not ``None``
    (learning rate ``η``, smoothing ``β`` = ``alpha``, weight decay ``λ``,
    momentum ``μ``)::

        g ← g + λ·θ                          (weight decay)
        v ← β·v + (1 − β)·g²                 (running mean of squared gradients)
        ḡ ← β·ḡ + (1 − β)·g,  s = √(v − ḡ²)  (centered: divide by a variance estimate)
        s = √v                               (not centered)
        b ← μ·b + g/(s + ε),  θ ← θ − η·b    (μ > 0)
        θ ← θ − η·g/(s + ε)                  (μ = 0)

    ``v``, ``ḡ`` and ``b`` live in ``state[p]`` as ``"square_avg"``,
    ``"grad_avg"`` and ``"momentum_buffer"``; ``"step"`` counts the updates.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_hyperparameter(lr, "Invalid learning rate")
        _check_hyperparameter(eps, "Invalid epsilon value")
        _check_hyperparameter(momentum, "Invalid momentum value")
        _check_hyperparameter(weight_decay, "Invalid weight_decay value")
        _check_hyperparameter(alpha, "Invalid alpha value")
        flags = _implementation_flags("RMSprop", {"capturable": capturable, "foreach": foreach})
        defaults = {  # in PyTorch's order, so that state_dict() prints the same
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            **flags,
            "maximize": maximize,
            **_implementation_flags("RMSprop", {"differentiable": differentiable}),
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = _call_closure(closure)
        self._check_writeable()  # before any state changes: a failed step changes nothing
        for group in self.param_groups:
            lr, beta, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
            wd, mu = float(group["weight_decay"]), float(group["momentum"])
            centered, maximize = group["centered"], group["maximize"]
            for p, theta, g in _with_grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["square_avg"] = _new_state(np.zeros_like(theta))
                    if mu > 0:
                        state["momentum_buffer"] = _new_state(np.zeros_like(theta))
                    if centered:
                        state["grad_avg"] = _new_state(np.zeros_like(theta))
                state["step"] += 1
                if maximize:
                    g = -g
                if wd != 0:
                    g = g + wd * theta

                v = state["square_avg"]._data
                v *= beta
                v += (1 - beta) * (g * g)
                if centered:
                    g_avg = state["grad_avg"]._data
                    g_avg += (1 - beta) * (g - g_avg)  # = β·ḡ + (1 − β)·g, in torch's lerp form
                    s = v - g_avg * g_avg
                    np.sqrt(s, out=s)
                else:
                    s = np.sqrt(v)
                s += eps

                if mu > 0:
                    b = state["momentum_buffer"]._data
                    b *= mu
                    b += np.divide(g, s, out=s)
                    theta -= lr * b
                else:
                    update = np.divide(g, s, out=s)
                    update *= lr
                    theta -= update
        return loss
