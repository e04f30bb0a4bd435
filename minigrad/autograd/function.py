"""The base every op derives from: ``forward`` on arrays, ``backward`` in Tensor ops.

An op is a subclass of :class:`Function`. Applying it creates one instance, which
is also the graph node (``tensor.grad_fn``) when the result requires grad::

    class Mul(Function):                    # z = a · b;  ∂a = g · b,  ∂b = g · a
        save_inputs = True                  # backward gets the inputs after g

        def forward(self, a, b):            # NumPy arrays (or Python scalars) in,
            return a * b                    # an array out

        def backward(self, g, a, b):        # the vector-Jacobian product, written with
            return g * b, g * a             # operators: it runs on arrays and on Tensors

    class Tanh(Function):
        save_output = True                  # backward gets the output after g

        def forward(self, x):
            return np.tanh(x)

        def backward(self, g, y):
            return g * (1.0 - y * y)

The rule contract: ``backward(self, g, *saved)`` gets the gradient of the output and,
after it, what the op declared it saves: with ``save_inputs`` every input in order
(``None`` where ``save_for`` dropped one), then with ``save_output`` the output. The
engine fetches them with :meth:`Function.saved` (which refuses values freed or changed
in place since the forward) and passes all of them in one form: NumPy arrays when it
runs without ``create_graph`` (no graph, no overhead), Tensors with it (the rule then
records a graph: higher derivatives). So a rule uses operators, ``.T``, ``.reshape``,
indexing and the helpers in ``minigrad.ops.dual``, which work on both; a rule that must
tell the two apart asks ``isinstance(g, Tensor)``.

``backward`` returns one gradient per input (``None`` for inputs that need none) and may
ignore broadcasting and dtype: the engine checks each and sums it down to its input's
shape and casts it to its dtype, in one place.

Op parameters are declared on the class as annotations (``dim: int``); ``apply(x, dim=1)``
sets them on the node and refuses a keyword the class does not declare. A node keeps only
what its backward needs: the saved inputs and output, the parameters, and whatever
``forward`` stores on ``self`` for it (a mask, the softmax). The engine frees the saved
values after backward. ``inputs`` and ``output`` show the saved values as Tensors, for inspection.

A user's PyTorch-style ``autograd.Function`` (``custom.py``) has the same shape: its forward
saves with ``ctx.save_for_backward``, its ``backward(ctx, g)`` reads ``ctx.saved_tensors``
(version-checked the same way); it always gets Tensors, as in PyTorch.
"""

from __future__ import annotations

import traceback
import weakref
from itertools import repeat
from operator import is_not
from typing import Any, NoReturn, cast

import numpy as np

from minigrad._grad_mode import _state
from minigrad.errors import ShapeError  # noqa: F401 - re-exported: ops raise it from here
from minigrad.tensor import Tensor

#: ``Tensor._make`` bound once: looked up on the class per call, a classmethod makes a method object each time
_make = Tensor._make
_NONES = repeat(None)  # None, as often as asked (``needs_input_grad`` compares each parent with it)

#: what ``apply`` sets on every recorded node: a parameter of the same name would be overwritten
_NODE_FIELDS = frozenset({"parents", "shape", "dtype", "module", "name"})

_FREED = (
    "Trying to backward through the graph a second time (or to use saved tensors after they were "
    "freed) in {name}: saved values are freed after backward(); pass retain_graph=True to the "
    "first backward() or autograd.grad() call if you need to backward twice"
)


