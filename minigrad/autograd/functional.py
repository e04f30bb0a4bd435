"""Higher-level derivatives of a function: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``.

Semantics of ``torch.autograd.functional``: ``inputs`` is a Tensor or a tuple of
Tensors; results mirror that structure. ``jvp`` uses the double-vjp trick
(J v = ∂/∂u ⟨Jᵀu, v⟩), so it needs no forward mode. ``strict=True`` raises when an
output does not depend on an input (where the result would be zeros); ``vectorize`` is
accepted for PyTorch's signature and changes nothing (rows are computed one by one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad._grad_mode import enable_grad
from minigrad.autograd.grad import grad
from minigrad.tensor import Tensor


def _prepare(inputs: Any, where: str, create_graph: bool = False) -> tuple[bool, tuple[Tensor, ...]]:
    is_tuple = isinstance(inputs, (tuple, list))
    xs = tuple(inputs) if is_tuple else (inputs,)
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{where}: input {i} must be a Tensor, got {type(x).__name__}")
    # fresh leaves that require grad, sharing no history with the caller's tensors; with
    # create_graph, an input that requires grad is used itself, so the result stays differentiable
    # with respect to it (as torch.autograd.functional)
    return is_tuple, tuple(
        x if create_graph and x.requires_grad else Tensor._make(x._data, x.dtype.kind in "fc") for x in xs
    )


def _outputs(func: Callable, xs: tuple, where: str) -> tuple[bool, tuple[Tensor, ...]]:
    out = func(*xs)
    is_tuple = isinstance(out, (tuple, list))
    outs = tuple(out) if is_tuple else (out,)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{where}: output {i} of the function must be a Tensor, got {type(o).__name__}")
    return is_tuple, outs


def _zeros_if_none(g: Tensor | None, like: Tensor) -> Tensor:
    return g if g is not None else Tensor._make(np.zeros(like.shape, dtype=like.dtype))


def _check_strict(strict: bool, gs: tuple, where: str) -> None:
    """``strict``: an input no output depends on is an error (PyTorch's message), not zeros."""
    if strict:
        for i, g in enumerate(gs):
            if g is None:
                raise RuntimeError(
                    f"{where}: the output of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )


def _grads(outs, xs, vs, create_graph: bool) -> tuple:
    pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    if not pairs:
        return tuple(None for _ in xs)
    return grad(
        [o for o, _ in pairs],
        xs,
        [v for _, v in pairs],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )


def _detach(t: Tensor, create_graph: bool) -> Tensor:
    return t if create_graph else Tensor._make(t._data)


def _v_tuple(v: Any, like: tuple[Tensor, ...], where: str, what: str) -> tuple[Tensor, ...]:
    if v is None:
        if len(like) == 1 and like[0]._data.size == 1:
            return (Tensor._make(np.ones_like(like[0]._data)),)
        raise RuntimeError(f"{where}: v must be given unless the {what} is a single element")
    vs = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(vs) != len(like):
        raise RuntimeError(f"{where}: v has {len(vs)} entries but the {what} has {len(like)}")
    for a, b in zip(vs, like):
        if a.shape != b.shape:
            raise RuntimeError(f"{where}: v of shape {a.shape} does not match the {what}'s shape {b.shape}")
    return vs


def _grad_of_inner_product(gs: tuple, vs: tuple, wrt: tuple, create_graph: bool) -> tuple:
    """∂/∂wrt Σᵢ ⟨gᵢ, vᵢ⟩ for gradients ``gs`` made with ``create_graph`` (None where unused)."""
    terms = [(g * v).sum() for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    if not terms:
        return (None,) * len(wrt)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return grad(total, wrt, create_graph=create_graph, allow_unused=True)


def vjp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the vector-Jacobian product."""
    with enable_grad():
        in_tuple, xs = _prepare(inputs, "vjp", create_graph)
        out_tuple, outs = _outputs(func, xs, "vjp")
        vs = _v_tuple(v, outs, "vjp", "output")
        gs = _grads(outs, xs, vs, create_graph)
        _check_strict(strict, gs, "vjp")
    res = tuple(_detach(_zeros_if_none(g, x), create_graph) for g, x in zip(gs, xs))
    outs = tuple(_detach(o, create_graph) for o in outs)
    return (outs if out_tuple else outs[0]), (res if in_tuple else res[0])


def jvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product (by the double-vjp trick)."""
    with enable_grad():
        in_tuple, xs = _prepare(inputs, "jvp", create_graph)
        out_tuple, outs = _outputs(func, xs, "jvp")
        vs = _v_tuple(v, xs, "jvp", "input")
        # u ↦ Jᵀu is linear in u; differentiating ⟨Jᵀu, v⟩ with respect to u gives J v
        us = tuple(Tensor._make(np.zeros(o.shape, dtype=o.dtype), True) for o in outs)
        gs = _grads(outs, xs, us, create_graph=True)
        _check_strict(strict, gs, "jvp")
        jv = _grad_of_inner_product(gs, vs, us, create_graph)
    res = tuple(_detach(_zeros_if_none(g, o), create_graph) for g, o in zip(jv, outs))
    outs = tuple(_detach(o, create_graph) for o in outs)
    return (outs if out_tuple else outs[0]), (res if out_tuple else res[0])


def jacobian(
    func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False
) -> Any:
    """∂func/∂inputs, shaped output.shape + input.shape (tuples mirror tuple inputs/outputs)."""
    with enable_grad():
        in_tuple, xs = _prepare(inputs, "jacobian", create_graph)
        out_tuple, outs = _outputs(func, xs, "jacobian")
        table = []
        for o in outs:
            rows: list[list[Tensor]] = [[] for _ in xs]
            for k in range(o._data.size):
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.reshape(-1)[k] = 1
                gs = _grads((o,), xs, (Tensor._make(seed),), create_graph)
                _check_strict(strict, gs, "jacobian")
                for i, (g, x) in enumerate(zip(gs, xs)):
                    rows[i].append(_zeros_if_none(g, x))
            jac = []
            for i, x in enumerate(xs):
                if rows[i]:
                    from minigrad.ops.shape import stack

                    j = stack(rows[i], 0) if create_graph else Tensor._make(np.stack([r._data for r in rows[i]]))
                    j = j.reshape(o.shape + x.shape)
                else:
                    j = Tensor._make(np.zeros(o.shape + x.shape, dtype=x.dtype))
                jac.append(_detach(j, create_graph))
            table.append(tuple(jac))
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in table)
    return table[0] if in_tuple else table[0][0]


def hessian(
    func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False
) -> Any:
    """∂²func/∂inputs² of a scalar function, shaped input.shape + input.shape."""
    in_tuple = isinstance(inputs, (tuple, list))

    def gradient(*xs: Tensor) -> Any:
        _, outs = _outputs(func, xs, "hessian")
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError("hessian: the function must return a single one-element Tensor")
        gs = grad(outs[0], xs, create_graph=True, allow_unused=True)
        _check_strict(strict, gs, "hessian")
        gs = tuple(_zeros_if_none(g, x) for g, x in zip(gs, xs))
        return gs if in_tuple else gs[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar function: the Hessian-vector product."""
    with enable_grad():
        in_tuple, xs = _prepare(inputs, "hvp", create_graph)
        _, outs = _outputs(func, xs, "hvp")
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError("hvp: the function must return a single one-element Tensor")
        vs = _v_tuple(v, xs, "hvp", "input")
        gs = grad(outs[0], xs, create_graph=True, allow_unused=True)
        _check_strict(strict, gs, "hvp")
        hv = _grad_of_inner_product(gs, vs, xs, create_graph)
    res = tuple(_detach(_zeros_if_none(g, x), create_graph) for g, x in zip(hv, xs))
    out = _detach(outs[0], create_graph)
    return out, (res if in_tuple else res[0])
