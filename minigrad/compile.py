"""``mg.compile(train_step)``: trace a training step once, replay its kernels without the Python around them.

A training step in eager minigrad does two kinds of work: the *kernels* (NumPy calls that compute
the numbers: a matmul, an exp, the optimizer's update) and the *bookkeeping* around them (making
Tensors and graph nodes, walking the graph in backward, deciding which gradient goes where). On a
small model the bookkeeping is about half the time. A tracing compiler removes it::

    step = mg.compile(train_step)   # train_step(x, y): zero_grad, forward, loss, backward, opt.step()
    loss = step(x, y)               # same effects and the same loss as train_step(x, y)
    print(step.explain())           # the traced program, one line per kernel

How it works, in four parts (each is a section of this file):

1. **Trace.** The first call runs ``train_step`` eagerly, with a few library entry points wrapped
   (and restored in a ``finally``): ``Function.apply`` records every op (its class, its parameters
   and where each input comes from: an argument, a live tensor such as a parameter or a buffer, an
   earlier op's output, or a constant); the engine's ``_Walk.deliver`` records the order in which
   backward visits the nodes and where each node sends its gradients (another node, or the
   ``.grad`` of a leaf). Methods that are already plain NumPy on live arrays are recorded as *host
   calls* (found with ``sys.setprofile`` by their code, so wrappers around them don't hide them):
   ``zero_grad``, ``optimizer.step``, ``scheduler.step``, ``nn.utils.clip_grad_norm_``,
   ``clip_grad_value_``, ``max_norm_``, and reseeding a generator (``mg.manual_seed``). Replay
   calls them again on the live objects, so an optimizer reads its live hyperparameters (a
   scheduler changing ``lr`` takes effect without retracing) and its state (momentum buffers,
   Adam's moments and step count) as in eager mode.
   BatchNorm's updates of its running statistics and batch count in training mode, the one buffer
   update the layers make outside ops, are recorded as small kernels of their own.
2. **Check.** The second call with the same guards traces again and compares the two traces. If
   they differ (an op, a parameter or a constant changed), the step depends on something the trace
   can't see (a Python number that changes, a random tensor made outside ops...) and compile falls
   back to eager. A tensor made inside the step with the same values both times (``mg.tensor(2.0)``)
   becomes a constant of the program. This is why the first two calls run eagerly.
3. **Replay.** Later calls run the program: each op's ``forward`` on arrays (on a fresh node made
   with ``object.__new__``, exactly as ``apply`` does, so random ops like dropout draw fresh masks
   from the same generator as eager would), then each backward rule in the recorded order with the
   engine's array mode on, fitting and summing gradients in the same order as the engine and
   accumulating them into the leaves' ``.grad`` as eager does; the host calls in between. No Tensor
   is made for an intermediate, no graph is walked, and the same kernels run in the same order, so
   the numbers are bit-for-bit eager's (the tests check 100 steps of several models).
   **Lowering** (``minigrad/_lower.py``) then turns the checked program into the source of one Python
   function, one line per NumPy kernel, writing into buffers allocated once (the guards fix every
   shape): Linear, ReLU, Tanh, Sigmoid and cross-entropy forward and backward, ``zero_grad`` and the
   SGD/Adam/AdamW steps are written out kernel for kernel (still bit-for-bit); every other op and host
   call stays a call of the generic path inside that function. ``step.explain()`` prints it. A call
   is then one generated check (arguments, grad mode, guards) and one call of that function.
4. **Guards.** A trace is only valid for what it assumed: the arguments' shapes and dtypes (and the
   values of non-tensor arguments), grad mode, every called module's ``training`` flag, parameters
   and submodules (the same objects), and the shapes, dtypes and ``requires_grad`` of the live
   tensors it reads. Each call computes these; a new combination is traced again. Up to
   :data:`CACHE_SIZE` programs are kept (the least recently used is evicted, with a warning).

What can't be traced makes the compiled function run eagerly from then on, with one
:class:`CompileWarning` naming the cause (never a wrong result): reading a value inside the step
(``.item()``, ``float()``, ``bool()``, ``.numpy()``, ``.tolist()``, formatting of an argument or a
traced tensor: Python control flow on values); in-place writes and ``.grad``/``.data`` assignments
inside the step outside the host calls (a manual SGD update; BatchNorm with ``momentum=None``, whose
factor changes every step); values made outside ops from an argument's memory or values; ops whose backward
needs Tensors (a custom ``autograd.Function``, a write through a view); hooks on tensors, nodes or
modules; ``retain_graph``/``create_graph``/``autograd.grad``/``backward(gradient=...)``;
``optimizer.step(closure)``; anomaly mode; an argument that requires grad; a result with a graph
behind it when no backward ran inside the function (``mg.compile(model)`` in training: replay builds
no graph to backward through; under ``no_grad`` a model's forward compiles fine); and a trace that
differs between two calls. Python side effects other than the host calls (appending to a list, a counter)
happen on the two tracing calls only, as in any tracer. The value returned on replay has eager's
value; an op's output comes back as a new Tensor that does not require grad (the graph behind it is
not built). While a step is being traced, the library's entry points are wrapped for every thread:
don't trace in one thread while another runs minigrad.
"""

from __future__ import annotations

import functools
import sys
import types
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minigrad import _lower
from minigrad._grad_mode import _state
from minigrad.autograd import engine as _engine
from minigrad.autograd.function import CopySlices, Function
from minigrad.tensor import Tensor

__all__ = ["compile", "CompiledFunction", "CompileWarning", "CACHE_SIZE"]

#: how many traced programs (guard combinations) one compiled function keeps
CACHE_SIZE = 8


class CompileWarning(UserWarning):
    """Issued when a compiled function falls back to eager mode, or evicts a cached trace."""


class _Untraceable(Exception):
    """Why a step can't be traced (the message names the cause)."""


#: functions of ``minigrad.nn.utils`` that change gradients or weights in place with NumPy: replayed as host calls
_HOST_FUNCTIONS = ("clip_grad_norm_", "clip_grad_value_", "max_norm_")


#: the compiled functions being traced (a compiled function called inside a trace runs eagerly, as part of it)
_TRACING: list = []


class _ArrayCall(Function):
    """A library function that computes on arrays without an op (a comparison, argmax), recorded as one:
    its forward calls the function itself on Tensors wrapping the arrays, so the kernel is the same."""

    # parameters (apply's keyword arguments)
    fn: Any  # the library function
    extra: tuple  # its arguments after the arrays

    def forward(self, *arrays):
        return self.fn(*[Tensor._make(a) if isinstance(a, np.ndarray) else a for a in arrays], *self.extra)._data


