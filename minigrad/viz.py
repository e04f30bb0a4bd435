"""Draw the computation graph behind tensors with Graphviz, and the gradient flow through it.

::

    from minigrad.viz import draw_graph, trace_gradients
    loss = loss_fn(model(x), y)
    trace_gradients(loss)                      # loss.backward(), recording every op's gradient norm
    g = draw_graph(loss, params=model)         # a graphviz.Digraph: shows itself inline in Jupyter
    g.render("graph")                          # graph.svg, through Graphviz's `dot` program

The default picture is the forward graph, micrograd style: leaf tensors and op
outputs are records ``name | shape dtype | data | grad``, ops are small boxes
between them, edges follow the data. ``backward=True`` draws what ``backward()``
walks instead, as torchviz does: ``MatMulBackward``, ``AccumulateGrad``, edges
the way gradients flow.

When gradients are known, every tensor is filled by the log of its gradient norm
through a colour map (viridis: dark = small, yellow = large; a legend shows the
scale), so vanishing and exploding gradients stand out. Known means: leaves'
``.grad``, ``retain_grad()`` tensors, the norms :func:`trace_gradients` recorded, or
``grads=`` given explicitly. The ops each ``nn.Module`` made are boxed in a cluster
per module; beyond ``max_nodes`` the middle of the graph (by distance from the
roots) is collapsed into one note node, so both the loss end and the input end
stay visible. The walk is iterative: a chain of 100 000 ops is fine.
"""

from __future__ import annotations

import html
import math
import shutil
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import graphviz
import numpy as np

from minigrad.tensor import Tensor

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphDrawing",
    "GraphvizNotFoundError",
    "LogColorScale",
    "draw_graph",
    "trace_gradients",
]

#: default limit on the number of nodes drawn (legend and note node included)
DEFAULT_MAX_NODES = 200

#: matplotlib's viridis at 9 evenly spaced points (perceptually uniform, colour-blind safe,
#: lightness increasing from start to end)
_VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")
_ZERO_COLOR = "#d9d9d9"  # a gradient that is exactly zero (dead units, unused outputs)
_NONFINITE_COLOR = "#e31a1c"  # inf or nan
_OP_COLOR = "#eeeeee"
_LEAF_COLOR = "#dbe9f6"  # leaves that require grad, when no gradient colour applies
_INPUT_COLOR = "#f4f4f4"  # tensors that need no grad
_FONT = "Helvetica"
_RANKDIRS = ("LR", "RL", "TB", "BT")
_SPINE = {"weight": "4"}  # edges between ops: heavier, so a deep network's main path stays straight
#: tensors with at most this many elements show their values (show_data); larger ones, statistics
_SMALL = 8

_INSTALL_HINT = (
    "Rendering a graph needs Graphviz's `{program}` program, which is not on PATH. Install Graphviz: "
    "Debian/Ubuntu `sudo apt-get install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`, Windows `winget install graphviz` "
    "(see https://graphviz.org/download/). The `graphviz` pip package is only the Python interface. "
    "Without it the DOT text is still available as `.source`."
)

# gradient values trace_gradients() recorded, per graph node (weakly: they go with the graph)
_recorded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------------------------------- rendering
class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering was asked for but Graphviz's ``dot`` program is not installed."""

    def __init__(self, program: str = "dot") -> None:
        RuntimeError.__init__(self, _INSTALL_HINT.format(program=program))


@contextmanager
def _graphviz_required(program: str) -> Iterator[None]:
    if shutil.which(program) is None:
        raise GraphvizNotFoundError(program)
    try:
        yield
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(program) from None


