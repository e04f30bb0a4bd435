"""The optimizer base class: parameter groups, per-parameter state, ``state_dict``.

Semantics follow ``torch.optim.Optimizer``. Updates never build graph nodes: a
subclass's ``step`` works on the parameters' arrays in place, so a
parameter keeps its array object and its dtype.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

import minigrad as mg

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

    ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a default that every param group must set itself (as ``torch.optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_SET_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in "
    "sets will change between runs (and state_dict() numbers parameters by position). "
    "Please use a list instead."
)


def _check_hyperparameter(value: float, message: str, upper: float | None = None) -> None:
    """``0 <= value`` (and ``value < upper``), else ``ValueError(f"{message}: {value}")``, torch's wording."""
    if not 0.0 <= value or (upper is not None and not value < upper):
        raise ValueError(f"{message}: {value}")


def _implementation_flags(optimizer: str, flags: dict[str, Any]) -> dict[str, Any]:
    """PyTorch's switches for *how* a step is computed (``foreach``, ``fused``, ``capturable``,
    ``differentiable``), kept in the param groups where PyTorch keeps them, so ``state_dict()`` prints
    the same. minigrad has one implementation, so they change nothing -- except ``differentiable=True``
    (autograd through the update itself), which minigrad does not support."""
    if flags.get("differentiable"):
        raise NotImplementedError(
            f"{optimizer}: differentiable=True (autograd through the optimizer step) is not supported by minigrad"
        )
    return flags


def _call_closure(closure: Callable[[], Any] | None) -> Any:
    """Re-evaluate the loss with grad mode on (``step(closure)`` as in torch); ``None`` without a closure."""
    if closure is None:
        return None
    with mg.enable_grad():
        return closure()


def _with_grads(group: dict[str, Any]) -> Iterator[tuple[Tensor, np.ndarray, np.ndarray]]:
    """``(p, θ, g)`` (the parameter, the array the step writes into, its gradient's array) for each
    parameter of ``group`` that has a gradient; parameters whose ``.grad`` is None are skipped. θ comes
    from ``p._writable()``: the write is counted, so a graph that saved p refuses backward, as torch."""
    for p in group["params"]:
        grad = p._grad
        if grad is not None:
            yield p, p._writable(), grad._data


def _new_state(array: np.ndarray) -> Tensor:
    """A state Tensor (no grad) wrapping the fresh ``array`` (no copy); steps update its array."""
    return mg.from_numpy(array)


