"""Backward: an iterative topological walk over the graph (Kahn's algorithm).

1. From the roots, count for every node how many edges lead into it.
2. A node is ready when all its consumers have sent their gradient; the walk
   pops a ready node, runs its hooks, calls its rule
   ``node.backward(total_grad, *node.saved(tensors))`` and sends each input's
   share to the input's node (summed down to the input's shape and cast to its
   dtype here, in one place).
3. At a leaf (``AccumulateGrad``) the gradient is added into ``.grad`` (a leaf's
   only gradient once the walk is done, all of them under one lock).

No recursion: a chain of 100 000 ops is fine. Unless ``create_graph`` the walk
moves NumPy arrays: gradients and saved values reach the rules as arrays, and
grad mode is off. With ``create_graph`` they are Tensors and grad mode is on,
so the rules' operators record a graph: higher derivatives come for free.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import filterfalse
from typing import Any, NoReturn

import numpy as np

from minigrad._grad_mode import _state
from minigrad.autograd.broadcast import sum_to_array
from minigrad.tensor import Tensor

_make = Tensor._make  # bound once (see function.py)
_ONES: dict = {}  # (shape, dtype) -> a read-only array of ones: the implicit gradient of a scalar output


def _root_grad(output: Tensor, gradient: Any, where: str) -> Tensor:
    if gradient is None:
        out = output._data
        if out.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        key = (out.shape, out.dtype)
        one = _ONES.get(key)
        if one is None:  # rules never write into their incoming gradient; read-only makes sure
            one = _ONES[key] = np.ones(out.shape, out.dtype)
            one.flags.writeable = False
        return Tensor._make(one)
    if isinstance(gradient, Tensor):
        g = gradient
    else:
        g = Tensor._make(np.asarray(gradient, dtype=output.dtype))
    if g.shape != output.shape:
        raise RuntimeError(
            f"{where}: mismatch in shape: the gradient has shape {g.shape} but the output has shape {output.shape}"
        )
    if g.dtype != output.dtype:
        g = g.astype(output.dtype)
    return g


def _root_node(t: Tensor, where: str) -> Any:
    if not t.requires_grad:
        raise RuntimeError(
            f"{where}: element of tensors does not require grad and does not have a grad_fn "
            "(was it computed under no_grad, or from tensors with requires_grad=False?)"
        )
    return t.grad_fn if t.grad_fn is not None else t._grad_accumulator()


def backward(
    tensor: Tensor,
    gradient: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
) -> None:
    """``tensor.backward(...)``: accumulate gradients into the leaves' ``.grad``."""
    root = _root_node(tensor, "backward")
    g = _root_grad(tensor, gradient, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward([root], [g], retain_graph, create_graph)
        return
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    nodes = [t.grad_fn if t.grad_fn is not None else t._grad_accumulator() for t in inputs]
    captured = run_backward([root], [g], retain_graph, create_graph, capture=set(nodes), accumulate=False)
    for t, node in zip(inputs, nodes):
        if node in captured:
            gt = captured[node]
            _accumulate_into(t, gt if create_graph else gt._data, False, not create_graph)


# Gradients into one leaf from two threads' backward passes: the read-modify-write of .grad
# (NumPy releases the GIL inside np.add) is guarded, as PyTorch's AccumulateGrad is.
_LEAF_LOCK = threading.Lock()


def _accumulate_into(t: Tensor, g: Any, owned: bool, arrays: bool) -> None:
    """``t.grad += g`` (thread-safe)."""
    with _LEAF_LOCK:
        _add_into_grad(t, g, owned, arrays)


def _add_into_grad(t: Tensor, g: Any, owned: bool, arrays: bool) -> None:
    """``t.grad += g``: takes ``g`` itself when nobody else holds it, adds in place when safe."""
    old = t._grad
    if not arrays:  # create_graph: gradients are graph Tensors, never changed in place
        t._grad = g if old is None else old + g
    elif old is None:
        t._grad = Tensor._make(g if owned else g.copy())
    elif old.requires_grad or not old._data.flags.writeable:
        t._grad = Tensor._make(_sum(old._data, g))
    else:
        np.add(old._data, g, out=old._data, casting="unsafe")


def run_backward(
    roots: list,
    root_grads: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: set | None = None,
    accumulate: bool = True,
) -> dict:
    """Walk the graph from ``roots`` (nodes) with their gradients: the module docstring's steps.

    ``capture``: nodes whose total incoming gradient is returned, as Tensors (``autograd.grad``).
    ``accumulate``: whether leaves' ``.grad`` is updated.
    Without ``create_graph`` the walk moves plain arrays and backward rules run on them.
    """
    tensors = create_graph  # the form of gradients and saved values: Tensors, or else arrays
    unique_roots = list(dict.fromkeys(roots)) if len(roots) > 1 else roots
    walk = _Walk(_count_edges(unique_roots), not tensors, capture, accumulate)  # 1.
    for node, g in zip(roots, root_grads):
        _add_to_buffer(walk.buffers, node, g if tensors else g._data, False, not tensors)
    ready = list(filterfalse(walk.deps.__contains__, unique_roots))  # the roots no other root leads to
    buffers, anomaly = walk.buffers, _state.anomaly
    prev_enabled = _state.enabled
    _state.enabled = create_graph  # the rules' Tensor ops record a graph only for create_graph
    try:
        while ready:  # 2.
            node = ready.pop()
            entry = buffers.pop(node, None)
            if entry is None:  # no gradient reached this node: just release its inputs' counts
                walk.deliver(node, (None,) * len(node.parents), None, ready)
                continue
            g, owned = entry
            if node._hooks or node._retained or capture:
                g, owned = _observe(node, g, owned, not tensors, capture, walk.captured)
            if node.is_accumulator:  # 3. (a leaf with several gradients, or hooks)
                if accumulate:
                    _accumulate_into(node.variable, g, owned, not tensors)
                continue
            # the rule, on the total gradient and the values the op saved
            grads = node.backward(g, *node.saved(tensors)) if node.saves else node.backward(g)
            if type(grads) is not tuple:  # a one-input op's lone gradient
                grads = (grads,)
            if len(grads) != len(node.parents):
                _refuse_count(node, grads)
            if not retain_graph:
                node.release()
            if anomaly:
                _check_finite(node, grads)
            walk.deliver(node, grads, g, ready)  # 3.
    finally:
        _state.enabled = prev_enabled
    walk.deliver_to_leaves()  # 3. (the leaves' only gradients)
    return walk.captured


def _count_edges(roots: list) -> dict:
    """Step 1: how many edges enter each node from the nodes reachable from ``roots``."""
    deps: dict = {}
    stack = list(roots)
    is_root = set(stack)
    while stack:
        for p in stack.pop().parents:
            if p is not None:
                if p in deps:
                    deps[p] += 1
                else:  # first visit
                    deps[p] = 1
                    if p not in is_root:
                        stack.append(p)
    return deps


def _refuse_count(node: Any, grads: tuple) -> NoReturn:
    """A rule returned too few or too many gradients (or a list, now the one element of ``grads``)."""
    if len(grads) == 1 and type(grads[0]) is list:
        _refuse_list(node)
    raise RuntimeError(
        f"function {node.name} returned an incorrect number of gradients (expected {len(node.parents)}, "
        f"got {len(grads)})"
    )


def _refuse_list(node: Any) -> NoReturn:
    raise RuntimeError(f"function {node.name} returned a list of gradients; return a tuple (one per input)")


class _Walk:
    """What one backward pass carries from node to node: dependency counts, gradient buffers, and
    the gradients bound for leaves."""

    __slots__ = ("deps", "buffers", "arrays", "capture", "captured", "direct", "leaves", "sinks")
    captured: dict[Any, Any]  # node -> the gradient it received (for autograd.grad's captured nodes)

    def __init__(self, deps: dict, arrays: bool, capture: set | None, accumulate: bool) -> None:
        self.deps, self.arrays, self.capture = deps, arrays, capture
        # gradient buffers: node -> [total gradient so far, whether that array is ours to add into]
        self.buffers: dict = {}
        self.captured = {}
        self.direct = capture is None and accumulate  # a leaf's only gradient may go straight into .grad
        self.leaves: list = []  # (leaf, its only gradient, whether that array is ours), added at the end
        self.sinks = (deps, self.buffers, arrays, self.direct)  # what deliver reads, in one attribute

    def deliver(self, node: Any, grads: tuple, g: Any, ready: list) -> None:
        """Step 3: each input's gradient, fitted to it (``_fit_*``), into its node's buffer, or
        into ``leaves`` when it is a leaf's only one; a node whose last consumer has now sent its
        gradient becomes ready."""
        deps, buffers, arrays, direct = self.sinks
        for p, gi in zip(node.parents, grads):
            if p is None:
                continue
            if gi is not None:
                if arrays:
                    if type(gi) is not np.ndarray or gi.dtype is not p.dtype or gi.shape != p.shape:
                        gi = _fit_array(gi, p, node, grads)
                    # an array this rule just made belongs to nobody else (views and
                    # passed-on gradients might be shared)
                    fresh = gi is not g and gi.base is None
                else:
                    if type(gi) is not Tensor or gi.dtype != p.dtype or gi.shape != p.shape:
                        gi = _fit_tensor(gi, p, node, grads)
                    fresh = False
                if direct and p.is_accumulator and deps[p] == 1 and p not in buffers and not p.variable._hooks:
                    self.leaves.append((p.variable, gi, fresh))  # no trip through `ready`
                    continue
                if p not in buffers:
                    buffers[p] = [gi, fresh]
                else:
                    _add_to_buffer(buffers, p, gi, fresh, arrays)
            d = deps[p] - 1
            deps[p] = d
            if d == 0:
                ready.append(p)

    def deliver_to_leaves(self) -> None:
        """Step 3 for the leaves' only gradients, into ``.grad``: the array itself when nobody else holds it."""
        arrays = self.arrays
        with _LEAF_LOCK:
            for t, g, fresh in self.leaves:
                if fresh and t._grad is None:  # the common case
                    t._grad = _make(g)
                else:
                    _add_into_grad(t, g, fresh, arrays)


# ------------------------------------------------------------------ what a rule returns
# A rule returns one gradient per input (None where an input needs none). Each is checked and
# fitted to its input here, in one place: an array (or Tensor) of the input's dtype and shape,
# with the dims that broadcasting added or stretched summed away.
def _bad_gradient(node: Any, grads: tuple, gi: Any, what: str, expected: Any) -> RuntimeError:
    """The error for gradient ``gi``, one of what a rule returned (``grads``): names the op and the index."""
    i = next((k for k, h in enumerate(grads) if h is gi), 0)  # found here: the walk itself carries no index
    return RuntimeError(
        f"function {node.name} returned an invalid gradient at index {i} - got {what} but expected {expected}"
    )


def _fit_shape(shape: tuple, p: Any, node: Any, grads: tuple, gi: Any) -> None:
    """A gradient's shape must be its input's, or one the input broadcast to in the forward."""
    try:
        ok = np.broadcast_shapes(shape, p.shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise _bad_gradient(node, grads, gi, f"shape {shape}", f"shape compatible with {p.shape}")


def _fit_array(gi: Any, p: Any, node: Any, grads: tuple) -> np.ndarray:
    """The array path: ``gi`` (one of ``grads``) as an ndarray of ``p``'s dtype and shape."""
    given = gi
    if type(gi) is not np.ndarray:
        if type(gi) is list:
            _refuse_list(node)
        if isinstance(gi, Tensor):
            gi = gi._data
        elif isinstance(gi, (np.ndarray, np.generic, int, float)):
            gi = np.asarray(gi)
        else:
            raise _bad_gradient(node, grads, given, f"a {type(gi).__name__}", "an array, a Tensor or None")
    if gi.dtype != p.dtype:
        gi = gi.astype(p.dtype)
    if gi.shape != p.shape:
        _fit_shape(gi.shape, p, node, grads, given)
        gi = np.asarray(sum_to_array(gi, p.shape))  # a sum to shape () gives a NumPy scalar
    return gi


def _fit_tensor(gi: Any, p: Any, node: Any, grads: tuple) -> Tensor:
    """The create_graph path: ``gi`` (one of ``grads``) as a Tensor of ``p``'s dtype and shape (recorded ops)."""
    given = gi
    if not isinstance(gi, Tensor):
        if type(gi) is list:
            _refuse_list(node)
        if isinstance(gi, (np.ndarray, np.generic, int, float)):
            gi = Tensor._make(np.asarray(gi))  # a constant: it depends on nothing differentiable
        else:
            raise _bad_gradient(node, grads, given, f"a {type(gi).__name__}", "a Tensor or None")
    if gi.dtype != p.dtype:
        gi = gi.astype(p.dtype)
    if gi.shape != p.shape:
        _fit_shape(gi.shape, p, node, grads, given)
        gi = gi.sum_to(p.shape)
    return gi


def _observe(node: Any, g: Any, owned: bool, arrays: bool, capture: set | None, captured: dict) -> tuple:
    """Run a node's gradient hooks, fill retained ``.grad``s and capture for ``autograd.grad``."""
    t = Tensor._make(g) if arrays else g
    if node._hooks:
        for hook in list(node._hooks.values()):
            new = hook(t)
            if new is not None:
                t, owned = _check_hook_result(new, t, node), False
    if node._retained:
        for ref in node._retained:
            r = ref()
            if r is not None:
                _accumulate_into(r, t._data if arrays else t, False, arrays)
    if capture and node in capture:
        captured[node] = t
    return (t._data if arrays else t), owned


def _add_to_buffer(buffers: dict, node: Any, g: Any, fresh: bool, arrays: bool) -> None:
    entry = buffers.get(node)
    if entry is None:
        buffers[node] = [g, fresh]
    elif not arrays:
        entry[0] = entry[0] + g
    elif entry[1]:
        np.add(entry[0], g, out=entry[0])
    else:
        entry[0] = _sum(entry[0], g)  # a new array, now ours to add into
        entry[1] = True


def _sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b as a new ndarray (NumPy gives a scalar for 0-d operands, which can't be added into)."""
    s = a + b
    return s if type(s) is np.ndarray else np.asarray(s)


def _check_hook_result(new: Any, g: Tensor, node: Any) -> Tensor:
    if not isinstance(new, Tensor):
        raise TypeError(f"a gradient hook on {node.name} returned {type(new).__name__}; return a Tensor or None")
    if new.shape != g.shape:
        raise RuntimeError(
            f"a gradient hook on {node.name} returned shape {new.shape}, but the gradient has shape {g.shape}"
        )
    if new.dtype != g.dtype:
        raise RuntimeError(
            f"a gradient hook on {node.name} has changed the type of the gradient: it returned {new.dtype}, "
            f"the gradient is {g.dtype}"
        )
    return new


def _check_finite(node: Any, grads: tuple) -> None:
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = np.asarray(gi._data if isinstance(gi, Tensor) else gi)
        if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
            what = "nan" if np.isnan(arr).any() else "inf"
            where = "".join(node._trace[-6:]) if node._trace else "(no forward trace recorded)\n"
            raise RuntimeError(
                f"detect_anomaly: function '{node.name}' returned {what} values in its gradient for input {i}. "
                f"The forward op that made it was called from:\n{where}"
            )
