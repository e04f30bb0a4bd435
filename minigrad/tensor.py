"""The Tensor: a NumPy array plus the autograd metadata of the graph that made it.

A Tensor holds its array (``numpy()``, a ``numpy.ndarray``, never copied on
access; the engine reads the private field ``_data``), whether it
``requires_grad``, and for results of ops the node that made it (``.grad_fn``).
Every operator and method here calls an op from ``minigrad.ops``; nothing in
this file computes a gradient.
"""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, cast

import numpy as np

from minigrad import _grad_mode, _print
from minigrad._device import CPU, check_device
from minigrad._dtype import get_default_dtype, result_type
from minigrad._grad_mode import _state
from minigrad._random import resolve_generator

ArrayLike = Any  # nested lists, scalars, ndarrays or Tensors

_FLOAT_KINDS = "fc"


def _is_float_dtype(dtype: np.dtype) -> bool:
    return dtype.kind in _FLOAT_KINDS


def _to_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """Data as a fresh ndarray with minigrad's dtype rules (Python floats → default dtype)."""
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dtype, copy=True)
    try:
        if isinstance(data, np.ndarray):
            return check_numeric(np.array(data, dtype=dtype, copy=True), "tensor", data)
        if isinstance(data, np.generic):
            return check_numeric(np.array(data, dtype=dtype), "tensor", data)
        arr = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__}: {exc}") from None
    if dtype is None and arr.dtype == np.float64:
        # Python floats (and lists of them) take the default dtype, as in PyTorch
        arr = arr.astype(get_default_dtype())
    return check_numeric(arr, "tensor", data)


def check_numeric(arr: np.ndarray, op: str, source: Any = None) -> np.ndarray:
    """``arr`` itself if its dtype is bool or a number; a TypeError naming ``op`` otherwise
    (strings, objects, dates and records can't be tensors, as in PyTorch)."""
    if arr.dtype.kind not in "biufc":
        origin = f" (from {type(source).__name__})" if source is not None else ""
        raise TypeError(
            f"{op}: data of dtype {arr.dtype}{origin} is not numeric; "
            "give numbers, nested lists of numbers or a numeric NumPy array"
        )
    return arr


def _check_requires_grad(dtype: np.dtype, flag: bool) -> None:
    if flag and dtype.kind != "f":
        extra = " (complex autograd is not supported)" if dtype.kind == "c" else ""
        raise TypeError(
            f"only floating-point tensors can require gradients, got dtype {dtype}{extra}; "
            "make the data float (e.g. mg.tensor([1.0, 2.0]) or .float()) first"
        )


class RemovableHandle:
    """Returned by ``register_hook``/``register_forward_hook``; ``.remove()`` unregisters."""

    __slots__ = ("_hooks", "_key")

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks = hooks
        self._key = key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


