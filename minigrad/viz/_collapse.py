"""Large graphs: which nodes fit within ``max_nodes``, and the note node standing for the collapsed middle."""

from __future__ import annotations

import html
import math
from collections import Counter

from minigrad.viz._colors import LogColorScale
from minigrad.viz._graph import _Graph
from minigrad.viz._labels import _fmt, _op_name


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


def _note_label(
    graph: _Graph,
    hidden: list[int],
    costs: list[int],
    vals: list[float | None],
    scale: LogColorScale | None,
    max_nodes: int | None,
) -> str:
    """The note's HTML-like label: how many nodes of which ops are hidden, and their gradient range."""
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
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>>'


def _common_path(paths: list[tuple]) -> tuple:
    """The longest common prefix of cluster paths (the innermost cluster holding them all)."""
    distinct = list(dict.fromkeys(paths))
    common: tuple = distinct[0] if distinct else ()
    for p in distinct[1:]:
        n = 0
        while n < min(len(common), len(p)) and common[n] == p[n]:
            n += 1
        common = common[:n]
    return common


def _geomean(values: list[float]) -> float:
    positive = [v for v in values if v > 0]
    if not positive:
        return 0.0
    return math.exp(sum(math.log(v) for v in positive) / len(positive))
