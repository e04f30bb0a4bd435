"""Export a model to ONNX, in the shape of ``torch.onnx.export``::

    import minigrad as mg
    model = mg.nn.Sequential(mg.nn.Linear(4, 8), mg.nn.ReLU(), mg.nn.Linear(8, 3))
    mg.onnx.export(model, mg.randn(2, 4), "model.onnx")       # then run it with onnxruntime

The forward pass is traced once on ``example_input``: every op minigrad applies (each a
:class:`~minigrad.autograd.function.Function` class in ``minigrad/ops``) is recorded with its
inputs, and each op class maps to ONNX nodes (``Linear`` → ``Gemm``, ``Add`` → ``Add``, ``ReLU``
→ ``Relu``, ...). Parameters and buffers become initializers, named as in ``state_dict``;
anything else the forward reads that does not come from the input becomes a constant. As in
PyTorch the model is exported in eval mode (Dropout disappears, BatchNorm1d uses its running
statistics: ``BatchNormalization``; LayerNorm is ``LayerNormalization``) and its training flags
are restored afterwards. An op with no ONNX mapping raises ``NotImplementedError`` naming it.
Python control flow is frozen at the branch the example took, as in any tracer; give an example
batch of more than one row, so the batch dim can be told apart from dims of size 1. When
``onnxruntime`` is installed the file is run on a second input (other values, one more row) and an
:class:`ExportWarning` says so if it disagrees with the model (a value the trace froze).

Needs the ``onnx`` package (``pip install 'minigrad[onnx]'``, which brings ``onnxruntime`` too);
``onnx.checker`` validates every exported model. The module itself imports without it (so its
reference documents it); ``export`` says how to install it.
"""

from __future__ import annotations

import os
import warnings
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np

from minigrad._grad_mode import enable_grad
from minigrad.autograd.function import Function
from minigrad.tensor import Tensor

if TYPE_CHECKING:
    from minigrad.nn.module import Module

# the optional onnx package, loaded by _require() when export runs
onnx: Any = None
TensorProto: Any = None
helper: Any = None
numpy_helper: Any = None


def _require() -> None:
    """Load ``onnx`` (an optional dependency), or say how to install it."""
    global onnx, TensorProto, helper, numpy_helper
    if onnx is not None:
        return
    try:
        import onnx as _onnx
        from onnx import TensorProto as _proto
        from onnx import helper as _helper
        from onnx import numpy_helper as _numpy_helper
    except ImportError as exc:
        raise ImportError(
            "minigrad.onnx needs the optional 'onnx' package: install the extra with "
            "pip install 'minigrad[onnx]' (or: pip install onnx onnxruntime)"
        ) from exc
    onnx, TensorProto, helper, numpy_helper = _onnx, _proto, _helper, _numpy_helper


__all__ = ["export", "DEFAULT_OPSET", "MIN_OPSET", "ExportWarning", "supported_ops"]

#: the opset used when ``opset_version`` is None (LayerNormalization needs 17)
DEFAULT_OPSET = 17
#: the oldest opset the exporter writes (Softmax/LogSoftmax on any axis, ReduceSum's axes input)
MIN_OPSET = 13

_NUMPY_TO_ONNX = {  # NumPy dtype -> the name of its onnx.TensorProto element type
    np.dtype(np.float32): "FLOAT",
    np.dtype(np.float64): "DOUBLE",
    np.dtype(np.float16): "FLOAT16",
    np.dtype(np.int64): "INT64",
    np.dtype(np.int32): "INT32",
    np.dtype(np.int16): "INT16",
    np.dtype(np.int8): "INT8",
    np.dtype(np.uint8): "UINT8",
    np.dtype(np.bool_): "BOOL",
}


def _onnx_dtype(dtype: Any, what: str) -> int:
    try:
        return getattr(TensorProto, _NUMPY_TO_ONNX[np.dtype(dtype)])
    except KeyError:
        raise TypeError(f"onnx export: {what} has dtype {np.dtype(dtype)}, which ONNX export lacks") from None


# ---------------------------------------------------------------------- tracing
class _Record:
    """One applied op (or one whole module exported as a unit): what went in, what came out."""

    __slots__ = ("op", "inputs", "params", "output")
    op: type[Function] | Module  # an op, or a module exported as a unit

    def __init__(self, op: Any, inputs: tuple, params: dict, output: Any) -> None:
        self.op, self.inputs, self.params, self.output = op, inputs, params, output


