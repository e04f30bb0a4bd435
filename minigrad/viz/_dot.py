"""DOT assembly: nodes with their cluster paths and edges, collected, then emitted into nested cluster subgraphs."""

from __future__ import annotations

import graphviz

from minigrad.viz._labels import _escape

_FONT = "Helvetica"
_SPINE = {"weight": "4"}  # edges between ops: heavier, so a deep network's main path stays straight


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
