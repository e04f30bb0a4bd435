"""Lowering: a checked trace becomes the source of one straight-line Python function (``mg.compile``'s replay).

The generic replay (``compile._Program.run``) runs each op's ``forward`` on a fresh node and each
backward rule through a replay of the engine's walk: exact, but several µs of Python per op. This
pass turns the same trace into Python source, one line per NumPy kernel, and compiles it once::

    v0 = matmul(A0, LT0, B0)           # %0 Linear: x Wᵀ -> (32, 64) float32 into B0
    add(v0, L1, v0)                    # %0   + b, in place
    v1 = maximum(v0, 0, out=v0)        # %1 ReLU -> (32, 64) float32 in place into %0's buffer
    ...

Replay is then one call of that function: no Tensors, nodes, dicts or graph walk, and most kernels
write into buffers allocated once per program (``out=``), since the guards fix every shape and dtype.
A call is checked by a second generated function, ``fast``: grad mode, the arguments' types, shapes
and dtypes, then ``guard()`` (each module's training flag where its forward reads it, its parameters
and children by identity, each live tensor's array by identity and its ``requires_grad``), and then
replays; anything else takes ``compile.CompiledFunction``'s general path (retrace, or rebind arrays).

* **Lowered ops** (:data:`_LOWERINGS`): Linear, ReLU, Tanh, Sigmoid, Dropout, CrossEntropy (mean/sum),
  Add, Sub and Mul of same-shape arrays, Mean over all elements (so MSE), forward and backward, each gradient
  written straight into the buffer its consumer reads. Every other op
  keeps the generic path, as a call of :func:`_generic_forward` / :func:`_generic_backward` in the
  source, so coverage is that of the generic replay.
* **Backward**: the rules in the engine's recorded order; a node's gradients summed in the order the
  engine sums them; a leaf's gradient given to ``.grad`` as eager gives it (a fresh array when
  ``.grad`` is None, added in place when it exists, never one of the program's buffers).
* **Host calls**: ``zero_grad(set_to_none=True)`` and the ``step`` of :class:`~minigrad.optim.SGD`
  (plain, momentum, dampening, Nesterov, weight decay, maximize) and Adam/AdamW (not amsgrad) are
  lowered. They read the hyperparameters live from ``param_groups`` on every replay (a scheduler's
  ``lr`` takes effect) and update the optimizer's real state (its momentum buffers, Adam's moments
  and ``step``), so switching back to eager or saving ``state_dict()`` sees it. On a replay where
  what the lowering assumed does not hold (the param groups changed, a first step still has to make
  its state, a parameter's gradient is unexpectedly there or missing, a flag such as ``nesterov``
  changed, a read-only parameter) the real method is called instead. Other host calls are calls of
  the live object's method, as in the generic replay.
* **Gradient arena**: when a plain SGD step (one group, no momentum, weight decay or maximize) follows
  the one backward, its parameters' gradients are computed into views of one flat array in the
  optimizer's order, so ``lr·g`` is one kernel for all of them; the arena is reused only when no
  gradient of it is held any more (reference counts), else renewed (:class:`_Arena`).
* **Arrays above** :data:`FRESH_BYTES` get no program buffer: their kernels allocate, as eager's do.
* **Live arrays** (parameters, buffers) are globals of the function (``L0``, and ``LT0`` for ``L0.T``)
  that the guard checks are still their tensors' arrays; when one was replaced by an array of the same
  shape and dtype (``load_state_dict``, ``p.data = ...``) they are rebound, else the step is traced again.
* **Memory**: values are dropped where eager drops them (an op output after its last reader, forward or
  lowered backward; a node's gradient after its rule), so peak memory is eager's.
* A program's buffers belong to it: one compiled step is not meant to be replayed from two threads at
  once (neither is a training step that updates the same parameters).

Exactness: each lowering runs the NumPy kernels its eager op runs, on the same operands and in the
same order (writing into a buffer with ``out=`` changes no value), so replay is **bit-for-bit**
eager's; ``tests/test_compile_lowered.py`` checks 100 steps per op and optimizer in float32/float64.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import numpy as np

from minigrad._grad_mode import _state
from minigrad.autograd import engine as _engine
from minigrad.tensor import Tensor

__all__ = ["MISS", "CannotLower", "Lowered", "lower"]


class CannotLower(Exception):
    """The program (or one op of it) has no lowering: the caller keeps the generic path."""


class _Miss:
    """What ``Lowered.fast`` returns when the call is not the one the program was traced for."""

    def __repr__(self) -> str:
        return "MISS"


MISS = _Miss()


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

#: an assignment to a local of the generated function (its locals are lowercase; globals are not)
_ASSIGNED = re.compile(r"\s*([a-z][a-z_]*\d+) = ")

#: arrays larger than this (bytes) are not given program buffers: their kernels allocate, as eager's do
FRESH_BYTES = 1 << 20


def _dead_ref() -> None:
    return None


# ====================================================================== the generic path, as kernels
def _generic_forward(
    step: tuple, flat: list, arrays: list, op_output: Callable[[int], Any] | None = None
) -> tuple[np.ndarray, Any]:
    """What ``Function.apply`` does, minus the Tensors and the graph: the op's node made as ``apply`` makes it,
    its parameters set, its forward run on ``arrays``; returns the output and the node (when backward needs it).
    ``op_output(j)``: op j's output, for a parameter that is one (the unlowered replay, ``compile._Program.run``)."""
    from minigrad._random import resolve_generator

    _, j, cls, inputs, const, dynamic, has_node, flags, keep, keep_node = step
    node = object.__new__(cls)
    if const:
        node.__dict__.update(const)
    for k, (kind, v) in dynamic:
        if kind == "live":
            value = v._data
        elif kind == "arg":
            a = flat[v]
            value = a._data if isinstance(a, Tensor) else a
        elif kind == "grad":
            value = v._grad._data
        elif kind == "gen":
            value = resolve_generator(v)
        elif kind == "slot":
            value = {}
        elif op_output is not None:  # an op's output as a parameter
            value = op_output(v)
        else:  # not produced by the generic path of a lowered program
            raise CannotLower(f"parameter {k!r} of {cls.__name__} is an op's output")
        setattr(node, k, value)
    out = node.forward(*arrays)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if has_node:  # what backward reads on a node
        node.parents, node.shape, node.dtype = flags, out.shape, out.dtype
        if cls.save_inputs:
            if keep is not None:
                arrays = [a if k else None for a, k in zip(arrays, keep)]
            node._saved = node._arrays = arrays
            node._versions = (None,) * len(arrays)
        if cls.save_output:
            node._out, node._out_ref = out, _dead_ref
    return out, (node if keep_node else None)


def _generic_backward(node: Any, g: np.ndarray, stubs: tuple) -> list:
    """One node's rule (through ``compile._call_rule``), each gradient fitted to its target as the
    engine fits it; per target ``(gradient, owned)`` or None. Releases the node, as the engine does."""
    from minigrad.compile import _call_rule, _fit_gradient

    state = _state
    prev = state.enabled
    state.enabled = False  # as the engine runs rules without create_graph
    try:
        grads = _call_rule(node, g)
    finally:
        state.enabled = prev
    if type(grads) is not tuple:
        grads = (grads,)
    out: list = []
    for i, stub in stubs:
        gi = grads[i]
        if gi is None:
            out.append(None)
            continue
        if type(gi) is not np.ndarray or gi.dtype is not stub.dtype or gi.shape != stub.shape:
            gi = _fit_gradient(gi, stub, node, i, grads)
        out.append((gi, gi is not g and gi.base is None))
    node.release()
    return out


def _give_leaf(t: Tensor, g: np.ndarray, owned: bool) -> None:
    """A leaf's gradient into ``.grad`` as the engine gives it: the array itself if ``.grad`` is None and
    the array is nobody else's (else a copy), added in place into an existing ``.grad``."""
    if t._grad is None:
        t._grad = Tensor._make(g if owned else g.copy())
    else:
        _engine._accumulate_into(t, g, owned, True)


def _ids(params: list) -> tuple:
    return tuple(map(id, params))


# ====================================================================== the emitter
class _Grad:
    """A gradient held in a local of the generated function: its name and who may write into it."""

    __slots__ = ("expr", "kind", "buf")

    def __init__(self, expr: str, kind: str, buf: str | None = None) -> None:
        self.expr = expr
        self.kind = kind  # "fresh" (a new array, ours), "buffer" (a buffer only it uses), "shared" (read-only to us)
        self.buf = buf  # the program buffer it is, when it is one