class _Tracer:
    """Records every ``Function.apply`` while active; modules in ``units`` are recorded whole."""

    def __init__(self, units: tuple[type[Module], ...]) -> None:
        self.units = units
        self.records: list[_Record] = []
        self.depth = 0  # > 0 inside a module recorded as a unit

    def run(self, model: Any, args: tuple) -> Any:
        original = Function.__dict__["apply"]
        tracer = self

        def traced(cls: type, *inputs: Any, **params: Any) -> Any:
            out = original.__func__(cls, *inputs, **params)
            if tracer.depth == 0:
                tracer.records.append(_Record(cls, inputs, params, out))
            return out

        handles = []
        for m in model.modules():
            if isinstance(m, self.units):
                handles.append(m.register_forward_pre_hook(self._enter))
                handles.append(m.register_forward_hook(self._leave))
        Function.apply = classmethod(traced)  # type: ignore[method-assign, assignment]  # patched only while tracing
        try:
            with enable_grad():
                return model(*args)
        finally:
            Function.apply = original  # type: ignore[method-assign]  # patched only while tracing
            for h in handles:
                h.remove()

    def _enter(self, module: Any, args: tuple) -> None:
        self.depth += 1

    def _leave(self, module: Any, args: tuple, output: Any) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.records.append(_Record(module, args, {}, output))


# ---------------------------------------------------------------------- building the graph
class _Graph:
    """The ONNX graph being written: names for traced values, nodes, initializers."""

    def __init__(self, opset: int, named: dict[int, str]) -> None:
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.names: dict[int, str] = {}  # id(Tensor) -> value name
        self.batch: dict[str, bool] = {}  # value name -> its dim 0 is the (dynamic) batch dim
        self.shapes: dict[str, tuple] = {}  # value name -> shape seen while tracing
        self.arrays: dict[int, str] = {}  # id(ndarray) of a traced value -> its name (Embedding's indices)
        self.named = named  # id(parameter or buffer) -> its state_dict name
        self.int_values: list[tuple[np.ndarray, str]] = []  # traced integer values (candidate indices)
        self._count = 0

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"/{hint}_{self._count}"

    def node(self, op_type: str, inputs: list[str], hint: str | None = None, **attrs: Any) -> str:
        out = self.fresh(hint or op_type)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def const(self, value: Any, dtype: Any = None, hint: str = "const") -> str:
        arr = np.asarray(value, dtype=dtype)
        _onnx_dtype(arr.dtype, "a constant")
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(arr, name))
        return name

    def ints(self, values: Any) -> str:
        return self.const(np.asarray(values, dtype=np.int64), hint="shape")

    def bind(self, tensor: Tensor, name: str, batch: bool) -> None:
        self.names[id(tensor)] = name
        self.batch[name] = batch
        self.shapes[name] = tuple(tensor.shape)
        self.arrays[id(tensor._data)] = name
        if tensor.dtype.kind in "iu":
            self.int_values.append((tensor._data, name))

    def value(self, x: Any, dtype: Any = None) -> str:
        """The name of an op's input: a traced value, a parameter/buffer, or a new constant."""
        if isinstance(x, Tensor):
            name = self.names.get(id(x))
            if name is not None:
                return name
            if id(x) in self.named:  # a parameter or buffer: an initializer named as in state_dict
                name = self.named[id(x)]
                _onnx_dtype(x.dtype, f"parameter {name}")
                self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(x._data), name))
            elif x.grad_fn is not None:  # computed from the input, but not by an op the tracer saw
                raise _unsupported(
                    x.grad_fn.name,
                    "it was computed outside minigrad's recorded ops, e.g. by a "
                    "custom autograd.Function working on arrays or an in-place op",
                )
            else:  # made in forward without depending on the input: a constant, as PyTorch's tracer
                name = self.const(np.ascontiguousarray(x._data))
            self.bind(x, name, False)
            return name
        arr = np.asarray(x)
        if dtype is not None and arr.dtype.kind in "biuf" and np.dtype(dtype).kind in "fc":
            arr = arr.astype(dtype)
        return self.const(arr)

    def is_batch(self, x: Any, ndim: int) -> bool:
        """Whether input ``x`` carries the batch dim at dim 0 of an ``ndim``-dim output."""
        if not isinstance(x, Tensor) or x.ndim != ndim:
            return False
        return self.batch.get(self.names.get(id(x), ""), False)

    def axes(self, op_type: str, x: str, dims: Any, keepdim: bool, ndim: int) -> str:
        """A Reduce* node over ``dims`` (None: all), with axes as an input or attribute by opset."""
        axes = list(range(ndim)) if dims is None else [int(d) for d in np.atleast_1d(dims)]
        keep = int(bool(keepdim))
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.node(op_type, [x, self.ints(axes)], keepdims=keep)
        return self.node(op_type, [x], axes=axes, keepdims=keep)


