"""``nn.Module``: the base of every layer and model (``torch.nn.Module`` semantics).

A Module owns *parameters* (``nn.Parameter``, trained), *buffers* (Tensors in
the ``state_dict`` but not trained, such as BatchNorm's running statistics) and
*child modules*. Assigning one as an attribute registers it::

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(4, 8)      # a child module
            self.out = nn.Linear(8, 2)

        def forward(self, x):
            return self.out(self.hidden(x).relu())

``model(x)`` calls ``forward`` (plus any hooks) and marks the ops it records as
made inside ``model``, which is how graph drawings group nodes by module.

Registered values live in the ordered registries ``_parameters``, ``_buffers``
and ``_modules`` (the source of truth for names and order) and are mirrored in
the instance ``__dict__``: ``self.weight`` is then an ordinary attribute lookup.
PyTorch finds them through ``__getattr__`` instead, which Python calls only
after a failed lookup -- about 2 µs on CPython 3.11, more than the forward of a
small layer. Register and remove them through attribute assignment, ``del``
or the ``register_*`` methods (not by editing the registries directly).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

import numpy as np

from minigrad._grad_mode import _state
from minigrad.nn.parameter import Parameter
from minigrad.tensor import RemovableHandle, Tensor

M = TypeVar("M", bound="Module")

_hook_ids = itertools.count(1)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it found missing and unexpected."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (PyTorch's repr layout)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line if line.strip() else "" for line in lines[1:])


def _check_name(module: Module, name: Any, kind: str, registry: dict) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name in module.__dict__ and name not in registry:
        raise KeyError(f"attribute '{name}' already exists")


class Module:
    """Base class of layers and models: subclass it, register parts in ``__init__``, define ``forward``."""

    training: bool
    # the registries (set in ``__init__`` through ``__dict__``; annotations only)
    _parameters: OrderedDict[str, Parameter | None]
    _buffers: OrderedDict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    # (``add_module(name, None)`` stores None, as in PyTorch, which traversals skip; containers hold modules)
    _modules: OrderedDict[str, Module]
    _forward_pre_hooks: OrderedDict[int, tuple[Callable[..., Any], bool]]
    _forward_hooks: OrderedDict[int, tuple[Callable[..., Any], bool]]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)``, with ops recorded inside marked as this module's."""
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        prev = _state.module
        _state.module = self
        try:
            return self.forward(*args, **kwargs)
        finally:
            _state.module = prev

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        prev = _state.module
        _state.module = self
        try:
            for hook, with_kwargs in list(self._forward_pre_hooks.values()):
                if with_kwargs:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(
                                "a forward pre-hook registered with with_kwargs=True must return None "
                                f"or a tuple (new_args, new_kwargs), got {type(result).__name__}"
                            )
                        args, kwargs = result
                else:
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
            output = self.forward(*args, **kwargs)
            for hook, with_kwargs in list(self._forward_hooks.values()):
                result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
                if result is not None:
                    output = result
            return output
        finally:
            _state.module = prev

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a returned value (or tuple) replaces the args.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return
        ``(args, kwargs)``. ``prepend=True`` runs it before the hooks already registered.
        """
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a returned value replaces the output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``.
        Returns a handle whose ``.remove()`` unregisters the hook.
        """
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    @staticmethod
    def _add_hook(hooks: OrderedDict, hook: Callable[..., Any], prepend: bool, with_kwargs: bool) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
        key = next(_hook_ids)
        hooks[key] = (hook, bool(with_kwargs))
        if prepend:
            hooks.move_to_end(key, last=False)
        return RemovableHandle(hooks, key)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        modules = d.get("_modules")
        buffers = d.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._unregister(name, keep="_parameters")
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._unregister(name, keep="_modules")
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (nn.Module or None expected)"
                )
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._unregister(name)
        object.__delattr__(self, name)

    def _unregister(self, name: str, keep: str | None = None) -> None:
        """Remove ``name`` from the registries but ``keep`` (where it keeps its place when reassigned)."""
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep and registry in d:
                d[registry].pop(name, None)
        if "_non_persistent_buffers" in d:
            d["_non_persistent_buffers"].discard(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (``None`` reserves the name, as ``Linear(bias=False)`` does with ``bias``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(self, name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' (nn.Parameter or None required)"
            )
        self._unregister(name, keep="_parameters")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is saved in ``state_dict`` (if ``persistent``) but not trained."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(self, name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)"
            )
        self._unregister(name, keep="_buffers")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(self, name, "module", self._modules)
        self._unregister(name, keep="_modules")
        self._modules[name] = module  # type: ignore[assignment]  # None is kept, as in PyTorch (see _modules)
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is this module)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{item}` (looking up {target!r})")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"0.weight"``)."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        param = module._parameters.get(name)
        if param is None:
            raise AttributeError(f"{type(module).__name__} has no parameter `{name}` (looking up {target!r})")
        return param

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module and every descendant, depth first (this one first)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct children (each module once)."""
        seen: set = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs in PyTorch's order (each module's own, then its children's); a
        parameter shared by two modules appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call ``fn`` on every child (recursively), then on this module; returns this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self: M, mode: bool = True) -> M:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self: M) -> M:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Turn gradient tracking of every parameter on or off (e.g. to freeze layers)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros in place."""
        for param in self.parameters():
            grad = param.grad
            if grad is None:
                continue
            if set_to_none:
                param.grad = None
            elif grad.requires_grad or grad.grad_fn is not None or not grad._data.flags.writeable:
                param.grad = Tensor._make(np.zeros_like(grad._data))
            else:
                grad._writable()[...] = 0

    def _cast_floats(self: M, dtype: Any) -> M:
        dtype = np.dtype(dtype)
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            if tensor.dtype.kind == "f" and tensor.dtype != dtype:
                tensor._take_memory(tensor._data.astype(dtype))
                if tensor.grad is not None:
                    tensor.grad = Tensor._make(tensor.grad._data.astype(dtype))
        return self

    def to(self: M, *args: Any, **kwargs: Any) -> M:
        """``to(dtype)``, ``to(device)`` or ``to(device, dtype)`` as PyTorch: floating parameters and
        buffers are converted in place (the Parameter objects stay); only the CPU device exists."""
        from minigrad._device import check_device

        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"Module.to(): unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, str) or type(a).__name__ == "device":
                check_device(a)
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif a is not None:
                dtype = a
        return self if dtype is None else self._cast_floats(dtype)

    def cpu(self: M) -> M:
        return self

    def cuda(self: M, *args: Any, **kwargs: Any) -> M:
        from minigrad._device import check_device

        check_device("cuda")  # raises: there is no CUDA device
        return self

    def float(self: M) -> M:
        return self._cast_floats(np.float32)

    def double(self: M) -> M:
        return self._cast_floats(np.float64)

    # ------------------------------------------------------------------ state dict
    def state_dict(
        self, *, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Name → Tensor for every parameter and persistent buffer, PyTorch's keys and order.

        Each module contributes its parameters, then its buffers, then its children's
        entries (``"0.weight"``, ``"1.running_mean"``, ...). Values are copies (plain
        Tensors without grad), unless ``keep_vars=True`` gives the live tensors.
        """
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else Tensor._make(param._data.copy())
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buf if keep_vars else Tensor._make(buf._data.copy())
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination  # type: ignore[return-value]

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers, in place.

        All or nothing: every key, shape, dtype and target (writeable) is checked before
        anything is copied. A shape mismatch, a read-only target, or (with ``strict``) a
        missing or unexpected key, raises ``RuntimeError`` listing all of them and leaves
        the module unchanged.
        **Deviation** from PyTorch, which copies the matching entries before raising.
        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors: list[str] = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        updates = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value._data if isinstance(value, Tensor) else value
            if not isinstance(array, (np.ndarray, np.generic, int, float, bool)):
                errors.append(f"value for {key}: expected a Tensor or an array, got {type(value).__name__}.")
                continue
            array = np.asarray(array)
            if array.dtype.kind not in "biuf":
                errors.append(f"value for {key}: expected numeric data, got dtype {array.dtype}.")
            elif array.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {array.shape} from checkpoint, "
                    f"the shape in current model is {target.shape}."
                )
            elif not target._data.flags.writeable:
                errors.append(
                    f"cannot copy into {key}: its array (shape {target.shape}, {target.dtype}) is read-only, "
                    "e.g. from np.load(mmap_mode='r') or np.broadcast_to; give it a writeable copy first."
                )
            elif not np.can_cast(array.dtype, target._data.dtype, casting="unsafe"):
                errors.append(f"cannot copy {array.dtype} values into {key} of dtype {target.dtype}.")
            else:
                updates.append((target, array))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for target, array in updates:
            np.copyto(target._writable(), array, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The layer's settings shown inside its repr (``in_features=4, out_features=2, bias=True``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
