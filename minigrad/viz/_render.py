"""Rendering: the Digraph draw_graph returns, which fails early with install instructions when `dot` is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import graphviz

_INSTALL_HINT = (
    "Rendering a graph needs Graphviz's `{program}` program, which is not on PATH. Install Graphviz: "
    "Debian/Ubuntu `sudo apt-get install graphviz`, macOS `brew install graphviz`, "
    "conda `conda install -c conda-forge graphviz`, Windows `winget install graphviz` "
    "(see https://graphviz.org/download/). The `graphviz` pip package is only the Python interface. "
    "Without it the DOT text is still available as `.source`."
)


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