def _op_name(op: type[Function] | Module) -> str:
    return op.name if isinstance(op, type) else type(op).__name__


def _unsupported(what: str, why: str = "") -> NotImplementedError:
    msg = f"onnx export: op {what} is not supported"
    if why:
        msg += f" ({why})"
    supported = ", ".join(sorted(supported_ops()))
    return NotImplementedError(f"{msg}; exportable ops: {supported}")


# ---------------------------------------------------------------------- op emitters
# each takes (graph, record, input names) and returns the output's name and whether its dim 0 is the batch

_SIMPLE = {  # one-input ops that map to one ONNX op of the same meaning
    "Neg": "Neg",
    "Exp": "Exp",
    "Log": "Log",
    "Sqrt": "Sqrt",
    "Abs": "Abs",
    "Sin": "Sin",
    "Cos": "Cos",
    "Tan": "Tan",
    "Erf": "Erf",
    "Tanh": "Tanh",
    "Sigmoid": "Sigmoid",
    "ReLU": "Relu",
    "Clone": "Identity",
    "Floor": "Floor",
    "Ceil": "Ceil",
    "Sign": "Sign",
    "Asin": "Asin",
    "Acos": "Acos",
    "Atan": "Atan",
    "Sinh": "Sinh",
    "Cosh": "Cosh",
    "Asinh": "Asinh",
    "Acosh": "Acosh",
    "Atanh": "Atanh",
}
_BINARY = {
    "Add": "Add",
    "Sub": "Sub",
    "Mul": "Mul",
    "Div": "Div",
    "Pow": "Pow",
    "Maximum": "Max",
    "Minimum": "Min",
    "MatMul": "MatMul",
}


def _elementwise_batch(g: _Graph, rec: _Record) -> bool:
    nd = rec.output.ndim
    return any(g.is_batch(x, nd) for x in rec.inputs)