class _Emitter:
    """Builds the function's source, its namespace (helpers, live objects, constants, buffers) and explain lines."""

    def __init__(self, program: Any) -> None:
        self.program = program
        self.trace = program.trace
        self.ns: dict[str, Any] = {
            "np": np,
            "ndarray": np.ndarray,
            "asarray": np.asarray,
            "matmul": np.matmul,
            "add": np.add,
            "subtract": np.subtract,
            "multiply": np.multiply,
            "divide": np.divide,
            "maximum": np.maximum,
            "greater": np.greater,
            "tanh": np.tanh,
            "exp": np.exp,
            "log": np.log,
            "sqrt": np.sqrt,
            "negative": np.negative,
            "add_reduce": np.add.reduce,
            "max_reduce": np.maximum.reduce,
            "isfinite": math.isfinite,
            "make": Tensor._make,
            "sum_": _engine._sum,
            "accumulate": _engine._accumulate_into,
            "give_leaf": _give_leaf,
            "generic_forward": _generic_forward,
            "generic_backward": _generic_backward,
            "ids": _ids,
        }
        self.names: dict[int, str] = {}
        self.counts: dict[str, int] = {}
        self.prologue: list[str] = []
        self.lines: list[str] = []
        self.indent = 1
        self.buffers: list[tuple[str, tuple, Any, str]] = []
        self.live_arrays: dict[str, Tensor] = {}  # global name -> the tensor whose array it is
        self.live_transposes: dict[str, Tensor] = {}
        self.optimized: list[Tensor] = []  # parameters a lowered optimizer step writes into
        self.scratches: list[tuple[str, tuple, np.dtype, int]] = []
        self.ns["WRITEABLE"] = True
        self.zero_rows: dict[tuple, str] = {}  # (width, dtype) -> the name of a row of zeros (ReLU)
        self.kernels = 0
        self.lowered_ops = 0
        self.generic_ops = 0

    # ------------------------------------------------------------------ names
    def fresh_name(self, prefix: str) -> str:
        n = self.counts.get(prefix, 0)
        self.counts[prefix] = n + 1
        return f"{prefix}{n}"

    def bind(self, obj: Any, prefix: str) -> str:
        """A namespace name for ``obj`` (one name per object)."""
        name = self.names.get(id(obj))
        if name is None or self.ns.get(name) is not obj:
            name = self.fresh_name(prefix)
            self.names[id(obj)] = name
            self.ns[name] = obj
        return name

    def sized_buffer(self, shape: tuple, dtype: Any, what: str) -> str | None:
        """A buffer, or None (the kernel allocates a fresh array, as eager does) above :data:`FRESH_BYTES`: a
        large array from the allocator is memory freed moments ago, still in cache; a buffer of the program
        was last written a whole step ago."""
        if int(np.prod(shape)) * np.dtype(dtype).itemsize > FRESH_BYTES:
            return None
        return self.buffer(shape, dtype, what)

    def buffer(self, shape: tuple, dtype: Any, what: str) -> str:
        """A buffer allocated once for the program (so before the first replay)."""
        name = self.fresh_name("B")
        self.ns[name] = np.empty(shape, dtype)
        self.buffers.append((name, shape, np.dtype(dtype), what))
        return name

    def scratch(self, shape: tuple, dtype: Any, slot: int) -> str:
        """A temporary of the optimizer step: a view of a flat buffer shared by every parameter's update
        (one after the other), one per dtype and ``slot``, allocated by :meth:`finish` at the largest size."""
        name = self.fresh_name("S")
        self.scratches.append((name, tuple(shape), np.dtype(dtype), slot))
        return name

    def finish(self) -> None:
        """Allocate the shared scratch buffers and bind each scratch name to its view."""
        sizes: dict[tuple, int] = {}
        for _, shape, dtype, slot in self.scratches:
            key = (dtype, slot)
            sizes[key] = max(sizes.get(key, 0), int(np.prod(shape)))
        flats = {}
        for (dtype, slot), size in sizes.items():
            name = self.fresh_name("F")
            flats[(dtype, slot)] = self.ns[name] = np.empty(size, dtype)
            self.buffers.append((name, (size,), dtype, f"optimizer scratch {slot}, shared by every parameter's update"))
        for name, shape, dtype, slot in self.scratches:
            self.ns[name] = flats[(dtype, slot)][: int(np.prod(shape))].reshape(shape)

    def emit(self, code: str, comment: str = "", kernel: bool = True) -> None:
        pad = "    " * self.indent
        self.lines.append(f"{pad}{code}" + (f"  # {comment}" if comment else ""))
        if kernel:
            self.kernels += 1

    def live(self, t: Tensor) -> str:
        """The name of tensor ``t``'s array: a global of the function, checked by the guard to still be
        ``t._data`` before each replay (and rebound when the array was replaced)."""
        tname = self.bind(t, "T")
        name = "L" + tname[1:]
        if name not in self.live_arrays:
            self.live_arrays[name] = t
            self.ns[name] = t._data
        return name

    def live_t(self, t: Tensor) -> str:
        """The name of the transpose of ``t``'s array (a view, rebound with the array)."""
        name = "LT" + self.live(t)[1:]
        if name not in self.live_transposes:
            self.live_transposes[name] = t
            self.ns[name] = t._data.T
        return name

    def transpose(self, g: _Grad) -> str:
        """``g.T``: a view bound once when ``g`` is a program buffer."""
        if g.buf is None:
            return f"{g.expr}.T"
        return self.bind(self.ns[g.buf].T, "BT")


def _describe(shape: tuple, dtype: Any) -> str:
    return f"{tuple(shape)} {np.dtype(dtype)}"


# ====================================================================== lowering a program
class Lowered:
    """A program lowered to one Python function; :meth:`run` replays it, :meth:`explain` shows it."""

    def __init__(
        self, fn: Callable, guard: Callable, fast: Callable, source: str, guard_source: str, em: _Emitter, trace: Any
    ) -> None:
        self.fn = fn  # fn(flat) replays the step and returns its value
        self.guard = guard  # guard() checks the live objects are as traced
        self.fast = fast  # fast(flat) checks the call (arguments, grad mode, guard) and replays, or returns MISS
        self.source, self.guard_source = source, guard_source
        self.trace = trace
        self.buffers = em.buffers
        self.kernels = em.kernels
        self.lowered_ops, self.generic_ops = em.lowered_ops, em.generic_ops
        self.namespace = em.ns
        self.live_arrays, self.live_transposes, self.optimized = em.live_arrays, em.live_transposes, em.optimized
        em.ns["WRITEABLE"] = all(p._data.flags.writeable for p in em.optimized)

    def check(self, state_key: tuple) -> bool:
        """Whether the live objects are as traced (the guard; on a replaced array, its shape and dtype)."""
        if self.guard():
            return True
        if self.trace.state_key() != state_key:
            return False
        ns = self.namespace
        for name, t in self.live_arrays.items():  # arrays replaced by ones of the same shape and dtype: rebind
            old = ns[name]
            if t._data.shape != old.shape or t._data.dtype != old.dtype:
                return False
        for name, t in self.live_arrays.items():
            ns[name] = t._data
        for name, t in self.live_transposes.items():
            ns[name] = t._data.T
        ns["WRITEABLE"] = all(p._data.flags.writeable for p in self.optimized)
        return self.guard()

    def explain(self) -> str:
        size = sum(int(np.prod(s)) * d.itemsize for _, s, d, _ in self.buffers)
        head = [
            f"lowered replay: {self.kernels} kernel lines ({self.lowered_ops} ops lowered, {self.generic_ops} on the "
            f"generic path), {len(self.buffers)} buffers ({size / 1024:.1f} KiB) allocated once:"
        ]
        head += [f"  {name}: {_describe(s, d)}  ({what})" for name, s, d, what in self.buffers]
        return "\n".join(head + ["the replayed function:", self.source.rstrip()])


def lower(program: Any) -> Lowered:
    """Lower ``program`` (a ``compile._Program``); raises :class:`CannotLower` when it can't."""
    trace = program.trace
    em = _Emitter(program)
    ops = trace.ops
    # which op outputs must be fresh arrays each replay (returned, or read by the generic path)
    result_ops: list[int] = []
    _collect_ops(trace.result, result_ops)
    escapes = set(result_ops)
    readers: dict[int, int] = {}
    lowered: dict[int, Any] = {}
    for step in program.steps:
        if step[0] == "op":
            j, cls = step[1], step[2]
            rule = _LOWERINGS.get(cls)
            if rule is not None and rule.accepts(em, ops[j], j):
                lowered[j] = rule
            for k, v in step[3]:
                if k == 0:
                    readers[v] = readers.get(v, 0) + 1
                    if j not in lowered:
                        escapes.add(v)
            for _, s in step[5]:
                if s[0] == "op":
                    escapes.add(s[1])
        elif step[0] == "kernel" and step[1] == "running":
            escapes.add(step[3])
    # the arguments, as locals
    for k, key in enumerate(program.arg_key[1:]):
        if key[1] == "T":
            em.prologue.append(f"    A{k} = flat[{k}]._data")
        elif key[1] == "A":
            em.prologue.append(f"    A{k} = flat[{k}]")
    # outputs a lowered backward reads: kept until that backward (freed there when there is one backward pass)
    bwd_reads: dict[int, int] = {}
    for j, rule in lowered.items():
        if ops[j].has_node:
            for k in rule.reads(ops[j], j):
                bwd_reads[k] = bwd_reads.get(k, 0) + 1
    pinned = set(bwd_reads)
    ctx = _Context(em, program, lowered, escapes, readers)
    ctx.arena = _plan_arena(em, program, lowered)
    if sum(1 for st in program.steps if st[0] == "backward") == 1:
        ctx.bwd_reads = bwd_reads
    ctx.results = set(result_ops)
    for step, free in zip(program.steps, program.frees):
        kind = step[0]
        if kind == "op":
            ctx.forward(step)
        elif kind == "backward":
            ctx.backward(step[1])
        elif kind == "kernel":
            name = em.bind(step, "K")
            nodes = ", ".join(f"{j}: n{j}" for j in sorted({step[3]} if step[1] == "running" else set()))
            em.emit(f"run_kernel({name}, {{{nodes}}})", "BatchNorm buffer update (generic)")
            em.ns["run_kernel"] = _run_kernel_dict
        else:
            ctx.host_call(step)
        for j in free:
            if j in pinned:
                continue
            if j not in result_ops:
                em.emit(f"v{j} = None", f"%{j} is read no more", kernel=False)
    result = _result_expr(trace.result, ctx)
    guard = _guard_source(em, trace) + "\n\n\n" + _fast_source(em, program.arg_key)
    em.ns["MISS"] = MISS
    em.finish()
    source = "\n".join(["def replay(flat):", *em.prologue, *em.lines, f"    return {result}"])
    code = compile(source + "\n\n\n" + guard, "<mg.compile lowered replay>", "exec")
    exec(code, em.ns)  # noqa: S102 - the source is generated above, from the trace
    return Lowered(em.ns["replay"], em.ns["guard"], em.ns["fast"], source, guard, em, trace)


def _plain_modules() -> dict[type, tuple[str, ...]]:
    """Module classes whose ``forward`` ignores ``training`` and reads no child or parameter by position: for
    them the guard skips what their forward can't see (per class, what it does check besides identities)."""
    from minigrad.nn import activation, container, linear

    plain: dict[type, tuple[str, ...]] = {}
    plain[linear.Linear] = ()
    for name in ("ReLU", "Tanh", "Sigmoid"):  # derived from their ops' declarations at import time
        plain[getattr(activation, name)] = ()
    plain[container.Sequential] = ("_modules",)  # it calls its children in order: their number counts
    return plain


