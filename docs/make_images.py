"""Regenerate the sample graph drawings in docs/images/ (needs Graphviz's `dot`).

    python docs/make_images.py
"""
from __future__ import annotations

import time
from pathlib import Path

import minigrad as mg
from minigrad import nn
from minigrad.viz import DEFAULT_MAX_NODES, draw_graph, trace_gradients

OUT = Path(__file__).resolve().parent / "images"


def mlp_batchnorm_dropout() -> tuple[nn.Module, mg.Tensor]:
    """A 2-hidden-layer MLP with BatchNorm and Dropout, on a batch of 8, loss after backward."""
    mg.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(16, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 10),
    )
    x = mg.tensor(mg.randn(8, 16), name="x")
    y = mg.tensor([0, 1, 2, 3, 4, 5, 6, 7], name="y")
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.name = "loss"
    return model, loss


def deep_sigmoid(layers: int = 10, width: int = 32) -> tuple[nn.Module, mg.Tensor]:
    """A deep sigmoid MLP (PyTorch's default init): the gradient shrinks layer by layer toward the input."""
    mg.manual_seed(0)
    hidden = [m for _ in range(layers) for m in (nn.Linear(width, width), nn.Sigmoid())]
    model = nn.Sequential(*hidden, nn.Linear(width, 10))
    x = mg.tensor(mg.randn(16, width), name="x")
    y = mg.tensor(list(range(10)) + list(range(6)), name="y")
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.name = "loss"
    return model, loss


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)

    model, loss = mlp_batchnorm_dropout()
    trace_gradients(loss, retain_graph=True)  # keep what ops saved, so the input batch x can be drawn
    g = draw_graph(loss, params=model, show_inputs=True, rankdir="TB",
                   title="MLP with BatchNorm and Dropout, after backward()")
    print("wrote", g.render(OUT / "mlp_batchnorm_dropout", format="svg", cleanup=True))

    model, loss = deep_sigmoid()
    trace_gradients(loss, retain_graph=True)
    g = draw_graph(loss, params=model, show_inputs=True, rankdir="TB",
                   title="10 sigmoid layers after backward(): the gradient vanishes toward the input")
    print("wrote", g.render(OUT / "deep_sigmoid_vanishing", format="svg", cleanup=True))

    # how large a graph renders, and how fast: a 50-layer MLP (Linear + ReLU per layer)
    mg.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(50) for m in (nn.Linear(64, 64), nn.ReLU())])
    out = model(mg.randn(32, 64))
    loss = (out * out).mean()
    trace_gradients(loss)
    for max_nodes in (DEFAULT_MAX_NODES, None):
        start = time.perf_counter()
        g = draw_graph(loss, params=model, max_nodes=max_nodes)
        drawn = time.perf_counter()
        svg = g.pipe(format="svg")
        done = time.perf_counter()
        print(f"50-layer MLP, max_nodes={max_nodes}: {g.drawn_nodes} nodes drawn, {g.hidden_nodes} collapsed; "
              f"draw_graph {1e3 * (drawn - start):.0f} ms + dot {1e3 * (done - drawn):.0f} ms "
              f"-> {len(svg) // 1024} KiB of SVG")

if __name__ == "__main__":
    main()
