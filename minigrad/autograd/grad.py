"""``grad`` (gradients without touching ``.grad``) and gradient checking by finite differences."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad._grad_mode import enable_grad
from minigrad.autograd.engine import _root_grad, _root_node, run_backward
from minigrad.tensor import Tensor


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with the finite-difference estimate."""


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs`` (a tuple), as ``torch.autograd.grad``.

    Leaves' ``.grad`` is not touched. ``grad_outputs`` weights each output (needed
    for non-scalar outputs); ``create_graph=True`` makes the result differentiable.
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad: {len(grad_outputs)} grad_outputs given for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [_root_node(o, "grad") for o in outputs]
    root_grads = [_root_grad(o, go, "grad") for o, go in zip(outputs, grad_outputs)]
    nodes = [t.grad_fn if t.grad_fn is not None else t._grad_accumulator() for t in inputs]
    captured = run_backward(roots, root_grads, retain_graph, create_graph, capture=set(nodes), accumulate=False)
    result = []
    for i, node in enumerate(nodes):
        g = captured.get(node)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {inputs[i].shape}) appears not to have been used in the graph; "
                "set allow_unused=True if this is expected"
            )
        result.append(g)
    return tuple(result)


# ---------------------------------------------------------------------- gradient checking
def _outputs_of(fn: Callable, inputs: tuple) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    return _as_tuple(out)