def _emit(g: _Graph, rec: _Record) -> tuple[str, bool]:  # noqa: C901 - one table of cases
    op = rec.op
    p = rec.params
    out = rec.output
    dtype = out.dtype
    if not isinstance(op, type):
        return _emit_module(g, rec)
    key = op.__name__
    batch = _elementwise_batch(g, rec)
    ins = ["" if x is None else g.value(x, dtype) for x in rec.inputs]
    if key in _SIMPLE:
        return g.node(_SIMPLE[key], ins[:1]), batch
    if key in _BINARY:
        if key == "Pow" and not isinstance(rec.inputs[1], Tensor):
            ins[1] = g.const(rec.inputs[1], dtype)
        return g.node(_BINARY[key], ins), batch
    x = cast(str, ins[0] if ins else None)  # None only when the op has no inputs
    if key == "PowScalar":
        if p["exponent"] == 2:
            return g.node("Mul", [x, x]), batch
        return g.node("Pow", [x, g.const(p["exponent"], dtype)]), batch
    if key == "Rsqrt":
        return g.node("Reciprocal", [g.node("Sqrt", [x])]), batch
    if key == "LeakyReLU":
        return g.node("LeakyRelu", [x], alpha=float(p["negative_slope"])), batch
    if key == "ELU":
        return g.node("Elu", [x], alpha=float(p["alpha"])), batch
    if key == "SiLU":
        return g.node("Mul", [x, g.node("Sigmoid", [x])]), batch
    if key == "Mish":  # x·tanh(softplus x)
        return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])]), batch
    if key == "GELU":
        if p.get("approximate", "none") == "tanh":  # x·σ(2u), u = √(2/π)(x + 0.044715x³)
            cube = g.node("Mul", [g.node("Mul", [x, x]), x])
            inner = g.node("Add", [x, g.node("Mul", [cube, g.const(0.044715, dtype)])])
            two_u = g.node("Mul", [inner, g.const(2.0 * np.sqrt(2.0 / np.pi), dtype)])
            return g.node("Mul", [x, g.node("Sigmoid", [two_u])]), batch
        # x·½(1 + erf(x/√2))
        erf = g.node("Erf", [g.node("Mul", [x, g.const(1.0 / np.sqrt(2.0), dtype)])])
        half = g.node("Mul", [g.node("Add", [erf, g.const(1.0, dtype)]), g.const(0.5, dtype)])
        return g.node("Mul", [x, half]), batch
    if key == "Softplus":  # log(1 + e^{βx})/β, and x where βx > threshold
        beta, threshold = float(p["beta"]), float(p["threshold"])
        z = x if beta == 1 else g.node("Mul", [x, g.const(beta, dtype)])
        soft = g.node("Softplus", [z])
        if beta != 1:
            soft = g.node("Div", [soft, g.const(beta, dtype)])
        above = g.node("Greater", [z, g.const(threshold, dtype)])
        return g.node("Where", [above, x, soft]), batch
    if key == "Hardtanh":
        return g.node("Clip", [x, g.const(p["min_val"], dtype), g.const(p["max_val"], dtype)]), batch
    if key == "Clamp":
        lo: Any
        hi: Any
        lo, hi = p.get("lo"), p.get("hi")
        if np.ndim(lo) or np.ndim(hi) or isinstance(lo, Tensor) or isinstance(hi, Tensor):
            y = x
            if lo is not None:
                y = g.node("Max", [y, g.value(lo, dtype)])
            if hi is not None:
                y = g.node("Min", [y, g.value(hi, dtype)])
            return y, batch
        return g.node(
            "Clip", [x, "" if lo is None else g.const(lo, dtype), "" if hi is None else g.const(hi, dtype)]
        ), batch
    if key == "Linear":
        xin = rec.inputs[0]
        has_bias = rec.inputs[2] is not None
        batch = g.is_batch(xin, out.ndim)
        if xin.ndim == 2:
            return g.node("Gemm", ins[:3] if has_bias else ins[:2], transB=1), batch
        y = g.node("MatMul", [x, g.node("Transpose", [ins[1]], perm=[1, 0])])
        return (g.node("Add", [y, ins[2]]) if has_bias else y), batch
    if key in ("Softmax", "LogSoftmax"):
        axis = int(p["dim"])
        return g.node(key, [x], axis=axis), batch and axis % out.ndim != 0
    if key == "LogSumExp":
        dims = p["dim"]
        batch = batch and p["keepdim"] and 0 not in [d % rec.inputs[0].ndim for d in np.atleast_1d(dims)]
        return g.axes("ReduceLogSumExp", x, dims, p["keepdim"], rec.inputs[0].ndim), batch
    if key in ("Sum", "Mean"):
        dims, nd = p["dim"], rec.inputs[0].ndim
        reduced = range(nd) if dims is None else [d % nd for d in np.atleast_1d(dims)]
        batch = g.is_batch(rec.inputs[0], nd) and 0 not in reduced
        return g.axes("ReduceSum" if key == "Sum" else "ReduceMean", x, dims, p["keepdim"], nd), batch
    if key == "Reshape":
        return _reshape(g, x, rec.inputs[0], tuple(out.shape))
    if key == "GetItem":
        return _getitem(g, x, rec.inputs[0], p["index"], dtype)
    if key == "Permute":
        dims = [int(d) for d in p["dims"]]
        return g.node("Transpose", [x], perm=dims), g.is_batch(rec.inputs[0], out.ndim) and dims[0] == 0
    if key == "BroadcastTo":  # Expand broadcasts both ways: 1 keeps the input's size (the batch too)
        src = rec.inputs[0]
        in_shape = (1,) * (out.ndim - src.ndim) + tuple(src.shape)
        target = [1 if a == b else b for a, b in zip(in_shape, out.shape)]
        return g.node("Expand", [x, g.ints(target)]), batch
    if key == "Cast":
        to = _onnx_dtype(p["to"], "Cast's target")
        return g.node("Cast", [x], to=to), batch
    if key == "Cat":
        axis = int(p["dim"])
        return g.node("Concat", ins, axis=axis), batch and axis % out.ndim != 0
    if key == "Embedding":
        idx = _indices(g, p["indices"])
        return g.node("Gather", [x, idx], axis=0), g.batch.get(idx, False)
    raise _unsupported(op.name)


