"""PyTorch's custom-function protocol: ``class P3(mg.autograd.Function)`` with a ``ctx``.

    class Exp(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    y = Exp.apply(x)

``forward`` runs on Tensors without recording; ``apply`` then records one node per output
whose backward calls the user's ``backward`` with Tensors (so a backward made of
differentiable ops supports ``create_graph=True``). What ``backward`` returns is checked by
the engine like every rule's: one gradient (or None) per input of ``forward``, each of its
input's shape or one that broadcasts to it (summed down).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._grad_mode import _state, no_grad
from minigrad.autograd.function import Function as _Op
from minigrad.autograd.function import once_differentiable
from minigrad.tensor import Tensor


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors (version-checked) and any attributes."""

    def __init__(self, fn_name: str, needs_input_grad: tuple[bool, ...]) -> None:
        self._fn_name = fn_name
        self.needs_input_grad = needs_input_grad
        self._saved: tuple | None = ()
        self._saved_versions: tuple = ()
        self._non_differentiable: set = set()
        self._dirty: set = set()
        self.materialize_grads = True
        self._live_nodes = 0

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"{self._fn_name}: save_for_backward takes Tensors or None, got "
                    f"{type(t).__name__} at position {i}; store other values as ctx attributes"
                )
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._current_version() for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``; refuses if one was changed in place since."""
        if self._saved is None:
            raise RuntimeError(
                f"{self._fn_name}: trying to backward through the graph a second time (or to use saved tensors "
                "after they were freed); pass retain_graph=True to the first backward() if you need to"
            )
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._current_version() != v:
                raise RuntimeError(
                    f"one of the tensors needed for gradient computation has been modified by an in-place "
                    f"operation: saved tensor {i} of {self._fn_name}Backward (shape {t.shape}) is at version "
                    f"{t._current_version()}, expected version {v}"
                )
        return self._saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """These outputs get no gradient (e.g. indices): they won't require grad."""
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """``forward`` changed these inputs in place (and returns them)."""
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """``False``: outputs that got no gradient are passed to ``backward`` as None, not zeros."""
        self.materialize_grads = bool(value)


class _CustomBackward(_Op):
    """The node of one output of a custom Function: calls the user's ``backward`` with this
    output's gradient (and zeros, or None, for the other outputs; backward is linear in them)."""

    # set by ``Function.apply`` (annotations only: no class attributes)
    ctx: FunctionCtx
    fn: type[Function]  # the user's Function subclass
    index: int  # which output of forward this node is
    n_outputs: int
    out_meta: list[tuple[tuple[int, ...], np.dtype]]  # every output's (shape, dtype)
    tensor_args: tuple[bool, ...]  # which inputs of forward were Tensors
    once: bool  # backward is once_differentiable

    def backward(self, g: Any) -> Any:
        ctx, fn = self.ctx, self.fn
        create_graph = isinstance(g, Tensor)  # the engine passes arrays without create_graph
        if not create_graph:  # the user's backward takes Tensors all the same
            g = Tensor._make(g)
        grads_out: list[Tensor | None] = [None] * self.n_outputs
        grads_out[self.index] = g
        if ctx.materialize_grads:
            grads_out = [
                gi if gi is not None else Tensor._make(np.zeros(s, d)) for gi, (s, d) in zip(grads_out, self.out_meta)
            ]
        if self.once and create_graph:
            with no_grad():
                result = fn.backward(ctx, *grads_out)
            result = _refuse_second_order(result, self.name)
        else:
            result = fn.backward(ctx, *grads_out)
        if isinstance(result, list):
            return result  # the engine refuses it, naming this function
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.parents)
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]  # trailing Nones for extra inputs are fine, as in PyTorch
        for i, (r, arg_is_tensor) in enumerate(zip(result, self.tensor_args)):
            if r is not None and not arg_is_tensor:
                raise RuntimeError(
                    f"function {self.name} returned a gradient different from None at position "
                    f"{i}, but the corresponding forward input was not a Tensor"
                )
        return result

    def release(self) -> None:
        ctx = self.ctx
        ctx._live_nodes -= 1
        if ctx._live_nodes <= 0:
            ctx._saved = None
        self._released = True


class _Refuse(_Op):
    """Stands after a ``once_differentiable`` backward: differentiating through it again raises."""

    # parameters (apply's keyword arguments)
    what: str  # the custom Function's name

    def forward(self, x):
        return x

    def backward(self, g):
        raise RuntimeError(
            f"trying to differentiate twice a function that was marked with @once_differentiable ({self.what})"
        )


def _refuse_second_order(result: Any, name: str) -> Any:
    parts = result if isinstance(result, tuple) else (result,)
    out = tuple(_Refuse.apply(Tensor._make(r._data, True), what=name) if isinstance(r, Tensor) else r for r in parts)
    return out if isinstance(result, tuple) else out[0]


class Function:
    """Base class of custom differentiable functions, with PyTorch's protocol.

    Subclasses define ``@staticmethod forward(ctx, *args, **kwargs)`` and
    ``@staticmethod backward(ctx, *grad_outputs)`` on Tensors and are called as
    ``MyFn.apply(*args)``; never instantiated.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            f"{type(self).__name__}: call {type(self).__name__}.apply(...), not the class itself "
            "(custom Functions use static forward/backward methods)"
        )

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a custom Function must define @staticmethod forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Tensor | None) -> Any:
        raise NotImplementedError("a custom Function must define @staticmethod backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, when an input requires grad, record it on the graph."""
        name = cls.__name__
        record = _state.enabled
        tensor_args = tuple(isinstance(a, Tensor) for a in args)
        needs = tuple(t and record and a.requires_grad for t, a in zip(tensor_args, args))
        # the nodes the inputs' gradients go to, taken before forward (which may change inputs in place)
        parents = tuple((a.grad_fn or a._grad_accumulator()) if n else None for a, n in zip(args, needs))
        ctx = FunctionCtx(name, needs)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(result, tuple)
        outs = list(result) if is_tuple else [result]
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) not in ctx._dirty and any(o is a for a in args):
                outs[i] = Tensor._make(o._data)  # an input returned as it is: a new tensor on its memory
                outs[i]._base = o if o._base is None else o._base
        if any(needs):
            out_meta = [(o.shape, o.dtype) if isinstance(o, Tensor) else ((), np.dtype(np.float64)) for o in outs]
            once = getattr(cls.backward, "_once_differentiable", False)
            for i, o in enumerate(outs):
                if not isinstance(o, Tensor) or id(o) in ctx._non_differentiable or o.dtype.kind not in "fc":
                    continue
                if id(o) in ctx._dirty and o.requires_grad and o.grad_fn is None:
                    raise RuntimeError(
                        f"{name}: a leaf tensor that requires grad was modified in place by forward (mark_dirty)"
                    )
                node = object.__new__(_CustomBackward)
                node.name = f"{name}Backward"
                node.parents, node.shape, node.dtype = parents, o.shape, o.dtype
                node.ctx, node.fn, node.index, node.n_outputs = ctx, cls, i, len(outs)
                node.out_meta, node.tensor_args, node.once = out_meta, tensor_args, once
                if _state.module is not None:
                    node.module = _state.module
                ctx._live_nodes += 1
                o.grad_fn, o.requires_grad = node, True
        return tuple(outs) if is_tuple else outs[0]


__all__ = ["Function", "FunctionCtx", "once_differentiable"]