def _differentiable(inputs: tuple) -> list[int]:
    return [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def _warn_precision(inputs: tuple, where: str) -> None:
    for i in _differentiable(inputs):
        if inputs[i].dtype != np.float64:
            warnings.warn(
                f"{where}: input {i} is {inputs[i].dtype}, not float64; finite differences in low "
                "precision are unreliable (use .double())",
                UserWarning,
                stacklevel=3,
            )


def _numerical_jacobian_column(fn: Callable, inputs: tuple, x: Tensor, idx: tuple, eps: float) -> list:
    """d(outputs)/d(x[idx]) by central differences (x is perturbed in place, then restored)."""
    orig = x._data[idx].item()
    with enable_grad():  # as torch: fn may register hooks on its intermediates
        x._data[idx] = orig + eps
        plus = [o._data.astype(np.float64).copy() for o in _outputs_of(fn, inputs)]
        x._data[idx] = orig - eps
        minus = [o._data.astype(np.float64).copy() for o in _outputs_of(fn, inputs)]
        x._data[idx] = orig
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
) -> bool:
    """Compare the analytic Jacobian of ``fn`` with central finite differences.

    Element by element: for each input that requires grad and each of its elements,
    J[:, k] ≈ (f(x + ε eₖ) − f(x − ε eₖ)) / 2ε against the rows autograd gives.
    ``fast_mode``: compare uᵀ J v along random directions instead (cheap at any size).
    Returns True, or raises :class:`GradcheckError` naming the output, the input, the
    element and both values (returns False with ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    _warn_precision(inputs, "gradcheck")
    diff = _differentiable(inputs)
    if not diff:
        raise ValueError("gradcheck: no input requires grad")
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        return _fail(
            f"gradcheck: eps must be a positive finite step for the finite differences, got {eps!r}", raise_exception
        )
    outputs = _outputs_of(fn, inputs)
    if fast_mode:
        return _fast_check(fn, inputs, outputs, diff, eps, atol, rtol, raise_exception)
    for oi, out in enumerate(outputs):
        for ii in diff:
            x = inputs[ii]
            # analytic Jacobian of this output w.r.t. this input, one output element at a time
            analytic = np.zeros((out._data.size, x._data.size))
            if out.requires_grad:
                for k in range(out._data.size):
                    seed = np.zeros(out.shape, dtype=out.dtype)
                    seed.reshape(-1)[k] = 1
                    (g,) = grad(out, x, grad_outputs=Tensor._make(seed), retain_graph=True, allow_unused=True)
                    if g is not None:
                        analytic[k] = g._data.reshape(-1)
            for k, idx in enumerate(np.ndindex(*x.shape)):
                numeric = _numerical_jacobian_column(fn, inputs, x, idx, eps)[oi].reshape(-1)
                a = analytic[:, k]
                # NaN or inf on either side is a mismatch: gradcheck never passes what it can't verify
                bad = ~np.isclose(a, numeric, rtol=rtol, atol=atol) | ~np.isfinite(a) | ~np.isfinite(numeric)
                if bad.any():
                    j = int(np.argmax(bad))
                    out_idx = np.unravel_index(j, out.shape) if out.ndim else ()
                    return _fail(
                        f"Jacobian mismatch for output {oi} with respect to input {ii}, "
                        f"input element {idx}, output element {tuple(int(i) for i in out_idx)}: "
                        f"numerical {numeric[j]:.10g} vs analytic {a[j]:.10g} "
                        f"(atol={atol}, rtol={rtol})",
                        raise_exception,
                    )
    return True


def _fast_check(fn, inputs, outputs, diff, eps, atol, rtol, raise_exception) -> bool:
    rng = np.random.default_rng(0)
    us = [rng.standard_normal(o.shape) for o in outputs]
    for ii in diff:
        x = inputs[ii]
        v = rng.standard_normal(x.shape)
        v /= max(np.linalg.norm(v), 1e-12)
        # analytic: Σ_o u_oᵀ J_o v = (Σ_o J_oᵀ u_o) · v
        analytic = 0.0
        for o, u in zip(outputs, us):
            if o.requires_grad:
                (g,) = grad(o, x, grad_outputs=Tensor._make(u.astype(o.dtype)), retain_graph=True, allow_unused=True)
                if g is not None:
                    analytic += float(np.sum(g._data * v))
        orig = x._data.copy()
        with enable_grad():
            x._data[...] = orig + eps * v
            plus = [o._data.astype(np.float64) for o in _outputs_of(fn, inputs)]
            x._data[...] = orig - eps * v
            minus = [o._data.astype(np.float64) for o in _outputs_of(fn, inputs)]
            x._data[...] = orig
        numeric = sum(float(np.sum(u * (p - m) / (2 * eps))) for u, p, m in zip(us, plus, minus))
        finite = math.isfinite(analytic) and math.isfinite(numeric)
        if not finite or abs(analytic - numeric) > atol + rtol * abs(numeric):
            return _fail(
                f"Jacobian mismatch (fast mode) with respect to input {ii}: along a random direction "
                f"numerical uᵀJv = {numeric:.10g} vs analytic {analytic:.10g} (atol={atol}, rtol={rtol})",
                raise_exception,
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
) -> bool:
    """Check second derivatives: gradcheck of (inputs, v) ↦ vᵀ ∂fn/∂inputs, built with ``create_graph``.

    ``grad_outputs`` (the v) default to fixed random tensors, which are checked as inputs too.
    """
    inputs = _as_tuple(inputs)
    _warn_precision(inputs, "gradgradcheck")
    diff = _differentiable(inputs)
    outputs = _outputs_of(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = tuple(
            Tensor(rng.standard_normal(o.shape).astype(o.dtype), requires_grad=o.requires_grad) for o in outputs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivatives(*args: Any) -> tuple:
        with enable_grad():  # also when the caller runs it under no_grad
            return _first_derivatives(*args)

    def _first_derivatives(*args: Any) -> tuple:
        xs, vs = args[:n_in], args[n_in:]
        outs = _outputs_of(fn, xs)
        pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
        if not pairs:
            return ()
        gs = grad(
            [o for o, _ in pairs], [xs[i] for i in diff], [v for _, v in pairs], create_graph=True, allow_unused=True
        )
        return tuple(g if g is not None else Tensor._make(np.zeros(xs[i].shape, xs[i].dtype)) for g, i in zip(gs, diff))

    return gradcheck(
        first_derivatives,
        inputs + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        fast_mode=fast_mode,
    )