def _dead_ref() -> None:
    return None


# ====================================================================== 1. tracing
# A *source* says where a value comes from; replay turns it back into an array:
#   ("arg", k)   the k-th tensor argument's array       ("op", j)    the output of op j
#   ("live", t)  the array tensor t holds at replay      ("grad", t)  the array of t.grad at replay
#   ("const", v) a value baked into the program          ("gen", g)   resolve_generator(g) at replay
class _Op:
    """One recorded ``Function.apply``: the class, its parameters and inputs (as sources)."""

    __slots__ = ("cls", "inputs", "params", "has_node", "parents", "shape", "dtype", "module")

    def __init__(self, cls: Any, inputs: list, params: dict) -> None:
        self.cls, self.inputs, self.params = cls, inputs, params
        self.has_node = False
        self.parents: tuple = ()  # per input: None, ("node", j) or ("leaf", k); with the target's shape/dtype
        self.shape: tuple = ()
        self.dtype: Any = None
        self.module: str = ""


class _Backward:
    """One recorded ``backward()``: the root op and the order the engine ran the rules in."""

    __slots__ = ("root", "order", "leaves")

    def __init__(self, root: int) -> None:
        self.root = root
        self.order: list[int] = []
        self.leaves: set[int] = set()


class _Trace:
    """Everything one traced call did: the program, and what it assumed (its guards)."""

    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.program: list[tuple] = []  # ("op", j) | ("backward", _Backward) | ("call", obj, name, args, kwargs)
        self.leaves: list[Tensor] = []  # tensors whose .grad backward accumulates into
        self.modules: list[Any] = []  # every module called: their training flags are guards
        self.live: list[Tensor] = []  # tensors read live (parameters, buffers): shapes/dtypes are guards
        self.result: Any = None
        self.failure: str | None = None
        self.arg_arrays: list[np.ndarray] = []  # this call's arguments (values made outside ops are checked)

    # ------------------------------------------------------------------ guards
    def state_key(self) -> tuple:
        """What replay assumes of the live objects: each called module's training flag and its parameters
        and submodules (the same objects: a replaced layer retraces), and each live tensor's shape, dtype
        and requires_grad."""
        return (
            tuple(
                [
                    (m.training, tuple(map(id, m._parameters.values())), tuple(map(id, m._modules.values())))
                    for m in self.modules
                ]
            ),
            tuple([(t._data.shape, t._data.dtype, t.requires_grad) for t in self.live]),
        )


def _arg_key(args: tuple, kwargs: dict) -> tuple:
    """The guard on the arguments: shapes and dtypes of tensors, values of everything else."""
    key: list = [_state.enabled]
    for name, a in [(None, a) for a in args] + sorted(kwargs.items()):
        if isinstance(a, Tensor):
            key.append((name, "T", a._data.shape, a._data.dtype, a.requires_grad))
        elif isinstance(a, np.ndarray):
            key.append((name, "A", a.shape, a.dtype))
        else:
            try:
                hash(a)
            except TypeError:
                raise _Untraceable(
                    f"an argument of type {type(a).__name__} (not a tensor, and not hashable, so it can't be a guard)"
                ) from None
            key.append((name, "V", type(a), a))
    return tuple(key)


