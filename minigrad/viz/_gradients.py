"""Gradients: the value each node shows (given, ``.grad``, retained, or recorded by :func:`trace_gradients`)."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.tensor import Tensor
from minigrad.viz._graph import _Graph, _output_tensor

# gradient values trace_gradients() recorded, per graph node (weakly: they go with the graph)
_recorded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _grad_value(g: np.ndarray) -> float:
    """What a node shows of a gradient: the value itself for one element, else its L2 norm."""
    if g.size == 1:
        return float(g.reshape(()))
    with np.errstate(all="ignore"):  # inf/nan gradients are shown as such
        return float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))


def _known_grads(graph: _Graph, grads: Mapping | None) -> list[float | None]:
    """Per node, the gradient value it shows (see ``_grad_value``) or None when unknown."""
    given: dict = {}
    if grads is not None:
        for key, v in grads.items():
            if isinstance(key, Tensor):
                key = key.grad_fn if key.grad_fn is not None else key._grad_accumulator()
            if isinstance(v, Tensor):
                v = _grad_value(v._data)
            elif isinstance(v, np.ndarray):
                v = _grad_value(v)
            given[key] = None if v is None else float(v)
    out: list[float | None] = []
    for i, node in enumerate(graph.nodes):
        if node in given:
            out.append(given[node])
            continue
        if node.is_accumulator:
            g = node.variable.grad
            out.append(None if g is None else _grad_value(g._data))
            continue
        v = _recorded.get(node)
        if v is None:
            t = _output_tensor(graph, i)
            if t is not None and t.grad is not None:
                v = _grad_value(t.grad._data)
        out.append(v)
    return out


def trace_gradients(loss: Tensor, gradient: Any = None, retain_graph: bool | None = None) -> dict[Any, float]:
    """``loss.backward(gradient, retain_graph)`` that also records the gradient reaching every op.

    Returns ``{node: value}`` for each op node (``value``: the gradient of the op's output,
    itself when it has one element, else its L2 norm). :func:`draw_graph` picks the
    values up by itself afterwards, so intermediate tensors get their gradient colour
    too; leaves' gradients are their ``.grad`` as always.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace_gradients: expected a Tensor, got {type(loss).__name__}")
    graph = _Graph([loss])
    recorded: dict[Any, float] = {}
    key = object()
    hooked: list[dict] = []
    for node in graph.nodes:
        if node.is_accumulator:
            continue

        def record(g: Tensor, node: Any = node) -> None:
            recorded[node] = _grad_value(g._data)

        hooks = node._hook_dict()
        hooks[key] = record  # last, so it sees what the user's own hooks made of the gradient
        hooked.append(hooks)
    try:
        loss.backward(gradient, retain_graph=retain_graph)
    finally:
        for hooks in hooked:
            hooks.pop(key, None)
    for node, v in recorded.items():
        _recorded[node] = v
    return recorded