def _result_expr(r: Any, ctx: _Context) -> str:
    """The step's return value as an expression: op outputs as new Tensors (not requiring grad), the rest as
    they are (``compile._Program.decode``, written out)."""
    em = ctx.em
    if isinstance(r, tuple) and r and isinstance(r[0], str) and r[0] in ("arg", "op", "live", "grad", "const"):
        kind, v = r
        if kind == "op":
            return f"make(v{v})"
        if kind == "arg":
            return f"flat[{v}]"
        if kind == "live":
            return em.bind(v, "T")
        if kind == "grad":
            return f"{em.bind(v, 'T')}._grad"
        return em.bind(v, "C") if not isinstance(v, (bool, int, float, str, type(None))) else repr(v)
    if isinstance(r, tuple):
        items = [_result_expr(x, ctx) for x in r]
        if type(r) is not tuple:  # a named tuple
            return f"{em.bind(type(r), 'TY')}({', '.join(items)})"
        return "(" + "".join(f"{x}, " for x in items) + ")"
    if isinstance(r, list):
        return "[" + ", ".join(_result_expr(x, ctx) for x in r) + "]"
    if isinstance(r, dict):
        keys = [em.bind(k, "KEY") for k in r]
        return "{" + ", ".join(f"{k}: {_result_expr(x, ctx)}" for k, x in zip(keys, r.values())) + "}"
    return em.bind(r, "C")


def _guard_source(em: _Emitter, trace: Any) -> str:
    """``guard()``: the trace's state key (``compile._Trace.state_key``) checked as one expression: each
    called module's training flag (not for layers whose forward ignores it), its parameters and submodules
    (the same objects), and each live tensor's requires_grad and array (the same array object: then its
    shape and dtype are the traced ones). A different array is not yet a mismatch: :meth:`Lowered.check`
    then compares shapes and dtypes and rebinds the arrays."""
    plain = _plain_modules()
    flagged = tuple(m for m in trace.modules if plain.get(type(m)) is None)
    em.ns.update(
        {"FLAGGED": flagged, "FLAGS": tuple(bool(m.training) for m in flagged), "TRAINING": attrgetter("training")}
    )
    conds = ["tuple(map(TRAINING, FLAGGED)) == FLAGS"] if flagged else []
    for m in trace.modules:
        mn = em.bind(m, "M")
        known = plain.get(type(m))
        for attr in ("_parameters", "_modules"):
            d = getattr(m, attr)
            if known is None or attr in known:  # a plain layer reads its parameters by name, never its children
                conds.append(f"len({mn}.{attr}) == {len(d)}")
            conds += [f"{mn}.{attr}[{k!r}] is {em.bind(v, 'X') if v is not None else 'None'}" for k, v in d.items()]
    for t in trace.live:
        conds.append(f"{em.bind(t, 'T')}.requires_grad is {bool(t.requires_grad)}")
        em.live(t)
    for name, t in em.live_arrays.items():
        conds.append(f"{em.bind(t, 'T')}._data is {name}")
    body = "\n        and ".join(conds) or "True"
    return f"def guard():\n    try:\n        return ({body})\n    except KeyError:\n        return False"


def _fast_source(em: _Emitter, arg_key: tuple) -> str:
    """``fast(flat)``: the whole check of a call (grad mode, the arguments' types, shapes and dtypes or values,
    the guard) then the replay; ``MISS`` when anything differs (the caller then takes the general path)."""
    em.ns["STATE"] = _state
    em.ns["Tensor"] = Tensor
    lines = [
        "def fast(flat):",
        f"    if STATE.enabled is not {bool(arg_key[0])} or len(flat) != {len(arg_key) - 1}:",
        "        return MISS",
    ]
    for k, key in enumerate(arg_key[1:]):
        if key[0] is not None:
            return "def fast(flat):\n    return MISS"  # keyword arguments: the general path
        lines.append(f"    a = flat[{k}]")
        if key[1] == "T":
            shape, dtype = em.bind(key[2], "SH"), em.bind(key[3], "DT")
            lines.append(
                f"    if type(a) is not Tensor or a.requires_grad or a._data.shape != {shape} "
                f"or a._data.dtype is not {dtype}:"
            )
        elif key[1] == "A":
            shape, dtype = em.bind(key[2], "SH"), em.bind(key[3], "DT")
            lines.append(f"    if type(a) is not ndarray or a.shape != {shape} or a.dtype is not {dtype}:")
        else:
            lines.append(f"    if type(a) is not {em.bind(key[2], 'TY')} or a != {em.bind(key[3], 'V')}:")
        lines.append("        return MISS")
    lines += ["    if not guard():", "        return MISS", "    return replay(flat)"]
    return "\n".join(lines)


def _collect_ops(r: Any, out: list[int]) -> None:
    if isinstance(r, tuple) and r and isinstance(r[0], str) and r[0] in ("arg", "op", "live", "grad", "const"):
        if r[0] == "op" and r[1] not in out:
            out.append(r[1])
    elif isinstance(r, (tuple, list)):
        for v in r:
            _collect_ops(v, out)
    elif isinstance(r, dict):
        for v in r.values():
            _collect_ops(v, out)


def _run_kernel_dict(step: tuple, nodes: dict) -> None:
    from minigrad.compile import _run_kernel

    _run_kernel(step, nodes)  # type: ignore[arg-type]


class _Arena:
    """The gradients of a plain SGD step's parameters, computed into views of one flat array (an *arena*)
    laid out in the optimizer's order, so ``lr·g`` is one kernel for all of them (the same products, so the
    same numbers). Each ``.grad`` gets a view; the arena is reused on the next replay only if nobody holds
    any of its views any more (their reference counts are back to the program's own), else a new one is
    allocated: a gradient a user kept is never overwritten."""

    def __init__(self, em: _Emitter, leaves: list[tuple[int, Tensor]], dtype: np.dtype) -> None:
        self.em, self.dtype = em, dtype
        self.leaves = leaves  # (leaf index, parameter), in the optimizer's order
        self.names = {k: f"AV{k}" for k, _ in leaves}
        self.total = sum(int(p._data.size) for _, p in leaves)
        scratch = np.empty(self.total, dtype)
        em.ns["ASCR"] = scratch
        offset = 0
        for k, p in leaves:  # the update's products, viewed per parameter (allocated once)
            em.ns[f"ASV{k}"] = scratch[offset : offset + p._data.size].reshape(p._data.shape)
            offset += p._data.size
        em.ns["renew_arena"] = self.renew
        em.ns["getrefcount"] = sys.getrefcount
        em.ns["GRAD"] = attrgetter("_grad")
        em.ns["DATA"] = attrgetter("_data")
        em.ns["APARAMS"] = tuple(p for _, p in leaves)
        em.buffers.append(("ASCR", (self.total,), dtype, "SGD lr·g of every parameter at once"))
        self.renew()
        # the views' reference counts when only the program holds them (its globals and VIEWS), measured by
        # the very expression the replay evaluates
        em.ns["VREFS"] = tuple(map(sys.getrefcount, em.ns["VIEWS"]))

    def renew(self) -> None:
        """A new arena and its views (bound as the replay's globals)."""
        ns = self.em.ns
        arena = np.empty(self.total, self.dtype)
        views = []
        offset = 0
        for k, p in self.leaves:
            n = int(p._data.size)
            ns[self.names[k]] = view = arena[offset : offset + n].reshape(p._data.shape)
            views.append(view)
            offset += n
        ns["ARENA"] = arena
        ns["VIEWS"] = tuple(views)
        ns["VIEW_IDS"] = tuple(map(id, views))
        del views, view


def _plan_arena(em: _Emitter, program: Any, lowered: dict) -> _Arena | None:
    """An arena when the step is one backward then a plain SGD step (one group, no momentum, weight decay or
    maximize) whose parameters with a gradient all get exactly one, from a lowered Linear, in one dtype."""
    from minigrad.optim.sgd import SGD

    trace = program.trace
    backwards = [i for i, st in enumerate(program.steps) if st[0] == "backward"]
    if len(backwards) != 1:
        return None
    bwd = program.steps[backwards[0]][1]
    steps = [st for st in program.steps[backwards[0] :] if st[0] == "call" and st[2] == "step"]
    if len(steps) != 1 or type(steps[0][1]) is not SGD or steps[0][4].get("closure") is not None:
        return None
    opt = steps[0][1]
    if len(opt.param_groups) != 1:
        return None
    group = opt.param_groups[0]
    if float(group["momentum"]) != 0 or float(group["weight_decay"]) != 0 or group["maximize"]:
        return None
    count: dict[int, int] = {}
    source: dict[int, bool] = {}
    for j in bwd.order:
        op = trace.ops[j]
        for i, p in enumerate(op.parents):
            if p is not None and p[0] == "leaf":
                count[p[1]] = count.get(p[1], 0) + 1
                source[p[1]] = j in lowered and type(lowered[j]).__name__ == "_LinearRule" and i in (1, 2)
    index = {id(t): k for k, t in enumerate(trace.leaves)}
    leaves = []
    for p in group["params"]:
        k = index.get(id(p))
        if k is None or k not in count:
            continue  # no gradient from this backward: the lowered step checks it has none
        if count[k] != 1 or not source[k]:
            return None
        leaves.append((k, p))
    dtypes = {p._data.dtype for _, p in leaves}
    if not leaves or len(dtypes) != 1 or dtypes.pop() not in _FLOATS:
        return None
    if sum(p._data.nbytes for _, p in leaves) > 4 * FRESH_BYTES:  # a large model: one kernel more per
        return None  # parameter is nothing, two arena-sized arrays held between steps are not
    return _Arena(em, leaves, leaves[0][1]._data.dtype)


