"""Containers: ``Sequential``, ``ModuleList`` and ``Residual``."""
from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, overload

from minigrad.nn.module import Module, _addindent
from minigrad.tensor import Tensor


def _index(idx: Any, size: int, kind: str) -> int:
    """``idx`` as an index into a container of ``size`` modules (negative counts from the end)."""
    i = operator.index(idx)
    if not -size <= i < size:
        raise IndexError(f"{kind}: index {i} is out of range for {size} modules")
    return i % size


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: children named by position."""

    def _reset(self, modules: list[Module]) -> None:
        """Re-register ``modules`` as the children ``"0"``, ``"1"``, …"""
        for key in list(self._modules):
            delattr(self, key)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Any:
        """Add ``module`` at the end (named by its position); returns ``self``."""
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Modules applied in order: ``Sequential(a, b, c)(x) = c(b(a(x)))``.

    Children are named ``"0"``, ``"1"``, … (so the ``state_dict`` keys are ``"0.weight"``, …,
    as in PyTorch), or by the keys of an ``OrderedDict`` given as the only argument.
    Supports ``len``, iteration, indexing (``seq[-1]``), slicing (a ``Sequential`` of the
    same modules, keeping their names) and ``append``.
    """

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    @overload
    def __getitem__(self, idx: slice) -> Sequential: ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self._modules), "Sequential")]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self._modules), "Sequential")]
        self.add_module(key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        doomed = keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "Sequential")]]
        for key in doomed:
            delattr(self, key)
        self._renumber()

    def _renumber(self) -> None:
        """Keep the names ``"0"``, ``"1"``, … consecutive (as PyTorch does after a deletion)."""
        if all(key.isdigit() for key in self._modules):
            self._reset(list(self._modules.values()))

    def extend(self, modules: Iterable[Module]) -> Sequential:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index`` (names renumbered)."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.insert: expected a Module, got {type(module).__name__}")
        modules = list(self._modules.values())
        n = len(modules)
        i = operator.index(index)
        if not -n <= i <= n:
            raise IndexError(f"Sequential.insert: index {i} is out of range for {n} modules")
        modules.insert(i if i >= 0 else n + i, module)
        self._reset(modules)
        return self


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them).

    Indexing, slicing (a new ``ModuleList``), ``len``, iteration, ``append``, ``extend``,
    ``insert`` and ``+=``; it has no ``forward`` -- iterate over it in yours.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, idx: slice) -> ModuleList: ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self._modules), "ModuleList"))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self._modules), "ModuleList")), module)

    def __delitem__(self, idx: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(idx, slice):
            del modules[idx]
        else:
            del modules[_index(idx, len(modules), "ModuleList")]
        self._reset(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if isinstance(modules, Module) or not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable of modules, got {type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        modules = list(self._modules.values())
        modules.insert(operator.index(index), module)
        self._reset(modules)

    def __repr__(self) -> str:
        """PyTorch's layout, with runs of identical modules shown once: ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        lines = []
        start = 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                label = f"({start})" if i - 1 == start else f"({start}-{i - 1}): {i - start} x"
                lines.append(_addindent(f"{label}: {reprs[start]}" if i - 1 == start else f"{label} {reprs[start]}", 2))
                start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class Residual(Module):
    """A skip connection: ``y = x + module(x)`` (the module must keep x's shape).

    Residual connections ease the training of very deep networks: the gradient reaches
    earlier layers through the identity path unchanged.
    """

    def __init__(self, module: Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: Tensor) -> Tensor:
        return x + self.module(x)