_hook_ids = iter(range(1, 1 << 62))


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff."""

    # a dict, so that the public slots carry docstrings (``help(Tensor.requires_grad)``)
    __slots__ = {
        "_data": None,
        "_grad": None,
        "requires_grad": "Whether ops on this tensor are recorded, so that ``backward`` computes its gradient.",
        "grad_fn": "The Function node that made this tensor (``None`` for a leaf); ``backward`` starts from it.",
        "name": "An optional label (``None`` by default), shown in the repr and in drawn graphs.",
        "_version": None,
        "_base": None,
        "_view_fn": None,
        "_view_version": None,
        "_hooks": None,
        "_retains_grad": None,
        "_acc": None,
        "__weakref__": None,
    }
    # the slots' types (annotations only: no class attributes); the public ones repeat the __slots__ docstrings
    # for the API reference, which reads them from the source
    _data: np.ndarray
    _grad: Tensor | None
    requires_grad: bool
    """Whether ops on this tensor are recorded, so that ``backward`` computes its gradient."""
    grad_fn: Any
    """The Function node that made this tensor (``None`` for a leaf); ``backward`` starts from it."""
    name: str | None
    """An optional label (``None`` by default), shown in the repr and in drawn graphs."""
    _version: int
    _base: Tensor | None
    _view_fn: tuple[Any, ...] | None
    _view_version: int
    _hooks: dict[int, Callable[..., Any]] | None
    _retains_grad: bool
    _acc: Any  # this leaf's AccumulateGrad node, made on first use
    # ndarray (op) Tensor dispatches to Tensor's reflected methods
    __array_ufunc__ = None

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        arr = _to_array(data, None if dtype is None else np.dtype(dtype))
        _check_requires_grad(arr.dtype, requires_grad)
        self._init_leaf(arr, bool(requires_grad), name)

    def _init_leaf(self, data: np.ndarray, requires_grad: bool, name: str | None, grad: Any = None) -> None:
        """Every field of a fresh leaf (no history, version 0, owning its memory as far as we know)."""
        self._data = data
        self._grad = grad
        self.requires_grad = requires_grad
        self.grad_fn = None
        self.name = name
        self._version = 0
        self._base = None
        self._view_fn = None
        self._hooks = None
        self._retains_grad = False
        self._acc = None

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
        """Wrap an array the library just made (no copy): the op hot path. A NumPy scalar (what
        NumPy returns for 0-d results) becomes a 0-d array: a Tensor's array is always an ndarray."""
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._grad = None
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t.name = None
        t._version = 0
        t._base = None
        t._view_fn = None
        t._hooks = None
        t._retains_grad = False
        t._acc = None
        return t

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension, a tuple of ints (``torch.Size`` in PyTorch; ``size()`` gives the same)."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions (0 for a scalar tensor)."""
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type, a ``numpy.dtype`` (``mg.float32`` and friends are these dtypes)."""
        return self._data.dtype

    @property
    def data(self) -> Tensor:
        """This tensor's values as a new Tensor that shares its memory but not its history or
        version counter (as PyTorch): writes through it (``p.data += -lr * p.grad``) update this
        tensor and are not tracked by autograd."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor | np.ndarray) -> None:
        """``t.data = other``: this tensor now holds ``other``'s values (its memory, as PyTorch)."""
        arr = value._data if isinstance(value, Tensor) else _to_array(value)
        if self.requires_grad and not _is_float_dtype(arr.dtype):
            raise TypeError(f"data: cannot assign {arr.dtype} values to a tensor that requires grad")
        self._data = arr
        self._base = self._view_fn = None  # its own memory now: no longer a view of anything
        if self._acc is not None:  # Function.apply takes a leaf's node as it is
            self._acc.shape, self._acc.dtype = arr.shape, arr.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (not the result of a recorded op)."""
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a Tensor of this shape) or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has shape {value.shape}, but the tensor has shape {self.shape}")
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"assigned grad has dtype {value.dtype}, but the tensor has dtype {self.dtype} "
                    f"(cast it first, e.g. .to({self.dtype}))"
                )
            if value is self:
                raise RuntimeError("can't assign a tensor as its own gradient")
        self._grad = value

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[_wrap_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        """The number of elements (the product of the shape)."""
        return int(self._data.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    # pickling keeps the values, grad and name; the graph (and the weak link to a leaf's
    # accumulator node) is not state worth saving
    def __getstate__(self) -> dict:
        return {"data": self._data, "requires_grad": self.requires_grad, "grad": self._grad, "name": self.name}

    def __setstate__(self, state: dict) -> None:
        self._init_leaf(state["data"], state["requires_grad"], state["name"], state["grad"])

    # ------------------------------------------------------------------ conversions
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (no copy; also for tensors that require grad)."""
        return self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number; RuntimeError for more elements."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a tensor with {self._data.size} elements cannot be converted to a Python number"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers; a 0-d tensor gives a number."""
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self._data.size} values is ambiguous; use .any() or .all()"
            )
        return bool(self._data.item())

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``), as in PyTorch."""
        if self.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} passed to a tensor of shape {self.shape}: "
                "format its .item() or .tolist()"
            )
        return repr(self)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __repr__(self) -> str:
        body = _print.tensor_str(self._data, len("tensor("))
        extras = [f"size={self.shape}"] if self._data.size == 0 and self.ndim != 1 else []
        if _repr_shows_dtype(self.dtype):
            extras.append(f"dtype=torch.{self.dtype.name}")  # PyTorch's repr, so printed output matches
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Tensor | np.ndarray | float | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (PyTorch semantics)."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """The same data (shared memory, and so the same version counter), cut from the graph."""
        t = Tensor._make(self._data)
        t._base = self if self._base is None else self._base
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place (not for views, as in PyTorch)."""
        if self._view_fn is not None:
            raise RuntimeError("detach_(): can't detach a view in place; use .detach() instead")
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaf tensors only; float dtypes to turn it on) and return self."""
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad of leaf tensors; "
                "use .detach() to get a leaf from a non-leaf"
            )
        _check_requires_grad(self.dtype, requires_grad)
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: can't retain the gradient of a tensor that doesn't require grad")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self.grad_fn._add_retained(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require grad")
        if self.grad_fn is not None:
            hooks = self.grad_fn._hook_dict()
        else:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        key = next(_hook_ids)
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    def _grad_accumulator(self) -> Any:
        """The AccumulateGrad node of a leaf that requires grad (one per leaf, kept with it; where the
        leaf's array is replaced, the data setter and ``_take_memory`` give the node its shape and dtype)."""
        node = self._acc
        if node is None:
            node = self._acc = _function.AccumulateGrad(self)
        return node

    # ------------------------------------------------------------------ copies and casts
    def clone(self) -> Tensor:
        """A differentiable copy with its own memory."""
        return _ew.Clone.apply(self)

    def astype(self, dtype: Any) -> Tensor:
        """A copy converted to ``dtype`` (differentiable between float dtypes)."""
        return _ew.Cast.apply(self, to=np.dtype(dtype))

    @property
    def device(self) -> Any:
        """Always the CPU (``mg.device("cpu")``): minigrad computes there."""
        return CPU

    is_cuda = False
    """False: minigrad computes on the CPU."""

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)`` as PyTorch: ``self`` when
        nothing changes, else a converted copy. Only the CPU device exists."""
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to(): unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str) or type(a).__name__ == "device":
                check_device(a)
            elif a is not None:
                dtype = a
        if dtype is None or np.dtype(dtype) == self.dtype:
            return self.clone() if copy else self
        return self.astype(dtype)

    def cpu(self) -> Tensor:
        """This tensor itself: minigrad computes on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Always raises: minigrad has no CUDA device (as PyTorch built without CUDA)."""
        check_device("cuda")  # raises: there is no CUDA device
        return self

    def float(self) -> Tensor:
        """This tensor as float32: itself when it already is (as PyTorch), else a
        converted copy (differentiable from other float dtypes)."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor as float64: itself when it already is (as PyTorch), else a
        converted copy (differentiable from other float dtypes)."""
        return self.to(np.float64)

    def half(self) -> Tensor:
        """This tensor as float16: itself when it already is (as PyTorch), else a
        converted copy (differentiable from other float dtypes)."""
        return self.to(np.float16)

    def long(self) -> Tensor:
        """This tensor as int64: itself when it already is (as PyTorch), else a
        converted copy (no gradient)."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        """This tensor as int32: itself when it already is (as PyTorch), else a
        converted copy (no gradient)."""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """This tensor as bool: True where nonzero: itself when it already is (as PyTorch), else a
        converted copy (no gradient)."""
        return self.to(np.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype."""
        return self.to(other.dtype)

    def type(self, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
        """``type()``: PyTorch's type name (``'torch.FloatTensor'``); ``type(dtype)``: this tensor in
        ``dtype`` (a dtype or such a name), itself when it already is, as ``to(dtype)``."""
        if dtype is None:
            return f"torch.{_TENSOR_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str):
            name = dtype.removeprefix("torch.")
            by_name = {v: k for k, v in _TENSOR_TYPE_NAMES.items()}
            if name not in by_name:
                raise ValueError(f"type(): invalid type {dtype!r} (expected e.g. 'torch.FloatTensor' or a dtype)")
            dtype = np.dtype(by_name[name])
        return self.to(dtype)

    # ------------------------------------------------------------------ version counter and views
    # A view (reshape, transpose, basic indexing, expand, detach) shares its base's memory and so,
    # as in PyTorch, its version counter: the count lives on the tensor that owns the memory,
    # ``_base`` (None for a tensor that owns its memory). A view made by view ops also keeps the
    # chain of ops that makes it from its base (``_view_fn``), so that a write through it can
    # rewrite the base's history, and the base version its history was made at (``_view_version``).
    def _current_version(self) -> builtins.int:
        """How many in-place writes this tensor's memory has seen (the base's count for a view)."""
        return self._version if self._base is None else self._base._version

    def _writable(self) -> np.ndarray:
        """The array to write into in place, the write counted first: the one way library code (optimizers,
        init, clipping, running statistics, loading) changes a tensor's memory, so none forgets the version
        counter that lets a graph which saved this tensor refuse a stale backward."""
        if self._base is None:
            self._version += 1
        else:
            self._base._version += 1
        return self._data

    def _bump_version(self) -> None:
        """Count an in-place write into this tensor's memory."""
        if self._base is None:
            self._version += 1
        else:
            self._base._version += 1

    def _take_memory(self, data: np.ndarray) -> None:
        """Replace this tensor's array by ``data`` (memory of its own, so no longer a view), at a
        version past the old one, so graphs that saved it refuse backward."""
        self._version = self._current_version() + 1
        self._base = None
        self._view_fn = None
        self._data = data
        if self._acc is not None:  # Function.apply takes a leaf's node as it is
            self._acc.shape, self._acc.dtype = data.shape, data.dtype

    def _regenerate_view(self) -> None:
        """Remake this view's history from its base's current one (after the base, or another
        view of it, was written in place), as PyTorch does for views of a modified base."""
        base = cast(Tensor, self._base)  # a view: its base and steps are set
        if base.requires_grad:
            with _grad_mode.enable_grad():
                fresh = _function.replay_view(cast(tuple, self._view_fn), base)
            self.grad_fn, self.requires_grad = fresh.grad_fn, fresh.requires_grad
        self._view_version = base._version

    # ------------------------------------------------------------------ in place
    def _check_inplace(self, op: str) -> None:
        if not _state.enabled:
            return
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{op}: a leaf tensor that requires grad is being used in an in-place operation; "
                "wrap the update in `with mg.no_grad():` (as optimizers do)"
            )
        base = cast(Tensor, self._base)  # read only for a view, whose base is set
        if self._view_fn is not None and base.requires_grad and base.grad_fn is None:
            raise RuntimeError(
                f"{op}: a view of a leaf tensor that requires grad is being used in an in-place operation; "
                "wrap the update in `with mg.no_grad():`, or write into a clone"
            )

    def _write_recorded(self, op: str, fn: Callable[[Tensor], Tensor], saves_self: builtins.bool) -> None:
        """An in-place op that autograd records, as PyTorch does it.

        The result ``fn(old)`` is computed from an alias of the old value (a copy when the op
        saves it for backward) and written into this tensor's memory, so every view sees it.
        Then the history is rewritten: a tensor that owns its memory now stands for the result;
        a view's base gets a ``CopySlices`` node (the old base with the view's region replaced),
        and the view is remade from the new base.
        """
        if self._view_fn is not None and self._view_version != cast(Tensor, self._base)._version:
            self._regenerate_view()
        old = Tensor._make(self._data.copy() if saves_self else self._data, self.requires_grad, self.grad_fn)
        out = fn(old)
        if out.shape != self.shape:
            raise RuntimeError(
                f"{op}: the result has shape {out.shape}, which can't be written into shape {self.shape}"
            )
        try:
            np.copyto(self._data, out._data, casting="same_kind")
        except (TypeError, ValueError) as exc:
            raise RuntimeError(
                f"{op}: can't write a {out.dtype} result of shape {out.shape} into a tensor of "
                f"shape {self.shape} {self.dtype}: {exc}"
            ) from None
        self._bump_version()
        if not out.requires_grad:
            return
        base = cast(Tensor, self._base)  # read only for a view, whose base is set
        if self._view_fn is None:  # this tensor owns its memory (or is a detached alias)
            self.grad_fn, self.requires_grad = out.grad_fn, True
            return
        old_base = Tensor._make(base._data, base.requires_grad, base.grad_fn)
        new_base = _function.CopySlices.apply(old_base, out, steps=self._view_fn)
        base.grad_fn, base.requires_grad = new_base.grad_fn, True
        self._regenerate_view()

    def _inplace(
        self, op: str, fn: Callable[[Tensor], Tensor], ufunc: Any, other: Any, saves_self: builtins.bool = True
    ) -> Tensor:
        """``self op= other``: ``fn(self)`` computes the result. Recorded when autograd needs it
        (see ``_write_recorded``), else ``ufunc`` updates the array itself."""
        self._check_inplace(op)
        if _state.enabled and (self.requires_grad or isinstance(other, Tensor) and other.requires_grad):
            self._write_recorded(op, fn, saves_self)
            return self
        o = other._data if isinstance(other, Tensor) else other
        try:
            ufunc(self._data, o, out=self._data, casting="same_kind")
        except (ValueError, TypeError) as exc:
            raise RuntimeError(
                f"{op}: cannot update a tensor of shape {self.shape} {self.dtype} in place "
                f"with {_describe(other)}: {exc}"
            ) from None
        self._bump_version()
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("add_", lambda a: a + other, np.add, other, saves_self=False)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("sub_", lambda a: a - other, np.subtract, other, saves_self=False)

    def __imul__(self, other: Any) -> Tensor:
        """``self *= other`` in place (``mul_``): recorded by autograd when needed."""
        return self._inplace("mul_", lambda a: a * other, np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        """``self /= other`` in place (``div_``): recorded by autograd when needed."""
        return self._inplace("div_", lambda a: a / other, np.true_divide, other)

    mul_ = __imul__
    """``self *= other`` in place (``other`` broadcast to this tensor's shape)."""
    div_ = __itruediv__
    """``self /= other`` in place (a float tensor: integer tensors can't hold the quotient)."""

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` (a number or a 0-d tensor) in place."""
        return self._put("fill_", Ellipsis, value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src``'s values into this tensor's memory (broadcast; cast to this dtype)."""
        if not isinstance(src, Tensor):
            src = Tensor._make(np.asarray(src))
        if src.dtype != self.dtype:
            src = src.astype(self.dtype) if src.requires_grad else Tensor._make(src._data.astype(self.dtype))
        return self._put("copy_", Ellipsis, src)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._put("__setitem__", _index.convert_index(index), value)

    def _put(self, op: str, idx: Any, value: Any) -> Tensor:
        """``self[idx] = value`` in place: recorded (as ``IndexPut``) when autograd needs it."""
        self._check_inplace(op)
        if _state.enabled and (self.requires_grad or isinstance(value, Tensor) and value.requires_grad):
            self._write_recorded(op, lambda a: _index.IndexPut.apply(a, value, index=idx), saves_self=False)
            return self
        try:
            self._data[idx] = value._data if isinstance(value, Tensor) else value
        except (IndexError, ValueError, TypeError) as exc:
            raise IndexError(f"{op}: {exc} (tensor of shape {self.shape}, value {_describe(value)})") from None
        self._bump_version()
        return self

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        return _ew.Add.apply(*_promote(self, other))

    def __radd__(self, other: Any) -> Tensor:
        return _ew.Add.apply(*_promote(other, self))

    def __sub__(self, other: Any) -> Tensor:
        return _ew.Sub.apply(*_promote(self, other))

    def __rsub__(self, other: Any) -> Tensor:
        return _ew.Sub.apply(*_promote(other, self))

    def __mul__(self, other: Any) -> Tensor:
        return _ew.Mul.apply(*_promote(self, other))

    def __rmul__(self, other: Any) -> Tensor:
        return _ew.Mul.apply(*_promote(other, self))

    def __truediv__(self, other: Any) -> Tensor:
        return _ew.Div.apply(*_promote(self, other, true_divide=True))

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ew.Div.apply(*_promote(other, self, true_divide=True))

    def __pow__(self, other: Any) -> Tensor:
        other = _operand(other)
        if isinstance(other, (int, float)):
            base = self if self._data.dtype.kind in "fc" or isinstance(other, int) else _as_float(self)
            return _ew.PowScalar.apply(base, exponent=other)
        return _ew.Pow.apply(*_promote(self, other))

    def __rpow__(self, other: Any) -> Tensor:
        return _ew.Pow.apply(*_promote(other, self))

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent``."""
        return self**exponent

    def __matmul__(self, other: Any) -> Tensor:
        return _linalg.MatMul.apply(self, _operand(other, "matmul"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _linalg.MatMul.apply(_operand(other, "matmul"), self)

    def __neg__(self) -> Tensor:
        return _ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ew.Abs.apply(self)

    # comparisons: bool tensors, never recorded
    def _compare(self, other: Any, ufunc: Any, op: str) -> Tensor:
        o = other._data if isinstance(other, Tensor) else other
        try:
            return Tensor._make(ufunc(self._data, o))
        except ValueError as exc:
            raise _ew.broadcast_error(op, self._data, o, exc) from None

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less, "lt")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal, "le")

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater, "gt")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal, "ge")

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal, "eq")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal, "ne")

    def __invert__(self) -> Tensor:
        if self.dtype != np.bool_ and self.dtype.kind not in "iu":
            raise TypeError(f"~ (logical not) needs a bool or integer tensor, got {self.dtype}")
        return Tensor._make(~self._data)

    def __and__(self, other: Any) -> Tensor:
        return Tensor._make(self._data & (other._data if isinstance(other, Tensor) else other))

    def __or__(self, other: Any) -> Tensor:
        return Tensor._make(self._data | (other._data if isinstance(other, Tensor) else other))

    def __xor__(self, other: Any) -> Tensor:
        return Tensor._make(self._data ^ (other._data if isinstance(other, Tensor) else other))

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """eˣ elementwise (integers give the default float dtype); gradient eˣ."""
        return _ew.Exp.apply(_as_float(self))

    def log(self) -> Tensor:
        """The natural logarithm ln x (−inf at 0, nan below); gradient 1/x."""
        return _ew.Log.apply(_as_float(self))

    def sqrt(self) -> Tensor:
        """√x elementwise; gradient 1/(2√x)."""
        return _ew.Sqrt.apply(_as_float(self))

    def abs(self) -> Tensor:
        """|x| elementwise; gradient sign(x) (0 at 0, as PyTorch)."""
        return _ew.Abs.apply(self)

    def sin(self) -> Tensor:
        """sin x elementwise; gradient cos x."""
        return _ew.Sin.apply(_as_float(self))

    def cos(self) -> Tensor:
        """cos x elementwise; gradient −sin x."""
        return _ew.Cos.apply(_as_float(self))

    def sign(self) -> Tensor:
        """−1, 0 or 1 by the sign of each element (gradient 0, as PyTorch)."""
        if self._data.dtype == np.bool_:
            return Tensor._make(self._data.copy())
        return _ew.Sign.apply(self)

    def tanh(self) -> Tensor:
        """tanh x elementwise; gradient 1 − tanh²x."""
        return _act.Tanh.apply(_as_float(self))

    def sigmoid(self) -> Tensor:
        """The logistic function σ(x) = 1/(1 + e⁻ˣ); gradient σ(x)(1 − σ(x))."""
        return _act.Sigmoid.apply(_as_float(self))

    def relu(self) -> Tensor:
        """max(x, 0) elementwise; gradient 1 where x > 0, else 0."""
        return _act.ReLU.apply(self)

    def leaky_relu(self, negative_slope: builtins.float = 0.01) -> Tensor:
        """x where x > 0, else ``negative_slope`` · x."""
        return _act.LeakyReLU.apply(self, negative_slope=float(negative_slope))

    def elu(self, alpha: builtins.float = 1.0) -> Tensor:
        """x where x > 0, else α(eˣ − 1)."""
        return _act.ELU.apply(_as_float(self), alpha=float(alpha))

    def clamp(self, min: builtins.float | None = None, max: builtins.float | None = None) -> Tensor:
        """Limit values to [min, max]; the gradient passes where min ≤ x ≤ max."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        if min is not None and max is not None and min > max:
            raise ValueError(f"clamp: min ({min}) must not exceed max ({max})")
        return _ew.Clamp.apply(self, lo=min, hi=max)

    clip = clamp
    """``clamp`` (NumPy's name)."""

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        """Sum over ``dim`` (an int, a tuple or None for all); ``keepdim`` keeps reduced dims as size 1. NumPy's
        ``axis``/``keepdims`` work too."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.Sum.apply(self, dim=_reduce.norm_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Arithmetic mean over ``dim`` (an int, a tuple or None for all); ``keepdim`` keeps reduced dims as size 1.
        Integers give the default float dtype."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.mean(_as_float(self), dim, keepdim)

    def var(
        self,
        dim: Any = None,
        *,
        correction: builtins.float = 1,
        keepdim: builtins.bool = False,
        axis: Any = None,
        keepdims: Any = None,
        unbiased: builtins.bool | None = None,
    ) -> Tensor:
        """Variance Σ(x−x̄)²/(N−correction); ``correction=1`` (default) is the unbiased estimate."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        if unbiased is not None:
            correction = 1 if unbiased else 0
        return _reduce.var(_as_float(self), dim, correction, keepdim)

    def std(
        self,
        dim: Any = None,
        *,
        correction: builtins.float = 1,
        keepdim: builtins.bool = False,
        axis: Any = None,
        keepdims: Any = None,
        unbiased: builtins.bool | None = None,
    ) -> Tensor:
        """Standard deviation √var (one node; its gradient is 0 where the std is 0, as PyTorch)."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        if unbiased is not None:
            correction = 1 if unbiased else 0
        return _reduce.std(_as_float(self), dim, correction, keepdim)

    def max(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """As ``torch.max``: the 0-d largest value (ties share the gradient); with an int ``dim``
        the named tuple ``(values, indices)``; with a tensor, the elementwise ``maximum``.
        NumPy's ``axis=``/``keepdims=`` give the values only (as ``amax``)."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if axis is not None or keepdims is not None:  # NumPy's spelling: values only, as np.max
            return self.amax(dim, keepdim, axis=axis, keepdims=keepdims)
        if dim is None or (isinstance(dim, (tuple, list)) and not dim):  # dim=(): all dims, as the reductions
            return _reduce.Max.apply(self, dim=None, keepdim=False)
        return _reduce.extremum_along(self, dim, keepdim, np.argmax, "max")

    def min(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """As ``torch.min``: the 0-d smallest value, ``(values, indices)`` along an int ``dim``,
        or the elementwise ``minimum`` with a tensor."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if axis is not None or keepdims is not None:  # NumPy's spelling: values only, as np.min
            return self.amin(dim, keepdim, axis=axis, keepdims=keepdims)
        if dim is None or (isinstance(dim, (tuple, list)) and not dim):  # dim=(): all dims, as the reductions
            return _reduce.Min.apply(self, dim=None, keepdim=False)
        return _reduce.extremum_along(self, dim, keepdim, np.argmin, "min")

    def amax(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Largest values over ``dim`` (an int or a tuple; values only); ties share the gradient."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.Max.apply(self, dim=_reduce.norm_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def amin(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Smallest values over ``dim`` (an int or a tuple; values only); ties share the gradient."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.Min.apply(self, dim=_reduce.norm_dims(dim, self.ndim, "amin"), keepdim=keepdim)

    def argmax(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Index of the largest value (in the flattened tensor, or along ``dim``; the first of ties), int64.
        ``axis``/``keepdims`` work too (``argmax(axis=1)``, as PyTorch accepts)."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.argext(self, dim, keepdim, np.argmax, "argmax")

    def argmin(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """Index of the smallest value (in the flattened tensor, or along ``dim``; the first of ties), int64.
        ``axis``/``keepdims`` work too."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.argext(self, dim, keepdim, np.argmin, "argmin")

    def logsumexp(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """log Σ exp(x), computed as m + log Σ exp(x − m) with m the max (stable)."""
        dim, keepdim = _reduce.alias(dim, keepdim, axis, keepdims)
        return _reduce.LogSumExp.apply(
            _as_float(self), dim=_reduce.norm_dims(dim, self.ndim, "logsumexp"), keepdim=keepdim
        )

    def softmax(self, dim: builtins.int = -1) -> Tensor:
        """exp(x) / Σ exp(x) along ``dim`` (computed stably); gradient s ⊙ (g − Σ g ⊙ s)."""
        return _reduce.Softmax.apply(_as_float(self), dim=_wrap_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim: builtins.int = -1) -> Tensor:
        """x − logsumexp(x) along ``dim`` (stable); gradient g − softmax(x) · Σ g."""
        return _reduce.LogSoftmax.apply(_as_float(self), dim=_wrap_dim(dim, self.ndim, "log_softmax"))

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether every element (over ``dim``) is nonzero: a bool tensor, 0-d without ``dim``."""
        return _select.all_any(self, dim, keepdim, np.all, "all")

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether some element (over ``dim``) is nonzero: a bool tensor, 0-d without ``dim``."""
        return _select.all_any(self, dim, keepdim, np.any, "any")

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one size may be −1, inferred); a view sharing memory when possible.
        ``view`` is the same."""
        return _shape.reshape(self, shape)

    view = reshape
    """``reshape``: a view sharing memory when the layout allows, else a copy (PyTorch's ``view`` raises there)."""

    def view_as(self, other: Tensor) -> Tensor:
        """``reshape(other.shape)``."""
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Dims ``start_dim``..``end_dim`` merged into one (a 0-d tensor becomes 1-D)."""
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Dims ``dim0`` and ``dim1`` swapped (a view)."""
        return _shape.transpose(self, dim0, dim1)

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        """``transpose`` with NumPy's name."""
        return _shape.transpose(self, axis0, axis1)

    def permute(self, *dims: Any) -> Tensor:
        """The dims reordered: dim i of the result is dim ``dims[i]`` of this tensor (a view)."""
        return _shape.permute(self, dims)

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (a 1-D tensor is returned as it is)."""
        if self.ndim < 2:
            return self
        return _shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (batched matrix transpose)."""
        return _shape.transpose(self, -2, -1)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """A new size-1 dim inserted at ``dim`` (negative counts from the end of the result)."""
        return _shape.unsqueeze(self, dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        """Size-1 dims dropped (all of them, or those in ``dim``; a given dim of another size stays)."""
        return _shape.squeeze(self, dim)

    def expand(self, *shape: Any) -> Tensor:
        """Size-1 dims broadcast to ``shape`` without copying (−1 keeps a size; new dims may lead); gradients sum
        back."""
        return _shape.expand(self, shape)

    def expand_as(self, other: Tensor) -> Tensor:
        """``expand(other.shape)``."""
        return _shape.broadcast_to(self, other.shape)

    def broadcast_to(self, *shape: Any) -> Tensor:
        """Broadcast to ``shape`` (as ``torch.broadcast_to``); gradients sum over the broadcast dims."""
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return _shape.broadcast_to(self, shape)

    def sum_to(self, shape: tuple[builtins.int, ...]) -> Tensor:
        """Sum broadcast dimensions away so the result has ``shape`` (the gradient of broadcasting)."""
        return _shape.sum_to(self, tuple(shape))

    def __getitem__(self, index: Any) -> Tensor:
        return _index.getitem(self, index)

    def matmul(self, other: Any) -> Tensor:
        """The matrix product ``self @ other`` with ``torch.matmul``'s rules for 1-D and batched operands."""
        return self @ other

    def maximum(self, other: Any) -> Tensor:
        """The elementwise larger of self and ``other`` (broadcast; nan propagates); ties share the gradient."""
        return _ew.Maximum.apply(*_promote(self, other, "maximum"))

    def minimum(self, other: Any) -> Tensor:
        """The elementwise smaller of self and ``other`` (broadcast; nan propagates); ties share the gradient."""
        return _ew.Minimum.apply(*_promote(self, other, "minimum"))

    def dropout(self, p: builtins.float = 0.5, training: builtins.bool = True, generator: Any = None) -> Tensor:
        """Inverted dropout: each element zeroed with probability ``p``, the rest scaled by 1/(1−p); the tensor itself
        when not ``training``."""
        return _random.dropout(self, p, training, generator)

    # ------------------------------------------------------------------ PyTorch's wider tensor surface
    # The functions and methods PyTorch beginners' code uses, with PyTorch's signatures (API.md).
    # Differentiable ones are ops in minigrad.ops (select.py: sort/topk/gather/scatter/...);
    # tests and counts (isnan, argsort, unique, histc, ...) return tensors without grad.

    # metadata
    def nelement(self) -> builtins.int:
        """The number of elements (alias of ``numel``)."""
        return int(self._data.size)

    def dim(self) -> builtins.int:
        """The number of dimensions (``ndim``)."""
        return self._data.ndim

    ndimension = dim
    """``dim()``: the number of dimensions."""

    def is_floating_point(self) -> builtins.bool:
        """Whether the dtype is a float dtype."""
        return self._data.dtype.kind == "f"

    def is_complex(self) -> builtins.bool:
        """Whether the dtype is complex."""
        return self._data.dtype.kind == "c"

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return self._data.itemsize

    def stride(self, dim: builtins.int | None = None) -> tuple[builtins.int, ...] | builtins.int:
        """Steps in elements between neighbours along each dim (0 along expanded dims, as PyTorch)."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self.ndim, "stride")]

    def is_contiguous(self) -> builtins.bool:
        """Whether the memory is in row-major (C) order."""
        return bool(self._data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        """This tensor when its memory is in row-major order, else a (differentiable) row-major copy."""
        return self if self._data.flags.c_contiguous else self.clone()

    is_sparse = False
    """False: minigrad's tensors are dense."""
    is_quantized = False
    """False: there are no quantized tensors."""
    is_meta = False
    """False: every tensor holds its data (there is no meta device)."""

    def is_pinned(self) -> builtins.bool:
        """False: there is no pinned memory on the CPU."""
        return False

    def get_device(self) -> builtins.int:
        """-1: the CPU, as PyTorch reports it."""
        return -1

    # factories in this tensor's dtype
    def new_tensor(
        self, data: ArrayLike, dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None
    ) -> Tensor:
        """A new leaf tensor from ``data`` (copied), in this tensor's dtype unless ``dtype`` is given."""
        check_device(device)
        return Tensor(data, requires_grad=requires_grad, dtype=self.dtype if dtype is None else dtype)

    def new_full(
        self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None
    ) -> Tensor:
        """A tensor of shape ``size`` filled with ``fill_value``, in this tensor's dtype unless given."""
        check_device(device)
        arr = np.full(_size_arg((size,), "new_full"), fill_value, dtype=self.dtype if dtype is None else dtype)
        _check_requires_grad(arr.dtype, requires_grad)
        return Tensor._make(arr, bool(requires_grad))

    def new_zeros(
        self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None
    ) -> Tensor:
        """A tensor of zeros of shape ``size``, in this tensor's dtype unless given."""
        return self.new_full(_size_arg(size, "new_zeros"), 0, dtype, requires_grad, device)

    def new_ones(
        self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None
    ) -> Tensor:
        """A tensor of ones of shape ``size``, in this tensor's dtype unless given."""
        return self.new_full(_size_arg(size, "new_ones"), 1, dtype, requires_grad, device)

    def new_empty(
        self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False, device: Any = None
    ) -> Tensor:
        """A tensor of shape ``size`` in this tensor's dtype unless given (filled with zeros here)."""
        return self.new_full(_size_arg(size, "new_empty"), 0, dtype, requires_grad, device)

    # elementwise math
    def log10(self) -> Tensor:
        """log₁₀ x elementwise; gradient 1/(x ln 10)."""
        return _ew.Log10.apply(_as_float(self))

    def log2(self) -> Tensor:
        """log₂ x elementwise; gradient 1/(x ln 2)."""
        return _ew.Log2.apply(_as_float(self))

    def log1p(self) -> Tensor:
        """ln(1 + x), accurate for small x; gradient 1/(1 + x)."""
        return _ew.Log1p.apply(_as_float(self))

    def expm1(self) -> Tensor:
        """eˣ − 1, accurate for small x; gradient eˣ."""
        return _ew.Expm1.apply(_as_float(self))

    def exp2(self) -> Tensor:
        """2ˣ elementwise; gradient 2ˣ ln 2."""
        return _ew.Exp2.apply(_as_float(self))

    def rsqrt(self) -> Tensor:
        """1/√x."""
        return _ew.Rsqrt.apply(_as_float(self))

    def square(self) -> Tensor:
        """x² elementwise (``self ** 2``); gradient 2x."""
        return self**2

    def reciprocal(self) -> Tensor:
        """1/x (integers give the default float dtype)."""
        return 1.0 / self

    def neg(self) -> Tensor:
        """−x elementwise (``negative`` is the same)."""
        return -self

    negative = neg
    """``neg``: −x."""

    def _rounding(self, op: Any, **params: Any) -> Tensor:
        """floor/ceil/round/trunc: integers are whole already (a copy, as PyTorch)."""
        if self._data.dtype.kind in "biu":
            return Tensor._make(self._data.copy())
        return op.apply(self, **params)

    def floor(self) -> Tensor:
        """⌊x⌋ (gradient 0, as PyTorch)."""
        return self._rounding(_ew.Floor)

    def ceil(self) -> Tensor:
        """⌈x⌉ (gradient 0)."""
        return self._rounding(_ew.Ceil)

    def round(self, decimals: builtins.int = 0) -> Tensor:
        """Rounded to ``decimals`` places, halves to even (gradient 0)."""
        return self._rounding(_ew.Round, decimals=int(decimals))

    def trunc(self) -> Tensor:
        """Rounded toward 0 (gradient 0)."""
        return self._rounding(_ew.Trunc)

    fix = trunc
    """``trunc``: rounded toward 0 (gradient 0)."""

    def frac(self) -> Tensor:
        """x − trunc(x) (gradient 1)."""
        if self._data.dtype.kind not in "fc":
            raise TypeError(f"frac: needs a floating tensor, got {self.dtype}")
        return self - self.trunc()

    def nan_to_num(
        self, nan: builtins.float = 0.0, posinf: builtins.float | None = None, neginf: builtins.float | None = None
    ) -> Tensor:
        """nan → ``nan``, ±inf → ``posinf``/``neginf`` (default: the dtype's largest/smallest finite value);
        the gradient passes where x is finite."""
        if self._data.dtype.kind not in "fc":
            return Tensor._make(self._data.copy())
        return _ew.NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    # arithmetic by name
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self + alpha · other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self − alpha · other."""
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub
    """``sub``: self − alpha · other."""

    def mul(self, other: Any) -> Tensor:
        """``self * other`` (broadcast, PyTorch's dtype promotion); ``multiply`` is the same."""
        return self * other

    multiply = mul
    """``mul``: self · other."""

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self / other; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (no gradient)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":  # for floats a node with gradient 0, as PyTorch's
            return _ew.FloorDivide.apply(*_promote(self, other, "div"))
        if rounding_mode == "trunc":
            a, b = _promote(self, other, "div")
            if result_type(a, b).kind in "fc":
                return (a / b).trunc()
            q = np.trunc(np.true_divide(_array_of(a), _array_of(b)))
            return Tensor._make(q.astype(result_type(a, b), copy=False))
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")

    divide = div
    """``div``: self / other, the quotient rounded when ``rounding_mode`` is given."""

    def true_divide(self, other: Any) -> Tensor:
        """``self / other``: true division (integers give the default float dtype)."""
        return self / other

    def __floordiv__(self, other: Any) -> Tensor:
        """⌊self / other⌋ (no gradient: PyTorch has no derivative for floor division)."""
        a, b = _promote(self, other, "floor_divide")
        return Tensor._make(np.asarray(np.floor_divide(_array_of(a), _array_of(b))))

    def __rfloordiv__(self, other: Any) -> Tensor:
        a, b = _promote(other, self, "floor_divide")
        return Tensor._make(np.asarray(np.floor_divide(_array_of(a), _array_of(b))))

    floor_divide = __floordiv__
    """⌊self / other⌋ (``//``; no gradient)."""

    def __mod__(self, other: Any) -> Tensor:
        """self − other·⌊self/other⌋, with other's sign (Python's %, torch.remainder)."""
        return _ew.Remainder.apply(*_promote(self, other, "remainder"))

    def __rmod__(self, other: Any) -> Tensor:
        return _ew.Remainder.apply(*_promote(other, self, "remainder"))

    remainder = __mod__
    """self − other·⌊self/other⌋, with other's sign (Python's ``%``)."""

    # comparisons and tests by name (bool tensors, no gradient)
    def eq(self, other: Any) -> Tensor:
        """``self == other`` elementwise, a bool tensor (no gradient)."""
        return self == other

    def ne(self, other: Any) -> Tensor:
        """``self != other`` elementwise, a bool tensor (no gradient); ``not_equal`` is the same."""
        return self != other

    def lt(self, other: Any) -> Tensor:
        """``self < other`` elementwise, a bool tensor (no gradient); ``less`` is the same."""
        return self < other

    def le(self, other: Any) -> Tensor:
        """``self <= other`` elementwise, a bool tensor (no gradient); ``less_equal`` is the same."""
        return self <= other

    def gt(self, other: Any) -> Tensor:
        """``self > other`` elementwise, a bool tensor (no gradient); ``greater`` is the same."""
        return self > other

    def ge(self, other: Any) -> Tensor:
        """``self >= other`` elementwise, a bool tensor (no gradient); ``greater_equal`` is the same."""
        return self >= other

    def logical_not(self) -> Tensor:
        """NOT of each element's truth value (nonzero is True), a bool tensor."""
        return Tensor._make(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        """AND of the elements' truth values (nonzero is True), broadcast, a bool tensor."""
        return Tensor._make(np.logical_and(self._data, _array_of(other)))

    def logical_or(self, other: Any) -> Tensor:
        """OR of the elements' truth values (nonzero is True), broadcast, a bool tensor."""
        return Tensor._make(np.logical_or(self._data, _array_of(other)))

    def logical_xor(self, other: Any) -> Tensor:
        """XOR of the elements' truth values (nonzero is True), broadcast, a bool tensor."""
        return Tensor._make(np.logical_xor(self._data, _array_of(other)))

    def isnan(self) -> Tensor:
        """True where the element is nan (a bool tensor)."""
        return Tensor._make(np.isnan(self._data))

    def isinf(self) -> Tensor:
        """True where the element is +inf or −inf (a bool tensor)."""
        return Tensor._make(np.isinf(self._data))

    def isposinf(self) -> Tensor:
        """True where the element is +inf (a bool tensor)."""
        return Tensor._make(np.isposinf(self._data))

    def isneginf(self) -> Tensor:
        """True where the element is −inf (a bool tensor)."""
        return Tensor._make(np.isneginf(self._data))

    def isfinite(self) -> Tensor:
        """True where the element is neither inf nor nan (a bool tensor)."""
        return Tensor._make(np.isfinite(self._data))

    def isclose(
        self,
        other: Tensor,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        """|self − other| ≤ atol + rtol·|other|, elementwise."""
        return _select.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self,
        other: Tensor,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        """Whether every element satisfies |self − other| ≤ atol + rtol·|other| (a Python bool)."""
        return _select.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> builtins.bool:
        """Same shape and same values."""
        return _select.equal(self, other)

    # reductions
    def prod(self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """Π of the elements (over one ``dim``); integers multiply in int64. Zeros get exact gradients."""
        return _reduce.prod(self, dim, keepdim, dtype)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running sums along ``dim``; integers add in int64."""
        return _reduce.cumsum(self, dim, dtype)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None) -> Tensor:
        """The vector p-norm (Σ|x|ᵖ)^(1/p) over ``dim`` (all elements by default); p = inf, −inf, 0 too."""
        x = self if dtype is None else self.to(dtype)
        return _reduce.norm(x, p, dim, keepdim)

    def dist(self, other: Any, p: builtins.float = 2) -> Tensor:
        """‖self − other‖ₚ."""
        return _reduce.norm(self - other, p, None, False)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        """The number of nonzero elements (over ``dim``, an int or a tuple), int64."""
        dims = _reduce.norm_dims(dim, self.ndim, "count_nonzero")
        return Tensor._make(np.asarray(np.count_nonzero(self._data, axis=dims), dtype=np.int64))

    # shape
    def reshape_as(self, other: Tensor) -> Tensor:
        """``reshape(other.shape)``."""
        return _shape.reshape(self, other.shape)

    def t(self) -> Tensor:
        """The transpose of a matrix (tensors of at most 2 dims, as ``torch.t``)."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}-D "
                f"(shape {self.shape}); use transpose(d0, d1) or mT"
            )
        return self.T

    def flip(self, *dims: Any) -> Tensor:
        """A copy with the order of elements reversed along ``dims``."""
        return _shape.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self) -> Tensor:
        """Reversed along dim 1 (left/right)."""
        return _shape.flip(self, 1)

    def flipud(self) -> Tensor:
        """Reversed along dim 0 (up/down)."""
        return _shape.flip(self, 0)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Elements shifted by ``shifts`` along ``dims``, wrapping around (the flattened tensor when no dims)."""
        return _shape.roll(self, shifts, dims)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tiled ``sizes`` times along each dim (as ``torch.Tensor.repeat``, i.e. ``numpy.tile``)."""
        return _shape.repeat(self, sizes)

    def tile(self, *dims: Any) -> Tensor:
        """Repeated ``dims`` times along each dim (``torch.tile``; missing leading counts are 1)."""
        return _shape.tile(self, dims)

    def repeat_interleave(self, repeats: Any, dim: builtins.int | None = None) -> Tensor:
        """Each element (or slice along ``dim``) repeated ``repeats`` times in place."""
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _wrap_dim(dim, self.ndim, "repeat_interleave")
        reps = repeats._data if isinstance(repeats, Tensor) else repeats
        idx = np.repeat(np.arange(x.shape[d]), reps)
        return _select.index_select(x, d, idx)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` pieces along ``dim`` (the last may be smaller, as ``torch.chunk``)."""
        return _shape.chunk(self, chunks, dim)

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the sizes in a list."""
        return _shape.split(self, split_size, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, as a tuple of tensors with that dim removed."""
        return _shape.unbind(self, dim)

    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> Tensor:
        """The slice ``start:start + length`` along ``dim``."""
        return _shape.narrow(self, dim, start, length)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Dims ``source`` moved to positions ``destination`` (ints or tuples); ``moveaxis`` is the same."""
        return _shape.movedim(self, source, destination)

    moveaxis = movedim
    """``movedim`` (NumPy's name)."""

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        """The lower triangle (elements above diagonal ``diagonal`` set to 0)."""
        return _shape.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        """The upper triangle (elements below diagonal ``diagonal`` set to 0)."""
        return _shape.triu(self, diagonal)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        """``torch.diag``: a 1-D tensor becomes a square matrix with it on diagonal ``diagonal``; a matrix gives that
        diagonal."""
        return _linalg.diag(self, diagonal)

    def diagonal(self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
        """The diagonal ``offset`` of the matrices in dims ``dim1``, ``dim2``, as the last dim (a copy)."""
        return _linalg.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        """Σ of the main diagonal of a matrix."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, got shape {self.shape}")
        return _linalg.diag(self).sum()

    # products
    def mm(self, mat2: Tensor) -> Tensor:
        """The matrix product of two 2-D tensors (``torch.mm``)."""
        return _linalg.mm(self, mat2)

    def bmm(self, batch2: Tensor) -> Tensor:
        """Batched matrix product: (b, n, m) @ (b, m, p) → (b, n, p)."""
        return _linalg.bmm(self, batch2)

    def mv(self, vec: Tensor) -> Tensor:
        """Matrix–vector product: (n, m) @ (m,) → (n,)."""
        return _linalg.mv(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        """The dot product Σ aᵢbᵢ of two 1-D tensors of the same length."""
        return _linalg.dot(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        """The outer product aᵢbⱼ of two 1-D tensors; ``ger`` is the same."""
        return _linalg.outer(self, vec2)

    ger = outer
    """``outer`` (its old name in PyTorch)."""

    # selecting
    def sort(self, dim: builtins.int = -1, descending: builtins.bool = False, stable: builtins.bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim``; the values' gradient goes where each came from."""
        return _select.sort(self, dim, descending, stable)

    def argsort(
        self, dim: builtins.int = -1, descending: builtins.bool = False, stable: builtins.bool = False
    ) -> Tensor:
        """The indices that sort along ``dim`` (``descending``; ``stable`` keeps ties in order), int64."""
        return _select.argsort(self, dim, descending, stable)

    def topk(
        self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True, sorted: builtins.bool = True
    ) -> Any:  # noqa: A002
        """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``."""
        return _select.topk(self, k, dim, largest, sorted)

    def gather(self, dim: builtins.int, index: Any) -> Tensor:
        """out[…, i, …] = self[…, index[…, i, …], …] along ``dim`` (``torch.gather``); gradients scatter-add back."""
        return _select.gather(self, dim, index)

    def scatter(
        self, dim: builtins.int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        """A copy with the elements at ``index`` along ``dim`` set from ``src`` (or a number ``value``)
        (``torch.scatter``)."""
        if value is None and not isinstance(src, Tensor):
            src, value = None, src  # scatter(dim, index, 1.0): a number is the value
        return _select.scatter(self, dim, index, src, value, reduce)

    def scatter_add(self, dim: builtins.int, index: Any, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
        return _select.scatter_add(self, dim, index, src)

    def index_select(self, dim: builtins.int, index: Any) -> Tensor:
        """The slices at the 1-D ``index`` along ``dim`` (a copy); gradients add back to those slices."""
        return _select.index_select(self, dim, index)

    def index_fill(self, dim: builtins.int, index: Any, value: Any) -> Tensor:
        """A copy with the slices at ``index`` along ``dim`` set to ``value``."""
        return _select.index_fill(self, dim, index, value)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True (e.g. ``-inf`` before a softmax), else this tensor."""
        return _select.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        """The elements where ``mask`` is True, as a 1-D tensor (both broadcast first)."""
        return _select.masked_select(self, mask)

    # counting (no gradient)
    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,  # noqa: A002
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        """The distinct values (sorted), with the inverse indices and the counts when asked (``torch.unique``)."""
        return _select.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Tensor | None = None, minlength: builtins.int = 0) -> Tensor:
        """How often each value 0, 1, …, max occurs in this 1-D non-negative integer tensor (summing ``weights`` when
        given)."""
        return _select.bincount(self, weights, minlength)

    def histc(self, bins: builtins.int = 100, min: builtins.float = 0, max: builtins.float = 0) -> Tensor:  # noqa: A002
        """Counts in ``bins`` equal bins over [min, max] (the data's range when min = max); values outside are
        ignored."""
        return _select.histc(self, bins, min, max)

    def histogram(
        self,
        bins: Any = 100,
        *,
        range: Any = None,
        weight: Tensor | None = None,  # noqa: A002
        density: builtins.bool = False,
    ) -> Any:
        """``(hist, bin_edges)``: counts in ``bins`` equal bins over ``range`` (or between given edges); ``density``
        normalises."""
        return _select.histogram(self, bins, range=range, weight=weight, density=density)

    # in place
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self += alpha · other (``p.data.add_(p.grad, alpha=-lr)``)."""
        return self.__iadd__(other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self −= alpha · other."""
        return self.__isub__(other if alpha == 1 else other * alpha)

    def _apply_(self, op: str, fn: Callable[[Tensor], Tensor], other: Any = None) -> Tensor:
        """``self = fn(self)`` in place: recorded when autograd needs it, else written into the array."""

        def write(data: np.ndarray, _other: Any, out: np.ndarray, casting: Literal["same_kind"]) -> None:
            np.copyto(out, fn(Tensor._make(data))._data, casting=casting)

        return self._inplace(op, fn, write, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """``clamp`` in place; ``clip_`` is the same."""
        return self._apply_("clamp_", lambda a: a.clamp(min, max))

    clip_ = clamp_
    """``clamp_``: values limited to [min, max] in place."""

    def pow_(self, exponent: Any) -> Tensor:
        """``self ** exponent`` in place."""
        return self._apply_("pow_", lambda a: a**exponent, exponent)

    def exp_(self) -> Tensor:
        """``exp`` in place."""
        return self._apply_("exp_", lambda a: a.exp())

    def log_(self) -> Tensor:
        """``log`` in place."""
        return self._apply_("log_", lambda a: a.log())

    def sqrt_(self) -> Tensor:
        """``sqrt`` in place."""
        return self._apply_("sqrt_", lambda a: a.sqrt())

    def abs_(self) -> Tensor:
        """``abs`` in place."""
        return self._apply_("abs_", lambda a: a.abs())

    def neg_(self) -> Tensor:
        """``neg`` in place."""
        return self._apply_("neg_", lambda a: -a)

    def relu_(self) -> Tensor:
        """``relu`` in place."""
        return self._apply_("relu_", lambda a: a.relu())

    def sigmoid_(self) -> Tensor:
        """``sigmoid`` in place."""
        return self._apply_("sigmoid_", lambda a: a.sigmoid())

    def tanh_(self) -> Tensor:
        """``tanh`` in place."""
        return self._apply_("tanh_", lambda a: a.tanh())

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """Set the elements where ``mask`` (broadcast to this shape) is True to ``value``, in place."""
        m = _select._mask_array(mask, self, "masked_fill_")
        value = _select._fill_value(value, self, "masked_fill_")
        return self._put("masked_fill_", np.broadcast_to(m, self.shape), value)

    def index_fill_(self, dim: builtins.int, index: Any, value: Any) -> Tensor:
        """Set the slices at ``index`` along ``dim`` to ``value``, in place."""
        d = _wrap_dim(dim, self.ndim, "index_fill_")
        idx = _select._select_index(self, d, index, "index_fill_")
        return self._put("index_fill_", (slice(None),) * d + (idx,), _select._fill_value(value, self, "index_fill_"))

    def scatter_(
        self, dim: builtins.int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        """Write ``src`` (or a number ``value``) at ``index`` along ``dim``, in place (``reduce`` is not supported)."""
        if reduce is not None:
            raise NotImplementedError("scatter_: reduce= is not supported by minigrad; use scatter_add_")
        if value is None and not isinstance(src, Tensor):
            src, value = None, src
        d = _wrap_dim(dim, self.ndim, "scatter_")
        idx, full = _select._gather_index(self, d, index, "scatter_")
        return self._put("scatter_", full, _select._source_part(src if value is None else value, self, idx, "scatter_"))

    def scatter_add_(self, dim: builtins.int, index: Any, src: Tensor) -> Tensor:
        """Add ``src`` at ``index`` along ``dim``, in place (repeated indices accumulate)."""
        d = _wrap_dim(dim, self.ndim, "scatter_add_")
        idx, full = _select._gather_index(self, d, index, "scatter_add_")
        part = _select._source_part(src, self, idx, "scatter_add_")
        return self.__iadd__(_index.IndexScatter.apply(part, index=full, size=self.shape))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std²)."""
        if self._data.dtype.kind != "f":
            raise TypeError(f"normal_: needs a floating tensor, got {self.dtype}")
        return self.copy_(Tensor._make(resolve_generator(generator).normal(mean, std, self.shape)))

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of U[a, b) (PyTorch calls the bounds ``from`` and ``to``)."""
        if self._data.dtype.kind != "f":
            raise TypeError(f"uniform_: needs a floating tensor, got {self.dtype}")
        return self.copy_(Tensor._make(resolve_generator(generator).uniform(a, b, self.shape)))

    # ------------------------------------------------------------------ PyTorch's wider surface, part 2
    # (minigrad/ops/extra.py, minigrad/_extras.py)
    def tan(self) -> Tensor:
        """tan x elementwise; gradient 1 + tan²x."""
        return _extra.tan(self)

    def erf(self) -> Tensor:
        """The error function (2/√π)∫₀ˣ e^(−t²) dt; gradient (2/√π) e^(−x²)."""
        return _extra.erf(self)

    def atan2(self, other: Any) -> Tensor:
        """The angle of the point (other, self), i.e. atan(self/other) in the right quadrant; ``arctan2`` too."""
        return _extra.atan2(self, other)

    arctan2 = atan2
    """``atan2`` (NumPy's name)."""

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running products along ``dim``; exact gradients at zeros."""
        return _extra.cumprod(self, dim, dtype=dtype)

    def median(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
        return _extra.median(self, dim, keepdim)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """self + weight · (end − self) (``torch.lerp``); ``weight`` a number or a tensor."""
        return _extra.lerp(self, end, weight)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1) -> Tensor:
        """β · self + α · (mat1 @ mat2) (``torch.addmm``)."""
        return _extra.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def cross(self, other: Any, dim: builtins.int | None = None) -> Tensor:
        """The cross product of 3-vectors along ``dim`` (by default the first dim of size 3, as ``torch.cross``)."""
        return _extra.cross(self, other, dim)

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or one tensor per dim with
        ``as_tuple=True``."""
        from minigrad._extras import nonzero

        return nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        """The indices of the nonzero elements, an (n, ndim) int64 tensor (``nonzero()``)."""
        from minigrad._extras import nonzero

        return nonzero(self)

    def asin(self) -> Tensor:
        """arcsin x elementwise; gradient 1/√(1 − x²). ``arcsin`` is the same."""
        return _extra.asin(self)

    def acos(self) -> Tensor:
        """arccos x elementwise; gradient −1/√(1 − x²). ``arccos`` is the same."""
        return _extra.acos(self)

    def atan(self) -> Tensor:
        """arctan x elementwise; gradient 1/(1 + x²). ``arctan`` is the same."""
        return _extra.atan(self)

    def sinh(self) -> Tensor:
        """sinh x elementwise; gradient cosh x."""
        return _extra.sinh(self)

    def cosh(self) -> Tensor:
        """cosh x elementwise; gradient sinh x."""
        return _extra.cosh(self)

    def asinh(self) -> Tensor:
        """arsinh x elementwise; gradient 1/√(x² + 1). ``arcsinh`` is the same."""
        return _extra.asinh(self)

    def acosh(self) -> Tensor:
        """arcosh x (x ≥ 1) elementwise; gradient 1/√(x² − 1). ``arccosh`` is the same."""
        return _extra.acosh(self)

    def atanh(self) -> Tensor:
        """artanh x (|x| < 1) elementwise; gradient 1/(1 − x²). ``arctanh`` is the same."""
        return _extra.atanh(self)

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    def erfc(self) -> Tensor:
        """The complementary error function 1 − erf x, accurate for large x."""
        return _extra.erfc(self)

    def logit(self, eps: builtins.float | None = None) -> Tensor:
        """log(p / (1 − p)), with p clamped to [eps, 1 − eps] when ``eps`` is given."""
        return _extra.logit(self, eps)

    def xlogy(self, other: Any) -> Tensor:
        """x · log y, and 0 where x = 0 (even where y = 0 or inf), as PyTorch."""
        return _extra.xlogy(self, other)

    def hypot(self, other: Any) -> Tensor:
        """√(self² + other²) elementwise, with broadcasting."""
        return _extra.hypot(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        """log(eˢᵉˡᶠ + eᵒᵗʰᵉʳ) computed stably."""
        return _extra.logaddexp(self, other)

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: builtins.float = 1) -> Tensor:
        """self + value · tensor1 · tensor2 (``torch.addcmul``)."""
        return _extra.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: builtins.float = 1) -> Tensor:
        """self + value · tensor1 / tensor2 (``torch.addcdiv``)."""
        return _extra.addcdiv(self, tensor1, tensor2, value=value)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        """max(x, min) elementwise: ``clamp(min=min)``."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        """min(x, max) elementwise: ``clamp(max=max)``."""
        return self.clamp(max=max)

    def deg2rad(self) -> Tensor:
        """Degrees to radians: x · π/180."""
        return _extra.deg2rad(self)

    def rad2deg(self) -> Tensor:
        """Radians to degrees: x · 180/π."""
        return _extra.rad2deg(self)

    def fmod(self, other: Any) -> Tensor:
        """The remainder of self / other with the sign of self (C's fmod): a − b · trunc(a / b)."""
        return _extra.fmod(self, other)

    def sgn(self) -> Tensor:
        """``sign`` (the same for real tensors)."""
        return self.sign()

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """``transpose`` with another name."""
        return self.transpose(dim0, dim1)

    def ravel(self) -> Tensor:
        """The elements as a 1-D tensor (``reshape(-1)``)."""
        return self.reshape(-1)

    def diff(self, n: builtins.int = 1, dim: builtins.int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        """The n-th forward difference along ``dim`` (out[i] = x[i + 1] − x[i]), after ``prepend``/``append``."""
        return _extra.diff(self, n, dim, prepend, append)

    def nansum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """``sum`` treating nan as 0."""
        return _extra.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """``mean`` of the elements that are not nan."""
        return _extra.nanmean(self, dim, keepdim, dtype=dtype)

    def inner(self, other: Any) -> Tensor:
        """Σ over the last dim of both (the dot product for vectors); a product for 0-d inputs."""
        return _extra.inner(self, other)

    def kron(self, other: Any) -> Tensor:
        """The Kronecker product: block (i, j) of the result is self[i, j] · other."""
        return _extra.kron(self, other)

    def rot90(self, k: builtins.int = 1, dims: Any = (0, 1)) -> Tensor:
        """Rotated by 90° ``k`` times in the plane of ``dims``, from the first dim towards the second."""
        return _extra.rot90(self, k, dims)

    def cummax(self, dim: builtins.int) -> Any:
        """``(values, indices)``: the largest value so far along ``dim`` and where it is; gradients go there."""
        return _extra.cummax(self, dim)

    def cummin(self, dim: builtins.int) -> Any:
        """``(values, indices)``: the smallest value so far along ``dim`` and where it is; gradients go there."""
        return _extra.cummin(self, dim)

    def aminmax(self, *, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """``(min, max)`` over all elements or along ``dim``."""
        return _extra.aminmax(self, dim=dim, keepdim=keepdim)

    def quantile(
        self, q: Any, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, interpolation: str = "linear"
    ) -> Tensor:
        """The q-quantiles along ``dim`` (all elements when None), with ``torch.quantile``'s interpolations."""
        return _extra.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def kthvalue(self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        """``(values, indices)``: the k-th smallest value along ``dim`` (k counts from 1)."""
        return _extra.kthvalue(self, k, dim, keepdim)

    def logcumsumexp(self, dim: builtins.int) -> Tensor:
        """log Σ_{j≤i} exp(xⱼ) along ``dim``, computed stably."""
        return _extra.logcumsumexp(self, dim)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1) -> Tensor:
        """β · self + α · (batch1 @ batch2), batched (``torch.baddbmm``)."""
        return _extra.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1) -> Tensor:
        """β · self + α · (mat @ vec) (``torch.addmv``)."""
        return _extra.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def float_power(self, exponent: Any) -> Tensor:
        """selfᵉˣᵖᵒⁿᵉⁿᵗ computed in float64 (``torch.float_power``)."""
        return _extra.float_power(self, exponent)

    def take(self, index: Any) -> Tensor:
        """The elements of the flattened tensor at ``index`` (the result has index's shape)."""
        return _extra.take(self, index)

    def signbit(self) -> Tensor:
        """True where the sign bit is set (negative numbers and −0.0), a bool tensor."""
        return _extra.signbit(self)

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of ``other``, elementwise."""
        return _extra.copysign(self, other)

    def sinc(self) -> Tensor:
        """sin(πx)/(πx), and 1 at 0."""
        return _extra.sinc(self)

    def fmax(self, other: Any) -> Tensor:
        """The elementwise maximum, ignoring nan (nan only where both are nan)."""
        return _extra.fmax(self, other)

    def fmin(self, other: Any) -> Tensor:
        """The elementwise minimum, ignoring nan (nan only where both are nan)."""
        return _extra.fmin(self, other)

    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest of equally frequent ones)."""
        return _extra.mode(self, dim, keepdim)

    def nanmedian(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """``median`` of the values that are not nan (nan only where all are nan)."""
        return _extra.nanmedian(self, dim, keepdim)


def _unsupported(name: str, reason: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"minigrad does not support Tensor.{name}: {reason}")

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"Not supported: {reason}."
    return method


_NO_SPARSE = "sparse tensors are not implemented (minigrad's tensors are dense NumPy arrays)"
_NO_STORAGE = "a tensor is a NumPy array with no separate storage object; use .numpy() for the array"
_NO_LINALG = (
    "matrix inverses and decompositions are not implemented (minigrad covers MLP-scale ops); "
    "for values without gradients use numpy.linalg on .numpy()"
)
#: PyTorch Tensor methods minigrad leaves out on purpose: calling one says so and why.
UNSUPPORTED: dict[str, str] = {
    "to_sparse": _NO_SPARSE,
    "to_sparse_csr": _NO_SPARSE,
    "coalesce": _NO_SPARSE,
    "sparse_mask": _NO_SPARSE,
    "storage": _NO_STORAGE,
    "untyped_storage": _NO_STORAGE,
    "storage_offset": _NO_STORAGE,
    "data_ptr": _NO_STORAGE,
    "as_strided": "stride tricks are not supported; use reshape, expand, indexing or unfold-free code",
    "unfold": "sliding windows (a stride trick) are not supported; build the windows with indexing or stack",
    "pin_memory": "there is no GPU to pin host memory for: minigrad computes on the CPU",
    "record_stream": "there are no CUDA streams: minigrad computes on the CPU",
    "share_memory_": "sharing tensors between processes (torch.multiprocessing) is not supported",
    "bfloat16": "NumPy has no bfloat16 dtype; use .half() or .float()",
    "resize_": "a tensor's size is not changed in place; use reshape, or make a new tensor",
    "set_": "a tensor's memory is not swapped in place; assign t.data = other, or make a new tensor",
    "dequantize": "quantized tensors are not supported",
    "inverse": _NO_LINALG,
    "det": _NO_LINALG,
    "logdet": _NO_LINALG,
    "slogdet": _NO_LINALG,
    "pinverse": _NO_LINALG,
    "svd": _NO_LINALG,
    "qr": _NO_LINALG,
    "cholesky": _NO_LINALG,
    "register_post_accumulate_grad_hook": "use register_hook on the tensor, or read .grad after backward()",
}
for _name, _reason in UNSUPPORTED.items():
    setattr(Tensor, _name, _unsupported(_name, _reason))
del _name, _reason


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a minigrad Tensor (``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def _array_of(x: Any) -> Any:
    """The array of a Tensor; other values as they are."""
    return x._data if isinstance(x, Tensor) else x


def _size_arg(size: tuple, op: str) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` as a shape."""
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        size = tuple(size[0])
    if any(not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0 for s in size):
        raise ValueError(f"{op}: sizes must be non-negative ints, got {size!r}")
    return tuple(int(s) for s in size)


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"a tensor of shape {x.shape} {x.dtype}"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} {x.dtype}"
    return repr(x)


def _repr_shows_dtype(dtype: np.dtype) -> bool:
    """Whether ``repr`` names the dtype: as PyTorch, unless it is what the values would get by default
    (the default float dtype, its complex counterpart, int64, bool)."""
    if dtype.kind == "f":
        return dtype != get_default_dtype()
    if dtype.kind == "c":
        return dtype != (np.complex128 if get_default_dtype() == np.float64 else np.complex64)
    return dtype.kind in "iu" and dtype != np.int64


#: PyTorch's legacy tensor type names by dtype, for ``Tensor.type()``
_TENSOR_TYPE_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
}


def _operand(x: Any, op: str = "arithmetic") -> Any:
    """An op's other operand: Tensors and arrays as they are, Python/NumPy scalars as Python numbers.

    Python scalars stay "weak" (a float32 tensor times 2.5 stays float32, as in PyTorch);
    a NumPy scalar is treated the same way.
    """
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass, but not "weak"
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, (list, tuple)):
        return _to_array(x)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__}")


def _promote(a: Any, b: Any, op: str = "arithmetic", true_divide: bool = False) -> tuple[Any, Any]:
    """The two operands of a binary op, cast to their common dtype by PyTorch's rules
    (``mg.result_type``): float32 stays float32 beside an int64 tensor or a float64 0-d tensor.
    ``true_divide``: integers divide into the default float dtype, as PyTorch's ``/``."""
    a, b = _operand(a, op), _operand(b, op)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype == b._data.dtype and (not true_divide or a._data.dtype.kind in "fc"):
            return a, b  # the common case: nothing to do
    elif (
        isinstance(a, Tensor)
        and type(b) in _WEAK
        and a._data.dtype.kind in "fc"
        or isinstance(b, Tensor)
        and type(a) in _WEAK
        and b._data.dtype.kind in "fc"
    ):
        return a, b  # a Python number never changes a float tensor's dtype
    dtype = result_type(a, b)
    if true_divide and dtype.kind not in "fc":
        dtype = get_default_dtype()
    return _cast(a, dtype), _cast(b, dtype)


_WEAK = (bool, int, float)


def _cast(x: Any, dtype: np.dtype) -> Any:
    """``x`` (a Tensor, array or Python number) in ``dtype``: recorded for tensors that require grad."""
    if isinstance(x, Tensor):
        if x._data.dtype == dtype:
            return x
        return _ew.Cast.apply(x, to=dtype) if x.requires_grad else Tensor._make(x._data.astype(dtype))
    if isinstance(x, np.ndarray) and x.dtype != dtype:
        return x.astype(dtype)
    return x


def _as_float(x: Tensor) -> Tensor:
    """Integer and bool tensors enter float-only ops (exp, log, softmax, mean, ...) in the default float dtype."""
    if x._data.dtype.kind in "fc":
        return x
    return Tensor._make(x._data.astype(get_default_dtype()))


def _wrap_dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` as a non-negative index, with PyTorch's IndexError when out of range."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


# The ops are imported after Tensor exists (they subclass Function, which wraps Tensors).
from minigrad.autograd import engine as _engine  # noqa: E402
from minigrad.autograd import function as _function  # noqa: E402
from minigrad.ops import activation as _act  # noqa: E402
from minigrad.ops import elementwise as _ew  # noqa: E402
from minigrad.ops import extra as _extra  # noqa: E402
from minigrad.ops import index as _index  # noqa: E402
from minigrad.ops import linalg as _linalg  # noqa: E402
from minigrad.ops import random as _random  # noqa: E402
from minigrad.ops import reduce as _reduce  # noqa: E402
from minigrad.ops import select as _select  # noqa: E402
from minigrad.ops import shape as _shape  # noqa: E402
from minigrad.ops.declare import install_methods  # noqa: E402

install_methods(Tensor)  # the methods declared on op classes and not written above
