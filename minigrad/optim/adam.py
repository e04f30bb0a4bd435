"""Adam (with optional AMSGrad and L2 weight decay) and AdamW (decoupled weight decay)."""

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

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: momentum and RMSProp with bias correction (``torch.optim.Adam``).

    Each step ``t = 1, 2, ...``, for every parameter ``θ`` whose gradient ``g`` is
    not ``None`` (learning rate ``η``, ``betas = (β₁, β₂)``, weight decay ``λ``)::

        g ← g + λ·θ                        (L2 weight decay; AdamW decays θ instead, see below)
        m ← β₁·m + (1 − β₁)·g              (first moment: momentum)
        v ← β₂·v + (1 − β₂)·g²             (second moment: RMSProp)
        m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)   (bias correction: m and v start at 0)
        v̂ ← max(v̂_max, v̂)                 (amsgrad only: the largest v seen so far)
        θ ← θ − η·m̂ / (√v̂ + ε)

    ``m``, ``v``, ``max v`` and ``t`` live in ``state[p]`` as ``"exp_avg"``,
    ``"exp_avg_sq"``, ``"max_exp_avg_sq"`` and ``"step"``. With
    ``decoupled_weight_decay=True`` (what :class:`AdamW` is) the decay is
    ``θ ← (1 − ηλ)·θ`` before the update instead of being added to ``g``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_hyperparameter(lr, "Invalid learning rate")
        _check_hyperparameter(eps, "Invalid epsilon value")
        _check_hyperparameter(betas[0], "Invalid beta parameter at index 0", upper=1.0)
        _check_hyperparameter(betas[1], "Invalid beta parameter at index 1", upper=1.0)
        _check_hyperparameter(weight_decay, "Invalid weight_decay value")
        defaults = {
            "lr": lr,
            "betas": (float(betas[0]), float(betas[1])),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            **_implementation_flags(
                type(self).__name__,
                {"foreach": foreach, "capturable": capturable, "differentiable": differentiable, "fused": fused},
            ),
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = _call_closure(closure)
        self._check_writeable()  # before any state changes: a failed step changes nothing
        for group in self.param_groups:
            lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
            beta1, beta2 = (float(b) for b in group["betas"])
            amsgrad, maximize = group["amsgrad"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p, theta, g in _with_grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = _new_state(np.zeros_like(theta))
                    state["exp_avg_sq"] = _new_state(np.zeros_like(theta))
                    if amsgrad:
                        state["max_exp_avg_sq"] = _new_state(np.zeros_like(theta))
                t = state["step"] = state["step"] + 1
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                if maximize:
                    g = -g
                if wd != 0:
                    if decoupled:
                        theta *= 1 - lr * wd
                    else:
                        g = g + wd * theta

                m += (1 - beta1) * (g - m)  # = β₁·m + (1 − β₁)·g, in torch's lerp form
                v *= beta2
                v += (1 - beta2) * (g * g)

                # θ − η·m̂/(√v̂ + ε) written as θ − (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε), as torch does
                step_size = lr / (1 - beta1**t)
                bias_correction2_sqrt = (1 - beta2**t) ** 0.5
                if amsgrad:
                    v_max = state["max_exp_avg_sq"]._data
                    np.maximum(v_max, v, out=v_max)
                    denom = np.sqrt(v_max)
                else:
                    denom = np.sqrt(v)
                denom /= bias_correction2_sqrt
                denom += eps
                update = np.divide(m, denom, out=denom)
                update *= step_size
                theta -= update
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (``torch.optim.AdamW``, Loshchilov & Hutter).

    The same update as :class:`Adam` except the decay, which shrinks the
    weights directly instead of entering the moment estimates::

        θ ← (1 − η·λ)·θ
        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
        θ ← θ − η·m̂ / (√v̂ + ε)       with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)

    The default ``weight_decay`` is ``1e-2``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