class _Tracer:
    """Runs the step eagerly with the library's entry points wrapped, filling a :class:`_Trace`."""

    def __init__(self, args: tuple, kwargs: dict) -> None:
        self.trace = _Trace()
        self.host = 0  # > 0 inside a host call (zero_grad, optimizer/scheduler step)
        self.in_apply = 0  # > 0 inside a recorded apply (ops calling ops are one op)
        self.outputs: dict[int, int] = {}  # id(Tensor made by op j) -> j
        self.out_arrays: dict[int, int] = {}  # id(its array) -> j
        self.nodes: dict[int, int] = {}  # id(node) -> j
        self.leaf_index: dict[int, int] = {}  # id(leaf tensor) -> k in trace.leaves
        self.live_index: dict[int, int] = {}
        self.live_arrays: dict[int, Tensor] = {}  # id(array) -> the parameter, buffer or live tensor holding it
        self.keep: list = []  # keeps every object whose id is a key above alive
        self.rngs: dict[int, Any] = {}  # id(numpy Generator) -> the generator argument it came from
        self.args: dict[int, int] = {}  # id(arg tensor or its array) -> k
        flat = list(args) + [v for _, v in sorted(kwargs.items())]
        for k, a in enumerate(flat):
            if isinstance(a, Tensor):
                if a.requires_grad:
                    raise _Untraceable(
                        "an argument requires grad (compile traces steps whose gradients go to "
                        "parameters; pass inputs that don't require grad)"
                    )
                self.args[id(a)] = k
                self.args[id(a._data)] = k
                self.trace.arg_arrays.append(a._data)
            elif isinstance(a, np.ndarray):
                self.args[id(a)] = k
                self.trace.arg_arrays.append(a)

    def check_not_derived(self, a: np.ndarray) -> None:
        """A value made outside ops that shares memory with an argument or an op's output depends on
        them in a way the trace can't see (a view made with NumPy, say): give up."""
        for b in self.trace.arg_arrays + [t._data for t in self.keep if isinstance(t, Tensor)]:
            if np.may_share_memory(a, b):
                self.fail("a value made outside ops from an argument or an op's output (a NumPy view of its array)")
                return

    def fail(self, cause: str) -> None:
        if self.trace.failure is None:
            self.trace.failure = cause

    # ------------------------------------------------------------------ where a value comes from
    def source(self, x: Any) -> tuple:
        i = id(x)
        if isinstance(x, Tensor):
            if i in self.outputs:
                return ("op", self.outputs[i])
            if i in self.args:
                return ("arg", self.args[i])
            for leaf in self.trace.leaves:
                if leaf._grad is x:
                    return ("grad", leaf)
            data = id(x._data)  # an alias made without an op (x.detach()) reads the same array
            if data in self.out_arrays:
                return ("op", self.out_arrays[data])
            if data in self.args:
                return ("arg", self.args[data])
            known = self.live_arrays.get(data)
            if known is not None and known is not x:  # p.data: an alias of a parameter's array reads it live
                return self.source(known)
            if i not in self.live_index:
                self.check_not_derived(x._data)
                self.live_index[i] = len(self.trace.live)
                self.trace.live.append(x)
                self.live_arrays.setdefault(data, x)
            return ("live", x)
        if isinstance(x, np.ndarray):
            if i in self.out_arrays:
                return ("op", self.out_arrays[i])
            if i in self.args:
                return ("arg", self.args[i])
            self.check_not_derived(x)
            self.keep.append(x)
            return ("const", x)
        if isinstance(x, dict) and not x:  # an empty dict the op's forward fills (BatchNorm's statistics)
            return ("slot", None)
        if isinstance(x, np.random.Generator):
            if i in self.rngs:
                return ("gen", self.rngs[i])
            return ("const", x)
        if isinstance(x, (tuple, list)) and any(isinstance(v, (Tensor, np.ndarray)) for v in x):
            raise _Untraceable("an op parameter holds a list of tensors or arrays")
        return ("const", x)

    # ------------------------------------------------------------------ the wrapped entry points
    def apply(self, original: Any, cls: Any, inputs: tuple, params: dict) -> Tensor:
        if self.host or self.in_apply or self.in_backward:
            return original(cls, *inputs, **params)
        trace = self.trace
        try:
            op = _Op(cls, [self.source(x) for x in inputs], {k: self.source(v) for k, v in params.items()})
        except _Untraceable as exc:
            self.fail(f"{cls.__name__}: {exc}")
            return original(cls, *inputs, **params)
        if issubclass(cls, CopySlices):
            self.fail("a write through a view (CopySlices)")
        if _state.anomaly:
            self.fail("anomaly detection is on")
        self.in_apply += 1
        try:
            out = original(cls, *inputs, **params)
        finally:
            self.in_apply -= 1
        j = len(trace.ops)
        stats = params.get("stats")
        if isinstance(stats, dict) and inputs and isinstance(inputs[0], Tensor):  # BatchNorm's batch statistics
            x = inputs[0]._data
            self.last_stats = (j, stats, x.size // x.shape[1] if x.ndim > 1 and x.shape[1] else 0)
        trace.ops.append(op)
        trace.program.append(("op", j))
        op.shape, op.dtype = out._data.shape, out._data.dtype
        if _state.module is not None:
            op.module = type(_state.module).__name__
        self.outputs[id(out)] = j
        self.out_arrays[id(out._data)] = j
        self.keep.append(out)
        node = out.grad_fn
        if node is not None and isinstance(node, cls):
            op.has_node = True
            self.nodes[id(node)] = j
            parents: list[tuple | None] = []
            for p in node.parents:
                if p is None:
                    parents.append(None)
                elif p.is_accumulator:
                    parents.append(("leaf", self.leaf(p.variable), p.shape, p.dtype))
                elif id(p) in self.nodes:
                    parents.append(("node", self.nodes[id(p)], p.shape, p.dtype))
                else:
                    self.fail(
                        f"{cls.__name__}'s input was made outside the compiled function (its graph "
                        "starts before the step)"
                    )
                    parents.append(None)
            op.parents = tuple(parents)
        return out

    def leaf(self, t: Tensor) -> int:
        k = self.leaf_index.get(id(t))
        if k is None:
            k = self.leaf_index[id(t)] = len(self.trace.leaves)
            self.trace.leaves.append(t)
            self.source(t)  # its shape, dtype and requires_grad are guards
        if t._hooks:
            self.fail("a hook registered on a parameter (register_hook)")
        return k

    def run_backward(
        self,
        original: Any,
        roots: list,
        root_grads: list,
        retain_graph: bool,
        create_graph: bool,
        capture: Any = None,
        accumulate: bool = True,
    ) -> dict:
        if self.host:
            return original(roots, root_grads, retain_graph, create_graph, capture, accumulate)
        if retain_graph or create_graph:
            self.fail("backward with retain_graph or create_graph")
        elif capture is not None or not accumulate:
            self.fail("autograd.grad or backward(inputs=...)")
        elif len(roots) != 1 or id(roots[0]) not in self.nodes:
            self.fail("backward from a tensor that no op inside the step made")
        else:
            g = root_grads[0]._data
            if g.flags.writeable or not (g == 1).all():
                self.fail("backward(gradient=...) (only the implicit gradient of a scalar loss is traced)")
            bwd = _Backward(self.nodes[id(roots[0])])
            self.trace.program.append(("backward", bwd))
            self.backward = bwd
        self.in_backward += 1
        try:
            return original(roots, root_grads, retain_graph, create_graph, capture, accumulate)
        finally:
            self.in_backward -= 1
            self.backward = None

    backward: _Backward | None = None
    last_stats: tuple | None = None
    in_backward = 0
    counter_code: Any = None

    def deliver(self, original: Any, walk: Any, node: Any, grads: tuple, g: Any, ready: list) -> None:
        bwd = self.backward
        if bwd is not None:
            j = self.nodes.get(id(node))
            if j is None:
                self.fail(f"backward reached {node.name}, made outside the compiled function")
            else:
                bwd.order.append(j)
            if node._hooks or node._retained:
                self.fail(f"a hook or retain_grad() on the output of {node.name}")
            for p in node.parents:
                if p is not None and p.is_accumulator:
                    bwd.leaves.add(self.leaf(p.variable))
        return original(walk, node, grads, g, ready)

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        """``sys.setprofile`` hook: a call into a host method (by its code object, so wrappers such as
        a scheduler's around ``optimizer.step`` don't hide it) is recorded, and runs unrecorded."""
        code = frame.f_code
        host = self.host_codes.get(code) if event in ("call", "return") else None
        if host is None:
            return
        if event == "return":
            self.host -= 1
            return
        if self.host == 0:
            name, owner = host
            names = code.co_varnames[: code.co_argcount]
            if owner is None:  # a method: replay calls it on the same object
                owner, names = frame.f_locals[names[0]], names[1:]
            kwargs = {n: frame.f_locals[n] for n in names}
            if name == "step" and kwargs.get("closure") is not None:
                self.fail("optimizer.step(closure)")
            for v in kwargs.values():
                if isinstance(v, Iterator):
                    self.fail(f"{name}() was given a one-shot iterator (e.g. model.parameters()): give it a list")
            self.trace.program.append(("call", owner, name, (), kwargs))
        self.host += 1

    def module_call(self, original: Any, module: Any, args: tuple, kwargs: dict) -> Any:
        if not any(m is module for m in self.trace.modules):
            self.trace.modules.append(module)
            for t in list(module._parameters.values()) + list(module._buffers.values()):
                if t is not None:
                    self.live_arrays.setdefault(id(t._data), t)
        if module._forward_pre_hooks or module._forward_hooks:
            self.fail(f"a forward hook on {type(module).__name__}")
        return original(module, *args, **kwargs)

    def read(self, what: str, t: Tensor) -> None:
        if not self.host:
            self.fail(
                f"{what} of a tensor of shape {t.shape} inside the step (Python code that reads values "
                "can't be traced: return the tensor and read it outside the compiled function)"
            )

    def running(self, original: Any, stat: Tensor, value: np.ndarray, momentum: float) -> None:
        """BatchNorm's ``_update_running(stat, batch value, momentum)``: a kernel of the program, its
        batch value read from the statistics the last BatchNorm op's forward stored."""
        if not self.host:
            last = self.last_stats
            C = stat._data.shape[0]
            if last is None:
                self.fail("a running-statistics update without a BatchNorm op before it")
            else:
                j, stats, n = last
                if "mean" in stats and np.shares_memory(value, stats["mean"]):
                    self.trace.program.append(("kernel", "running", stat, j, "mean", None, momentum))
                elif "var" in stats and n > 1 and np.array_equal(value, stats["var"].reshape(C) * (n / (n - 1))):
                    self.trace.program.append(("kernel", "running", stat, j, "var", n / (n - 1), momentum))
                else:
                    self.fail("a running-statistics update the tracer can't attribute to an op")
        self.host += 1
        try:
            original(stat, value, momentum)
        finally:
            self.host -= 1

    def write(self, t: Tensor) -> None:
        if (
            not self.host
            and sys._getframe(2).f_code is self.counter_code
            and t is sys._getframe(2).f_locals["self"].num_batches_tracked
        ):
            self.trace.program.append(("kernel", "count", t))  # BatchNorm1d's num_batches_tracked += 1
            return
        if not self.host:
            what = (
                "a buffer" if any(t is b for m in self.trace.modules for b in m.buffers(recurse=False)) else "a tensor"
            )
            self.fail(
                f"an in-place write into {what} of shape {t.shape} inside the step (e.g. a manual update "
                "outside optimizer.step)"
            )

    def assign(self, name: str, t: Tensor) -> None:
        if not self.host:
            self.fail(
                f"an assignment to .{name} of a tensor of shape {t.shape} inside the step (outside zero_grad "
                "and optimizer.step)"
            )

    # ------------------------------------------------------------------ running the step under the wrappers
    def run(self, fn: Callable, args: tuple, kwargs: dict) -> Any:
        from minigrad._random import Generator
        from minigrad.nn import functional as _functional
        from minigrad.nn import utils as _nn_utils
        from minigrad.nn.module import Module
        from minigrad.nn.normalization import BatchNorm1d
        from minigrad.ops import random as _random_ops
        from minigrad.ops import reduce as _reduce_ops
        from minigrad.optim.lr_scheduler import LRScheduler
        from minigrad.optim.optimizer import Optimizer

        tracer = self
        patches: list[tuple[Any, str, Any]] = []  # (owner, attribute, original value)

        def patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
            original = owner.__dict__[name]
            patches.append((owner, name, original))
            setattr(owner, name, make(original))

        def wrap_apply(original: Any) -> Any:
            func = original.__func__
            return classmethod(lambda cls, *inputs, **params: tracer.apply(func, cls, inputs, params))

        def wrap_read(what: str) -> Callable[[Any], Any]:
            def make(original: Any) -> Any:
                def wrapper(t: Any, *args: Any, **kwargs: Any) -> Any:
                    tracer.read(what, t)
                    return original(t, *args, **kwargs)

                return wrapper

            return make

        def wrap_resolve(original: Any) -> Any:
            def resolve(generator: Any = None) -> Any:
                rng = original(generator)
                tracer.rngs[id(rng)] = generator
                tracer.keep.append(rng)
                return rng

            return resolve

        def subclasses(cls: type) -> list[type]:
            out, stack = [], [cls]
            while stack:
                c = stack.pop()
                out.append(c)
                stack.extend(c.__subclasses__())
            return out

        previous_profile = sys.getprofile()
        try:  # everything patched below is restored, whatever happens
            patch(Function, "apply", wrap_apply)
            patch(_engine, "run_backward", lambda orig: functools.partial(tracer.run_backward, orig))
            patch(
                _engine._Walk,
                "deliver",
                lambda orig: lambda walk, node, grads, g, ready: tracer.deliver(orig, walk, node, grads, g, ready),
            )
            patch(_random_ops, "resolve_generator", wrap_resolve)
            # functions that make tensors from arrays without an op: recorded as _ArrayCall ops while tracing
            patch(
                Tensor,
                "_compare",
                lambda orig: lambda t, other, ufunc, op: _ArrayCall.apply(t, other, fn=orig, extra=(ufunc, op)),
            )
            patch(
                _reduce_ops,
                "argext",
                lambda orig: lambda x, dim, keepdim, fn, op: _ArrayCall.apply(x, fn=orig, extra=(dim, keepdim, fn, op)),
            )
            patch(
                _functional,
                "_update_running",
                lambda orig: lambda stat, value, momentum: tracer.running(orig, stat, value, momentum),
            )
            self.counter_code = BatchNorm1d.forward.__code__
            # host calls: optimizer and scheduler steps, zero_grad, and the NumPy utilities that change
            # gradients or weights in place (clipping, max-norm); code object -> (name, module or None)
            self.host_codes: dict[Any, tuple[str, Any]] = {}
            for cls in subclasses(Optimizer) + subclasses(LRScheduler) + [Module]:
                for name in ("step", "zero_grad"):
                    method = cls.__dict__.get(name)
                    if method is not None and hasattr(method, "__code__"):
                        self.host_codes[method.__code__] = (name, None)
            for name in ("manual_seed", "seed", "set_state"):  # reseeding inside the step happens on every replay too
                self.host_codes[getattr(Generator, name).__code__] = (name, None)
            for name in _HOST_FUNCTIONS:
                function = getattr(_nn_utils, name)
                self.host_codes[function.__code__] = (name, _nn_utils)
                patch(
                    _nn_utils,
                    name,
                    lambda orig: functools.wraps(orig)(
                        lambda params, *a, **kw: orig(
                            params if isinstance(params, (Tensor, Module, list, tuple)) else list(params), *a, **kw
                        )
                    ),
                )
            patch(Module, "__call__", lambda orig: lambda m, *a, **kw: tracer.module_call(orig, m, a, kw))
            for name, what in (
                ("item", ".item()"),
                ("__float__", "float()"),
                ("__int__", "int()"),
                ("__bool__", "bool()"),
                ("numpy", ".numpy()"),
                ("tolist", ".tolist()"),
                ("__format__", "formatting"),
                ("__array__", "np.asarray()"),
            ):
                patch(Tensor, name, wrap_read(what))
            for name in ("_bump_version", "_writable"):  # the library's in-place writes (see Tensor._writable)
                patch(Tensor, name, lambda orig: _noting(tracer.write, orig))
            for name in ("grad", "data"):  # assigning p.grad or p.data inside the step (not in a host call)
                patch(Tensor, name, functools.partial(_watched_setter, functools.partial(tracer.assign, name)))
            sys.setprofile(_chained(previous_profile, self.profile))
            result = fn(*args, **kwargs)
        finally:
            _restore_profile(previous_profile)
            for owner, name, original in reversed(patches):
                setattr(owner, name, original)
        try:
            self.trace.result = self.encode(result)
        except _Untraceable as exc:
            self.fail(str(exc))
        if not any(i[0] == "backward" for i in self.trace.program) and _returns_graph(result):
            self.fail(
                "the result requires grad but no backward ran inside the function (replay builds no graph): "
                "compile the whole training step (zero_grad, forward, loss, backward, step), not just a "
                "model's forward"
            )
        return result

    def encode(self, value: Any) -> Any:
        """The step's return value as a structure of sources."""
        if isinstance(value, Tensor):
            return self.source(value)
        if isinstance(value, (tuple, list)):
            return type(value)(self.encode(v) for v in value)
        if isinstance(value, dict):
            return {k: self.encode(v) for k, v in value.items()}
        if isinstance(value, (int, float, str, bool, type(None))):
            return ("const", value)
        raise _Untraceable(f"the step returns a {type(value).__name__}")


def _chained(previous: Any, hook: Callable[[Any, str, Any], None]) -> Callable[[Any, str, Any], None]:
    """The tracer's profile hook, after a Python-level profiler's own (``profile.Profile``, a user's
    ``sys.setprofile`` function) so that profiler sees every event of the trace and its call stack stays whole.
    A C profiler (cProfile: ``sys.getprofile()`` gives its Profile object, not a function) cannot be called
    from Python: it sees nothing of the trace and resumes after it (``_restore_profile``)."""
    if previous is None or not callable(previous):
        return hook

    def both(frame: Any, event: str, arg: Any) -> None:
        previous(frame, event, arg)
        hook(frame, event, arg)

    return both


def _restore_profile(previous: Any) -> None:
    """Give the profile hook back to what held it before the trace. A Python-level hook is set again; a C
    profiler such as ``cProfile.Profile`` is not a function ``sys.setprofile`` accepts, so it is re-enabled
    (its ``enable()`` installs its C hook again, keeping the statistics gathered so far)."""
    if previous is None or callable(previous):
        sys.setprofile(previous)
    elif callable(getattr(previous, "enable", None)):
        previous.enable()
    else:  # an unknown C-level hook: it cannot be put back from Python
        sys.setprofile(None)
        warnings.warn(
            f"mg.compile: the profiler {type(previous).__name__} active while tracing could not be restored",
            CompileWarning,
            stacklevel=3,
        )


def _returns_graph(r: Any) -> bool:
    """Whether the step's result holds a tensor with a graph behind it (one the caller may backward)."""
    if isinstance(r, Tensor):
        return r.grad_fn is not None
    if isinstance(r, (tuple, list)):
        return any(_returns_graph(v) for v in r)
    if isinstance(r, dict):
        return any(_returns_graph(v) for v in r.values())
    return False


# ====================================================================== 2. checking two traces agree
def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return a is b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=True))
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or a is b
    except Exception:  # noqa: BLE001 - a value without a usable ==: only identity counts
        return a is b