class GraphDrawing(graphviz.Digraph):
    """The ``graphviz.Digraph`` that :func:`draw_graph` returns.

    It renders as any Digraph does (``.render``, ``.pipe``, inline SVG in Jupyter) but
    fails early, with install instructions, when ``dot`` is missing; ``.source``
    works without it. ``drawn_nodes`` and ``hidden_nodes`` count the nodes drawn
    (Graphviz nodes, note and legend included) and left out.
    """

    drawn_nodes: int = 0
    hidden_nodes: int = 0

    def render(self, *args: Any, **kwargs: Any) -> str:
        with _graphviz_required(kwargs.get("engine") or self.engine):
            return super().render(*args, **kwargs)

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_required(kwargs.get("engine") or self.engine):
            return super().pipe(*args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> str:
        with _graphviz_required(self.engine):
            return super().view(*args, **kwargs)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        # Jupyter: SVG through dot; without dot, say how to get it and show the DOT text
        if shutil.which(self.engine) is None:
            return {"text/plain": _INSTALL_HINT.format(program=self.engine) + "\n\n" + self.source}
        return super()._repr_mimebundle_(include, exclude, **kwargs)


# ---------------------------------------------------------------------------------------- colours
class LogColorScale:
    """Gradient norms to colours: ``log10(norm)`` mapped linearly from ``[lo, hi]`` onto viridis.

    Zero is light grey, inf/nan red; norms outside the range clip to its ends.
    """

    def __init__(self, lo: float, hi: float) -> None:
        if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"LogColorScale: the range must be finite and positive, got ({lo}, {hi})")
        self.lo, self.hi = min(lo, hi), max(lo, hi)

    @classmethod
    def from_values(cls, values: Iterable[float | None]) -> LogColorScale | None:
        """The scale spanning the finite nonzero magnitudes in ``values`` (None if there are none)."""
        mags = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
        if not mags:
            return None
        return cls(min(mags), max(mags))

    def position(self, value: float) -> float:
        """Where ``|value|`` sits on the scale, from 0 (``lo``) to 1 (``hi``)."""
        v = abs(value)
        if v == 0:
            return 0.0
        if not math.isfinite(v):
            return 1.0
        span = math.log10(self.hi) - math.log10(self.lo)
        if span == 0:
            return 1.0
        return min(1.0, max(0.0, (math.log10(v) - math.log10(self.lo)) / span))

    def color(self, value: float) -> str:
        """The fill colour for a gradient norm (``#rrggbb``)."""
        if not math.isfinite(value):
            return _NONFINITE_COLOR
        if value == 0:
            return _ZERO_COLOR
        return _viridis(self.position(value))

    def ticks(self, n: int = 6) -> list[float]:
        """``n`` values evenly spaced on the log scale, ``lo`` to ``hi``."""
        if self.lo == self.hi:
            return [self.lo]
        a, b = math.log10(self.lo), math.log10(self.hi)
        return [10 ** (a + (b - a) * k / (n - 1)) for k in range(n)]


def _viridis(t: float) -> str:
    x = t * (len(_VIRIDIS) - 1)
    k = min(int(x), len(_VIRIDIS) - 2)
    f = x - k
    c0, c1 = _hex_rgb(_VIRIDIS[k]), _hex_rgb(_VIRIDIS[k + 1])
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(c0, c1))


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _font_for(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    if not fill.startswith("#"):
        return "black"
    r, g, b = (c / 255 for c in _hex_rgb(fill))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "black"


# ---------------------------------------------------------------------------------------- formatting
def _fmt(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return str(v) if v != 0 else "0"
    return f"{v:.4g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _grad_value(g: np.ndarray) -> float:
    """What a node shows of a gradient: the value itself for one element, else its L2 norm."""
    if g.size == 1:
        return float(g.reshape(()))
    with np.errstate(all="ignore"):  # inf/nan gradients are shown as such
        return float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))


def _data_lines(a: np.ndarray) -> list[str]:
    if a.size <= _SMALL:
        if a.ndim == 0:
            return [_fmt(float(a)) if a.dtype.kind == "f" else str(a.item())]
        text = np.array2string(a, separator=", ", max_line_width=10**6, formatter={"float_kind": lambda v: f"{v:.4g}"})
        return [" ".join(text.split())]
    with np.errstate(all="ignore"):
        x = a.astype(np.float64, copy=False)
        mean, std, lo, hi = float(x.mean()), float(x.std()), float(x.min()), float(x.max())
    return [
        f"mean {_fmt(mean)}  std {_fmt(std)}",
        f"min {_fmt(lo)}  max {_fmt(hi)}",
    ]


def _shape_line(shape: tuple[int, ...], dtype: Any) -> str:
    dims = ", ".join(str(d) for d in shape)
    return f"({dims}{',' if len(shape) == 1 else ''}) {np.dtype(dtype).name}"


def _grad_line(v: float, size: int) -> str:
    return f"grad {_fmt(v)}" if size == 1 else f"‖grad‖ {_fmt(v)}"