def _as_array(value: Any) -> np.ndarray:
    return value._data if isinstance(value, mg.Tensor) else np.asarray(value)


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs (as
    ``named_parameters()`` yields) or of dicts, each a *param group* with its
    own options (``{"params": [...], "lr": 0.1}``); options a group does not set
    come from ``defaults``. ``param_groups`` is the live list of groups
    (``opt.param_groups[0]["lr"] = 0.01`` takes effect at the next step) and
    ``state`` maps each parameter to its buffers (momentum, moment estimates):
    Tensors in the parameter's dtype, plus a ``"step"`` count kept as a Python
    ``int`` (torch keeps a 0-d tensor there).
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, mg.Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                "but got a Tensor (wrap it in a list: [param])"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE)
        self.defaults: dict[str, Any] = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        groups: list[Any] = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. layers unfrozen while fine-tuning)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError("param_group must have a 'params' entry (the Tensors to optimize)")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, mg.Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE)
        params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            group["param_names"] = names
            params = [p[1] for p in params]
        group["params"] = params

        for i, p in enumerate(params):
            if not isinstance(p, mg.Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but params[{i}] is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (params[{i}] has grad_fn {p.grad_fn.name})")

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)

        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters", stacklevel=3)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if not existing.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        if self.param_groups and ("param_names" in group) != ("param_names" in self.param_groups[0]):
            raise ValueError("all optimizer param groups should be with/without names")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ steps
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` when one is given."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def _check_writeable(self) -> None:
        """Refuse the step before anything changes (state, other parameters) if a parameter to
        update is backed by a read-only array, which the in-place update would fail to write."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and not p._data.flags.writeable:
                    self._refuse_read_only(p)

    def _refuse_read_only(self, param: Tensor) -> None:
        where = next(
            f"parameter {j} of param group {i}"
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p is param
        )
        raise RuntimeError(
            f"{type(self).__name__}.step: {where} (shape {param.shape}, {param.dtype}) is backed by a read-only "
            "array (e.g. from np.load(mmap_mode='r') or np.broadcast_to), so it cannot be updated in place; "
            "nothing was changed. Give it a writeable copy first."
        )

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: ``p.grad = None`` (default) or, with ``set_to_none=False``, zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad  # the slot itself, not the property: this runs every training step
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if grad.requires_grad:  # a gradient made with create_graph: cut it from its graph first
                    grad = grad.detach()
                    p.grad = grad
                if grad._data.flags.writeable:
                    grad._writable().fill(0)
                else:
                    p.grad = mg.from_numpy(np.zeros_like(grad._data))

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer state in PyTorch's layout.

        ``{"state": {index: {name: value}}, "param_groups": [{option: value, ..., "params": [index, ...]}]}``
        where parameters are numbered in group order from 0. Arrays are copied
        into new Tensors, so later steps do not change a saved state dict.
        """
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {}
        for p, buffers in self.state.items():
            if id(p) in index and buffers:
                state[index[id(p)]] = {name: _export_value(v) for name, v in buffers.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``: buffers are copied and cast to each parameter's dtype.

        The groups must match this optimizer's in number and size (``ValueError``
        naming the mismatch otherwise); the saved options (``lr``, ...) replace the
        current ones. Nothing changes when loading fails.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            if isinstance(state_dict, dict):
                found = f"keys {sorted(map(str, state_dict))}"
            else:
                found = type(state_dict).__name__
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected a dict with keys 'state' and "
                f"'param_groups' (from state_dict()), got {found}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"but the optimizer has {len(self.param_groups)}"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict's parameter group {i} has {len(saved['params'])} parameters, "
                    f"but the optimizer's group {i} has {len(group['params'])}"
                )
        params_by_index = dict(
            zip(
                (int(k) for k in chain.from_iterable(g["params"] for g in saved_groups)),
                chain.from_iterable(g["params"] for g in self.param_groups),
                strict=True,
            )
        )

        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, buffers in state_dict["state"].items():
            k = int(key)  # indices may come back as strings from a serialised file
            if k not in params_by_index:
                raise ValueError(f"loaded state dict has state for parameter {k}, which is in none of its param_groups")
            p = params_by_index[k]
            state[p] = {name: _import_value(name, v, p, k) for name, v in buffers.items()}

        groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            groups.append(new_group)

        self.state = state
        self.param_groups = groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _export_value(value: Any) -> Any:
    """A copy of one state entry for ``state_dict()``: arrays/Tensors as new Tensors."""
    if isinstance(value, (mg.Tensor, np.ndarray)):
        return mg.from_numpy(np.array(_as_array(value), copy=True))
    return copy.deepcopy(value)


def _import_value(name: str, value: Any, param: Tensor, index: int) -> Any:
    """One loaded state entry: ``step`` as an int, arrays as Tensors in the parameter's dtype and shape."""
    if name == "step":
        return int(_as_array(value).item())
    if isinstance(value, (mg.Tensor, np.ndarray)):
        array = _as_array(value)
        if array.shape != param._data.shape:
            raise ValueError(
                f"loaded state '{name}' of parameter {index} has shape {array.shape}, "
                f"but the parameter has shape {param._data.shape}"
            )
        dtype = param._data.dtype if np.issubdtype(param._data.dtype, np.floating) else array.dtype
        return _new_state(np.array(array, dtype=dtype, copy=True))
    return copy.deepcopy(value)