def _merge_source(a: tuple, b: tuple, args: list) -> tuple | None:
    """The source to replay when two traces read ``a`` and ``b`` at the same place, or None if they disagree.
    A tensor made inside the step (a different object each call) becomes a constant if its values agree
    (and are not an argument's values: a copy of an argument made outside ops must not be baked in)."""
    if a[0] == "live" and b[0] == "live" and a[1] is not b[1]:
        x, y = a[1]._data, b[1]._data
        if x is y:  # two aliases of one array (p.data): read that array, as it is at replay
            return ("const", x)
        if any(_same_value(y, arg) for arg in args):
            return None
        return ("const", x.copy()) if _same_value(x, y) else None
    if a[0] == "const" and isinstance(b[1], np.ndarray) and any(_same_value(b[1], arg) for arg in args):
        return None
    if a[0] != b[0]:
        return None
    if a[0] in ("live", "grad", "gen"):
        return a if a[1] is b[1] else None
    if a[0] in ("arg", "op"):
        return a if a[1] == b[1] else None
    return a if _same_value(a[1], b[1]) else None


def _agree(t1: _Trace, t2: _Trace) -> str | None:
    """None when the two traces are the same program (``t1`` is updated to replay), else what differs."""
    if len(t1.program) != len(t2.program):
        return f"the step ran {len(t1.program)} kernels on one call and {len(t2.program)} on the next"
    for i, (a, b) in enumerate(zip(t1.program, t2.program)):
        if a[0] != b[0]:
            return f"step {i} of the program was a {a[0]}, then a {b[0]}"
        if a[0] == "op":
            o1, o2 = t1.ops[a[1]], t2.ops[b[1]]
            if (
                o1.cls is not o2.cls
                or o1.params.keys() != o2.params.keys()
                or len(o1.inputs) != len(o2.inputs)
                or o1.has_node != o2.has_node
                or o1.parents != o2.parents
            ):
                return f"op {a[1]} was {o1.cls.__name__}, then {o2.cls.__name__} (or its inputs changed)"
            for where, holder, k, s2 in [("input", o1.inputs, i, y) for i, y in enumerate(o2.inputs)] + [
                (f"parameter {k!r}", o1.params, k, o2.params[k]) for k in o1.params
            ]:
                merged = _merge_source(holder[k], s2, t2.arg_arrays)
                if merged is None:
                    return (
                        f"an {where} of op {a[1]} ({o1.cls.__name__}) changed between calls (a value made "
                        "outside ops, e.g. a random tensor or a Python number that changes)"
                    )
                holder[k] = merged
        elif a[0] == "backward":
            if a[1].root != b[1].root or a[1].order != b[1].order:
                return "backward visited the graph in a different order"
        elif a[0] == "kernel":
            if len(a) != len(b) or any(not _same_value(x, y) for x, y in zip(a, b)):
                return f"the {a[1]} update changed between calls (e.g. BatchNorm with momentum=None)"
        elif a[1] is not b[1] or a[2] != b[2] or not _same_value(a[3], b[3]) or not _same_value(a[4], b[4]):
            return f"the host call {a[2]} changed between calls"
    if not _same_value(_result_shape(t1.result), _result_shape(t2.result)):
        return "the step returned something else"
    return None