def _escape(text: str) -> str:
    """Text for a plain DOT label (``\\n`` joins lines)."""
    return text.replace("\\", "\\\\")


def _escape_record(text: str) -> str:
    """Text for one field of a record label."""
    text = text.replace("\\", "\\\\")
    for ch in "{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _op_name(node: Any) -> str:
    name = node.name
    return name[: -len("Backward")] if name.endswith("Backward") and len(name) > 8 else name


# ---------------------------------------------------------------------------------------- the walk
class _Graph:
    """The nodes reachable from the roots, in breadth-first order (iterative: no recursion).

    ``depth[i]``: the distance from the roots in ops (a leaf takes its consumer's depth,
    so parameters stay with the op that uses them when the middle is collapsed).
    """

    def __init__(self, roots: Iterable[Tensor]) -> None:
        self.nodes: list = []
        self.index: dict = {}
        self.depth: list[int] = []
        self.consumer: list[int] = []  # the node that first reached node i (-1 for roots)
        self.root_tensor: dict[int, Tensor] = {}
        self.plain_roots: list[Tensor] = []  # roots with no graph behind them
        for t in roots:
            node = t.grad_fn if t.grad_fn is not None else (t._grad_accumulator() if t.requires_grad else None)
            if node is None:
                if all(r is not t for r in self.plain_roots):
                    self.plain_roots.append(t)
                continue
            self.root_tensor.setdefault(self._add(node, 0, -1), t)
        nodes, index, depth, consumer = self.nodes, self.index, self.depth, self.consumer
        k = 0
        while k < len(nodes):  # breadth first; the list is the queue
            d = depth[k]
            for p in nodes[k].parents:
                if p is not None and p not in index:
                    index[p] = len(nodes)
                    nodes.append(p)
                    depth.append(d if p.is_accumulator else d + 1)
                    consumer.append(k)
            k += 1

    def _add(self, node: Any, depth: int, consumer: int) -> int:
        i = self.index.get(node)
        if i is None:
            i = self.index[node] = len(self.nodes)
            self.nodes.append(node)
            self.depth.append(depth)
            self.consumer.append(consumer)
        return i


def _select(graph: _Graph, costs: list[int], budget: int) -> list[bool]:
    """Which nodes to draw within ``budget``: the ones nearest the roots and the ones
    farthest from them, about half the budget each; the band of depths between is collapsed."""
    per_depth: Counter = Counter()
    for d, c in zip(graph.depth, costs):
        per_depth[d] += c
    deepest = max(graph.depth)
    head = per_depth[0]  # the roots are always drawn
    a = 1
    while a <= deepest and head + per_depth[a] <= budget // 2:
        head += per_depth[a]
        a += 1
    tail, b = 0, deepest
    while b >= a and head + tail + per_depth[b] <= budget:
        tail += per_depth[b]
        b -= 1
    while a <= b and head + tail + per_depth[a] <= budget:
        head += per_depth[a]
        a += 1
    return [d < a or d > b for d in graph.depth]


# ---------------------------------------------------------------------------------------- names and modules
def _is_module(obj: Any) -> bool:
    return hasattr(obj, "named_parameters") and hasattr(obj, "named_modules")


def _param_names(params: Any) -> dict[int, str]:
    if params is None:
        return {}
    if _is_module(params):
        items: Iterable = params.named_parameters()
    elif isinstance(params, Mapping):
        items = params.items()
    else:
        items = params
    names: dict[int, str] = {}
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor)):
            raise TypeError(
                "draw_graph: params must be a Module, a dict of name -> Tensor or an iterable of "
                f"(name, Tensor) pairs such as model.named_parameters(); got an item {item!r:.60}"
            )
        names.setdefault(id(item[1]), str(item[0]))
    return names


