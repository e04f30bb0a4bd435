"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict`` and ``Residual``."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

from minigrad.nn.module import Module, _addindent
from minigrad.nn.parameter import Parameter
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

    @overload
    def __init__(self, *args: Module) -> None: ...

    @overload
    def __init__(self, arg: OrderedDict[str, Module], /) -> None: ...

    def __init__(self, *args: Any) -> None:
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


def _check_key(container: Module, key: Any) -> str:
    """A container key: a string that does not hide one of the container's methods (``keys``, ``update``, ...).

    (Registered values are attributes of the module here, so such a key would shadow the method;
    PyTorch allows it.)
    """
    name = type(container).__name__
    if not isinstance(key, str):
        raise TypeError(f"{name}: keys must be strings, got {type(key).__name__} ({key!r})")
    if hasattr(type(container), key):
        raise KeyError(f"{name}: the key {key!r} would hide {name}.{key}; choose another name")
    return key


def _pairs(values: Any, name: str) -> Iterator[tuple[Any, Any]]:
    """The ``(key, value)`` pairs of ``update``'s argument: a mapping, or an iterable of pairs."""
    if isinstance(values, Mapping):
        yield from values.items()
        return
    if not isinstance(values, Iterable):
        raise TypeError(
            f"{name}.update should be called with an iterable of key/value pairs, but got {type(values).__name__}"
        )
    for j, pair in enumerate(values):
        if not isinstance(pair, Iterable):
            raise TypeError(f"{name} update sequence element #{j} should be Iterable; is {type(pair).__name__}")
        pair = tuple(pair)
        if len(pair) != 2:
            raise ValueError(f"{name} update sequence element #{j} has length {len(pair)}; 2 is required")
        yield pair


def _tensor_line(key: Any, value: Any) -> str:
    """One line of a parameter container's repr: ``(0): Parameter containing: [float32 of size 2x3]``."""
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        return f"  ({key}): {kind} containing: [{value.dtype} of size {'x'.join(map(str, value.shape))}]"
    return f"  ({key}): Object of type: {type(value).__name__}"


class ModuleDict(Module):
    """A dict of modules whose parameters are registered: ``ModuleDict({"enc": nn.Linear(4, 2), ...})``.

    Indexing by key, ``len``, iteration over the keys, ``in``, ``keys``/``values``/``items``,
    ``update``, ``pop`` and ``clear``; insertion order is kept. Like ``ModuleList`` it has no
    ``forward``.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(_check_key(self, key), module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Any:
        return self._modules.keys()

    def items(self) -> Any:
        return self._modules.items()

    def values(self) -> Any:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or an iterable of ``(key, module)`` pairs, in order."""
        for key, module in _pairs(modules, "ModuleDict"):
            self[key] = module


class ParameterList(Module):
    """A list of parameters that are registered (named ``"0"``, ``"1"``, ...), e.g. per-layer weights.

    Tensors put in it become ``Parameter``\\ s (sharing their data). Indexing, slicing (a new
    ``ParameterList``), ``len``, iteration, ``append``, ``extend`` and ``+=``.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _key(self, idx: Any) -> str:
        return str(_index(idx, self._size, "ParameterList"))

    @overload
    def __getitem__(self, idx: slice) -> ParameterList: ...

    @overload
    def __getitem__(self, idx: int) -> Any: ...

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(self[i] for i in range(*idx.indices(self._size)))
        return getattr(self, self._key(idx))

    def __setitem__(self, idx: int, value: Any) -> None:
        self._set(self._key(idx), value)

    def _set(self, key: str, value: Any) -> None:
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, key, value)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        self._size += 1
        self._set(str(self._size - 1), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(i, p) for i, p in enumerate(self))


class ParameterDict(Module):
    """A dict of parameters that are registered under their keys (``state_dict`` keys are the keys).

    Tensors put in it become ``Parameter``\\ s. Indexing, ``in``, ``len``, iteration over the keys,
    ``keys``/``values``/``items``, ``get``, ``pop``, ``update``, ``clear``. As in PyTorch,
    ``update`` with a plain ``dict`` adds its entries in sorted key order (an ``OrderedDict``
    or a list of pairs keeps its order).
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        _check_key(self, key)
        if key in self.__dict__ and key not in self._keys:
            raise KeyError(f"ParameterDict: the key {key!r} is taken by an attribute of the module; choose another")
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(key, value)  # checks the name (no ".", not empty)
        else:
            setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def keys(self) -> Any:
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self._keys)

    def update(self, parameters: Any) -> None:
        """Add (or replace) entries from a mapping or an iterable of ``(key, value)`` pairs."""
        if isinstance(parameters, Mapping) and not isinstance(parameters, (OrderedDict, ParameterDict)):
            parameters = sorted(parameters.items())
        items = parameters.items() if isinstance(parameters, ParameterDict) else parameters
        for key, value in _pairs(items, "ParameterDict"):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(k, p) for k, p in self.items())