class _Context:
    """The state of one lowering: where each value and gradient lives."""

    def __init__(self, em: _Emitter, program: Any, lowered: dict, escapes: set, readers: dict) -> None:
        self.em, self.program, self.trace = em, program, program.trace
        self.lowered, self.escapes, self.readers = lowered, escapes, readers
        self.saved: dict[int, dict] = {}  # per lowered op: what its backward reads (expressions)
        self.buffered: set[int] = set()  # ops whose output lives in a program buffer
        self.keeps_output: set[int] = set()  # lowered ops whose backward reads their output
        self.shapes: dict[int, tuple] = {}
        self.leaf_has_grad: set[int] = set()  # leaves backward gave a gradient since the last zero_grad
        self.certain: set[int] = set()  # ids of tensors whose .grad is known to be (or not be) None here
        self.declared: list[str] = []
        self.in_guard = False
        self.arena: _Arena | None = None
        self.bwd_reads: dict[int, int] = {}  # op output -> lowered backward rules still to read it
        self.results: set[int] = set()

    # ------------------------------------------------------------------ sources
    def expr(self, src: tuple) -> str:
        kind, v = src
        em = self.em
        if kind == "op":
            return f"v{v}"
        if kind == "arg":
            if self.program.arg_key[1 + v][1] in ("T", "A"):
                return f"A{v}"
            return f"flat[{v}]"
        if kind == "live":
            return em.live(v)
        if kind == "grad":
            return f"{em.bind(v, 'T')}._grad._data"
        if kind == "const":
            if v is None or isinstance(v, (bool, int, float, str)):
                return repr(v)
            return em.bind(v, "C")
        raise CannotLower(f"an input from {kind}")

    def shape_dtype(self, src: tuple) -> tuple[tuple, Any]:
        kind, v = src
        if kind == "op":
            op = self.trace.ops[v]
            return op.shape, op.dtype
        if kind == "arg":
            key = self.program.arg_key[1 + v]
            if key[1] in ("T", "A"):
                return key[2], key[3]
        if kind == "live":
            return v._data.shape, v._data.dtype
        if kind == "const" and isinstance(v, np.ndarray):
            return v.shape, v.dtype
        return (), None

    # ------------------------------------------------------------------ forward
    def forward(self, step: tuple) -> None:
        j = step[1]
        rule = self.lowered.get(j)
        op = self.trace.ops[j]
        if rule is not None:
            self.em.lowered_ops += 1
            rule.forward(self, j, op)
            return
        self.em.generic_ops += 1
        name = self.em.bind(step, "S")
        ins = ", ".join(self.expr(s) for s in op.inputs)
        self.em.emit(
            f"v{j}, n{j} = generic_forward({name}, flat, [{ins}])",
            f"%{j} {op.cls.__name__} forward (generic) -> {_describe(op.shape, op.dtype)}",
        )

    def out_buffer(self, j: int, what: str) -> str | None:
        """The buffer op ``j`` writes its output into, or None when it must be a fresh array."""
        if j in self.escapes:
            return None
        op = self.trace.ops[j]
        self.buffered.add(j)  # the program's own array either way: a later op may write into it
        return self.em.sized_buffer(op.shape, op.dtype, f"%{j} {what}")

    def in_place_ok(self, src: tuple) -> bool:
        """Whether op output ``src`` may be overwritten by its (only) reader."""
        return (
            src[0] == "op"
            and src[1] in self.buffered
            and self.readers.get(src[1]) == 1
            and src[1] not in self.keeps_output
            and src[1] not in self.escapes
        )

    # ------------------------------------------------------------------ backward
    def backward(self, bwd: Any) -> None:
        em, trace = self.em, self.trace
        root = trace.ops[bwd.root]
        one = _engine._ONES.get((root.shape, root.dtype))
        if one is None:
            one = _engine._root_grad(Tensor._make(np.zeros(root.shape, root.dtype)), None, "backward")._data
        em.emit(f"g{bwd.root} = {em.bind(one, 'ONE')}", "the implicit gradient of the scalar loss", kernel=False)
        if self.arena is not None:
            em.emit(
                "if tuple(map(getrefcount, VIEWS)) != VREFS: renew_arena()",
                "the gradients' arena: reused unless someone still holds a gradient of it",
                kernel=False,
            )
        start, self.declared = len(em.lines), []
        grads: dict[int, _Grad | None] = {bwd.root: _Grad(f"g{bwd.root}", "one")}
        # how many contributions each node and leaf gets, in order
        order = bwd.order
        node_in: dict[int, int] = {}
        leaf_in: dict[int, int] = {}
        for j in order:
            for p in trace.ops[j].parents:
                if p is None:
                    continue
                target = node_in if p[0] == "node" else leaf_in
                target[p[1]] = target.get(p[1], 0) + 1
        self.node_in, self.leaf_in = node_in, leaf_in
        self.leaf_acc: dict[int, int] = {}  # leaf -> contributions so far (several: summed in a local)
        maybe_none: set[int] = set()  # nodes whose gradient may be None at run time
        self.maybe_none = maybe_none
        self.node_seen: dict[int, int] = {}
        for j in order:
            g = grads.pop(j, None)
            if g is None:
                continue  # no gradient reaches this node (statically)
            rule = self.lowered.get(j)
            op = trace.ops[j]
            guard = self.in_guard = j in maybe_none
            if guard:
                em.emit(f"if g{j} is not None:", kernel=False)
                em.indent += 1
            if rule is not None:
                first = len(em.lines)
                outs = rule.backward(self, j, op, g)  # per parent index: _Grad or None
                for i, p in enumerate(op.parents):
                    if p is not None and outs[i] is not None:
                        self.deliver(j, p, outs[i], grads, dynamic=False)
                self.free_after(j, rule, op, em.lines[first:])
            else:
                stubs = self.program.targets[j]
                name = em.bind(tuple((i, stub) for i, _, _, stub in stubs), "ST")
                em.emit(f"r = generic_backward(n{j}, {g.expr}, {name})", f"{op.cls.name} (generic)")
                em.emit(f"n{j} = None", kernel=False)
                for pos, (i, _, _, _) in enumerate(stubs):
                    p = op.parents[i]
                    em.emit(f"c = r[{pos}]", kernel=False)
                    em.emit("if c is not None:", kernel=False)
                    em.indent += 1
                    self.deliver(j, p, _Grad("c[0]", "dynamic"), grads, dynamic=True)
                    em.indent -= 1
                em.emit(f"g{j} = r = c = None", "freed: nothing later reads them", kernel=False)
            if guard:
                em.indent -= 1
        # leaves with several contributions: summed in order, then into .grad
        for k, n in leaf_in.items():
            if n > 1:
                t = em.bind(trace.leaves[k], "T")
                em.emit(f"if a{k} is not None:", kernel=False)
                em.emit(f"    accumulate({t}, a{k}[0], a{k}[1], True)", f"into {t}.grad")
        em.lines[start:start] = self.declared
        self.note_leaves(bwd)

    def free_after(self, j: int, rule: _Rule, op: Any, lines: list[str]) -> None:
        """Drop what node ``j``'s backward was the last to need, as the engine frees a node's saved values
        and gradient: its incoming gradient and temporaries, and the op outputs no later rule reads."""
        names = {f"g{j}"}
        for line in lines:
            m = _ASSIGNED.match(line)
            if m and not re.fullmatch(r"[ga]\d+", m.group(1)):  # not the next nodes' gradients
                names.add(m.group(1))
        for k in rule.reads(op, j):
            left = self.bwd_reads.get(k)
            if left is not None:
                self.bwd_reads[k] = left - 1
                if left == 1 and k not in self.results:
                    names.add(f"v{k}")
        self.em.emit(" = ".join(sorted(names)) + " = None", "freed: nothing later reads them", kernel=False)

    def deliver(self, j: int, p: tuple, gi: _Grad, grads: dict, dynamic: bool) -> None:
        """Gradient ``gi`` (of op ``j``'s input) to its target ``p``: a node's gradient local or a leaf."""
        em = self.em
        kind, k = p[0], p[1]
        if gi.kind == "dynamic":
            owned = "c[1]"
        else:
            owned = "True" if gi.kind == "fresh" else "False"
        if kind == "node":
            seen = self.node_seen.get(k, 0)
            self.node_seen[k] = seen + 1
            if dynamic or self.in_guard:  # the gradient may not arrive: g%k starts as None
                self.maybe_none.add(k)
                self.declare_none(k)
            if seen == 0 and self.node_in[k] == 1 and not dynamic:
                em.emit(f"g{k} = {gi.expr}", kernel=False)
                grads[k] = _Grad(f"g{k}", gi.kind, gi.buf)
                return
            if seen == 0:
                self.declare_none(k)
            em.emit(f"g{k} = {gi.expr} if g{k} is None else sum_(g{k}, {gi.expr})", f"g%{k} += (in order)")
            grads[k] = _Grad(f"g{k}", "dynamic_local")
            return
        t = em.bind(self.trace.leaves[k], "T")
        if self.leaf_in[k] == 1:
            if gi.kind == "dynamic":
                em.emit(f"give_leaf({t}, c[0], c[1])", f"into {t}.grad")
            elif gi.kind in ("fresh", "arena"):
                em.emit(
                    f"if {t}._grad is None: {t}._grad = make({gi.expr})", f"into {t}.grad ({gi.kind})", kernel=False
                )
                em.emit(f"else: accumulate({t}, {gi.expr}, {gi.kind == 'fresh'}, True)", kernel=False)
                em.kernels += 1
            else:
                em.emit(f"give_leaf({t}, {gi.expr}, False)", f"into {t}.grad (a copy)")
            return
        n = self.leaf_acc.get(k, 0)
        self.leaf_acc[k] = n + 1
        if n == 0:
            self.declare_none(k, prefix="a")
        em.emit(
            f"a{k} = [{gi.expr}, {owned}] if a{k} is None else [sum_(a{k}[0], {gi.expr}), True]",
            f"{t}.grad contribution (summed in order)",
        )

    def declare_none(self, k: int, prefix: str = "g") -> None:
        """``g{k} = None`` at the start of the backward pass, so a conditional first delivery is fine."""
        line = f"    {prefix}{k} = None"
        if line not in self.declared:
            self.declared.append(line)

    def note_leaves(self, bwd: Any) -> None:
        for k in bwd.leaves:
            self.leaf_has_grad.add(k)
            self.certain.add(id(self.trace.leaves[k]))

    # ------------------------------------------------------------------ host calls
    def host_call(self, step: tuple) -> None:
        _, obj, name, args, kwargs = step
        em = self.em
        lowering = _host_lowering(obj, name, kwargs)
        if lowering is not None:
            try:
                lowering(self, obj, kwargs)
                return
            except CannotLower:
                pass
        o = em.bind(obj, "O")
        if kwargs:
            kw = em.bind(kwargs, "KW")
            em.emit(f"{o}.{name}(**{kw})", f"host call {type(obj).__name__}.{name}()")
        else:
            em.emit(f"{o}.{name}()", f"host call {type(obj).__name__}.{name}()")
        if name == "zero_grad":
            self.leaf_has_grad = set()
        self.certain = set()  # what a host call did to the gradients is not known here


# ====================================================================== op lowerings
class _Rule:
    """How one op class is lowered: when it applies, its forward lines and its backward lines."""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        return False

    def reads(self, op: Any, j: int) -> list[int]:
        """The op outputs its backward reads (kept until then, freed after the last such read)."""
        return []

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        raise NotImplementedError

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        raise NotImplementedError