def _result_shape(r: Any) -> Any:
    if isinstance(r, tuple) and r and isinstance(r[0], str) and r[0] in ("arg", "op", "live", "grad", "const"):
        return (r[0], r[1]) if r[0] in ("arg", "op") else (r[0], id(r[1]) if r[0] != "const" else r[1])
    if isinstance(r, (tuple, list)):
        return [_result_shape(v) for v in r]
    if isinstance(r, dict):
        return {k: _result_shape(v) for k, v in r.items()}
    return r


# ====================================================================== 3. replay
def _noting(note: Callable[[Tensor], None], original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, telling the tracer first (an in-place write or an assignment to watch)."""

    def noted(t: Tensor, *args: Any) -> Any:
        note(t)
        return original(t, *args)

    return noted


def _watched_setter(note: Callable[[Tensor], None], prop: property) -> property:
    """``prop`` with its setter telling the tracer first."""
    assert prop.fset is not None
    return property(prop.fget, _noting(note, prop.fset), prop.fdel, prop.__doc__)


class _Stub:
    """What ``engine._fit_array`` reads of a gradient's target: its shape and dtype."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape: tuple, dtype: Any, name: str) -> None:
        self.shape, self.dtype, self.name = shape, dtype, name


def _call_rule(node: Any, g: np.ndarray) -> Any:
    """Run ``node``'s backward rule on the array ``g`` with its saved values as arrays, as the engine does
    without ``create_graph`` (the caller turns grad mode off): the one place replay, generic or lowered
    (``minigrad/_lower.py``), calls a rule."""
    return node.backward(g, *node.saved(False)) if node.saves else node.backward(g)


def _fit_gradient(gi: Any, stub: Any, node: Any, i: int, grads: tuple) -> np.ndarray:
    """Gradient ``gi`` (``grads[i]``, from ``node``'s rule) fitted to its target ``stub`` as the engine fits it."""
    return _engine._fit_array(gi, stub, node, grads)


class _Program:
    """A checked trace, ready to replay."""

    def __init__(self, trace: _Trace, arg_key: tuple) -> None:
        self.trace = trace
        self.arg_key = arg_key
        self.state_key = trace.state_key()
        # Work done once here rather than on every replay: per op, the parameters that are constants,
        # the flags a node's ``parents`` holds, which inputs backward keeps, and where its gradients go
        # (with the stand-ins the engine's fitting reads). Replay is then a loop over plain tuples.
        self.steps: list[tuple] = []
        kernel_nodes = {instr[3] for instr in trace.program if instr[0] == "kernel" and instr[1] == "running"}
        for instr in trace.program:
            if instr[0] != "op":
                self.steps.append(instr)
                continue
            j = instr[1]
            op = trace.ops[j]
            const = {k: s[1] for k, s in op.params.items() if s[0] == "const"}
            dynamic = tuple((k, s) for k, s in op.params.items() if s[0] != "const")
            flags = tuple(None if p is None else True for p in op.parents)
            keep = None
            if op.has_node and op.cls.save_inputs and op.cls.save_for is not None:
                keep = tuple(op.cls.save_for([f is not None for f in flags]))
            # inputs as (0, j) for op j's output, (1, t) for tensor t's live array, (2, source) for the rest
            inputs = tuple((0, s[1]) if s[0] == "op" else (1, s[1]) if s[0] == "live" else (2, s) for s in op.inputs)
            self.steps.append(
                ("op", j, op.cls, inputs, const, dynamic, op.has_node, flags, keep, op.has_node or j in kernel_nodes)
            )
        self.frees = _frees(self.steps, trace)
        self.targets = [
            tuple(
                (i, p[0] == "node", p[1], _Stub(p[2], p[3], op.cls.name))
                for i, p in enumerate(op.parents)
                if p is not None
            )
            for op in trace.ops
        ]

        # the fast path: the program as one generated Python function of kernels (minigrad/_lower.py)
        self.lowered: _lower.Lowered | None = None
        try:
            self.lowered = _lower.lower(self)
        except _lower.CannotLower:
            pass

    def matches(self, arg_key: tuple) -> bool:
        if arg_key != self.arg_key:
            return False
        if self.lowered is not None:
            return self.lowered.check(self.state_key)
        return self.trace.state_key() == self.state_key

    def run(self, flat: list) -> Any:
        """One replay: the lowered function when there is one, else the program's steps, in order, on arrays."""
        if self.lowered is not None:
            return self.lowered.fn(flat)
        from minigrad._random import resolve_generator

        n = len(self.trace.ops)
        values: list = [None] * n  # each op's output array
        nodes: list = [None] * n  # each op's node (only ops that recorded one)

        def get(src: tuple) -> Any:
            kind, v = src
            if kind == "op":
                return values[v]
            if kind == "live":
                return v._data
            if kind == "arg":
                a = flat[v]
                return a._data if isinstance(a, Tensor) else a
            if kind == "grad":
                return v._grad._data
            if kind == "gen":
                return resolve_generator(v)
            if kind == "slot":
                return {}
            return v

        for step, free in zip(self.steps, self.frees):
            kind = step[0]
            if kind == "op":  # what Function.apply does, minus the Tensors and the graph
                j = step[1]
                arrays = [values[v] if k == 0 else v._data if k == 1 else get(v) for k, v in step[3]]
                values[j], nodes[j] = _lower._generic_forward(step, flat, arrays, values.__getitem__)
            elif kind == "backward":
                self.backward(step[1], values, nodes)
            elif kind == "kernel":
                _run_kernel(step, nodes)
            else:  # a host call: the live object's own method (zero_grad, optimizer or scheduler step)
                _, obj, name, args, kwargs = step
                getattr(obj, name)(*args, **kwargs)
            for j in free:  # outputs no later step reads: freed as early as eager frees them
                values[j] = None
        return self.decode(self.trace.result, get, flat)

    def backward(self, bwd: _Backward, values: list, nodes: list) -> None:
        """The engine's walk, replayed: the rules in the recorded order, each gradient fitted to its input
        (``_fit_array``) and summed in the order the engine sums it, then added into the leaves' ``.grad``."""
        root = values[bwd.root]
        one = _engine._ONES.get((root.shape, root.dtype))  # the implicit gradient of the scalar loss
        if one is None:
            one = _engine._root_grad(Tensor._make(root), None, "backward")._data
        buffers: dict = {bwd.root: one}
        at_leaves: dict = {}  # leaf index -> [gradient so far, whether that array is ours]
        targets = self.targets
        fit, add = _engine._fit_array, _engine._sum
        state = _state
        prev = state.enabled
        state.enabled = False
        try:
            for j in bwd.order:
                g = buffers.pop(j, None)
                if g is None:  # no gradient reached this node
                    continue
                node = nodes[j]
                grads = _call_rule(node, g)
                if type(grads) is not tuple:
                    grads = (grads,)
                for i, to_node, k, stub in targets[j]:
                    gi = grads[i]
                    if gi is None:
                        continue
                    if type(gi) is not np.ndarray or gi.dtype is not stub.dtype or gi.shape != stub.shape:
                        gi = fit(gi, stub, node, grads)
                    if to_node:
                        old = buffers.get(k)
                        buffers[k] = gi if old is None else add(old, gi)
                    else:
                        old = at_leaves.get(k)
                        # an array this rule just made is nobody else's: .grad may take it without a copy
                        at_leaves[k] = [gi, gi is not g and gi.base is None] if old is None else [add(old[0], gi), True]
                node.release()
                nodes[j] = None
        finally:
            state.enabled = prev
        leaves = self.trace.leaves
        for k, (g, owned) in at_leaves.items():
            _engine._accumulate_into(leaves[k], g, owned, True)

    def decode(self, r: Any, get: Callable, flat: list) -> Any:
        """The step's return value: op outputs as new Tensors (not requiring grad), the rest as they are."""
        if isinstance(r, tuple) and r and isinstance(r[0], str) and r[0] in ("arg", "op", "live", "grad", "const"):
            kind, v = r
            if kind == "op":
                return Tensor._make(get(r))
            return {"const": lambda: v, "arg": lambda: flat[v], "live": lambda: v, "grad": lambda: v._grad}[kind]()
        if isinstance(r, (tuple, list)):
            return type(r)(self.decode(v, get, flat) for v in r)
        if isinstance(r, dict):
            return {k: self.decode(v, get, flat) for k, v in r.items()}
        return r

    # ------------------------------------------------------------------ explain
    def explain(self) -> str:
        trace = self.trace
        lines = [
            f"traced program: {sum(1 for i in trace.program if i[0] == 'op')} forward ops, "
            f"{sum(1 for i in trace.program if i[0] == 'backward')} backward pass(es), "
            f"{sum(1 for i in trace.program if i[0] == 'call')} host call(s); guards: arguments "
            f"{_describe_key(self.arg_key)}, {len(trace.modules)} module training flags, "
            f"{len(trace.live)} live tensors' shapes/dtypes"
        ]

        def where(src: tuple) -> str:
            kind, v = src
            if kind == "op":
                return f"%{v}"
            if kind == "arg":
                return f"arg{v}"
            if kind == "live":
                return f"live[{_name(v, trace)}]"
            if kind == "grad":
                return f"grad[{_name(v, trace)}]"
            if kind == "gen":
                return "generator(default)" if v is None else "generator(given)"
            if kind == "slot":
                return "{}"
            if isinstance(v, np.ndarray):
                return f"const{v.shape}"
            return repr(v)

        for instr in trace.program:
            if instr[0] == "op":
                j = instr[1]
                op = trace.ops[j]
                params = ", ".join(f"{k}={where(s)}" for k, s in op.params.items())
                if op.cls is _ArrayCall:  # name it by the function's own op name
                    extra = op.params["extra"][1]
                    params, name = ", ".join(repr(e) for e in extra[:-1] if not callable(e)), extra[-1]
                else:
                    name = op.cls.__name__
                ins = ", ".join(where(s) for s in op.inputs)
                module = f"  # in {op.module}" if op.module else ""
                lines.append(
                    f"%{j} = {name}({ins}{', ' if ins and params else ''}{params}) -> {op.shape} {op.dtype}{module}"
                )
            elif instr[0] == "kernel":
                if instr[1] == "count":
                    lines.append(f"{_name(instr[2], trace)} += 1")
                else:
                    _, _, stat, j, key, factor, momentum = instr
                    value = f"%{j}.stats[{key!r}]" + (f" * {factor!r}" if factor is not None else "")
                    lines.append(
                        f"{_name(stat, trace)} <- (1 - {momentum!r}) * {_name(stat, trace)} + {momentum!r} * "
                        f"{value}  {stat._data.shape} {stat._data.dtype}"
                    )
            elif instr[0] == "backward":
                bwd = instr[1]
                lines.append(f"backward from %{bwd.root}:")
                for j in bwd.order:
                    op = trace.ops[j]
                    outs = []
                    for p in op.parents:
                        if p is not None:
                            outs.append(f"g%{p[1]}" if p[0] == "node" else f"grad[{_name(trace.leaves[p[1]], trace)}]")
                    lines.append(f"  {op.cls.name}(g%{j} {op.shape} {op.dtype}) -> {', '.join(outs) or '-'}")
                for k in sorted(bwd.leaves):
                    t = trace.leaves[k]
                    lines.append(f"  accumulate into {_name(t, trace)}.grad {t._data.shape} {t._data.dtype}")
            else:
                _, obj, name, args, kwargs = instr
                if isinstance(obj, types.ModuleType):
                    lines.append(f"call {obj.__name__}.{name}() (NumPy on the live gradients/parameters)")
                elif hasattr(obj, "param_groups"):
                    lines.append(
                        f"call {type(obj).__name__}.{name}()"
                        + (" (NumPy on the live parameters; reads live hyperparameters)" if name == "step" else "")
                    )
                else:
                    lines.append(f"call {type(obj).__name__}.{name}()")
        if self.lowered is not None:
            lines.append(self.lowered.explain())
        return "\n".join(lines)


def _frees(steps: list[tuple], trace: _Trace) -> list[tuple]:
    """Per step, the ops whose outputs no later step reads (nor the result): replay drops them there,
    so memory peaks where eager's does (nodes keep what their backward needs)."""
    last: dict[int, int] = {}
    for i, step in enumerate(steps):
        if step[0] == "op":
            last.setdefault(step[1], i)  # an output nobody reads goes at once
            for k, v in step[3]:
                if k == 0:
                    last[v] = i
            for _, s in step[5]:
                if s[0] == "op":
                    last[s[1]] = i
        elif step[0] == "backward":
            last[step[1].root] = i
    kept: set[int] = set()

    def results(r: Any) -> None:
        if isinstance(r, tuple) and r and isinstance(r[0], str) and r[0] in ("arg", "op", "live", "grad", "const"):
            if r[0] == "op":
                kept.add(r[1])
        elif isinstance(r, (tuple, list)):
            for v in r:
                results(v)
        elif isinstance(r, dict):
            for v in r.values():
                results(v)

    results(trace.result)
    frees: list[list[int]] = [[] for _ in steps]
    for j, i in last.items():
        if j not in kept:
            frees[i].append(j)
    return [tuple(f) for f in frees]


def _run_kernel(step: tuple, nodes: list) -> None:
    """A buffer update outside ops, as eager does it: BatchNorm's running statistics and batch count."""
    from minigrad.nn.functional import _update_running

    if step[1] == "count":
        t = step[2]
        t._data += 1
        t._bump_version()
        return
    _, _, stat, j, key, factor, momentum = step
    value = nodes[j].stats[key].reshape(stat._data.shape[0])
    if factor is not None:
        value = value * factor
    _update_running(stat, value, momentum)


def _describe_key(key: tuple) -> str:
    parts = []
    for k in key[1:]:
        prefix = f"{k[0]}=" if k[0] else ""
        parts.append(f"{prefix}{k[2]} {k[3]}" if k[1] in ("T", "A") else f"{prefix}{k[3]!r}")
    return "(" + ", ".join(parts) + f"), grad mode {'on' if key[0] else 'off'}"


def _name(t: Tensor, trace: _Trace) -> str:
    for m in trace.modules:  # the first module called is the outermost: its names are state_dict's
        for n, p in list(m.named_parameters()) + list(m.named_buffers()):
            if p is t:
                return n
    return f"tensor{tuple(t._data.shape)}"


# ====================================================================== 4. the compiled function and its guards
class CompiledFunction:
    """What :func:`compile` returns: call it like the function; :meth:`explain` shows the traced program."""

    def __init__(self, fn: Callable, cache_size: int = CACHE_SIZE) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.cache_size = cache_size
        self.programs: OrderedDict = OrderedDict()  # (arg key, state key) -> _Program, most recent last
        self.pending: dict = {}  # arg key -> the first trace, waiting for its check
        self.eager_reason: str | None = None  # set once compile gives up: every call runs eagerly
        self.traces = 0  # how many calls were traced (for tests and curiosity)
        self._last: _Program | None = None
        self._fast: Callable | None = None  # the last program's Lowered.fast

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fast = self._fast  # the last program's lowered check-and-replay: the common case in one call
        if fast is not None and not kwargs and not _TRACING:
            result = fast(args)
            if result is not _lower.MISS:
                return result
        if self.eager_reason is not None or _TRACING:  # inside another compiled function's trace: be traced
            return self.fn(*args, **kwargs)
        try:
            arg_key = _arg_key(args, kwargs)
        except _Untraceable as exc:
            return self._give_up(str(exc), args, kwargs, depth=3)
        for key, program in reversed(self.programs.items()):
            if program.matches(arg_key):
                self.programs.move_to_end(key)
                self._last = program
                self._fast = program.lowered.fast if program.lowered is not None else None
                return program.run(list(args) + [v for _, v in sorted(kwargs.items())] if kwargs else args)
        return self._trace(arg_key, args, kwargs)

    def _give_up(
        self, cause: str, args: tuple, kwargs: dict, result: Any = None, ran: bool = False, depth: int = 4
    ) -> Any:
        """Run eagerly from now on, with one warning (pointing at the caller's line: ``depth`` frames up)."""
        self.eager_reason = cause
        self._fast = None
        self.programs.clear()
        self.pending.clear()
        warnings.warn(
            f"mg.compile({getattr(self.fn, '__name__', 'fn')}): running eagerly from now on: {cause}",
            CompileWarning,
            stacklevel=depth,
        )
        return result if ran else self.fn(*args, **kwargs)

    def _trace(self, arg_key: tuple, args: tuple, kwargs: dict) -> Any:
        try:
            tracer = _Tracer(args, kwargs)
        except _Untraceable as exc:
            return self._give_up(str(exc), args, kwargs)
        self.traces += 1
        _TRACING.append(self)
        try:
            result = tracer.run(self.fn, args, kwargs)
        finally:
            _TRACING.pop()
        trace = tracer.trace
        if trace.failure is not None:
            return self._give_up(trace.failure, args, kwargs, result, ran=True)
        key = (arg_key, trace.state_key())
        first = self.pending.pop(key, None)
        if first is None:  # the first trace under these guards: keep it until the next call checks it
            self.pending[key] = trace
            if len(self.pending) > self.cache_size:  # guards seen once and never again: forget the oldest
                del self.pending[next(iter(self.pending))]
            return result
        difference = _agree(first, trace)
        if difference is not None:
            return self._give_up(
                f"the step traced differently on two calls: {difference}", args, kwargs, result, ran=True
            )
        first.modules, first.live = trace.modules, trace.live
        first.leaves = trace.leaves
        program = _Program(first, arg_key)
        if len(self.programs) >= self.cache_size:
            old_key, _ = self.programs.popitem(last=False)
            warnings.warn(
                f"mg.compile({getattr(self.fn, '__name__', 'fn')}): {self.cache_size} traces cached; "
                f"evicting the least recently used one (arguments {_describe_key(old_key[0])})",
                CompileWarning,
                stacklevel=3,
            )
        self.programs[key] = program
        self._last = program
        self._fast = program.lowered.fast if program.lowered is not None else None
        return result

    def explain(self) -> str:
        """The traced program of the last call: one line per forward op, backward rule, accumulation into
        ``.grad`` and host call, with shapes, dtypes and where each input comes from."""
        if self.eager_reason is not None:
            return f"not compiled: runs eagerly ({self.eager_reason})"
        if self._last is None:
            return "not traced yet: the first two calls trace the function (and check the two traces agree)"
        return self._last.explain()


def compile(fn: Callable | None = None, *, cache_size: int = CACHE_SIZE) -> Any:  # noqa: A001 - torch.compile
    """Compile a training step: trace it, then replay its kernels (see the module docstring).

    ``step = mg.compile(train_step)``; ``step(x, y)`` has the effects and the value of ``train_step(x, y)``.
    Also a decorator (``@mg.compile`` or ``@mg.compile(cache_size=4)``).
    """
    if fn is None:
        return lambda f: CompiledFunction(f, cache_size)
    return CompiledFunction(fn, cache_size)
