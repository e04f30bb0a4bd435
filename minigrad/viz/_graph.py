"""The walk: the graph nodes reachable from the roots, and what each still holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigrad.tensor import Tensor


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


def _count_inputs(node: Any) -> int:
    saved = node._saved
    if saved is None:
        return 0
    return sum(1 for p, x in zip(node.parents, saved) if p is None and isinstance(x, Tensor))