class Function:
    """An op and, once applied with grad recording on, its node in the graph."""

    #: what backward needs kept alive
    save_inputs: bool = False
    save_output: bool = False
    #: with ``save_inputs``: which inputs to keep, given which need a gradient (None: all), so an
    #: op saves only what its backward will read (``x * 2`` keeps neither x nor 2)
    save_for: Any = None
    #: set per subclass: e.g. "MatMulBackward"
    name: str = "FunctionBackward"
    #: set per subclass: whether backward gets saved values after g (save_inputs or save_output)
    saves: bool = False
    #: set per subclass: the parameters ``apply`` accepts (the annotations of the op's classes)
    params: frozenset[str] = frozenset()

    # per-node state; class-level defaults keep ``apply`` cheap
    parents: tuple = ()
    _saved: Any = None
    _arrays: Any = None
    _versions: Any = ()
    _out: Any = None
    _out_ref: Any = None
    _released: bool = False
    _hooks: dict | None = None
    _retained: list | None = None
    _trace: list | None = None
    #: the nn.Module whose forward made this node (None outside modules)
    module: Any = None
    #: the output's shape and dtype, set by ``apply`` on a recorded node (annotations only: no
    #: class attributes, so a node that was not recorded has neither). Each op declares the
    #: parameters ``apply(**params)`` puts on its node the same way (``dim: int``).
    shape: tuple[int, ...]
    dtype: np.dtype
    is_accumulator = False
    #: the output may be a view of input 0's memory (reshape, permute, expand, basic indexing);
    #: when it is, the two share a version counter, as in PyTorch
    view_of_input = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__ + "Backward"
        cls.saves = cls.save_inputs or cls.save_output
        cls.params = frozenset(
            name
            for c in cls.__mro__
            if issubclass(c, Function) and c is not Function
            for name in c.__dict__.get("__annotations__", {})
        )
        clash = cls.params & _NODE_FIELDS
        if clash:
            raise TypeError(f"{cls.__name__}: parameter {sorted(clash)[0]!r} would overwrite the node's own field")
        if cls.saves and "backward" in cls.__dict__:
            taken = cls.backward.__code__.co_argcount
            if taken < 3 and not cls.backward.__code__.co_flags & 0x04:  # (self, g) and no *saved
                raise TypeError(
                    f"{cls.__name__}.backward(self, g) takes no saved values, but the op saves its "
                    f"{'inputs' if cls.save_inputs else 'output'}: they are passed after g"
                )

    # ------------------------------------------------------------------ applying
    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run the op on Tensors (and constants); record a node if any input requires grad."""
        node = object.__new__(cls)
        if params:  # the op's declared parameters (``_undeclared`` raises for any other keyword)
            node.__dict__.update(params if params.keys() <= cls.params else _undeclared(cls, params))
        # one pass over the inputs: their arrays, and (when recording) the nodes their gradients go to
        record = _state.enabled
        arrays: list[Any] = []
        parents = []
        versions: list[int | None] = []  # for the check that saved inputs were not changed in place before backward
        any_grad = False
        for x in inputs:
            if isinstance(x, Tensor):
                if x._view_fn is not None and record and x._view_version != cast(Tensor, x._base)._version:
                    x._regenerate_view()  # its base was written in place since: take the new history
                arrays.append(x._data)
                versions.append(x._version if x._base is None else x._base._version)  # _current_version()
                if record and x.requires_grad:
                    # the leaf's node as it is (its shape is kept in sync where a leaf's array is replaced)
                    parents.append(x.grad_fn or x._acc or x._grad_accumulator())
                    any_grad = True
                    continue
            else:
                arrays.append(x)
                versions.append(None)
            parents.append(None)
        try:
            out = node.forward(*arrays)
        except (ValueError, IndexError) as exc:
            raise node.error(arrays, exc) from None
        if type(out) is not np.ndarray:  # NumPy gives scalars for 0-d results
            out = np.asarray(out)
        if any_grad and (dtype := out.dtype).kind in "fc":  # integer and bool results never require grad
            node.parents = tuple(parents)
            node.shape = out.shape
            node.dtype = dtype
            if cls.save_inputs:
                if cls.save_for is not None:
                    keep = cls.save_for([p is not None for p in parents])
                    inputs = tuple([x if k else None for x, k in zip(inputs, keep)])
                    arrays = [a if k else None for a, k in zip(arrays, keep)]
                    versions = [v if k else None for v, k in zip(versions, keep)]
                node._saved = inputs
                node._arrays = arrays
                node._versions = versions
            result = _make(out, True, node)
            if cls.save_output:
                node._out = out
                node._out_ref = weakref.ref(result)
            module = _state.module
            if module is not None:
                node.module = module
            if _state.anomaly:
                node._trace = traceback.format_stack()[:-2]
        else:
            result = _make(out)
        if cls.view_of_input:
            _link_view(result, inputs[0], cls, params)
        return result

    def forward(self, *arrays: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: Any, *saved: Any) -> Any:
        """One gradient per input (or one, not in a tuple, for an op of one input); see the module docstring."""
        raise NotImplementedError

    def error(self, arrays: list, exc: Exception) -> Exception:
        """The exception to raise when forward fails: names the op and the input shapes."""
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        op = self.name[: -len("Backward")] if self.name.endswith("Backward") else self.name
        if isinstance(exc, IndexError):
            return IndexError(f"{op}: {exc} (input shapes {shapes})")
        return ShapeError(f"{op}: {exc} (input shapes {shapes})")

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Which inputs need a gradient (required grad when the op ran)."""
        return tuple(map(is_not, self.parents, _NONES))

    # ------------------------------------------------------------------ saved values
    def saved(self, tensors: bool) -> tuple:
        """What ``backward`` gets after ``g``: the saved inputs in order (``None`` where ``save_for``
        dropped one), then the saved output; NumPy arrays, or Tensors when ``tensors`` (with
        create_graph: the output is then this node's result, on the graph). Refuses values freed by
        an earlier backward or changed in place since the forward."""
        inputs: Any = ()
        if self.save_inputs:
            saved = self._saved
            if saved is None:
                raise RuntimeError(_FREED.format(name=self.name))
            for x, v in zip(saved, self._versions):
                if v is not None and (x._version if x._base is None else x._base._version) != v:  # inlined: hot
                    self._raise_modified(saved)
            inputs = saved if tensors else self._arrays
            if not self.save_output:
                return inputs
        out = self._out
        if out is None:
            raise RuntimeError(_FREED.format(name=self.name))
        t = self._out_ref()
        if t is not None and (t._version if t._base is None else t._base._version) != 0:  # inlined: hot
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an in-place "
                f"operation: the output of {self.name} (shape {t.shape}) is at version {t._current_version()}, "
                "expected version 0; avoid changing it in place, or use .clone()"
            )
        y = _make(out, True, self) if tensors else out
        return (*inputs, y) if inputs else (y,)

    @property
    def inputs(self) -> tuple:
        """The inputs saved for backward (Tensors and constants), checked for in-place changes."""
        if not self.save_inputs:
            return ()
        values = self.saved(True)
        return values[:-1] if self.save_output else values

    @property
    def output(self) -> Tensor:
        """The op's output saved for backward, as a Tensor on the graph (this node its ``grad_fn``)."""
        if not self.save_output:
            raise RuntimeError(f"{self.name} saves no output")
        return self.saved(True)[-1]

    def _raise_modified(self, saved: tuple) -> None:
        for i, (x, v) in enumerate(zip(saved, self._versions)):
            if v is not None and x._current_version() != v:
                view = " (a view: its memory was written through another tensor)" if x._base is not None else ""
                raise RuntimeError(
                    f"one of the tensors needed for gradient computation has been modified by an in-place "
                    f"operation: input {i} of {self.name} (shape {x.shape}){view} is at version "
                    f"{x._current_version()}, expected version {v}; avoid changing it in place, or use .clone()"
                )

    def release(self) -> None:
        """Free what was saved for backward (called by the engine unless retain_graph)."""
        if self.save_inputs:
            self._saved = self._arrays = None
        if self.save_output:
            self._out = None
        self._released = True

    # ------------------------------------------------------------------ graph inspection
    @property
    def next_functions(self) -> tuple:
        """``((node, 0), ...)`` per input, as in PyTorch (``(None, 0)`` for inputs needing no grad)."""
        return tuple((p, 0) for p in self.parents)

    def _hook_dict(self) -> dict:
        if self._hooks is None:
            self._hooks = {}
        return self._hooks

    def _add_retained(self, tensor: Tensor) -> None:
        if self._retained is None:
            self._retained = []
        self._retained.append(weakref.ref(tensor))

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _undeclared(cls: type, params: dict) -> NoReturn:
    """Refuse keywords of ``cls.apply`` that the op does not declare as parameters."""
    unknown = ", ".join(sorted(set(params) - cls.params))  # type: ignore[attr-defined]
    known = ", ".join(sorted(cls.params)) or "none"  # type: ignore[attr-defined]
    raise TypeError(f"{cls.__name__}.apply() got undeclared parameter(s) {unknown} (the op declares: {known})")