class _Clusters:
    """Which (nested) module cluster each drawn node goes into; a path of cluster keys."""

    def __init__(self, params: Any, names: dict[int, str]) -> None:
        self.names = names
        self.qualname: dict[int, str] = {}
        self.by_name: dict[str, Any] = {}
        if _is_module(params):
            for name, m in params.named_modules():
                self.qualname.setdefault(id(m), name)
                self.by_name.setdefault(name, m)
        self.labels: dict[tuple, str] = {}
        self._paths: dict[int, tuple] = {}

    def of_module(self, m: Any) -> tuple:
        if m is None:
            return ()
        path = self._paths.get(id(m))
        if path is not None:
            return path
        name = self.qualname.get(id(m))
        if name is None:  # a module outside `params` (or no Module given): one flat cluster
            path = (f"@{id(m)}",)
            self.labels[path] = self._guess_label(m)
        else:
            parts = name.split(".") if name else []
            path = ("",) + tuple(".".join(parts[: k + 1]) for k in range(len(parts)))
            for k in range(1, len(path) + 1):
                qn = path[k - 1]
                mod = self.by_name[qn]
                self.labels[path[:k]] = f"{qn}: {type(mod).__name__}" if qn else type(mod).__name__
        self._paths[id(m)] = path
        return path

    def _guess_label(self, m: Any) -> str:
        # the module's name from the name of one of its parameters ("3.weight" -> "3")
        try:
            for local, p in m.named_parameters():
                full = self.names.get(id(p), "")
                if full.endswith(local) and len(full) > len(local):
                    return f"{full[: -len(local) - 1]}: {type(m).__name__}"
                break
        except Exception:  # a label is not worth failing the drawing for
            pass
        return type(m).__name__

    def of_leaf(self, leaf: Tensor, consumer_module: Any) -> tuple:
        name = self.names.get(id(leaf))
        if name is not None and self.by_name:
            owner = name.rpartition(".")[0]
            if owner in self.by_name:
                return self.of_module(self.by_name[owner])
        if consumer_module is not None:
            try:
                if any(p is leaf for p in consumer_module.parameters()):
                    return self.of_module(consumer_module)
            except Exception:  # an unusual module: leave the leaf outside
                pass
        return ()


# ---------------------------------------------------------------------------------------- gradients
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


def _output_tensor(graph: _Graph, i: int) -> Tensor | None:
    """The Tensor an op made, when something still holds it (a root or a ``retain_grad`` tensor)."""
    t = graph.root_tensor.get(i)
    if t is not None:
        return t
    for ref in graph.nodes[i]._retained or ():
        t = ref()
        if t is not None:
            return t
    return None


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