def _float_inputs(ctx_or_em: Any, op: Any, n: int) -> bool:
    return op.dtype in _FLOATS


class _LinearRule(_Rule):
    """y = x Wᵀ + b (``ops.linalg.Linear``): ``matmul(x, W.T, out=B)``, ``add(B, b, out=B)``;
    backward ``matmul(g, W, out=B)``, ``matmul(g.T, x)``, ``add.reduce(g, 0)`` (fresh: they go to .grad)."""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        if op.dtype not in _FLOATS or len(op.inputs) != 3 or len(op.shape) != 2:
            return False
        ctx = _Context(em, em.program, {}, set(), {})
        (xs, xd), (ws, wd), (bs, bd) = (ctx.shape_dtype(s) for s in op.inputs)
        bias_none = op.inputs[2] == ("const", None)
        return (
            len(xs) == 2
            and len(ws) == 2
            and xd == wd == op.dtype
            and (bias_none or (bd == op.dtype and bs == (ws[0],)))
            and op.inputs[0][0] in ("op", "arg", "live")
            and op.inputs[1][0] == "live"
            and (bias_none or op.inputs[2][0] == "live")
        )

    def reads(self, op: Any, j: int) -> list[int]:
        return [op.inputs[0][1]] if op.inputs[0][0] == "op" and op.parents[1] is not None else []

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        em = ctx.em
        x, W, b = (ctx.expr(s) for s in op.inputs)
        WT = em.live_t(op.inputs[1][1])
        out = ctx.out_buffer(j, "Linear output")
        d = _describe(op.shape, op.dtype)
        if out is None:
            em.emit(f"v{j} = matmul({x}, {WT})", f"%{j} Linear: x Wᵀ -> {d} (fresh: returned or read by generic)")
        else:
            em.emit(f"v{j} = matmul({x}, {WT}, {out})", f"%{j} Linear: x Wᵀ -> {d} into {out}")
        if b != "None":
            em.emit(f"add(v{j}, {b}, v{j})", f"%{j}   + b, in place")
        ctx.saved[j] = {"x": x, "W": W}

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        em = ctx.em
        s = ctx.saved[j]
        px, pw, pb = op.parents
        outs: list = [None, None, None]
        xshape, dtype = ctx.shape_dtype(op.inputs[0])
        if px is not None:
            buf, W = em.sized_buffer(xshape, dtype, f"g of %{j}'s input"), s["W"]
            em.emit(
                f"gx{j} = {_with_out(f'matmul({g.expr}, {W})', buf or '')}",
                f"LinearBackward: ∂x = g W -> {_describe(xshape, dtype)}" + ("" if buf else " (fresh)"),
            )
            outs[0] = _Grad(f"gx{j}", "buffer", buf) if buf else _Grad(f"gx{j}", "fresh")
        arena = ctx.arena.names if ctx.arena is not None else {}
        if pw is not None:
            view = arena.get(pw[1]) if pw[0] == "leaf" else None
            if view is None:
                em.emit(f"gw{j} = matmul({em.transpose(g)}, {s['x']})", "LinearBackward: ∂W = gᵀ x (fresh)")
                outs[1] = _Grad(f"gw{j}", "fresh")
            else:
                em.emit(f"matmul({em.transpose(g)}, {s['x']}, {view})", f"LinearBackward: ∂W = gᵀ x into arena {view}")
                outs[1] = _Grad(view, "arena")
        if pb is not None:
            view = arena.get(pb[1]) if pb[0] == "leaf" else None
            if view is None:
                em.emit(f"gb{j} = add_reduce({g.expr}, 0)", "LinearBackward: ∂b = Σ_batch g (fresh)")
                outs[2] = _Grad(f"gb{j}", "fresh")
            else:
                em.emit(f"add_reduce({g.expr}, 0, None, {view})", f"LinearBackward: ∂b = Σ_batch g into arena {view}")
                outs[2] = _Grad(view, "arena")
        return outs


class _UnaryRule(_Rule):
    """Elementwise ops of one input whose backward reads the output (ReLU, Tanh, Sigmoid)."""

    name = ""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        if op.dtype not in _FLOATS or len(op.inputs) != 1 or op.inputs[0][0] not in ("op", "arg", "live"):
            return False
        ctx = _Context(em, em.program, {}, set(), {})
        s, d = ctx.shape_dtype(op.inputs[0])
        return s == op.shape and d == op.dtype

    def reads(self, op: Any, j: int) -> list[int]:
        return [j]

    def target(self, ctx: _Context, j: int, op: Any) -> tuple[str, str]:
        """Where the output goes: the input's buffer (in place) when only this op reads it, else a buffer."""
        x = ctx.expr(op.inputs[0])
        if ctx.in_place_ok(op.inputs[0]) and j not in ctx.escapes:
            ctx.buffered.add(j)
            return x, f"in place into %{op.inputs[0][1]}'s buffer"
        out = ctx.out_buffer(j, f"{self.name} output")
        return (out, f"into {out}") if out is not None else ("", "fresh")

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        x = ctx.expr(op.inputs[0])
        out, where = self.target(ctx, j, op)
        ctx.keeps_output.add(j)
        self.emit_forward(ctx, j, x, out, f"%{j} {self.name} -> {_describe(op.shape, op.dtype)} {where}")

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        if op.parents[0] is None:
            return [None]
        return [self.emit_backward(ctx, j, op, g)]

    def grad_buffer(self, ctx: _Context, j: int, op: Any, g: _Grad) -> str:
        """Where the input's gradient goes: into g itself when it is an array only it uses (a buffer or a
        fresh array), else a buffer ("" for a fresh array)."""
        if g.kind in ("buffer", "fresh"):
            return g.expr
        return ctx.em.sized_buffer(op.shape, op.dtype, f"g of %{j}'s input") or ""

    def emit_forward(self, ctx: _Context, j: int, x: str, out: str, comment: str) -> None:
        raise NotImplementedError

    def emit_backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> _Grad:
        raise NotImplementedError


def _with_out(call: str, out: str) -> str:
    return f"{call[:-1]}, {out})" if out else call


class _ReLURule(_UnaryRule):
    """y = max(x, 0): ``maximum(x, Z)`` with ``Z`` a row of zeros (:func:`_zero_row`; eager's values, faster);
    ∂x = g · (y > 0): ``greater(y, 0)``, ``multiply(g, mask)``."""

    name = "ReLU"

    def emit_forward(self, ctx: _Context, j: int, x: str, out: str, comment: str) -> None:
        op = ctx.trace.ops[j]
        zero = _zero_row(ctx.em, op.shape, op.dtype)
        if zero != "0":
            comment += f", 0 as {zero}: {op.shape[-1]} zeros"
        ctx.em.emit(f"v{j} = maximum({x}, {zero}, out={out})" if out else f"v{j} = maximum({x}, {zero})", comment)

    def emit_backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> _Grad:
        em = ctx.em
        mask = em.sized_buffer(op.shape, np.bool_, f"%{j} ReLU mask")
        dst = self.grad_buffer(ctx, j, op, g)
        if mask is None:
            em.emit(f"m{j} = greater(v{j}, 0)", f"ReLUBackward: y > 0 -> {_describe(op.shape, np.bool_)} (fresh)")
            mask = f"m{j}"
        else:
            em.emit(f"greater(v{j}, 0, {mask})", f"ReLUBackward: y > 0 -> {_describe(op.shape, np.bool_)}")
        em.emit(
            f"gr{j} = {_with_out(f'multiply({g.expr}, {mask})', dst)}",
            "ReLUBackward: ∂x = g · mask " + (f"into {dst}" if dst else "(fresh)"),
        )
        if dst == g.expr:
            return _Grad(f"gr{j}", g.kind, g.buf)
        return _Grad(f"gr{j}", "buffer", dst) if dst else _Grad(f"gr{j}", "fresh")


#: the narrowest last axis for which ``maximum(x, zeros)`` beats ``maximum(x, 0)`` (measured on float32/float64)
ZERO_ROW_MIN = 16


def _zero_row(em: _Emitter, shape: tuple, dtype: Any) -> str:
    """The second operand of ReLU's ``maximum``: ``0``, or a global row of zeros as wide as the last axis.
    ``maximum(x, 0)`` runs NumPy's loop for a scalar operand, 2–3× slower than its loop over two arrays on
    wide rows (512×1024 float32: 165 µs against 59 µs); both give the same values, bit for bit (the same
    comparison per element: NaN, ±0 and ±inf included), so eager's ``np.maximum(x, 0)`` is matched exactly."""
    if not shape or shape[-1] < ZERO_ROW_MIN:
        return "0"
    key = (int(shape[-1]), np.dtype(dtype))
    name = em.zero_rows.get(key)
    if name is None:
        name = em.zero_rows[key] = em.fresh_name("Z")
        em.ns[name] = np.zeros(key[0], key[1])
    return name


class _TanhRule(_UnaryRule):
    """y = tanh x: ``tanh(x)``; ∂x = g · (1 − y²): ``multiply(y, y)``, ``subtract(1.0, ·)``, ``multiply(g, ·)``."""

    name = "Tanh"

    def emit_forward(self, ctx: _Context, j: int, x: str, out: str, comment: str) -> None:
        ctx.em.emit(f"v{j} = {_with_out(f'tanh({x})', out)}", comment)

    def emit_backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> _Grad:
        em = ctx.em
        tmp = em.buffer(op.shape, op.dtype, f"%{j} Tanh backward")
        em.emit(f"multiply(v{j}, v{j}, {tmp})", "TanhBackward: y²")
        em.emit(f"subtract(1.0, {tmp}, {tmp})", "TanhBackward: 1 − y²")
        em.emit(f"gt{j} = multiply({g.expr}, {tmp}, {tmp})", "TanhBackward: ∂x = g · (1 − y²)")
        return _Grad(f"gt{j}", "buffer", tmp)


