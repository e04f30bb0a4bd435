"""Names and modules: parameter names, and the nested ``nn.Module`` cluster each drawn node goes into."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from minigrad.tensor import Tensor


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
