"""The builder: the walked graph's nodes as Graphviz nodes and edges, the forward or the backward picture."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.tensor import Tensor
from minigrad.viz._clusters import _Clusters
from minigrad.viz._collapse import _common_path, _note_label
from minigrad.viz._colors import (
    _INPUT_COLOR,
    _LEAF_COLOR,
    _NONFINITE_COLOR,
    _OP_COLOR,
    _ZERO_COLOR,
    LogColorScale,
    _filled,
)
from minigrad.viz._dot import _Drawing
from minigrad.viz._graph import _Graph, _output_tensor
from minigrad.viz._labels import _SMALL, _data_lines, _escape, _escape_record, _grad_line, _op_name, _shape_line


class _Builder:
    """Turns the walked graph into Graphviz nodes and edges (forward or backward picture)."""

    def __init__(
        self,
        graph: _Graph,
        names: dict[int, str],
        clusters: _Clusters | None,
        vals: list[float | None],
        scale: LogColorScale | None,
        show_data: bool,
        show_inputs: bool,
        vertical: bool,
    ) -> None:
        self.graph, self.names, self.clusters = graph, names, clusters
        self.vals, self.scale = vals, scale
        self.show_data, self.show_inputs, self.vertical = show_data, show_inputs, vertical
        self.drawing = _Drawing()
        self.drawn = [True] * len(graph.nodes)
        self._inputs: dict[int, str] = {}

    # ---- labels
    def record(self, fields: list[str]) -> str:
        body = "|".join(_escape_record(f) for f in fields)
        return body if self.vertical else "{" + body + "}"  # fields stack vertically either way

    def fields(self, t: Tensor | None, shape: tuple, dtype: Any, data: Any, v: float | None) -> list[str]:
        name = None if t is None else self.names.get(id(t), t.name)
        out = [name] if name else []
        out.append(_shape_line(shape, dtype))
        if self.show_data and data is not None:
            data = np.asarray(data)
            lines = _data_lines(data)
            out += [f"data {lines[0]}"] if data.size <= _SMALL else lines
        if v is not None:
            out.append(_grad_line(v, int(np.prod(shape))))
        return out

    def fill(self, v: float | None, default: str) -> str:
        if v is None:
            return default
        if not math.isfinite(v):
            return _NONFINITE_COLOR
        if v == 0:
            return _ZERO_COLOR
        return self.scale.color(v) if self.scale is not None else default

    def tensor_node(self, name: str, path: tuple, i: int, default_fill: str, t: Tensor | None = None) -> None:
        """The record of node ``i``'s tensor: the leaf itself, or the op's output."""
        node = self.graph.nodes[i]
        if node.is_accumulator:
            t = node.variable
            data = t._data
        else:
            t = t or _output_tensor(self.graph, i)
            data = t._data if t is not None else node._out
        attrs = _filled(
            self.fill(self.vals[i], default_fill),
            shape="record",
            label=self.record(self.fields(t, node.shape, node.dtype, data, self.vals[i])),
        )
        if i in self.graph.root_tensor:
            attrs["penwidth"] = "2"
        self.drawing.node(name, path, **attrs)

    def path(self, i: int) -> tuple:
        """The cluster path of node ``i`` (its module's, nested; a parameter's owner's)."""
        if self.clusters is None:
            return ()
        node = self.graph.nodes[i]
        if node.is_accumulator:
            c = self.graph.consumer[i]
            consumer_module = getattr(self.graph.nodes[c], "module", None) if c >= 0 else None
            return self.clusters.of_leaf(node.variable, consumer_module)
        return self.clusters.of_module(node.module)

    # ---- the two pictures
    def forward(self) -> None:
        """Leaves and op outputs as records, ops as boxes between them; edges follow the data."""
        graph, d = self.graph, self.drawing
        for i, node in enumerate(graph.nodes):
            if not self.drawn[i]:
                self._to_band(i, False)
                continue
            path = self.path(i)
            if node.is_accumulator:
                self.tensor_node(f"v{i}", path, i, _LEAF_COLOR)
                continue
            d.node(
                f"op{i}", path, shape="box", style="rounded,filled", fillcolor=_OP_COLOR, label=_escape(_op_name(node))
            )
            self.tensor_node(f"v{i}", path, i, "white")
            d.edge(f"op{i}", f"v{i}", spine=True)
            saved = node._saved if self.show_inputs else None
            for k, p in enumerate(node.parents):
                if p is not None:
                    j = graph.index[p]
                    d.edge(
                        f"v{j}" if self.drawn[j] else "collapsed",
                        f"op{i}",
                        unique=not self.drawn[j],
                        spine=not p.is_accumulator,
                    )
                elif saved is not None and k < len(saved) and isinstance(saved[k], Tensor):
                    d.edge(self._input_node(saved[k]), f"op{i}")

    def backward(self) -> None:
        """The nodes backward() visits, named as their ``grad_fn``; edges the way gradients flow."""
        graph, d = self.graph, self.drawing
        for i, node in enumerate(graph.nodes):
            if not self.drawn[i]:
                self._to_band(i, True)
                continue
            path, v = self.path(i), self.vals[i]
            lines = [node.name] + ([] if v is None else [_grad_line(v, int(np.prod(node.shape)))])
            d.node(
                f"n{i}",
                path,
                **_filled(
                    self.fill(v, _OP_COLOR if node.is_accumulator else "white"),
                    shape="box",
                    label="\\n".join(_escape(x) for x in lines),
                ),
            )
            if node.is_accumulator:
                self.tensor_node(f"v{i}", path, i, _LEAF_COLOR)
                d.edge(f"n{i}", f"v{i}")
            for p in node.parents:
                if p is not None:
                    j = graph.index[p]
                    d.edge(
                        f"n{i}",
                        f"n{j}" if self.drawn[j] else "collapsed",
                        unique=not self.drawn[j],
                        spine=not p.is_accumulator,
                    )
        for i, t in graph.root_tensor.items():  # the tensor the gradient starts from
            if not graph.nodes[i].is_accumulator:
                self.tensor_node(f"r{i}", (), i, "white", t)
                d.edge(f"r{i}", f"n{i}")

    def _to_band(self, i: int, backward: bool) -> None:
        # a collapsed node's inputs that are drawn connect to the note node standing for it
        index, drawn = self.graph.index, self.drawn
        for p in self.graph.nodes[i].parents:
            if p is not None and drawn[index[p]]:
                j = index[p]
                tail, head = ("collapsed", f"n{j}") if backward else (f"v{j}", "collapsed")
                self.drawing.edge(tail, head, unique=True, spine=True)

    def _input_node(self, x: Tensor) -> str:
        name = self._inputs.get(id(x))
        if name is None:
            name = self._inputs[id(x)] = f"c{len(self._inputs)}"
            label = self.record(self.fields(x, x.shape, x.dtype, x._data, None))
            self.drawing.node(name, (), **_filled(_INPUT_COLOR, shape="record", label=label))
        return name

    def plain_roots(self, vals: list[float | None]) -> None:
        """Roots with no graph behind them (they need no grad): a record each."""
        for k, (t, v) in enumerate(zip(self.graph.plain_roots, vals)):
            label = self.record(self.fields(t, t.shape, t.dtype, t._data, v))
            self.drawing.node(
                f"p{k}", (), **_filled(self.fill(v, _INPUT_COLOR), shape="record", label=label, penwidth="2")
            )

    def collapsed(self, costs: list[int], max_nodes: int | None) -> None:
        """The note node standing for the collapsed middle of the graph."""
        hidden = [i for i, drawn in enumerate(self.drawn) if not drawn]
        label = _note_label(self.graph, hidden, costs, self.vals, self.scale, max_nodes)
        attrs = {"shape": "box", "style": "rounded,filled,dashed", "fillcolor": "#fff8dc", "label": label}
        # inside the innermost cluster that holds all it stands for
        self.drawing.node("collapsed", _common_path([self.path(i) for i in hidden]), **attrs)