class _SigmoidRule(_UnaryRule):
    """y = σ(x), as ``sigmoid_array``: ``e = exp(−|x|)``, ``where(x ≥ 0, 1, e) / (1 + e)``;
    ∂x = g · y · (1 − y): ``multiply(g, y)``, ``subtract(1.0, y)``, ``multiply``."""

    name = "Sigmoid"

    def emit_forward(self, ctx: _Context, j: int, x: str, out: str, comment: str) -> None:
        em = ctx.em
        em.ns.setdefault("absolute", np.absolute)
        em.ns.setdefault("where", np.where)
        em.ns.setdefault("greater_equal", np.greater_equal)
        op = ctx.trace.ops[j]
        e = em.buffer(op.shape, op.dtype, f"%{j} Sigmoid e^(−|x|)")
        em.emit(f"absolute({x}, {e})", f"%{j} Sigmoid: |x|")
        em.emit(f"negative({e}, {e})", f"%{j} Sigmoid: −|x|")
        em.emit(f"exp({e}, {e})", f"%{j} Sigmoid: e = e^(−|x|)")
        em.emit(f"w{j} = where(greater_equal({x}, 0), 1.0, {e})", f"%{j} Sigmoid: where(x ≥ 0, 1, e)")
        em.emit(f"add(1.0, {e}, {e})", f"%{j} Sigmoid: 1 + e")
        em.emit(f"v{j} = {_with_out(f'divide(w{j}, {e})', out)}", comment)

    def target(self, ctx: _Context, j: int, op: Any) -> tuple[str, str]:
        out = ctx.out_buffer(j, f"{self.name} output")  # never in place: x is read twice
        return (out, f"into {out}") if out is not None else ("", "fresh")

    def emit_backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> _Grad:
        em = ctx.em
        tmp = em.buffer(op.shape, op.dtype, f"%{j} Sigmoid backward")
        dst = self.grad_buffer(ctx, j, op, g)
        em.emit(f"gs{j} = {_with_out(f'multiply({g.expr}, v{j})', dst)}", "SigmoidBackward: g · y")
        em.emit(f"subtract(1.0, v{j}, {tmp})", "SigmoidBackward: 1 − y")
        em.emit(f"multiply(gs{j}, {tmp}, gs{j})", "SigmoidBackward: ∂x = g · y · (1 − y)")
        if dst == g.expr:
            return _Grad(f"gs{j}", g.kind, g.buf)
        return _Grad(f"gs{j}", "buffer", dst) if dst else _Grad(f"gs{j}", "fresh")


class _CrossEntropyRule(_Rule):
    """Softmax cross-entropy with class indices (``ops.loss.CrossEntropy``, reduction mean or sum), the
    same kernels as its forward (the target check, max, shift, exp, Σ, softmax in place, log, pick, Σ)
    and its array backward (softmax − onehot, / N); the softmax buffer becomes the gradient in place.
    A row of ±inf (a non-finite total) takes the op's own forward, as eager does."""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        ctx = _Context(em, em.program, {}, set(), {})
        (xs, xd), (ts, td) = (ctx.shape_dtype(s) for s in op.inputs)
        reduction = op.params.get("reduction", ("const", None))
        return (
            xd in _FLOATS
            and len(xs) == 2
            and td is not None
            and np.dtype(td).kind in "iu"
            and ts == xs[:1]
            and reduction[0] == "const"
            and reduction[1] in ("mean", "sum")
            and op.inputs[0][0] in ("op", "arg", "live")
            and op.parents[1:] in ((), (None,))
        )

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        from minigrad.ops.loss import CrossEntropy

        em = ctx.em
        x, t = (ctx.expr(s) for s in op.inputs)
        (n, c), dtype = ctx.shape_dtype(op.inputs[0])
        tdtype = ctx.shape_dtype(op.inputs[1])[1]
        reduction = op.params["reduction"][1]
        rows = em.bind(np.arange(n), "ROWS")
        m = em.buffer((n, 1), dtype, f"%{j} CrossEntropy row max")
        sh = em.buffer((n, c), dtype, f"%{j} CrossEntropy shifted logits")
        p = em.buffer((n, c), dtype, f"%{j} CrossEntropy softmax, then its gradient")
        tot = em.buffer((n, 1), dtype, f"%{j} CrossEntropy Σ e^s")
        em.ns["ce_error"] = _ce_error
        em.ns["ce_slow"] = _ce_slow
        em.ns["uint64"] = np.uint64
        cls = em.bind(CrossEntropy, "CLS")
        target = op.inputs[1]
        if target[0] == "const" and np.dtype(tdtype) == np.int64:  # a view of the constant's memory, made once
            index = em.bind(target[1].view(np.uint64), "IDX")
        else:
            index = f"i{j}"
            view = f"{t}.view(uint64)" if np.dtype(tdtype) == np.int64 else f"{t}.astype(uint64)"
            em.emit(f"{index} = {view}", f"%{j} CrossEntropy: the targets as unsigned (negatives become huge)")
        em.emit(
            f"if max_reduce({index}) >= {c}: raise ce_error({cls}, {x}, {t})", f"%{j} CrossEntropy: targets in [0, {c})"
        )
        em.emit(f"max_reduce({x}, 1, None, {m}, True)", f"%{j} CrossEntropy: row max -> {m}")
        em.emit(f"subtract({x}, {m}, {sh})", f"%{j} CrossEntropy: s = x − max")
        em.emit(f"exp({sh}, {p})", f"%{j} CrossEntropy: e^s")
        em.emit(f"add_reduce({p}, 1, None, {tot}, True)", f"%{j} CrossEntropy: Σ e^s")
        em.emit(f"divide({p}, {tot}, {p})", f"%{j} CrossEntropy: softmax, in place")
        if np.dtype(tdtype) in (np.dtype(np.int64), np.dtype(np.int32)):
            # the picked entries s[i, tᵢ] through flat indices i·C + tᵢ (a 1-D gather: the same elements, and
            # several times faster than NumPy's 2-D fancy indexing); reused by backward's scatter
            em.ns.setdefault("add_", np.add)
            flat = em.buffer((n,), np.int64, f"%{j} CrossEntropy flat indices i·C + t")
            em.emit(f"fi{j} = add_({em.bind(np.arange(n) * c, 'ROWSC')}, {t}, {flat})", f"%{j} CrossEntropy: i·C + t")
            pick = f"{em.bind(em.ns[sh].reshape(-1), 'BF')}[fi{j}]"
            scatter = f"{em.bind(em.ns[p].reshape(-1), 'BF')}[fi{j}] -= 1"
        else:
            pick, scatter = f"{sh}[{rows}, {index}]", f"{p}[{rows}, {t}] -= 1"
        em.emit(
            f"total{j} = add_reduce(subtract(log({em.bind(em.ns[tot][:, 0], 'BV')}), {pick}))",
            f"%{j} CrossEntropy: Σᵢ log Σ e^s − s[t]",
        )
        em.emit(f"if not isfinite(total{j}):", kernel=False)
        em.emit(f"    total{j} = ce_slow({cls}, {x}, {t}, {p})", "rows of ±inf: the op's own forward")
        if reduction == "mean":
            em.emit(f"v{j} = asarray(total{j} / {n}, {em.bind(np.dtype(dtype), 'DT')})", f"%{j} CrossEntropy: mean")
        else:
            em.emit(f"v{j} = asarray(total{j}, {em.bind(np.dtype(dtype), 'DT')})", f"%{j} CrossEntropy: sum")
        ctx.saved[j] = {"p": p, "scatter": scatter, "n": n, "reduction": reduction}

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        em = ctx.em
        s = ctx.saved[j]
        p = s["p"]
        em.emit(s["scatter"], "CrossEntropyBackward: softmax − onehot, in the softmax's buffer")
        if s["reduction"] == "mean":
            em.emit(f"divide({p}, {s['n']}, {p})", "CrossEntropyBackward: / N")
        if g.kind != "one":  # backward() from this loss passes 1: nothing to scale
            em.emit(f"if float({g.expr}) != 1.0: multiply({p}, {g.expr}, {p})", "CrossEntropyBackward: · g")
        return [_Grad(p, "buffer", p) if op.parents[0] is not None else None, None]


def _ce_error(cls: Any, x: np.ndarray, t: np.ndarray) -> Exception:
    """The op's error for a target that is not a class."""
    return cls().error([x, t], IndexError("target out of bounds"))


def _ce_slow(cls: Any, x: np.ndarray, t: np.ndarray, p: np.ndarray) -> Any:
    """The op's own forward (rows of ±inf), its softmax copied into the program's buffer."""
    node = object.__new__(cls)
    node.reduction = "sum"
    total = node.forward(x, t)
    p[...] = node.probs
    return total


class _ElementwiseRule(_Rule):
    """z = a ∘ b for two arrays of the output's shape and dtype (no broadcasting, no Python scalars):
    ``add``/``subtract``/``multiply`` into a buffer; backward as the op's rule (Add: g, g; Sub: g, −g;
    Mul: g·b, g·a). A gradient passed on unchanged is marked shared: nobody writes into it, a leaf copies it."""

    def __init__(self, ufunc: str, symbol: str) -> None:
        self.ufunc, self.symbol = ufunc, symbol

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        if op.dtype not in _FLOATS or len(op.inputs) != 2:
            return False
        ctx = _Context(em, em.program, {}, set(), {})
        for src in op.inputs:
            if src[0] not in ("op", "arg", "live", "const") or (
                src[0] == "const" and not isinstance(src[1], np.ndarray)
            ):
                return False
            shape, dtype = ctx.shape_dtype(src)
            if shape != op.shape or dtype != op.dtype:
                return False
        return True

    def reads(self, op: Any, j: int) -> list[int]:
        return [s[1] for s in op.inputs if s[0] == "op"] if self.ufunc == "multiply" else []

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        a, b = (ctx.expr(s) for s in op.inputs)
        out = ctx.out_buffer(j, f"{type(self).__name__} output")
        call = f"{self.ufunc}({a}, {b}" + (f", {out})" if out else ")")
        ctx.em.emit(f"v{j} = {call}", f"%{j} a {self.symbol} b -> {_describe(op.shape, op.dtype)}")
        ctx.saved[j] = {"a": a, "b": b}

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        em, s = ctx.em, ctx.saved[j]
        need_a, need_b = (p is not None for p in op.parents)
        shared = _Grad(g.expr, "shared" if g.kind != "one" else "one")
        if self.ufunc == "add":
            return [shared if need_a else None, shared if need_b else None]
        if self.ufunc == "subtract":
            outs: list = [shared if need_a else None, None]
            if need_b:
                em.emit(f"gn{j} = negative({g.expr})", "SubBackward: ∂b = −g (fresh)")
                outs[1] = _Grad(f"gn{j}", "fresh")
            return outs
        outs = [None, None]
        if need_a:
            em.emit(f"ga{j} = multiply({g.expr}, {s['b']})", "MulBackward: ∂a = g · b (fresh)")
            outs[0] = _Grad(f"ga{j}", "fresh")
        if need_b:
            em.emit(f"gb{j} = multiply({g.expr}, {s['a']})", "MulBackward: ∂b = g · a (fresh)")
            outs[1] = _Grad(f"gb{j}", "fresh")
        return outs