def _link_view(view: Tensor, source: Any, op: type, params: dict) -> None:
    """When ``view`` shares ``source``'s memory: count its in-place writes on the counter of the
    tensor that owns the memory (its base), and remember how to make it from the base (the
    chain of view ops), so a write through it can rewrite the base's history (CopySlices)."""
    if isinstance(source, Tensor) and np.may_share_memory(view._data, source._data):
        steps: tuple[Any, ...] | None
        if source._base is None:
            view._base, steps = source, ()
        else:  # a view of a view; a view of a detached alias (no steps) is not a differentiable view
            view._base, steps = source._base, source._view_fn
        if steps is not None:
            view._view_fn = steps + ((op, params),)
            view._view_version = view._base._version


def replay_view(steps: tuple, x: Any) -> Any:
    """Apply a view's chain of ops (``Tensor._view_fn``) to ``x``: recorded ops on a Tensor, the
    same NumPy views on an array."""
    for op, params in steps:
        if isinstance(x, Tensor):
            x = op.apply(x, **params)
        else:
            node = object.__new__(op)
            node.__dict__.update(params)
            x = node.forward(x)
    return x


class CopySlices(Function):
    """The base of a view after a write through the view (PyTorch's CopySlices):
    y = base with the view's region replaced by ``value``;
    ∂base = g with zeros in the region,  ∂value = g seen through the view

    ``forward`` returns the base's memory as it is: the write itself already went into it.
    """

    # parameters (apply's keyword arguments)
    steps: tuple[Any, ...]  # the view's chain (Tensor._view_fn)

    def forward(self, base, value):
        return base

    def backward(self, g):
        need_base, need_value = self.needs_input_grad
        g_base = g_value = None
        if need_base:
            region = np.ones(self.shape, dtype=bool)
            replay_view(self.steps, region)[...] = False
            g_base = g * region
        if need_value:
            g_value = replay_view(self.steps, g)
        return g_base, g_value


def once_differentiable(backward: Any) -> Any:
    """Mark a custom ``autograd.Function``'s ``backward`` as not differentiable itself (it may use
    NumPy): it runs without recording, and differentiating through it a second time raises."""

    def wrapper(ctx: Any, *grads: Any) -> Any:
        return backward(ctx, *grads)

    wrapper.__name__, wrapper.__doc__ = getattr(backward, "__name__", "backward"), backward.__doc__
    wrapper._once_differentiable = True  # type: ignore[attr-defined]
    return wrapper


class AccumulateGrad:
    """The node where gradients arrive at a leaf tensor and accumulate into its ``.grad``.

    As in PyTorch the graph keeps its leaves alive (``node.variable``); unlike PyTorch the
    leaf keeps its node too, so every graph it enters reuses one node instead of making
    a new one per forward pass (the two form a small cycle, which Python's collector frees).
    """

    name = "AccumulateGrad"
    parents = ()
    is_accumulator = True
    _retained = None

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.shape = variable._data.shape
        self.dtype = variable._data.dtype

    @property
    def _hooks(self) -> dict | None:
        return self.variable._hooks

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
