"""draw_graph: walk, gradients, clusters, collapsing, the picture, the Digraph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minigrad.tensor import Tensor
from minigrad.viz._builder import _Builder
from minigrad.viz._clusters import _Clusters, _param_names
from minigrad.viz._collapse import _select
from minigrad.viz._colors import LogColorScale, _legend
from minigrad.viz._dot import _FONT, _emit
from minigrad.viz._gradients import _grad_value, _known_grads
from minigrad.viz._graph import _count_inputs, _Graph
from minigrad.viz._labels import _escape
from minigrad.viz._render import GraphDrawing

#: default limit on the number of nodes drawn (legend and note node included)
DEFAULT_MAX_NODES = 200
_RANKDIRS = ("LR", "RL", "TB", "BT")


def draw_graph(
    *roots: Tensor,
    params: Any = None,
    show_data: bool = False,
    show_grad: bool = True,
    rankdir: str = "LR",
    backward: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    grads: Mapping | None = None,
    grad_range: tuple[float, float] | None = None,
    cluster_modules: bool = True,
    show_inputs: bool = False,
    title: str | None = None,
) -> GraphDrawing:
    """The computation graph behind ``roots`` as a ``graphviz.Digraph`` (a :class:`GraphDrawing`).

    Args:
        roots: the tensors to draw the graph of (usually the loss).
        params: names for the parameters: a Module (its ``named_parameters()``; its
            ``named_modules()`` also names and nests the module clusters), a dict
            ``name -> Tensor`` or an iterable of ``(name, Tensor)``. Other tensors show
            their ``Tensor.name``.
        show_data: show the values of small tensors (at most 8 elements) and mean/std/min/max
            of larger ones, where the data is at hand (leaves, roots, retained tensors).
        show_grad: show gradients and colour tensors by the log of their gradient norm
            (see :func:`trace_gradients` for the gradients of intermediate tensors).
        rankdir: Graphviz layout direction, ``"LR"``, ``"RL"``, ``"TB"`` or ``"BT"``.
        backward: draw the backward graph (``MatMulBackward`` … ``AccumulateGrad``, edges
            the way gradients flow) instead of the forward one.
        max_nodes: the most nodes drawn (legend and note included; roots are always drawn);
            beyond it the middle of the graph is collapsed into one note node. None: no limit.
        grads: gradients to show, overriding the ones found: ``{tensor or node: gradient
            (Tensor/array) or its norm}``.
        grad_range: ``(lo, hi)`` of the colour scale, to compare drawings; default: the
            range of the gradient norms in the graph.
        cluster_modules: box the ops each ``nn.Module`` made (nested like the modules).
        show_inputs: also draw the tensors that need no grad where an op still holds them
            (before ``backward()`` frees what ops saved).
        title: a label above the graph.
    """
    if not roots:
        raise ValueError("draw_graph: give at least one tensor, e.g. draw_graph(loss)")
    for k, t in enumerate(roots):
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: root {k} is a {type(t).__name__}, not a Tensor")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    if max_nodes is not None and max_nodes < 8:
        raise ValueError(f"draw_graph: max_nodes must be at least 8 (or None for no limit), got {max_nodes}")

    graph = _Graph(roots)
    names = _param_names(params)
    vals: list[float | None] = _known_grads(graph, grads) if show_grad else [None] * len(graph.nodes)
    plain_vals = [None if t.grad is None or not show_grad else _grad_value(t.grad._data) for t in graph.plain_roots]
    scale = None
    if show_grad:
        scale = LogColorScale(*grad_range) if grad_range else LogColorScale.from_values(vals + plain_vals)
    has_legend = scale is not None or any(v is not None for v in vals + plain_vals)

    # how many Graphviz nodes each graph node takes, and which ones fit
    if backward:
        costs = [2 if node.is_accumulator else 1 for node in graph.nodes]
    else:
        costs = [1 if node.is_accumulator else 2 + (_count_inputs(node) if show_inputs else 0) for node in graph.nodes]
    fixed = len(graph.plain_roots) + (len(graph.root_tensor) if backward else 0) + int(has_legend)
    builder = _Builder(
        graph,
        names,
        _Clusters(params, names) if cluster_modules else None,
        vals,
        scale,
        show_data,
        show_inputs,
        vertical=rankdir in ("LR", "RL"),
    )
    # only graph nodes collapse: roots without a graph (plain tensors) are always drawn
    collapse = max_nodes is not None and bool(graph.nodes) and sum(costs) + fixed > max_nodes
    if collapse and max_nodes is not None:  # (collapse implies a max_nodes)
        builder.drawn = _select(graph, costs, max(0, max_nodes - fixed - 1))  # one node for the note
    if backward:
        builder.backward()
    else:
        builder.forward()
    builder.plain_roots(plain_vals)
    if collapse:
        builder.collapsed(costs, max_nodes)
    if has_legend:
        builder.drawing.node("legend", (), shape="plaintext", label=_legend(scale, vals + plain_vals))

    dot = GraphDrawing(
        format="svg",
        graph_attr={"rankdir": rankdir, "nodesep": "0.2", "ranksep": "0.3", "fontname": _FONT, "fontsize": "11"},
        node_attr={"fontname": _FONT, "fontsize": "10", "height": "0.25", "penwidth": "0.8"},
        edge_attr={"arrowsize": "0.6", "color": "#666666", "penwidth": "0.8"},
    )
    if title:
        dot.attr(label=_escape(title), labelloc="t", fontsize="14")
    _emit(dot, builder.drawing, builder.clusters.labels if builder.clusters else {})
    dot.drawn_nodes = len(builder.drawing.nodes)
    dot.hidden_nodes = sum(c for c, drawn in zip(costs, builder.drawn) if not drawn)
    return dot
