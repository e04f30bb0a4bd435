"""minigrad.viz: the DOT a graph drawing is made of, gradient colours, large graphs, rendering."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import graphviz
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.viz import GraphDrawing, GraphvizNotFoundError, LogColorScale, draw_graph, trace_gradients

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


# ------------------------------------------------------------------------------------ reading DOT back
@dataclass
class Dot:
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: dict[str, dict] = field(default_factory=dict)  # name -> {"label", "parent", "nodes"}
    cluster_of: dict[str, str | None] = field(default_factory=dict)

    def label(self, node: str) -> str:
        return self.nodes[node]["label"]

    def by_label(self, label: str) -> str:
        (name,) = [n for n, a in self.nodes.items() if a.get("label") == label]
        return name

    def cluster_labelled(self, label: str) -> str:
        (name,) = [c for c, info in self.clusters.items() if info["label"] == label]
        return name


_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*>|[^\s"\]]+)')
_NODE = re.compile(r"^(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^(\w+) -> (\w+)(?: \[(.*)\])?$")


def _attrs(text: str) -> dict[str, str]:
    out = {}
    for key, value in _ATTR.findall(text):
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"')
        out[key] = value
    return out


def parse(source: str) -> Dot:
    """The nodes (with attributes), edges and nested clusters of DOT text made by graphviz."""
    dot = Dot()
    stack: list[str | None] = [None]
    for line in source.splitlines()[1:]:
        s = line.strip()
        if s.startswith("subgraph "):
            name = s.split()[1]
            dot.clusters[name] = {"label": None, "parent": stack[-1], "nodes": []}
            stack.append(name)
        elif s == "}":
            stack.pop()
        elif s.startswith(("graph [", "node [", "edge [")):
            continue
        elif m := _EDGE.match(s):
            dot.edges.append((m[1], m[2]))
        elif m := _NODE.match(s):
            dot.nodes[m[1]] = _attrs(m[2])
            dot.cluster_of[m[1]] = stack[-1]
            if stack[-1] is not None:
                dot.clusters[stack[-1]]["nodes"].append(m[1])
        elif stack[-1] is not None:  # a cluster's attributes
            dot.clusters[stack[-1]].update(label=_attrs(s).get("label"))
    return dot


def luminance(color: str) -> float:
    r, g, b = (int(color[k : k + 2], 16) / 255 for k in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def small_graph():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="x")
    W = mg.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], requires_grad=True, name="W")
    b = mg.tensor([0.0, 0.5], requires_grad=True, name="b")
    loss = (x @ W + b).relu().sum()
    loss.name = "loss"
    return x, W, b, loss


# ------------------------------------------------------------------------------------ structure
def test_forward_graph_of_a_small_expression_exactly():
    _, _, _, loss = small_graph()
    g = draw_graph(loss, show_grad=False)
    assert isinstance(g, graphviz.Digraph) and isinstance(g, GraphDrawing)
    assert g.format == "svg"  # .render(path) writes an SVG unless told otherwise
    d = parse(g.source)
    assert {n: a["label"] for n, a in d.nodes.items()} == {
        "op0": "Sum",
        "v0": "loss|() float32",
        "op1": "ReLU",
        "v1": "(2, 2) float32",
        "op2": "Add",
        "v2": "(2, 2) float32",
        "op3": "MatMul",
        "v3": "(2, 2) float32",
        "v4": "b|(2,) float32",
        "v5": "W|(3, 2) float32",
    }
    assert sorted(d.edges) == sorted(
        [
            ("op0", "v0"),
            ("v1", "op0"),
            ("op1", "v1"),
            ("v2", "op1"),
            ("op2", "v2"),
            ("v3", "op2"),
            ("v4", "op2"),
            ("op3", "v3"),
            ("v5", "op3"),
        ]
    )
    assert d.clusters == {}
    assert {n: a["shape"] for n, a in d.nodes.items()} == {
        n: ("box" if n.startswith("op") else "record") for n in d.nodes
    }
    assert d.nodes["v0"]["penwidth"] == "2"  # the root stands out
    assert "legend" not in d.nodes  # no gradients, no legend
    assert g.drawn_nodes == 10 and g.hidden_nodes == 0


def test_backward_graph_is_what_backward_visits_named_like_torchviz():
    _, _, _, loss = small_graph()
    d = parse(draw_graph(loss, backward=True, show_grad=False).source)
    assert {n: a["label"] for n, a in d.nodes.items()} == {
        "n0": "SumBackward",
        "n1": "ReLUBackward",
        "n2": "AddBackward",
        "n3": "MatMulBackward",
        "n4": "AccumulateGrad",
        "v4": "b|(2,) float32",
        "n5": "AccumulateGrad",
        "v5": "W|(3, 2) float32",
        "r0": "loss|() float32",
    }
    # edges run the way gradients flow: from the loss to where they accumulate
    assert sorted(d.edges) == sorted(
        [
            ("r0", "n0"),
            ("n0", "n1"),
            ("n1", "n2"),
            ("n2", "n3"),
            ("n2", "n4"),
            ("n3", "n5"),
            ("n4", "v4"),
            ("n5", "v5"),
        ]
    )


def test_record_fields_stack_vertically_in_every_direction():
    _, _, _, loss = small_graph()
    for rankdir in ("LR", "RL"):
        assert parse(draw_graph(loss, rankdir=rankdir, show_grad=False).source).label("v5") == "W|(3, 2) float32"
    for rankdir in ("TB", "BT"):
        d = parse(draw_graph(loss, rankdir=rankdir, show_grad=False).source)
        assert d.label("v5") == "{W|(3, 2) float32}"
    assert "rankdir=TB" in draw_graph(loss, rankdir="TB").source


def test_parameter_names_come_from_params_then_tensor_name():
    _, W, b, loss = small_graph()
    for params in ([("layer.W", W)], {"layer.W": W}):
        d = parse(draw_graph(loss, params=params, show_grad=False).source)
        assert d.label("v5") == "layer.W|(3, 2) float32"
        assert d.label("v4") == "b|(2,) float32"  # not in params: its Tensor.name
    b.name = None
    assert parse(draw_graph(loss, show_grad=False).source).label("v4") == "(2,) float32"
    with pytest.raises(TypeError, match="named_parameters"):
        draw_graph(loss, params=[W])


def test_record_special_characters_are_escaped():
    a = mg.tensor([1.0, 2.0], requires_grad=True, name="a|b{c}<d>")
    d = parse(draw_graph(a * 2, show_grad=False).source)
    assert d.label("v1") == r"a\|b\{c\}\<d\>|(2,) float32"


def test_show_data_values_for_small_tensors_statistics_for_large():
    w = mg.tensor([1.0, -2.0, 3.5], requires_grad=True, name="w")
    big = mg.tensor(np.arange(100, dtype=np.float64), requires_grad=True, name="big")
    loss = (w * 2).sum() + big.sum()
    d = parse(draw_graph(loss, show_data=True, show_grad=False).source)
    labels = [a["label"] for a in d.nodes.values()]
    assert "w|(3,) float32|data [1, -2, 3.5]" in labels
    assert "big|(100,) float64|mean 49.5  std 28.87|min 0  max 99" in labels
    root = d.label("v0").split("|")
    assert root == ["() float64", f"data {float(loss.item()):.4g}"]


def test_show_inputs_draws_tensors_that_need_no_grad_while_ops_still_hold_them():
    _, _, _, loss = small_graph()
    d = parse(draw_graph(loss, show_inputs=True, show_grad=False).source)
    assert d.label("c0") == "x|(2, 3) float32"
    assert ("c0", "op3") in d.edges
    loss.backward()  # frees what the ops saved: x is no longer known to the graph
    assert "c0" not in parse(draw_graph(loss, show_inputs=True, show_grad=False).source).nodes


def test_several_roots_share_their_graph_and_plain_tensors_are_drawn_alone():
    a = mg.tensor([1.0, 2.0], requires_grad=True, name="a")
    h = a.exp()
    y1, y2 = h.sum(), (h * h).sum()
    const = mg.tensor([3.0], name="const")
    d = parse(draw_graph(y1, y2, const, show_grad=False).source)
    ops = sorted(a["label"] for n, a in d.nodes.items() if n.startswith("op"))
    assert ops == ["Exp", "Mul", "Sum", "Sum"]  # one Exp, reached from both roots
    assert d.label("p0") == "const|(1,) float32"
    assert [e for e in d.edges if "p0" in e] == []


def test_bad_arguments():
    _, _, _, loss = small_graph()
    with pytest.raises(ValueError, match="at least one"):
        draw_graph()
    with pytest.raises(TypeError, match="not a Tensor"):
        draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(loss, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(loss, max_nodes=3)


# ------------------------------------------------------------------------------------ gradients
def test_gradient_lines_and_colours_order_by_magnitude():
    tensors = [mg.tensor(np.ones(4), requires_grad=True, name=f"p{k}") for k in range(5)]
    scales = [1e-6, 1e-4, 1e-2, 1.0, 100.0]
    loss = sum((t * s).sum() for t, s in zip(tensors, scales))
    loss.backward()
    d = parse(draw_graph(loss, params=[(t.name, t) for t in tensors]).source)
    fills = {}
    for t, s in zip(tensors, scales):
        (node,) = [n for n, a in d.nodes.items() if a["label"].startswith(t.name + "|")]
        name, shape, grad = d.label(node).split("|")
        assert shape == "(4,) float64" and grad.startswith("‖grad‖ ")
        assert float(grad.split()[1]) == pytest.approx(2 * s, rel=1e-3)
        fills[s] = d.nodes[node]["fillcolor"]
    # viridis grows lighter along the scale: lighter means a larger gradient
    lum = [luminance(fills[s]) for s in scales]
    assert lum == sorted(lum) and len(set(lum)) == len(lum)
    # the ends of the scale are the smallest and the largest norm in the graph
    assert fills[1e-6] == "#440154" and fills[100.0] == "#fde725"
    assert "legend" in d.nodes and "log scale" in d.nodes["legend"]["label"]


def test_zero_gradients_are_grey_and_unknown_gradients_white():
    a = mg.tensor([1.0, 2.0], requires_grad=True, name="a")
    z = mg.tensor([1.0, 2.0], requires_grad=True, name="z")
    loss = (a * 3).sum() + (z * 0).sum()
    loss.backward()
    d = parse(draw_graph(loss).source)
    by_name = {a["label"].split("|")[0]: a for a in d.nodes.values() if a.get("shape") == "record"}
    assert by_name["z"]["fillcolor"] == "#d9d9d9" and by_name["z"]["label"].endswith("‖grad‖ 0")
    assert by_name["a"]["label"].endswith("‖grad‖ 4.243")
    intermediate = [a for n, a in d.nodes.items() if n.startswith("v") and a["label"] == "(2,) float32"]
    assert intermediate and all(a["fillcolor"] == "white" for a in intermediate)  # not traced: unknown
    assert ">0<" in d.nodes["legend"]["label"]


def test_trace_gradients_records_the_gradient_of_every_intermediate():
    mg.manual_seed(0)
    h = mg.randn(8, 6)
    kept = []
    for k in range(6):
        W = mg.tensor(mg.randn(6, 6).numpy(), requires_grad=True, name=f"W{k}")
        h = (h @ W).sigmoid()
        h.retain_grad()
        kept.append(h)
    loss = h.sum()
    recorded = trace_gradients(loss)
    for t in kept:
        assert recorded[t.grad_fn] == pytest.approx(float(np.linalg.norm(t.grad.numpy())), rel=1e-5)
    assert recorded[loss.grad_fn] == 1.0
    assert all(not node._hooks for node in recorded)  # the recording hooks are gone again
    d = parse(draw_graph(loss).source)
    # every tensor shows a gradient; colours order by it
    shown = {}
    for a in d.nodes.values():
        if a.get("shape") == "record":
            m = re.search(r"(?:‖grad‖|grad) (\S+)$", a["label"])
            assert m, a["label"]
            shown[float(m[1])] = luminance(a["fillcolor"])
    ordered = [shown[k] for k in sorted(shown)]
    assert ordered == sorted(ordered)


def test_trace_gradients_sees_what_user_hooks_made_of_the_gradient():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    h.register_hook(lambda g: g * 10)
    loss = h.sum()
    recorded = trace_gradients(loss)
    assert recorded[h.grad_fn] == pytest.approx(np.sqrt(200.0))
    np.testing.assert_allclose(a.grad.numpy(), [20.0, 20.0])


def test_retained_gradients_show_without_a_trace_and_grads_override():
    a = mg.tensor([3.0, 4.0], requires_grad=True, name="a")
    h = a * 1.0
    h.retain_grad()
    loss = (h * 2).sum()
    loss.backward()
    d = parse(draw_graph(loss).source)
    assert d.label("v2") == "(2,) float32|‖grad‖ 2.828"
    d = parse(draw_graph(loss, grads={h: 5.0, a: mg.tensor([0.0, 1e-3])}).source)
    assert d.label("v2") == "(2,) float32|‖grad‖ 5"
    assert d.label("v3") == "a|(2,) float32|‖grad‖ 0.001"


def test_show_grad_false_shows_no_gradients():
    _, _, _, loss = small_graph()
    trace_gradients(loss)
    d = parse(draw_graph(loss, show_grad=False).source)
    assert not any("grad" in a.get("label", "") for a in d.nodes.values())
    assert "legend" not in d.nodes


def test_backward_graph_nodes_are_coloured_by_the_gradient_they_receive():
    _, _, _, loss = small_graph()
    recorded = trace_gradients(loss)
    d = parse(draw_graph(loss, backward=True).source)
    assert d.label("n1") == f"ReLUBackward\\n‖grad‖ {recorded[loss.grad_fn.parents[0]]:.4g}"
    assert d.label("n0") == "SumBackward\\ngrad 1"
    assert d.nodes["n3"]["fillcolor"].startswith("#")


def test_exploding_gradients_are_red_and_in_the_legend():
    a = mg.tensor([1.0, 2.0], requires_grad=True, name="a")
    b = mg.tensor([1.0, 2.0], requires_grad=True, name="b")
    loss = (a * 2).sum() + (b * 3).sum()
    d = parse(draw_graph(loss, grads={a: float("inf"), b: mg.tensor([np.nan, 1.0])}).source)
    fills = {a_["label"].split("|")[0]: a_["fillcolor"] for a_ in d.nodes.values() if a_.get("shape") == "record"}
    assert fills["a"] == fills["b"] == "#e31a1c"
    assert "inf/nan" in d.nodes["legend"]["label"]


def test_trace_gradients_wants_a_tensor_and_cleans_up_when_backward_fails():
    with pytest.raises(TypeError, match="Tensor"):
        trace_gradients(np.ones(2))
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    with pytest.raises(RuntimeError, match="scalar"):
        trace_gradients(h)  # backward() needs a gradient for a non-scalar
    assert not h.grad_fn._hooks
    recorded = trace_gradients(h, gradient=mg.tensor([1.0, 1.0]))
    assert recorded[h.grad_fn] == pytest.approx(np.sqrt(2))


def test_log_color_scale():
    scale = LogColorScale(1e-6, 1.0)
    assert scale.position(1e-6) == 0 and scale.position(1.0) == 1 and scale.position(1e-3) == pytest.approx(0.5)
    assert scale.position(1e-9) == 0 and scale.position(10.0) == 1  # clipped
    assert scale.color(1e-6) == "#440154" and scale.color(1.0) == "#fde725"
    assert scale.color(0.0) == "#d9d9d9" and scale.color(float("nan")) == scale.color(float("inf")) == "#e31a1c"
    assert LogColorScale.from_values([None, 0.0, 2.0, -8.0]).hi == 8.0
    assert LogColorScale.from_values([0.0, None]) is None
    with pytest.raises(ValueError):
        LogColorScale(0.0, 1.0)


def test_grad_range_fixes_the_scale_across_drawings():
    a = mg.tensor([1.0], requires_grad=True, name="a")
    loss = (a * 1e-3).sum()
    loss.backward()
    d = parse(draw_graph(loss, grad_range=(1e-6, 1.0)).source)
    assert d.label("v2") == "a|(1,) float32|grad 0.001"
    assert d.nodes["v2"]["fillcolor"] == LogColorScale(1e-6, 1.0).color(1e-3) == "#21918c"


# ------------------------------------------------------------------------------------ modules
def test_each_module_is_a_labelled_cluster_nested_like_the_modules():
    mg.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(10) for m in (nn.Linear(4, 4), nn.Sigmoid())])
    x = mg.randn(3, 4)
    loss = model(x).sum()
    trace_gradients(loss)
    d = parse(draw_graph(loss, params=model).source)
    top = d.cluster_labelled("Sequential")
    assert d.clusters[top]["parent"] is None
    children = {info["label"] for info in d.clusters.values() if info["parent"] == top}
    assert children == {f"{k}: {'Linear' if k % 2 == 0 else 'Sigmoid'}" for k in range(20)}
    # a layer's box holds its op, its output and its parameters
    box = d.cluster_labelled("4: Linear")
    assert sorted(d.label(n).split("|")[0] for n in d.clusters[box]["nodes"]) == [
        "(3, 4) float32",
        "4.bias",
        "4.weight",
        "Linear",
    ]
    box = d.cluster_labelled("5: Sigmoid")
    assert sorted(d.label(n).split("|")[0] for n in d.clusters[box]["nodes"]) == ["(3, 4) float32", "Sigmoid"]
    # the Sum outside the model is in no cluster
    assert d.cluster_of["op0"] is None and d.label("op0") == "Sum"


def test_nested_modules_and_modules_outside_params():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x).tanh()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Linear(3, 2)

        def forward(self, x):
            return self.head(self.block(x))

    mg.manual_seed(0)
    net = Net()
    loss = nn.CrossEntropyLoss()(net(mg.randn(4, 3)), mg.tensor([0, 1, 0, 1]))
    d = parse(draw_graph(loss, params=net, show_grad=False).source)
    label_of = {c: info["label"] for c, info in d.clusters.items()}
    parent_label = {info["label"]: label_of.get(info["parent"]) for info in d.clusters.values()}
    assert parent_label == {
        "CrossEntropyLoss": None,  # a module outside params: a box of its own, at the top
        "Net": None,
        "block: Block": "Net",
        "block.fc: Linear": "block: Block",
        "head: Linear": "Net",
    }
    ops_in = {
        info["label"]: sorted(d.label(n) for n in info["nodes"] if n.startswith("op")) for info in d.clusters.values()
    }
    assert ops_in["block: Block"] == ["Tanh"] and ops_in["block.fc: Linear"] == ["Linear"]
    assert ops_in["CrossEntropyLoss"] == ["CrossEntropy"]
    # without a Module, clusters are flat and named from the parameters where they can be
    d = parse(draw_graph(loss, params=net.named_parameters(), show_grad=False).source)
    assert {info["label"] for info in d.clusters.values()} == {
        "CrossEntropyLoss",
        "block: Block",
        "block.fc: Linear",
        "head: Linear",
    }
    assert all(info["parent"] is None for info in d.clusters.values())
    assert parse(draw_graph(loss, params=net, cluster_modules=False).source).clusters == {}


def test_mlp_with_batchnorm_and_dropout():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
    loss = nn.CrossEntropyLoss()(model(mg.randn(6, 5)), mg.tensor([0, 1, 2, 0, 1, 2]))
    trace_gradients(loss)
    d = parse(draw_graph(loss, params=model).source)
    labels = {info["label"] for info in d.clusters.values()}
    assert {"0: Linear", "1: BatchNorm1d", "2: ReLU", "3: Dropout", "4: Linear"} <= labels
    bn = d.cluster_labelled("1: BatchNorm1d")
    names = {d.label(n).split("|")[0] for n in d.clusters[bn]["nodes"]}
    assert {"1.weight", "1.bias"} <= names
    dropout = d.cluster_labelled("3: Dropout")
    assert [d.label(n) for n in d.clusters[dropout]["nodes"] if n.startswith("op")] == ["Dropout"]


# ------------------------------------------------------------------------------------ large graphs
def deep_mlp(layers: int, width: int = 16):
    mg.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(width, width), nn.ReLU())])
    out = model(mg.randn(4, width))
    return model, (out * out).mean()


def test_a_50_layer_mlp_stays_under_the_node_limit_with_a_note():
    model, loss = deep_mlp(50)
    trace_gradients(loss)
    g = draw_graph(loss, params=model, max_nodes=120)
    d = parse(g.source)
    assert len(d.nodes) <= 120 and g.drawn_nodes == len(d.nodes)
    note = d.nodes["collapsed"]["label"]
    assert f"{g.hidden_nodes} more nodes not drawn (max_nodes=120)" in note
    assert "Linear ×" in note and "ReLU ×" in note and "‖grad‖" in note
    # both ends stay: the loss side and the first layers
    names = {a["label"].split("|")[0] for a in d.nodes.values() if "label" in a}
    assert {"0.weight", "98.weight"} <= names
    assert any(h == "collapsed" for _, h in d.edges) and any(t == "collapsed" for t, _ in d.edges)
    # the note sits inside the model's box, as what it stands for does
    assert d.clusters[d.cluster_of["collapsed"]]["label"] == "Sequential"
    # the whole model fits without a limit
    full = draw_graph(loss, params=model, max_nodes=None)
    assert full.hidden_nodes == 0 and "collapsed" not in parse(full.source).nodes
    assert full.drawn_nodes == 50 * 6 + 4 + 1  # per layer 2 ops, 2 outputs, 2 params; Pow, Mean; legend
    assert draw_graph(loss, params=model).drawn_nodes <= 200  # the default limit


def test_backward_graph_of_a_deep_model_collapses_too():
    model, loss = deep_mlp(50)
    g = draw_graph(loss, params=model, backward=True, show_grad=False, max_nodes=60)
    d = parse(g.source)
    assert len(d.nodes) <= 60 and "collapsed" in d.nodes
    assert {"MeanBackward", "AccumulateGrad"} <= {a["label"] for a in d.nodes.values()}


def test_a_100_000_op_chain_draws_without_recursion():
    x = mg.tensor([1.0], requires_grad=True, name="x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    for backward in (False, True):
        g = draw_graph(y, backward=backward, max_nodes=100)
        d = parse(g.source)
        assert len(d.nodes) <= 100
        note = d.nodes["collapsed"]["label"]
        assert re.search(r"\b\d{5,6} more nodes not drawn", note) and "ops (Mul ×" in note
        assert any(a.get("label", "").startswith("x|") for a in d.nodes.values())  # the far end too


# ------------------------------------------------------------------------------------ rendering
@needs_dot
def test_render_svg_through_dot(tmp_path):
    model, loss = deep_mlp(3)
    trace_gradients(loss)
    g = draw_graph(loss, params=model, show_data=True)
    out = g.render(tmp_path / "graph", format="svg")
    assert out.endswith("graph.svg")
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "0.weight" in text and "Linear" in text
    assert g.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_jupyter_shows_svg():
    _, _, _, loss = small_graph()
    bundle = draw_graph(loss)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_without_dot_the_source_is_there_and_rendering_says_how_to_install(monkeypatch, tmp_path):
    _, _, _, loss = small_graph()
    g = draw_graph(loss)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    assert g.source.startswith("digraph")
    for call in (lambda: g.render(tmp_path / "g", format="svg"), lambda: g.pipe(format="png")):
        with pytest.raises(GraphvizNotFoundError) as info:
            call()
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "conda install" in message and ".source" in message
        assert isinstance(info.value, graphviz.ExecutableNotFound)  # existing except clauses still catch it
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "apt-get install graphviz" in bundle["text/plain"]
    assert "digraph" in bundle["text/plain"]


def test_graphviz_own_executable_error_is_translated(monkeypatch, tmp_path):
    # shutil.which believes dot is there but running it fails: graphviz's ExecutableNotFound, reworded
    _, _, _, loss = small_graph()
    g = draw_graph(loss)
    monkeypatch.setattr(shutil, "which", lambda *a, **k: "/usr/bin/dot")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        g.render(tmp_path / "g", format="svg")


def test_more_than_max_nodes_plain_tensors_are_all_drawn():
    # no graph behind any root: nothing to collapse, and roots are always drawn
    roots = [mg.tensor(float(i)) for i in range(30)]
    g = draw_graph(*roots, max_nodes=10)
    d = parse(g.source)
    assert "collapsed" not in d.nodes and g.hidden_nodes == 0
    assert len([n for n in d.nodes if n.startswith("p")]) == 30