class _MeanRule(_Rule):
    """y = (1/N) Σ x over every element (``ops.reduce.Mean``, float32/float64): ``add.reduce``, ``/ N``;
    ∂x = g / N broadcast back (a read-only view, as the op's rule gives it)."""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        dim, keepdim = op.params.get("dim", ("x", 0)), op.params.get("keepdim", ("x", 0))
        if dim != ("const", None) or keepdim != ("const", False) or op.dtype not in _FLOATS or len(op.inputs) != 1:
            return False
        src = op.inputs[0]
        shape, dtype = _Context(em, em.program, {}, set(), {}).shape_dtype(src)
        return src[0] in ("op", "arg", "live") and dtype == op.dtype and len(shape) > 0

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        em = ctx.em
        x = ctx.expr(op.inputs[0])
        shape, dtype = ctx.shape_dtype(op.inputs[0])
        n = int(np.prod(shape, dtype=np.int64))
        dt = em.bind(np.dtype(dtype), "DT")
        em.emit(f"v{j} = asarray((add_reduce({x}, None) / {n}).astype({dt}, copy=False))", f"%{j} Mean: Σ x / {n}")
        ctx.saved[j] = {"shape": tuple(shape), "n": n}

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        em, s = ctx.em, ctx.saved[j]
        if op.parents[0] is None:
            return [None]
        em.ns.setdefault("broadcast_to", np.broadcast_to)
        keep = (1,) * len(s["shape"])
        em.emit(
            f"gm{j} = broadcast_to(({g.expr} / {s['n']}).reshape({keep}), {s['shape']})",
            f"MeanBackward: g / {s['n']} broadcast to {s['shape']} (a read-only view)",
        )
        return [_Grad(f"gm{j}", "shared")]


class _DropoutRule(_Rule):
    """Inverted dropout (``ops.random.Dropout``): the mask drawn from the same generator, at the same point,
    into a buffer (``rng.random(out=...)`` draws the numbers ``rng.random(shape)`` would), ``≥ p``, then
    ``x · mask``, ``· 1/(1 − p)``; backward ``g · mask · 1/(1 − p)``."""

    def accepts(self, em: _Emitter, op: Any, j: int) -> bool:
        p, rng = op.params.get("p", ("x", 0)), op.params.get("rng", ("x", 0))
        if p[0] != "const" or not isinstance(p[1], float) or rng[0] != "gen" or op.dtype not in _FLOATS:
            return False
        if len(op.inputs) != 1 or op.inputs[0][0] not in ("op", "arg", "live"):
            return False
        shape, dtype = _Context(em, em.program, {}, set(), {}).shape_dtype(op.inputs[0])
        return shape == op.shape and dtype == op.dtype

    def forward(self, ctx: _Context, j: int, op: Any) -> None:
        from minigrad._random import resolve_generator

        em = ctx.em
        x = ctx.expr(op.inputs[0])
        p = op.params["p"][1]
        em.ns["resolve_generator"] = resolve_generator
        gen = em.bind(op.params["rng"][1], "GEN") if op.params["rng"][1] is not None else "None"
        draws = em.buffer(op.shape, np.float32, f"%{j} Dropout uniform draws")
        mask = em.buffer(op.shape, np.bool_, f"%{j} Dropout keep mask (read by backward)")
        out = ctx.out_buffer(j, "Dropout output")
        em.ns.setdefault("greater_equal", np.greater_equal)
        em.emit(f"resolve_generator({gen}).random(dtype=float32, out={draws})", f"%{j} Dropout: u ~ U[0, 1)")
        em.ns["float32"] = np.float32
        em.emit(f"greater_equal({draws}, {p!r}, {mask})", f"%{j} Dropout: keep = u ≥ {p!r}")
        em.emit(f"v{j} = {_with_out(f'multiply({x}, {mask})', out or '')}", f"%{j} Dropout: x · keep")
        em.emit(f"multiply(v{j}, {1.0 / (1.0 - p)!r}, v{j})", f"%{j} Dropout: · 1/(1 − p)")
        ctx.saved[j] = {"mask": mask, "scale": 1.0 / (1.0 - p)}

    def backward(self, ctx: _Context, j: int, op: Any, g: _Grad) -> list:
        em, s = ctx.em, ctx.saved[j]
        if op.parents[0] is None:
            return [None]
        dst = g.expr if g.kind in ("buffer", "fresh") else em.sized_buffer(op.shape, op.dtype, f"g of %{j}'s input")
        dst, mask = dst or "", s["mask"]
        em.emit(f"gd{j} = {_with_out(f'multiply({g.expr}, {mask})', dst)}", "DropoutBackward: g · keep")
        em.emit(f"multiply(gd{j}, {s['scale']!r}, gd{j})", "DropoutBackward: · 1/(1 − p)")
        if dst == g.expr:
            return [_Grad(f"gd{j}", g.kind, g.buf)]
        return [_Grad(f"gd{j}", "buffer", dst) if dst else _Grad(f"gd{j}", "fresh")]


_LOWERINGS: dict[Any, _Rule] = {}


def _register() -> None:
    from minigrad.ops.activation import ReLU, Sigmoid, Tanh
    from minigrad.ops.elementwise import Add, Mul, Sub
    from minigrad.ops.linalg import Linear
    from minigrad.ops.loss import CrossEntropy
    from minigrad.ops.random import Dropout
    from minigrad.ops.reduce import Mean

    _LOWERINGS.update(
        {
            Add: _ElementwiseRule("add", "+"),
            Sub: _ElementwiseRule("subtract", "−"),
            Mul: _ElementwiseRule("multiply", "·"),
            Mean: _MeanRule(),
            Dropout: _DropoutRule(),
            Linear: _LinearRule(),
            ReLU: _ReLURule(),
            Tanh: _TanhRule(),
            Sigmoid: _SigmoidRule(),
            CrossEntropy: _CrossEntropyRule(),
        }
    )


_register()


# ====================================================================== host-call lowerings
def _host_lowering(obj: Any, name: str, kwargs: dict) -> Callable | None:
    from minigrad.optim.adam import Adam, AdamW
    from minigrad.optim.optimizer import Optimizer
    from minigrad.optim.sgd import SGD

    if name == "zero_grad" and isinstance(obj, Optimizer):
        if type(obj).zero_grad is Optimizer.zero_grad and kwargs.get("set_to_none", True) is True:
            return _lower_zero_grad
        return None
    if name == "step" and kwargs.get("closure") is None:
        if type(obj) is SGD:
            return _lower_sgd
        if type(obj) in (Adam, AdamW):
            return _lower_adam
    return None


def _groups_check(ctx: _Context, opt: Any) -> tuple[str, list]:
    """A condition that the optimizer's param groups are the traced ones (the same group dicts and
    parameter lists, element by element), and the groups."""
    em = ctx.em
    o = em.bind(opt, "O")
    groups = list(opt.param_groups)
    gnames = [em.bind(g, "GR") for g in groups]
    ids = [em.bind(_ids(g["params"]), "IDS") for g in groups]
    conds = [f"len({o}.param_groups) == {len(groups)}"]
    conds += [f"{o}.param_groups[{i}] is {gn}" for i, gn in enumerate(gnames)]
    conds += [f"ids({gn}['params']) == {idn}" for gn, idn in zip(gnames, ids)]
    return " and ".join(conds), groups


def _lower_zero_grad(ctx: _Context, opt: Any, kwargs: dict) -> None:
    em = ctx.em
    o = em.bind(opt, "O")
    cond, groups = _groups_check(ctx, opt)
    em.emit(f"if {cond}:", f"{type(opt).__name__}.zero_grad() lowered: .grad = None", kernel=False)
    em.indent += 1
    for g in groups:
        for p in g["params"]:
            em.emit(f"{em.bind(p, 'T')}._grad = None", kernel=False)
    em.indent -= 1
    em.emit("else:", kernel=False)
    em.emit(f"    {o}.zero_grad(set_to_none=True)", "the param groups changed: the real method")
    ctx.leaf_has_grad = set()
    ctx.certain = {id(p) for g in groups for p in g["params"]}  # all None now


def _param_grads(ctx: _Context, opt: Any, groups: list) -> tuple[list, list[str]]:
    """Per group, the parameters expected to have a gradient at the step (those backward reached since the
    last zero_grad), and the conditions that exactly those have one now (else the real step runs)."""
    em = ctx.em
    leaves = ctx.trace.leaves
    have = {id(leaves[k]) for k in ctx.leaf_has_grad}
    per_group, conds = [], []
    for g in groups:
        with_grad = []
        for p in g["params"]:
            t = em.bind(p, "T")
            if id(p) in have:
                with_grad.append(p)
            elif id(p) not in ctx.certain:
                conds.append(f"{t}._grad is None")
        per_group.append(with_grad)
    for g in per_group:
        for p in g:
            em.live(p)
            em.optimized.append(p)
            if id(p) not in ctx.certain:
                conds.append(f"{em.bind(p, 'T')}._grad is not None")
    conds.append("WRITEABLE")  # every parameter to update is writeable (checked when an array is replaced)
    return per_group, conds


def _bump(em: _Emitter, p: Tensor) -> tuple[str, str]:
    """The line counting an in-place write into parameter ``p`` (``p._bump_version()``)."""
    t = em.bind(p, "T")
    if p._base is None:  # stays None: assigning p.data makes it None too
        return (f"{t}._version += 1", "")
    return (f"{t}._bump_version()", "")