def _indices(g: _Graph, indices: np.ndarray) -> str:
    """The traced value Embedding's index array came from (F.embedding passes its array, maybe cast)."""
    name = g.arrays.get(id(indices))
    if name is not None and g.shapes.get(name) == indices.shape:
        return name
    for arr, name in reversed(g.int_values):
        if arr.shape == indices.shape and np.array_equal(arr, indices):
            return name
    return g.const(np.asarray(indices, dtype=np.int64), hint="indices")


def _reshape(g: _Graph, x: str, src: Tensor, shape: tuple) -> tuple[str, bool]:
    """Reshape whose target keeps the batch dynamic: 0 copies it when dim 0 stays the batch, else −1
    goes to the output dim the batch folds into (the first whose leading product is a multiple of it)."""
    target = list(shape)
    if not g.is_batch(src, src.ndim) or not target:
        return g.node("Reshape", [x, g.ints(target)]), False
    n = src.shape[0]
    if target[0] == n:
        target[0] = 0
        return g.node("Reshape", [x, g.ints(target)]), True
    prod = 1
    for k, size in enumerate(target):
        prod *= size
        if n and prod % n == 0:
            target[k] = -1
            break
    return g.node("Reshape", [x, g.ints(target)]), False


def _getitem(g: _Graph, x: str, src: Tensor, index: Any, dtype: Any) -> tuple[str, bool]:
    """Basic indexing (ints, slices, None, ...): Slice, then Gather for ints, then Unsqueeze for None."""
    parts = list(index) if isinstance(index, tuple) else [index]
    for i in parts:
        if not (i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))) or isinstance(i, bool):
            raise _unsupported(
                "GetItemBackward", f"indexing with {type(i).__name__}: only ints, slices, None and ... export"
            )
    if Ellipsis in parts:
        k = parts.index(Ellipsis)
        fill = src.ndim - sum(1 for i in parts if i is not None and i is not Ellipsis)
        parts = parts[:k] + [slice(None)] * fill + parts[k + 1 :]
    parts += [slice(None)] * (src.ndim - sum(1 for i in parts if i is not None))
    batch = g.is_batch(src, src.ndim)
    starts, ends, axes, steps, picks, news = [], [], [], [], [], []
    dim = out_dim = 0
    for i in parts:
        if i is None:
            news.append(out_dim)
            out_dim += 1
            continue
        size = src.shape[dim]
        if isinstance(i, slice):
            if i != slice(None):
                if dim == 0 and batch:
                    raise _unsupported("GetItemBackward", "slicing the batch dim with dynamic_batch=True")
                start, stop, step = i.indices(size)
                if step < 0 and stop < 0:
                    stop = -size - 1  # "to the front" (INT_MIN-like: clamped by Slice)
                starts.append(start)
                ends.append(stop)
                axes.append(dim)
                steps.append(step)
            out_dim += 1
        else:
            if dim == 0 and batch:
                raise _unsupported("GetItemBackward", "indexing into the batch dim with dynamic_batch=True")
            picks.append((dim, int(i) % size))
        dim += 1
    y = x
    if axes:
        y = g.node("Slice", [y, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    for d, i in reversed(picks):  # from the last dim, so earlier dims keep their numbers
        y = g.node("Gather", [y, g.const(np.int64(i))], axis=d)
    if news:
        y = g.node("Unsqueeze", [y, g.ints(news)])
    if y == x:
        y = g.node("Identity", [x])
    return y, batch and (not news or news[0] != 0)


def _emit_module(g: _Graph, rec: _Record) -> tuple[str, bool]:
    """A module exported as one ONNX op (BatchNorm1d in eval, LayerNorm)."""
    from minigrad.nn.normalization import BatchNorm1d, LayerNorm

    m = rec.op
    xin = rec.inputs[0]
    x = g.value(xin)
    dtype = xin.dtype
    batch = g.is_batch(xin, xin.ndim)
    if isinstance(m, BatchNorm1d):
        if m.running_mean is None:
            raise _unsupported(
                "BatchNorm1d(track_running_stats=False)",
                "it normalises with batch statistics in eval too; ONNX's BatchNormalization needs running statistics",
            )
        C = m.num_features
        scale = g.value(m.weight) if m.weight is not None else g.const(np.ones(C, dtype))
        bias = g.value(m.bias) if m.bias is not None else g.const(np.zeros(C, dtype))
        mean, var = g.value(m.running_mean), g.value(m.running_var)
        return g.node("BatchNormalization", [x, scale, bias, mean, var], epsilon=float(m.eps)), batch
    if isinstance(m, LayerNorm):
        shape = m.normalized_shape
        scale = g.value(m.weight) if m.weight is not None else g.const(np.ones(shape, dtype))
        ins = [x, scale] + ([g.value(m.bias)] if m.bias is not None else [])
        return g.node("LayerNormalization", ins, axis=-len(shape), epsilon=float(m.eps)), batch
    raise _unsupported(type(m).__name__)


def supported_ops() -> set[str]:
    """The names of the op classes (``XBackward``) the exporter maps to ONNX."""
    names = (
        set(_SIMPLE)
        | set(_BINARY)
        | {
            "PowScalar",
            "Rsqrt",
            "LeakyReLU",
            "ELU",
            "SiLU",
            "Mish",
            "GELU",
            "Softplus",
            "Hardtanh",
            "Clamp",
            "Linear",
            "Softmax",
            "LogSoftmax",
            "LogSumExp",
            "Sum",
            "Mean",
            "Reshape",
            "Permute",
            "BroadcastTo",
            "Cast",
            "Cat",
            "Embedding",
            "GetItem",
        }
    )
    return {n + "Backward" for n in names}


# ---------------------------------------------------------------------- export
def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def export(
    model: Any,
    example_input: Any,
    path: str | os.PathLike | IO[bytes],
    opset_version: int | None = None,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
    dynamic_batch: bool = True,
) -> Any:
    """Trace ``model`` on ``example_input`` (a Tensor, or a tuple of them for several inputs) and write
    it to ``path`` (a file name or a binary file object) as an ONNX model; returns the ``onnx.ModelProto``.

    Exported in eval mode as PyTorch does (the training flags are restored after). ``opset_version``
    defaults to :data:`DEFAULT_OPSET` (17; at least 13). ``input_names``/``output_names`` name the
    graph's inputs and outputs (default ``input``/``output``, numbered when several). With
    ``dynamic_batch`` dim 0 of the inputs and outputs is the symbolic ``batch``, so the file runs on
    any batch size. Raises ``NotImplementedError`` naming an op that has no ONNX mapping.
    """
    _require()
    from minigrad.nn.module import Module
    from minigrad.nn.normalization import BatchNorm1d, LayerNorm

    if not isinstance(model, Module):
        raise TypeError(f"onnx export: model must be an nn.Module, got {type(model).__name__}")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(
            f"onnx export: opset_version must be between {MIN_OPSET} and {newest} (the onnx "
            f"package's newest), got {opset_version}"
        )
    args = _as_tuple(example_input)
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            raise TypeError(f"onnx export: example input {i} must be a Tensor, got {type(a).__name__}")
    names_in = (
        list(input_names)
        if input_names is not None
        else (["input"] if len(args) == 1 else [f"input_{i}" for i in range(len(args))])
    )
    if len(names_in) != len(args):
        raise ValueError(f"onnx export: {len(names_in)} input_names for {len(args)} inputs")

    named: dict[int, str] = {}
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        if t is not None:
            named.setdefault(id(t), name)
    # LayerNormalization exists from opset 17; before it LayerNorm is exported op by op
    units = (BatchNorm1d, LayerNorm) if opset >= 17 else (BatchNorm1d,)

    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        # a float input that requires grad takes the same path as in training code (every op recorded)
        traced_args = tuple(a.detach().requires_grad_(True) if a.dtype.kind == "f" else a for a in args)
        tracer = _Tracer(units)
        result = tracer.run(model, traced_args)
    finally:
        for m, flag in flags:
            m.training = flag

    g = _Graph(opset, named)
    inputs = []
    for a, t, name in zip(args, traced_args, names_in):
        batch = dynamic_batch and a.ndim > 0
        g.bind(t, name, batch)
        if t is not a:
            g.arrays[id(a._data)] = name
        dims = [("batch" if batch and i == 0 else int(s)) for i, s in enumerate(a.shape)]
        inputs.append(helper.make_tensor_value_info(name, _onnx_dtype(a.dtype, f"input {name}"), dims))

    for rec in tracer.records:
        if not isinstance(rec.output, Tensor):
            raise _unsupported(_op_name(rec.op), "it returns several tensors")
        name, batch = _emit(g, rec)
        g.bind(rec.output, name, batch and dynamic_batch)

    results = _as_tuple(result)
    names_out = (
        list(output_names)
        if output_names is not None
        else (["output"] if len(results) == 1 else [f"output_{i}" for i in range(len(results))])
    )
    if len(names_out) != len(results):
        raise ValueError(f"onnx export: {len(names_out)} output_names for {len(results)} outputs")
    outputs = []
    for t, name in zip(results, names_out):
        if not isinstance(t, Tensor):
            raise TypeError(f"onnx export: the model must return Tensors, got {type(t).__name__}")
        src = g.value(t)
        batch = g.batch.get(src, False)
        g.nodes.append(helper.make_node("Identity", [src], [name], name=f"/output/{name}"))
        dims = [("batch" if batch and i == 0 else int(s)) for i, s in enumerate(t.shape)]
        outputs.append(helper.make_tensor_value_info(name, _onnx_dtype(t.dtype, f"output {name}"), dims))

    graph = helper.make_graph(g.nodes, type(model).__name__, inputs, outputs, g.initializers)
    proto = helper.make_model(graph, producer_name="minigrad", opset_imports=[helper.make_opsetid("", opset)])
    proto.ir_version = min(proto.ir_version, _IR_FOR_OPSET.get(opset, proto.ir_version))
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, path)
    _verify(proto, model, args, names_in, dynamic_batch)
    return proto


class ExportWarning(UserWarning):
    """The exported graph may not reproduce the model (as PyTorch's TracerWarning)."""


def _verify(proto: Any, model: Any, args: tuple, names_in: list[str], dynamic_batch: bool) -> None:
    """When onnxruntime is installed: run the file on a second input (other values, and one more row
    when the batch is dynamic) and warn if it disagrees with the model, the sign of a value the trace
    froze (computed through ``.numpy()``/``.item()``, random, or sized by the example's batch)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return
    from minigrad._grad_mode import no_grad

    rng = np.random.default_rng(0)
    second = []
    for a in args:
        arr = a.numpy()
        if dynamic_batch and arr.ndim:
            arr = np.concatenate([arr, arr[:1]])
        if arr.dtype.kind == "f":
            arr = (arr + 0.1 * rng.standard_normal(arr.shape)).astype(arr.dtype)
        elif arr.ndim and len(arr) > 1:
            arr = arr[::-1].copy()
        second.append(arr)
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            want = [t.numpy() for t in _as_tuple(model(*(Tensor(x) for x in second)))]
    finally:
        for m, flag in flags:
            m.training = flag
    try:
        session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        got = session.run(None, dict(zip(names_in, second)))
    except Exception as exc:  # onnxruntime's own errors (shapes frozen at the example's batch size, ...)
        warnings.warn(
            f"onnx export: the exported graph fails in onnxruntime on a second input of shapes "
            f"{[x.shape for x in second]}: {exc}",
            ExportWarning,
            stacklevel=3,
        )
        return
    for i, (g, w) in enumerate(zip(got, want)):
        scale = float(np.abs(w).max()) if w.size else 0.0
        if g.shape != w.shape or not np.allclose(g, w, rtol=1e-3, atol=1e-4 * max(scale, 1.0), equal_nan=True):
            warnings.warn(
                f"onnx export: output {i} of the exported graph differs from the model's on a second "
                "input: the forward computes something the trace froze to a constant (a value taken "
                "through .numpy()/.item(), a random draw, or a size taken from the example input)",
                ExportWarning,
                stacklevel=3,
            )
            return


#: the newest IR version that each opset's runtimes read (onnx.helper.VERSION_TABLE), kept low for older runtimes
_IR_FOR_OPSET = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11}
