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

from minigrad.viz._colors import LogColorScale
from minigrad.viz._draw import DEFAULT_MAX_NODES, draw_graph
from minigrad.viz._gradients import trace_gradients
from minigrad.viz._render import GraphDrawing, GraphvizNotFoundError

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphDrawing",
    "GraphvizNotFoundError",
    "LogColorScale",
    "draw_graph",
    "trace_gradients",
]

# The package, one concern a module, in the order draw_graph uses them:
#   _graph      the walk from the roots (nodes, depths, the tensors still at hand)
#   _gradients  the gradient value each node shows; trace_gradients
#   _clusters   parameter names and the nested module clusters
#   _collapse   which nodes fit within max_nodes, and the note standing for the rest
#   _labels     node text: numbers, shapes, data, escaping
#   _colors     gradient norms to colours, the legend
#   _builder    graph nodes into Graphviz nodes and edges (forward or backward picture)
#   _dot        those nodes and edges, nested in cluster subgraphs, into a Digraph
#   _render     the Digraph subclass that says how to install Graphviz when `dot` is missing
#   _draw       draw_graph, tying them together