# ---------------------------------------------------------------------------------------- drawing
class _Drawing:
    """Nodes with their cluster paths, and edges, before they become a Digraph."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, tuple, dict[str, str]]] = []
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self._edge_set: set[tuple[str, str]] = set()

    def node(self, name: str, path: tuple, **attrs: str) -> None:
        self.nodes.append((name, path, attrs))

    def edge(self, tail: str, head: str, unique: bool = False, spine: bool = False) -> None:
        """``unique``: drop repeats; ``spine``: an op-to-op edge, kept straight by a heavier weight."""
        if unique:
            if (tail, head) in self._edge_set:
                return
            self._edge_set.add((tail, head))
        self.edges.append((tail, head, _SPINE if spine else {}))


def _filled(fill: str, **attrs: str) -> dict[str, str]:
    """Node attributes filled with ``fill`` (``a:b`` for a gradient), with readable text."""
    attrs = dict(attrs)
    attrs.setdefault("style", "filled")
    attrs["fillcolor"] = fill
    font = _font_for(fill.split(":")[0])
    if font != "black":
        attrs["fontcolor"] = font
    return attrs


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
        graph, vals, scale = self.graph, self.vals, self.scale
        hidden = [i for i, drawn in enumerate(self.drawn) if not drawn]
        ops: Counter = Counter()
        for cls, n in Counter(type(graph.nodes[i]) for i in hidden).items():
            if not cls.is_accumulator:
                ops[_op_name(cls)] += n
        n_ops, n_leaves = sum(ops.values()), len(hidden) - sum(ops.values())
        common = ", ".join(f"{name} ×{n}" for name, n in ops.most_common(4)) + (", …" if len(ops) > 4 else "")
        what = ([f"{n_ops} ops ({common})"] if n_ops else []) + ([f"{n_leaves} leaf tensors"] if n_leaves else [])
        lines = [f"… {sum(costs[i] for i in hidden)} more nodes not drawn (max_nodes={max_nodes})", ", ".join(what)]
        known = sorted(
            (graph.depth[i], abs(v))
            for i in hidden
            if (v := vals[i]) is not None and not graph.nodes[i].is_accumulator and math.isfinite(v)
        )
        rows = [f'<TR><TD COLSPAN="3">{html.escape(line)}</TD></TR>' for line in lines]
        if scale is not None and known:
            mags = [v for _, v in known]  # ordered from the roots' end to the inputs' end
            rows.append(f'<TR><TD COLSPAN="3">‖grad‖ {_fmt(min(mags))} … {_fmt(max(mags))}</TD></TR>')
            k = max(1, len(known) // 10)
            near_output, near_inputs = scale.color(_geomean(mags[:k])), scale.color(_geomean(mags[-k:]))
            rows.append(
                f'<TR><TD ALIGN="RIGHT">inputs side</TD><TD BGCOLOR="{near_inputs}:{near_output}" '
                f'WIDTH="90"> </TD><TD ALIGN="LEFT">output side</TD></TR>'
            )
        label = f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>>'
        attrs = {"shape": "box", "style": "rounded,filled,dashed", "fillcolor": "#fff8dc", "label": label}
        # inside the innermost cluster that holds all it stands for
        paths = list({self.path(i): None for i in hidden})
        common_path: tuple = paths[0] if paths else ()
        for p in paths[1:]:
            n = 0
            while n < min(len(common_path), len(p)) and common_path[n] == p[n]:
                n += 1
            common_path = common_path[:n]
        self.drawing.node("collapsed", common_path, **attrs)


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


def _count_inputs(node: Any) -> int:
    saved = node._saved
    if saved is None:
        return 0
    return sum(1 for p, x in zip(node.parents, saved) if p is None and isinstance(x, Tensor))


def _geomean(values: list[float]) -> float:
    positive = [v for v in values if v > 0]
    if not positive:
        return 0.0
    return math.exp(sum(math.log(v) for v in positive) / len(positive))


def _legend(scale: LogColorScale | None, values: list[float | None]) -> str:
    """An HTML-like label: the colour scale's ticks, plus zero / inf-nan swatches when present."""
    cells = []
    if scale is not None:
        for v in scale.ticks():
            c = scale.color(v)
            cells.append(f'<TD BGCOLOR="{c}"><FONT COLOR="{_font_for(c)}">{v:.2g}</FONT></TD>')
    if any(v == 0 for v in values):
        cells.append(f'<TD BGCOLOR="{_ZERO_COLOR}">0</TD>')
    if any(v is not None and not math.isfinite(v) for v in values):
        cells.append(f'<TD BGCOLOR="{_NONFINITE_COLOR}"><FONT COLOR="white">inf/nan</FONT></TD>')
    cells.append('<TD BGCOLOR="white">none</TD>')
    title = "gradient norm ‖grad‖ (log scale)"
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR>'
        f'<TD COLSPAN="{len(cells)}" BORDER="0"><B>{title}</B></TD></TR><TR>{"".join(cells)}</TR></TABLE>>'
    )


def _emit(dot: graphviz.Digraph, drawing: _Drawing, labels: dict[tuple, str]) -> None:
    """Nodes into their (nested) cluster subgraphs, then the edges, into ``dot``."""
    order: dict[tuple, int] = {}
    members: dict[tuple, list] = {}
    for name, path, attrs in drawing.nodes:
        for k in range(1, len(path) + 1):
            order.setdefault(path[:k], len(order))
        members.setdefault(path, []).append((name, attrs))
    subgraphs: dict[tuple, graphviz.Digraph] = {}
    for path, n in order.items():
        fill = "#f6f6f6" if len(path) % 2 else "#ffffff"
        sub = graphviz.Digraph(name=f"cluster_{n}")
        sub.attr(
            label=_escape(labels.get(path, "")),
            style="rounded,filled",
            fillcolor=fill,
            color="#999999",
            fontsize="10",
            labeljust="l",
            fontname=_FONT,
        )
        subgraphs[path] = sub
    for path, sub in subgraphs.items():
        for name, attrs in members.get(path, ()):
            sub.node(name, **attrs)
    # attach the deepest first: subgraph() copies the body as it is at that moment
    for path in sorted((p for p in subgraphs if len(p) > 1), key=lambda p: (-len(p), order[p])):
        subgraphs[path[:-1]].subgraph(subgraphs[path])
    for path in sorted((p for p in subgraphs if len(p) == 1), key=order.__getitem__):
        dot.subgraph(subgraphs[path])
    for name, attrs in members.get((), ()):
        dot.node(name, **attrs)
    for tail, head, attrs in drawing.edges:
        dot.edge(tail, head, **attrs)