def _optimizer_prelude(ctx: _Context, opt: Any) -> tuple[_Emitter, str, list, list, list]:
    """What every lowered optimizer step starts with: the optimizer bound, the checks that its groups and the
    parameters' gradients are as traced (``conds``), and a comment line naming it."""
    em = ctx.em
    o = em.bind(opt, "O")
    cond, groups = _groups_check(ctx, opt)
    per_group, gconds = _param_grads(ctx, opt, groups)
    n = sum(map(len, per_group))
    em.emit(f"# {type(opt).__name__}.step lowered ({n} parameters; hyperparameters read live)", kernel=False)
    return em, o, groups, per_group, [cond, *gconds]


def _lower_sgd(ctx: _Context, opt: Any, kwargs: dict) -> None:
    """SGD.step, kernel for kernel: ``g + wd·θ``, ``b = μ·b + (1 − τ)·g``, ``g + μ·b`` (Nesterov), ``θ −= lr·g``."""
    em, o, groups, per_group, conds = _optimizer_prelude(ctx, opt)
    lines: list[tuple[str, str]] = []
    for gi, (group, params) in enumerate(zip(groups, per_group)):
        gn = em.bind(group, "GR")
        mu0 = float(group["momentum"]) != 0
        wd0 = float(group["weight_decay"]) != 0
        tau0 = float(group["dampening"]) == 0
        nesterov, maximize = bool(group["nesterov"]), bool(group["maximize"])
        h = f"h{gi}_"
        read = [("lr", "lr")] + [("mu", "momentum")] * mu0 + [("tau", "dampening")] * (mu0 and not tau0)
        read += [("wd", "weight_decay")] * wd0
        em.emit(
            ", ".join(f"{h}{v}" for v, _ in read) + " = " + ", ".join(f"float({gn}[{k!r}])" for _, k in read),
            f"group {gi}: the hyperparameters used, read live",
            kernel=False,
        )
        # what the lowering assumed (a momentum of 0 makes dampening and nesterov irrelevant, as in eager)
        conds.append(f"float({gn}['momentum']) {'!=' if mu0 else '=='} 0")
        conds.append(f"float({gn}['weight_decay']) {'!=' if wd0 else '=='} 0")
        if mu0:
            conds.append(f"float({gn}['dampening']) {'==' if tau0 else '!='} 0")
            conds.append(f"{'' if nesterov else 'not '}{gn}['nesterov']")
        conds.append(f"{'' if maximize else 'not '}{gn}['maximize']")
        arena = ctx.arena
        if arena is not None and [q for _, q in arena.leaves] == params and len(groups) == 1:
            # every gradient is a view of the arena: lr·g for all of them in one kernel, then θ −= per parameter
            conds.append("tuple(map(id, map(DATA, map(GRAD, APARAMS)))) == VIEW_IDS")
            lines.append((f"multiply({h}lr, ARENA, ASCR)", f"lr·g of all {len(params)} parameters at once"))
            for p in params:
                t, th = em.bind(p, "T"), em.live(p)
                k = next(k for k, q in arena.leaves if q is p)
                lines.append((f"subtract({th}, ASV{k}, {th})", f"{t}: θ −= lr·g (in place)"))
                lines.append(_bump(em, p))
            params = []
        for p in params:
            t, th = em.bind(p, "T"), em.live(p)
            shape, dtype = p._data.shape, p._data.dtype
            d = _describe(shape, dtype)
            big = p._data.nbytes > FRESH_BYTES and not (mu0 and (nesterov or not tau0))
            tmp = "" if big else em.scratch(shape, dtype, 0)  # big: lr·g allocates, as eager's does
            g = f"{t}._grad._data"
            if mu0:
                b = f"mb{t[1:]}"
                conds.append(f"{o}.state[{t}].get('momentum_buffer') is not None")
                lines.append((f"{b} = {o}.state[{t}]['momentum_buffer']._data", ""))
            if maximize:
                gneg = em.scratch(shape, dtype, 1)
                lines.append((f"negative({g}, {gneg})", f"{t}: g = −g"))
                g = gneg
            if wd0:
                tmp2 = em.scratch(shape, dtype, 2)
                lines.append((f"multiply({h}wd, {th}, {tmp2})", f"{t}: wd·θ  {d}"))
                lines.append((f"add({g}, {tmp2}, {tmp2})", f"{t}: g + wd·θ"))
                g = tmp2
            if mu0:
                lines.append((f"multiply({b}, {h}mu, {b})", f"{t}: b ·= μ (the momentum buffer, in place)"))
                if tau0:
                    lines.append((f"add({b}, {g}, {b})", f"{t}: b += g"))
                else:
                    lines.append((f"multiply(1 - {h}tau, {g}, {tmp})", f"{t}: (1 − τ)·g"))
                    lines.append((f"add({b}, {tmp}, {b})", f"{t}: b += (1 − τ)·g"))
                if nesterov:
                    lines.append((f"multiply({h}mu, {b}, {tmp})", f"{t}: μ·b"))
                    lines.append((f"add({g}, {tmp}, {tmp})", f"{t}: g + μ·b (Nesterov)"))
                    g = tmp
                else:
                    g = b
            if big:
                lines.append((f"u = multiply({h}lr, {g})", f"{t}: lr·g  {d} (fresh)"))
                lines.append((f"subtract({th}, u, {th})", f"{t}: θ −= lr·g (in place)"))
                lines.append(("u = None", ""))
            else:
                lines.append((f"multiply({h}lr, {g}, {tmp})", f"{t}: lr·g  {d}"))
                lines.append((f"subtract({th}, {tmp}, {th})", f"{t}: θ −= lr·g (in place)"))
            lines.append(_bump(em, p))
    _emit_guarded(em, conds, lines, f"{o}.step()", "SGD")


def _lower_adam(ctx: _Context, opt: Any, kwargs: dict) -> None:
    """Adam/AdamW.step, kernel for kernel (no amsgrad): m += (1 − β₁)(g − m), v = β₂v + (1 − β₂)g²,
    θ −= (lr/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε); the step count is the state's own int."""
    if any(group["amsgrad"] for group in opt.param_groups):
        raise CannotLower("amsgrad")  # before anything is emitted: the real step() is called instead
    em, o, groups, per_group, conds = _optimizer_prelude(ctx, opt)
    lines: list[tuple[str, str]] = []
    for gi, (group, params) in enumerate(zip(groups, per_group)):
        gn = em.bind(group, "GR")
        wd0 = float(group["weight_decay"]) != 0
        maximize, decoupled = bool(group["maximize"]), bool(group["decoupled_weight_decay"])
        h = f"h{gi}_"
        em.emit(
            f"{h}lr, {h}eps, {h}wd = float({gn}['lr']), float({gn}['eps']), float({gn}['weight_decay'])",
            f"group {gi}: hyperparameters, live",
            kernel=False,
        )
        em.emit(f"{h}b1, {h}b2 = (float(b) for b in {gn}['betas'])", kernel=False)
        conds += [
            f"({h}wd != 0) is {wd0}",
            f"bool({gn}['amsgrad']) is False",
            f"bool({gn}['maximize']) is {maximize}",
            f"bool({gn}['decoupled_weight_decay']) is {decoupled}",
        ]
        for p in params:
            t, th = em.bind(p, "T"), em.live(p)
            shape, dtype = p._data.shape, p._data.dtype
            tmp = em.scratch(shape, dtype, 0)
            den = em.scratch(shape, dtype, 1)
            st = f"st{t[1:]}"
            conds.append(f"'exp_avg' in {o}.state[{t}]")
            lines.append((f"{st} = {o}.state[{t}]", ""))
            lines.append((f"{st}['step'] = s = {st}['step'] + 1", f"{t}: t += 1 (the state's int)"))
            lines.append((f"m, v = {st}['exp_avg']._data, {st}['exp_avg_sq']._data", ""))
            g = f"{t}._grad._data"
            if maximize:
                gneg = em.scratch(shape, dtype, 2)
                lines.append((f"negative({g}, {gneg})", f"{t}: g = −g"))
                g = gneg
            if wd0:
                if decoupled:
                    lines.append((f"multiply({th}, 1 - {h}lr * {h}wd, {th})", f"{t}: θ ·= 1 − lr·wd"))
                else:
                    gwd = em.scratch(shape, dtype, 3)
                    lines.append((f"multiply({h}wd, {th}, {gwd})", f"{t}: wd·θ"))
                    lines.append((f"add({g}, {gwd}, {gwd})", f"{t}: g + wd·θ"))
                    g = gwd
            lines += [
                (f"subtract({g}, m, {tmp})", f"{t}: g − m"),
                (f"multiply(1 - {h}b1, {tmp}, {tmp})", f"{t}: (1 − β₁)(g − m)"),
                (f"add(m, {tmp}, m)", f"{t}: m += (1 − β₁)(g − m)"),
                (f"multiply(v, {h}b2, v)", f"{t}: v ·= β₂"),
                (f"multiply({g}, {g}, {tmp})", f"{t}: g²"),
                (f"multiply(1 - {h}b2, {tmp}, {tmp})", f"{t}: (1 − β₂)g²"),
                (f"add(v, {tmp}, v)", f"{t}: v += (1 − β₂)g²"),
                (f"sqrt(v, {den})", f"{t}: √v"),
                (f"divide({den}, (1 - {h}b2**s) ** 0.5, {den})", f"{t}: √v / √(1 − β₂ᵗ)"),
                (f"add({den}, {h}eps, {den})", f"{t}: + ε"),
                (f"divide(m, {den}, {den})", f"{t}: m / denom"),
                (f"multiply({den}, {h}lr / (1 - {h}b1**s), {den})", f"{t}: · lr/(1 − β₁ᵗ)"),
                (f"subtract({th}, {den}, {th})", f"{t}: θ −= update (in place)"),
                _bump(em, p),
            ]
    _emit_guarded(em, conds, lines, f"{o}.step()", type(opt).__name__)


def _emit_guarded(em: _Emitter, conds: list[str], lines: list[tuple[str, str]], fallback: str, what: str) -> None:
    """``if <what the lowering assumed>: <lines> else: <the real method>``."""
    em.emit(
        "if (" + "\n        and ".join(conds) + "):", f"{what}: what the lowering assumed still holds", kernel=False
    )
    em.indent += 1
    for code, comment in lines:
        em.emit(code, comment, kernel=bool(comment) and not code.startswith(("m, v", "st", "mb")))
    if not lines:
        em.emit("pass", kernel=False)
    em.indent -= 1
    em.emit("else:", kernel=False)
    em.emit(f"    {fallback}", f"{what}.step() itself (a first step, changed groups or flags)")
