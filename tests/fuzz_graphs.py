"""Random computation graphs for differential fuzzing of minigrad's autograd.

A graph is a *program*: straight-line Python written against a library namespace
``lib`` (``minigrad`` or ``torch``) and ``F`` (its ``nn.functional``), so the very same
text runs under both and prints as a ready reproducer::

    x0 = lib.tensor([[0.52, -1.3]], dtype=lib.float64, requires_grad=True)
    v1 = x0.sum(dim=1, keepdim=True)
    v2 = x0 * v1
    v2[0][1] = 0.5              # an in-place write through a view
    loss = (v2 * lib.tensor([[0.3, -1.1]], dtype=lib.float64)).sum()

Every step also carries a NumPy "shadow" of itself. The generator runs the shadow as
it goes, so it knows every intermediate value and keeps ops in their safe domains
(log and sqrt of positive values, relu/abs away from 0, no near-ties for max/min or
maximum/minimum, clamp bounds between values, bounded magnitudes). The shadow is
also the oracle when torch is not installed: forward values against it, first
derivatives against its central finite differences, second derivatives against
finite differences of minigrad's own first derivatives.

:func:`check_program` runs a program and raises :class:`FuzzFailure` (with the
program) on the first disagreement; :func:`generate` makes a program from any
``random.Random``-like source (a seeded ``random.Random``, or hypothesis's
``st.randoms()``, which lets hypothesis shrink a failing program).

Run a survey from the project root (it groups failures by class and shows the
smallest program of each)::

    python tests/fuzz_graphs.py --graphs 1000                   # everything
    python tests/fuzz_graphs.py --graphs 1000 --no-inplace      # no in-place updates, no view writes
    python tests/fuzz_graphs.py --graphs 1000 --no-view-writes  # in-place updates, but no writes through views
    python tests/fuzz_graphs.py --seed 17 --show                # print (and check) one program
    python tests/fuzz_graphs.py --graphs 500 --oracle fd        # finite differences, as without torch
    python tests/fuzz_graphs.py --shrink "ELUBackward" --no-view-writes  # hypothesis-shrinks a failure class

A survey names each failure class by what went wrong: "minigrad raised in backward: ...",
".grad of xN ... differs", "second derivative ... differs", or for wrong forward values the
step after which they first go wrong (found by replaying ever longer prefixes), e.g.
"forward value of its base differs after the in-place `vN op= …` on `vN = vN[…]`".
The in-place and view-write features are switches (``Features``, ``--no-inplace``,
``--no-view-writes``), so a run can leave them out to look at the rest.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

import numpy as np

MAX_NUMEL = 24  # elements per tensor: keeps graphs fast and finite differences cheap
BOUND = 50.0  # ops that grow values (mul, exp, pow, matmul) only apply to inputs within this bound
MARGIN = 0.05  # distance kept from kinks (0 for relu/abs, clamp bounds) and between max/min candidates
PROGRAM_FILE = "<fuzz graph>"


@dataclass(frozen=True)
class Features:
    """What the generator may use; the lead can switch the in-place parts off to isolate bugs."""

    inplace: bool = True  # in-place updates of non-leaves: h *= 2, h += x, h[i] = v, h[mask] *= 0
    view_writes: bool = True  # writes through views: h[0][1] = v, row = h[0]; row += 1, h.T[0] = v
    second_order: bool = True  # autograd.grad(create_graph=True), then differentiate again
    max_steps: int = 14

    def flags(self) -> str:
        """The command-line switches of ``python tests/fuzz_graphs.py`` that select these features."""
        out = []
        if not self.inplace:
            out.append("--no-inplace")
        elif not self.view_writes:
            out.append("--no-view-writes")
        if not self.second_order:
            out.append("--first-order")
        if self.max_steps != Features.max_steps:
            out.append(f"--max-steps {self.max_steps}")
        return " ".join(out)

    def describe(self) -> str:
        on = [n for n in ("inplace", "view_writes", "second_order") if getattr(self, n)]
        return ", ".join(on) or "core ops only"


# ---------------------------------------------------------------------------- program
@dataclass
class Leaf:
    name: str
    value: np.ndarray
    requires_grad: bool

    def code(self) -> str:
        rg = ", requires_grad=True" if self.requires_grad else ""
        return f"{self.name} = lib.tensor({fmt_array(self.value)}, dtype=lib.float64{rg})"


@dataclass
class Step:
    code: str  # one or more lines of Python
    run: Callable[[dict], None]  # the same on NumPy arrays in an env of name -> array


@dataclass
class Program:
    leaves: list[Leaf]
    steps: list[Step]
    var_names: list[str]  # every intermediate name, in order of creation ("loss" last)
    retain_graph: bool
    second_weights: dict[str, np.ndarray]  # per leaf that requires grad: the w in s = Σ (g·w).sum()
    features: Features
    label: str = ""
    seed: int | None = None  # when made by generate_seeded: reproduce with --seed
    _code: Any = field(default=None, repr=False)

    @property
    def grad_leaves(self) -> list[Leaf]:
        return [leaf for leaf in self.leaves if leaf.requires_grad]

    def body(self, steps: int | None = None) -> str:
        return "\n".join(step.code for step in self.steps[:steps])

    def code_object(self, steps: int | None = None) -> Any:
        if steps is not None:
            return compile(self.body(steps), PROGRAM_FILE, "exec")
        if self._code is None:
            self._code = compile(self.body(), PROGRAM_FILE, "exec")
        return self._code

    def defining_step(self, name: str) -> str:
        return next((st.code for st in self.steps if st.code.startswith(f"{name} = ")), f"{name} (a leaf)")

    def source(self) -> str:
        """The whole program and its checks, runnable with minigrad (or torch: swap the imports)."""
        names = [leaf.name for leaf in self.grad_leaves]
        lines = [
            f"# fuzz graph {self.label} ({self.features.describe()})".replace("  ", " "),
            "import minigrad as lib  # the same code runs with: import torch as lib",
            "import minigrad.nn.functional as F  # (torch.nn.functional)",
            *[leaf.code() for leaf in self.leaves],
            self.body(),
            "# checks (each on a fresh build of the lines above):",
        ]
        if self.retain_graph:
            lines.append("loss.backward(retain_graph=True); loss.backward()  # .grad is twice the gradient")
        else:
            lines.append("loss.backward()")
        lines.append(f"gs = lib.autograd.grad(loss, [{', '.join(names)}], create_graph=True, allow_unused=True)")
        if self.features.second_order:
            terms = [
                f"(gs[{i}] * lib.tensor({fmt_array(self.second_weights[n])}, dtype=lib.float64)).sum()"
                for i, n in enumerate(names)
            ]
            lines.append("s = " + " + ".join(terms) + "  # over the gs that require grad")
            lines.append(f"lib.autograd.grad(s, [{', '.join(names)}], allow_unused=True)")
        return "\n".join(lines)

    def shadow(self, values: dict[str, np.ndarray] | None = None, steps: int | None = None) -> dict[str, np.ndarray]:
        """Run the NumPy shadow (the first ``steps``); ``values`` replaces leaf values (for finite differences)."""
        env = {
            leaf.name: np.array(leaf.value if values is None else values[leaf.name], dtype=np.float64)
            for leaf in self.leaves
        }
        for step in self.steps[:steps]:
            step.run(env)
        return env


# ---------------------------------------------------------------------------- formatting
def fmt_num(x: float) -> str:
    return repr(round(float(x), 2))


def fmt_array(a: np.ndarray) -> str:
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = np.round(a, 2)
    return repr(a.tolist())


def fmt_index(parts: tuple) -> str:
    """``parts`` (ints, slices, None, Ellipsis, int or bool arrays) as the text inside ``[...]``."""
    out = []
    for p in parts:
        if p is None:
            out.append("None")
        elif p is Ellipsis:
            out.append("...")
        elif isinstance(p, slice):
            text = ("" if p.start is None else str(p.start)) + ":" + ("" if p.stop is None else str(p.stop))
            out.append(text + (f":{p.step}" if p.step not in (None, 1) else ""))
        elif isinstance(p, np.ndarray):
            out.append(f"lib.tensor({fmt_array(p)})")
        else:
            out.append(str(int(p)))
    return ", ".join(out) if out else "()"


def as_view_index(parts: tuple) -> tuple:
    """A NumPy index that returns a view even when every part is an int (torch's ``t[1]`` is a 0-d view)."""
    if any(isinstance(p, np.ndarray) for p in parts) or Ellipsis in parts:
        return tuple(parts)
    return tuple(parts) + (Ellipsis,)


# ---------------------------------------------------------------------------- NumPy shadows of ops
def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_relu(x):
    return np.maximum(x, 0.0)


def np_elu(x, alpha=0.7):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def np_leaky(x, slope=0.1):
    return np.where(x > 0, x, slope * x)


def np_logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def np_softmax(x, dim):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def np_log_softmax(x, dim):
    if x.ndim == 0:
        return np.zeros_like(x)
    return x - np_logsumexp(x, dim, True)


UNARY = [
    # name, code template, shadow, precondition on the input values, saves its output, saves its input (in torch)
    ("exp", "{}.exp()", np.exp, lambda x: x.max() < 3, True, False),
    ("log", "{}.log()", np.log, lambda x: x.min() > 0.2, False, True),
    ("sqrt", "{}.sqrt()", np.sqrt, lambda x: x.min() > 0.2, True, False),
    ("tanh", "{}.tanh()", np.tanh, lambda x: True, True, False),
    ("sigmoid", "{}.sigmoid()", np_sigmoid, lambda x: True, True, False),
    ("relu", "{}.relu()", np_relu, lambda x: np.abs(x).min() > MARGIN, True, False),
    ("abs", "{}.abs()", np.abs, lambda x: np.abs(x).min() > MARGIN, False, True),
    ("elu", "F.elu({}, 0.7)", np_elu, lambda x: np.abs(x).min() > MARGIN, False, True),
    ("leaky_relu", "F.leaky_relu({}, 0.1)", np_leaky, lambda x: np.abs(x).min() > MARGIN, False, True),
    ("neg", "-{}", np.negative, lambda x: True, False, False),
    ("sin", "{}.sin()", np.sin, lambda x: True, False, True),
    ("cos", "{}.cos()", np.cos, lambda x: True, False, True),
]


@dataclass
class Var:
    name: str
    root: str  # the name owning the memory (itself unless a view)
    requires_grad: bool
    view_ok: bool  # a write into it reaches its root the same way in NumPy, torch and minigrad


@dataclass
class Root:
    leaf: bool
    writable: bool  # no op that torch would version-check saved it (or anything viewing it)
    contiguous: bool  # C-contiguous in NumPy and torch alike (t.view(-1) is a view)


# ---------------------------------------------------------------------------- the generator
class GraphBuilder:
    def __init__(self, rng: random.Random, features: Features) -> None:
        self.rng = rng
        self.f = features
        self.env: dict[str, np.ndarray] = {}
        self.vars: dict[str, Var] = {}
        self.roots: dict[str, Root] = {}
        self.leaves: list[Leaf] = []
        self.steps: list[Step] = []
        self.names: list[str] = []
        self._leaf_ids = itertools.count()
        self._var_ids = itertools.count(1)

    # -- random helpers
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick_from(self, seq: list) -> Any:
        return seq[self.rng.randint(0, len(seq) - 1)]

    def weighted(self, pairs: list) -> Any:
        total = sum(w for _, w in pairs)
        r = self.rng.random() * total
        for item, w in pairs:
            r -= w
            if r < 0:
                return item
        return pairs[-1][0]

    def values(self, shape: tuple, kind: str) -> np.ndarray:
        n = int(np.prod(shape))
        if kind == "positive":
            vals = [self.rng.uniform(0.3, 2.0) for _ in range(n)]
        elif kind == "away":
            vals = [self.rng.uniform(0.3, 2.0) * self.pick_from([-1.0, 1.0]) for _ in range(n)]
        else:
            vals = [self.rng.uniform(-2.0, 2.0) for _ in range(n)]
        return np.asarray(np.round(np.array(vals, dtype=np.float64).reshape(shape), 2))  # 0-d stays an array

    def shape(self, max_ndim: int = 3) -> tuple:
        ndim = self.weighted([(0, 2), (1, 3), (2, 4), (3, 2)][: max_ndim + 1])
        return tuple(self.pick_from([1, 2, 2, 3, 3]) for _ in range(ndim))

    def scalar(self, lo: float = 0.3, hi: float = 2.0, signed: bool = True) -> float:
        s = round(self.rng.uniform(lo, hi), 2)
        return -s if signed and self.chance(0.4) else s

    # -- variables
    def add_leaf(
        self, shape: tuple, kind: str | None = None, requires_grad: bool | None = None, value: np.ndarray | None = None
    ) -> str:
        name = f"x{next(self._leaf_ids)}"
        kind = kind or self.weighted([("normal", 3), ("positive", 1), ("away", 1)])
        rg = self.chance(0.75) if requires_grad is None else requires_grad
        if value is None:
            value = self.values(shape, kind)
        self.leaves.append(Leaf(name, value, rg))
        self.env[name] = value.copy()
        self.vars[name] = Var(name, name, rg, view_ok=False)
        self.roots[name] = Root(leaf=True, writable=False, contiguous=True)
        return name

    def val(self, name: str) -> np.ndarray:
        return self.env[name]

    def pick(self, pred: Callable[[np.ndarray], bool] = lambda x: True, names: list | None = None) -> str | None:
        """A variable whose values satisfy ``pred``: often the newest (deep graphs), else any (reuse)."""
        cands = [n for n in (names if names is not None else self.vars) if pred(self.env[n])]
        if not cands:
            return None
        return cands[-1] if self.chance(0.4) else self.pick_from(cands)

    def freeze(self, *names: str) -> None:
        """The op just emitted saved these for backward: their memory must not be written any more."""
        for n in names:
            if n in self.vars:
                self.roots[self.vars[n].root].writable = False

    def emit(
        self,
        rhs: str,
        fn: Callable,
        inputs: list,
        *,
        view: str | None = None,
        saves_inputs: bool = False,
        saves_output: bool = False,
        contiguous: bool = False,
    ) -> str | None:
        """``vN = rhs``; shadow ``env[vN] = fn(*inputs)`` (input names, or constants used as they are).

        Returns the new name, or None (and emits nothing) when the result is too big or not finite.
        ``view``: the result shares its first input's memory: "strict" (a view in NumPy, torch and
        minigrad alike: writes may go through it), "readonly" (expand: a view nobody writes into)
        or "maybe" (reshape: a view or a copy depending on strides, so its root is never written again).
        """
        tensor_inputs = [i for i in inputs if isinstance(i, str)]
        args = [self.env[i] if isinstance(i, str) else i for i in inputs]
        out = np.asarray(fn(*args))
        if out.size > MAX_NUMEL or out.size == 0 or not np.isfinite(out).all() or np.abs(out).max() > 1e3:
            return None
        name = f"v{next(self._var_ids)}"

        def run(env: dict, fn=fn, inputs=tuple(inputs), name=name) -> None:
            env[name] = np.asarray(fn(*(env[i] if isinstance(i, str) else i for i in inputs)))

        self.steps.append(Step(f"{name} = {rhs}", run))
        self.env[name] = out
        self.names.append(name)
        rg = any(self.vars[i].requires_grad for i in tensor_inputs)
        if view:
            src = self.vars[tensor_inputs[0]]
            self.vars[name] = Var(name, src.root, src.requires_grad, view_ok=view == "strict" and src.view_ok)
            if view == "maybe":
                self.roots[src.root].writable = False
        else:
            self.vars[name] = Var(name, name, rg, view_ok=True)
            self.roots[name] = Root(leaf=False, writable=rg and not saves_output, contiguous=contiguous)
        if saves_inputs:
            self.freeze(*tensor_inputs)
        return name

    def emit_inplace(
        self, code: str, run: Callable[[dict], None], operand: str | None = None, saves_operand: bool = False
    ) -> bool:
        self.steps.append(Step(code, run))
        run(self.env)
        if operand is not None and saves_operand:
            self.freeze(operand)
        return True

    # -- operands
    def partner_shape(self, shape: tuple, grow: bool = True) -> tuple:
        """A shape that broadcasts with ``shape`` (to ``shape`` itself unless ``grow``)."""
        form = self.weighted([("same", 3), ("ones", 2), ("suffix", 2), ("scalar", 1), ("prepend", 1 if grow else 0)])
        if form == "ones":
            return tuple(1 if self.chance(0.5) else s for s in shape)
        if form == "suffix":
            return shape[self.rng.randint(0, len(shape)) :]
        if form == "scalar":
            return ()
        if form == "prepend" and len(shape) < 3:
            return (self.pick_from([1, 2]),) + shape
        return shape

    def tensor_partner(
        self,
        shape: tuple,
        pred: Callable[[np.ndarray], bool],
        kind: str = "normal",
        grow: bool = True,
        avoid_root: str | None = None,
    ) -> str:
        """An existing variable that broadcasts with ``shape`` and satisfies ``pred``, or a new leaf."""
        if self.chance(0.5):

            def fits(n: str) -> bool:
                try:
                    b = np.broadcast_shapes(self.env[n].shape, shape)
                except ValueError:
                    return False
                return (grow or b == shape) and self.vars[n].root != avoid_root

            name = self.pick(pred, [n for n in self.vars if fits(n)])
            if name is not None:
                return name
        for _ in range(5):
            value = self.values(self.partner_shape(shape, grow), kind)
            if pred(value):
                return self.add_leaf(value.shape, value=value)
        return self.add_leaf((), value=np.asarray(1.0))

    # ------------------------------------------------------------------ ops
    def op_unary(self) -> bool:
        name, tmpl, fn, pre, saves_out, saves_in = self.pick_from(UNARY)
        x = self.pick(lambda a: pre(a) and np.abs(a).max() < BOUND)
        if x is None:
            return False
        return (
            self.emit(
                tmpl.format(x),
                fn,
                [x],
                saves_output=saves_out,
                saves_inputs=saves_in,
                contiguous=name == "neg" and self.roots[self.vars[x].root].contiguous and self.vars[x].root == x,
            )
            is not None
        )

    def op_clamp(self) -> bool:
        x = self.pick()
        if x is None:
            return False
        vals = np.unique(self.val(x))
        edges = np.concatenate([[vals[0] - 0.5], vals, [vals[-1] + 0.5]])
        gaps = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:]) if b - a > 2 * MARGIN]
        lo, hi = sorted(round(self.pick_from(gaps), 3) for _ in range(2))
        form = self.pick_from(["both", "min", "max"])
        if form == "both" and lo < hi:
            rhs, fn = f"{x}.clamp({lo}, {hi})", lambda a, lo=lo, hi=hi: np.clip(a, lo, hi)
        elif form == "min":
            rhs, fn = f"{x}.clamp(min={lo})", lambda a, lo=lo: np.maximum(a, lo)
        else:
            rhs, fn = f"{x}.clamp(max={hi})", lambda a, hi=hi: np.minimum(a, hi)
        return self.emit(rhs, fn, [x], saves_inputs=True) is not None

    def op_binary(self) -> bool:
        op = self.pick_from(["+", "-", "*", "/"])
        a = self.pick(lambda v: np.abs(v).max() < BOUND)
        if a is None:
            return False
        av = self.val(a)
        fns = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
        fn = fns[op]
        form = self.weighted([("tensor", 5), ("scalar", 2), ("rscalar", 1)])
        if form == "scalar":
            s = self.scalar()
            return (
                self.emit(f"{a} {op} {s}", lambda x, s=s, fn=fn: fn(x, s), [a], contiguous=self._contig(a)) is not None
            )
        if form == "rscalar":
            if op == "/" and np.abs(av).min() < 0.3:
                return False
            s = self.scalar()
            return (
                self.emit(
                    f"{s} {op} {a}",
                    lambda x, s=s, fn=fn: fn(s, x),
                    [a],
                    saves_inputs=op == "/",
                    contiguous=self._contig(a),
                )
                is not None
            )
        if op == "/":
            b = self.tensor_partner(av.shape, lambda v: np.abs(v).min() >= 0.3, kind="away")
        elif op == "*":
            b = self.tensor_partner(av.shape, lambda v: np.abs(v).max() * np.abs(av).max() < 100)
        else:
            b = self.tensor_partner(av.shape, lambda v: np.abs(v).max() < BOUND)
        if self.chance(0.3) and op in "+*":
            a, b = b, a
        contiguous = self._contig(a) and self._contig(b)
        return self.emit(f"{a} {op} {b}", fn, [a, b], saves_inputs=op in "*/", contiguous=contiguous) is not None

    def _contig(self, name: str) -> bool:
        """A plain (non-view) C-contiguous tensor: elementwise results of such stay C-contiguous everywhere."""
        v = self.vars[name]
        return v.root == name and self.roots[name].contiguous

    def op_minmax(self) -> bool:
        a = self.pick()
        if a is None:
            return False
        av = self.val(a)

        def apart(b: np.ndarray) -> bool:
            try:
                return bool(np.abs(av - b).min() > MARGIN)
            except ValueError:
                return False

        b = self.tensor_partner(av.shape, apart)
        if not apart(self.val(b)):
            return False
        fn_name = self.pick_from(["maximum", "minimum"])
        return self.emit(f"lib.{fn_name}({a}, {b})", getattr(np, fn_name), [a, b], saves_inputs=True) is not None

    def op_where(self) -> bool:
        a = self.pick()
        if a is None:
            return False
        shape = self.val(a).shape
        cshape = self.partner_shape(shape, grow=False)
        cond = np.array([self.chance(0.5) for _ in range(int(np.prod(cshape)))], dtype=bool).reshape(cshape)
        if self.chance(0.3):
            s = self.scalar()
            rhs, inputs = f"lib.where(lib.tensor({fmt_array(cond)}), {a}, {s})", [cond, a, s]
        else:
            b = self.tensor_partner(shape, lambda v: True)
            inputs = [cond, a, b] if self.chance(0.5) else [cond, b, a]
            rhs = f"lib.where(lib.tensor({fmt_array(cond)}), {inputs[1]}, {inputs[2]})"
        return self.emit(rhs, np.where, inputs) is not None

    def _dims(self, ndim: int) -> tuple | int | None:
        if ndim == 0 or self.chance(0.25):
            return None
        if self.chance(0.5):
            d = self.rng.randint(0, ndim - 1)
            return d - ndim if self.chance(0.3) else d
        k = self.rng.randint(1, ndim)
        return tuple(sorted(self.rng.sample(range(ndim), k)))

    def op_reduce(self) -> bool:
        kind = self.weighted(
            [("sum", 3), ("mean", 2), ("var", 1), ("std", 1), ("amax", 1), ("amin", 1), ("logsumexp", 1)]
        )
        x = self.pick(lambda v: np.abs(v).max() < BOUND)
        if x is None:
            return False
        xv = self.val(x)
        dim = self._dims(xv.ndim)
        keepdim = dim is not None and self.chance(0.4)
        axes = tuple(range(xv.ndim)) if dim is None else (dim,) if isinstance(dim, int) else dim
        n = int(np.prod([xv.shape[d] for d in axes])) if xv.ndim else 1
        args = [] if dim is None else [f"dim={dim}"]
        if keepdim:
            args.append("keepdim=True")
        np_axis = None if dim is None else dim
        rhs = f"{x}.{kind}({', '.join(args)})"
        if kind in ("sum", "mean"):
            fn = getattr(np, kind)
            return self.emit(rhs, lambda a, f=fn, ax=np_axis, k=keepdim: f(a, ax, keepdims=k), [x]) is not None
        if kind in ("var", "std"):
            correction = self.pick_from([0, 1])
            if n - correction < 1:
                return False
            var = np.var(xv, axis=np_axis, ddof=correction)
            if kind == "std" and np.min(var) < 0.05:
                return False
            fn = np.var if kind == "var" else np.std
            args.append(f"correction={correction}")
            return (
                self.emit(
                    f"{x}.{kind}({', '.join(args)})",
                    lambda a, f=fn, ax=np_axis, k=keepdim, c=correction: f(a, ax, ddof=c, keepdims=k),
                    [x],
                    saves_inputs=True,
                    saves_output=kind == "std",
                )
                is not None
            )
        if kind in ("amax", "amin"):
            if xv.ndim and n > 1:  # the winner must be clear: no near-ties along the reduced dims
                moved = np.moveaxis(xv, axes, tuple(range(-len(axes), 0))).reshape(-1, n)
                s = np.sort(moved, axis=1)
                gap = s[:, -1] - s[:, -2] if kind == "amax" else s[:, 1] - s[:, 0]
                if gap.min() < MARGIN:
                    return False
            fn = np.max if kind == "amax" else np.min
            return (
                self.emit(
                    rhs,
                    lambda a, f=fn, ax=np_axis, k=keepdim: f(a, ax, keepdims=k),
                    [x],
                    saves_inputs=True,
                    saves_output=True,
                )
                is not None
            )
        # logsumexp: torch needs a dim
        if xv.ndim == 0:
            return False
        if dim is None:
            dim = axes
            args = [f"dim={dim}"] + (["keepdim=True"] if keepdim else [])
        return (
            self.emit(
                f"{x}.logsumexp({', '.join(args)})",
                lambda a, ax=axes, k=keepdim: np_logsumexp(a, ax, k),
                [x],
                saves_inputs=True,
                saves_output=True,
            )
            is not None
        )

    def op_softmax(self) -> bool:
        x = self.pick(lambda v: np.abs(v).max() < BOUND)
        if x is None:
            return False
        shape = self.val(x).shape
        dim = self.rng.randint(-max(len(shape), 1), max(len(shape), 1) - 1)
        wide = [d for d, s in enumerate(shape) if s > 1]
        if wide and self.chance(0.8):  # softmax over a size-1 dim is constant: rarely worth it
            dim = self.pick_from(wide)
        if self.chance(0.5):
            return (
                self.emit(f"{x}.softmax(dim={dim})", lambda a, d=dim: np_softmax(a, d), [x], saves_output=True)
                is not None
            )
        return (
            self.emit(f"{x}.log_softmax(dim={dim})", lambda a, d=dim: np_log_softmax(a, d), [x], saves_output=True)
            is not None
        )

    def op_shape(self) -> bool:
        x = self.pick()
        if x is None:
            return False
        xv = self.val(x)
        shape, ndim = xv.shape, xv.ndim
        kind = self.pick_from(["reshape", "transpose", "permute", "T", "unsqueeze", "squeeze", "expand"])
        if kind == "reshape":
            target = self._factor(xv.size)
            if target and self.chance(0.3):
                target[self.rng.randint(0, len(target) - 1)] = -1
            text = "()" if not target else ", ".join(map(str, target))
            return (
                self.emit(f"{x}.reshape({text})", lambda a, t=tuple(target): a.reshape(t), [x], view="maybe")
                is not None
            )
        if kind == "transpose" and ndim >= 2:
            d0, d1 = self.rng.sample(range(ndim), 2)
            return (
                self.emit(
                    f"{x}.transpose({d0}, {d1})", lambda a, d0=d0, d1=d1: np.swapaxes(a, d0, d1), [x], view="strict"
                )
                is not None
            )
        if kind == "permute" and ndim >= 2:
            perm = list(range(ndim))
            self.rng.shuffle(perm)
            return (
                self.emit(
                    f"{x}.permute({', '.join(map(str, perm))})",
                    lambda a, p=tuple(perm): np.transpose(a, p),
                    [x],
                    view="strict",
                )
                is not None
            )
        if kind == "T" and ndim == 2:
            return self.emit(f"{x}.T", lambda a: a.T, [x], view="strict") is not None
        if kind == "unsqueeze" and ndim <= 2:
            d = self.rng.randint(-ndim - 1, ndim)
            return self.emit(f"{x}.unsqueeze({d})", lambda a, d=d: np.expand_dims(a, d), [x], view="strict") is not None
        if kind == "squeeze" and 1 in shape:
            if self.chance(0.5):
                return self.emit(f"{x}.squeeze()", np.squeeze, [x], view="strict") is not None
            d = self.pick_from([i for i, s in enumerate(shape) if s == 1])
            return self.emit(f"{x}.squeeze({d})", lambda a, d=d: np.squeeze(a, d), [x], view="strict") is not None
        if kind == "expand" and ndim <= 2:
            new = [self.pick_from([1, 2, 3]) if s == 1 else s for s in shape]
            if self.chance(0.5):
                new = [self.pick_from([1, 2])] + new
            text = [
                str(n) if (i < len(new) - ndim or shape[i - (len(new) - ndim)] == 1 or self.chance(0.5)) else "-1"
                for i, n in enumerate(new)
            ]
            return (
                self.emit(
                    f"{x}.expand({', '.join(text) or '()'})",
                    lambda a, t=tuple(new): np.broadcast_to(a, t),
                    [x],
                    view="readonly",
                )
                is not None
            )
        return False

    def _factor(self, n: int) -> list[int]:
        """A random shape with ``n`` elements and up to 3 dims (possibly with size-1 dims)."""
        dims = []
        rest = n
        for _ in range(self.rng.randint(0 if n == 1 else 1, 3)):
            d = self.pick_from([d for d in range(1, rest + 1) if rest % d == 0])
            dims.append(d)
            rest //= d
        if rest != 1:
            dims[-1] *= rest
        return dims

    def basic_index(self, shape: tuple) -> tuple:
        parts: list = []
        for n in shape:
            r = self.rng.random()
            if r < 0.3:
                parts.append(self.rng.randint(-n, n - 1))
            elif r < 0.55:
                start = self.rng.randint(0, n - 1)
                stop = self.rng.randint(start + 1, n)
                parts.append(slice(start or None, stop if stop < n else None, self.pick_from([None, None, 2])))
            else:
                parts.append(slice(None))
        lead = 0
        while lead < len(parts) and parts[lead] == slice(None):
            lead += 1
        if lead and self.chance(0.3):  # t[..., 1] for t[:, :, 1]
            parts = [Ellipsis] + parts[lead:]
        else:  # t[1] for t[1, :]
            while parts and parts[-1] == slice(None) and self.chance(0.6):
                parts.pop()
        if self.chance(0.15) or not parts:
            parts.insert(self.rng.randint(0, len(parts)), None)
        return tuple(parts)

    def advanced_index(self, shape: tuple, unique: bool) -> tuple:
        if self.chance(0.4):  # a bool mask over the leading dims
            k = self.rng.randint(1, len(shape))
            mask = np.array([self.chance(0.5) for _ in range(int(np.prod(shape[:k])))], dtype=bool).reshape(shape[:k])
            mask.reshape(-1)[self.rng.randint(0, mask.size - 1)] = True
            return (mask,)
        d = self.rng.randint(0, len(shape) - 1)
        n = shape[d]
        if unique:
            idx = self.rng.sample(range(n), self.rng.randint(1, n))
            idx = [i - n if self.chance(0.2) else i for i in idx]
        else:
            idx = [self.rng.randint(-n, n - 1) for _ in range(self.rng.randint(1, 4))]
        return (slice(None),) * d + (np.array(idx, dtype=np.int64),)

    def op_index(self) -> bool:
        x = self.pick()
        if x is None:
            return False
        xv = self.val(x)
        if xv.ndim and self.chance(0.35):
            parts = self.advanced_index(xv.shape, unique=False)
            return self.emit(f"{x}[{fmt_index(parts)}]", lambda a, p=parts: a[p], [x]) is not None
        parts = self.basic_index(xv.shape)
        npidx = as_view_index(parts)
        return self.emit(f"{x}[{fmt_index(parts)}]", lambda a, p=npidx: a[p], [x], view="strict") is not None

    def op_cat(self) -> bool:
        x = self.pick()
        if x is None:
            return False
        xv = self.val(x)
        if xv.ndim == 0 or self.chance(0.4):  # stack: equal shapes
            dim = self.rng.randint(0, xv.ndim)
            others = [n for n in self.vars if self.env[n].shape == xv.shape]
            y = self.pick_from(others) if self.chance(0.6) else self.add_leaf(xv.shape)
            return (
                self.emit(f"lib.stack([{x}, {y}], dim={dim})", lambda a, b, d=dim: np.stack([a, b], d), [x, y])
                is not None
            )
        dim = self.rng.randint(0, xv.ndim - 1)

        def fits(n: str) -> bool:
            s = self.env[n].shape
            return len(s) == xv.ndim and all(a == b for i, (a, b) in enumerate(zip(s, xv.shape)) if i != dim)

        cands = [n for n in self.vars if fits(n)]
        if self.chance(0.5) and cands:
            y = self.pick_from(cands)
        else:
            y = self.add_leaf(tuple(self.pick_from([1, 2]) if i == dim else s for i, s in enumerate(xv.shape)))
        if self.chance(0.3):
            return (
                self.emit(
                    f"lib.cat([{x}, {y}, {x}], dim={dim})", lambda a, b, d=dim: np.concatenate([a, b, a], d), [x, y]
                )
                is not None
            )
        return (
            self.emit(f"lib.cat([{x}, {y}], dim={dim})", lambda a, b, d=dim: np.concatenate([a, b], d), [x, y])
            is not None
        )

    def op_matmul(self) -> bool:
        x = self.pick(lambda v: 1 <= v.ndim <= 3 and np.abs(v).max() < 10)
        if x is None:
            return False
        xv = self.val(x)
        left = self.chance(0.6)
        n = xv.shape[-1] if left else xv.shape[-2] if xv.ndim >= 2 else xv.shape[0]
        m = self.pick_from([1, 2, 3])
        other_ndim = self.rng.randint(1, 3)
        if other_ndim == 1:
            oshape = (n,)
        elif left:
            oshape = (n, m) if other_ndim == 2 else (self.pick_from([1, 2]), n, m)
        else:
            oshape = (m, n) if other_ndim == 2 else (self.pick_from([1, 2]), m, n)
        if xv.ndim == 3 and other_ndim == 3 and oshape[0] not in (1, xv.shape[0]):
            oshape = (1,) + oshape[1:]
        cands = [c for c in self.vars if self.env[c].shape == oshape and np.abs(self.env[c]).max() < 10]
        y = self.pick_from(cands) if cands and self.chance(0.4) else self.add_leaf(oshape)
        a, b = (x, y) if left else (y, x)
        return self.emit(f"{a} @ {b}", np.matmul, [a, b], saves_inputs=True) is not None

    def op_pow(self) -> bool:
        form = self.pick_from(["int", "frac", "rpow", "tensor"])
        if form == "int":
            x = self.pick(lambda v: np.abs(v).max() < 4)
            if x is None:
                return False
            k = self.pick_from([2, 3])
            return self.emit(f"{x} ** {k}", lambda a, k=k: a**k, [x], saves_inputs=True) is not None
        if form == "frac":
            x = self.pick(lambda v: v.min() > 0.2 and v.max() < 10)
            if x is None:
                return False
            k = self.pick_from([0.5, -1.5, 1.5, -1.0])
            return self.emit(f"{x} ** {k}", lambda a, k=k: a**k, [x], saves_inputs=True) is not None
        if form == "rpow":
            x = self.pick(lambda v: np.abs(v).max() < 4)
            if x is None:
                return False
            return self.emit(f"1.7 ** {x}", lambda a: 1.7**a, [x], saves_inputs=True, saves_output=True) is not None
        x = self.pick(lambda v: v.min() > 0.2 and v.max() < 4)
        if x is None:
            return False
        # exponents away from 0: torch's pow backward special-cases exponent == 0 (and minigrad follows),
        # so its second derivative there is not the smooth function's that finite differences see
        y = self.tensor_partner(self.val(x).shape, lambda v: MARGIN < np.abs(v).min() and np.abs(v).max() < 2)
        return self.emit(f"{x} ** {y}", np.power, [x, y], saves_inputs=True, saves_output=True) is not None

    # ------------------------------------------------------------------ in-place ops
    def writable_targets(self, views: bool) -> list[str]:
        out = []
        for n, v in self.vars.items():
            root = self.roots[v.root]
            if root.leaf or not root.writable or not v.view_ok or not v.requires_grad:
                continue
            if v.root != n and not views:
                continue
            out.append(n)
        return out

    def write_value(self, region: tuple, avoid_root: str) -> tuple[str, Any]:
        """A value to write into a region of shape ``region``: (code, scalar or var name)."""
        if self.chance(0.3):
            s = self.scalar()
            return fmt_num(s), s
        name = self.tensor_partner(region, lambda v: np.abs(v).max() < BOUND, grow=False, avoid_root=avoid_root)
        return name, name

    def op_inplace(self, target: str | None = None) -> bool:
        cands = self.writable_targets(self.f.view_writes)
        if target is None:
            if not cands:
                return False
            target = cands[-1] if self.chance(0.5) else self.pick_from(cands)
        tv = self.val(target)
        op = self.pick_from(["+=", "-=", "*=", "/="])
        root = self.vars[target].root
        if self.chance(0.35):
            other_code = other = self.scalar(0.5, 2.0)
            other_code = fmt_num(other)
        else:
            pred = {
                "*=": lambda v: np.abs(v).max() * np.abs(tv).max() < 100,
                "/=": lambda v: np.abs(v).min() >= 0.3,
            }.get(op, lambda v: np.abs(v).max() < BOUND)
            other = self.tensor_partner(
                tv.shape, pred, kind="away" if op == "/=" else "normal", grow=False, avoid_root=root
            )
            if other not in self.vars or not pred(self.val(other)) or self.vars[other].root == root:
                return False
            other_code = other
        if op == "*=" and np.abs(tv).max() >= BOUND:
            return False
        method = {"+=": "add_", "-=": "sub_", "*=": "mul_", "/=": "div_"}[op]
        code = f"{target}.{method}({other_code})" if self.chance(0.25) else f"{target} {op} {other_code}"
        ufunc = {"+=": np.add, "-=": np.subtract, "*=": np.multiply, "/=": np.divide}[op]

        def run(env: dict, t=target, o=other, u=ufunc) -> None:
            u(env[t], env[o] if isinstance(o, str) else o, out=env[t])

        return self.emit_inplace(code, run, other if isinstance(other, str) else None, saves_operand=op in ("*=", "/="))

    def op_setitem(self) -> bool:
        cands = self.writable_targets(self.f.view_writes)
        cands = [n for n in cands if self.val(n).ndim >= 1]
        if not cands:
            return False
        t = cands[-1] if self.chance(0.5) else self.pick_from(cands)
        tv = self.val(t)
        if self.chance(0.4):
            parts = self.advanced_index(tv.shape, unique=True)
            npidx = parts
        else:
            parts = self.basic_index(tv.shape)
            npidx = as_view_index(parts)
        region = tv[npidx].shape
        if not tv[npidx].size:
            return False
        form = self.weighted([("assign", 3), ("imul", 1), ("iadd", 1)])
        idx_code = fmt_index(parts)
        if form == "imul":
            s = self.pick_from([0.0, 0.5, 2.0, -1.5])
            code = f"{t}[{idx_code}] *= {s}"

            def run(env: dict, t=t, p=npidx, s=s) -> None:
                env[t][p] *= s

            return self.emit_inplace(code, run)
        code_v, value = self.write_value(region, self.vars[t].root)
        if form == "iadd":
            code = f"{t}[{idx_code}] += {code_v}"

            def run(env: dict, t=t, p=npidx, v=value) -> None:
                env[t][p] += env[v] if isinstance(v, str) else v
        else:
            code = f"{t}[{idx_code}] = {code_v}"

            def run(env: dict, t=t, p=npidx, v=value) -> None:
                env[t][p] = env[v] if isinstance(v, str) else v

        return self.emit_inplace(code, run)

    def op_view_write(self) -> bool:
        """A write through a view made on the spot: t[i][j] = v, t.T[i] = v, row = t[i]; row += v, ..."""
        cands = [n for n in self.writable_targets(True) if self.val(n).ndim >= 1]
        if not cands:
            return False
        t = cands[-1] if self.chance(0.5) else self.pick_from(cands)
        tv = self.val(t)
        forms = ["row", "unsqueeze"]
        if tv.ndim >= 2:
            forms += ["chain", "chain", "transpose"]
        if tv.ndim == 2:
            forms += ["T", "T"]
        if self.vars[t].root == t and self.roots[t].contiguous and np.shares_memory(tv.reshape(-1), tv):
            forms.append("view")
        form = self.pick_from(forms)
        i = self.rng.randint(-tv.shape[0], tv.shape[0] - 1)
        if form == "row":  # row = t[i]; row <op>= ...
            row = self.emit(f"{t}[{i}]", lambda a, i=i: a[i, ...], [t], view="strict")
            return row is not None and self.op_inplace(row)
        if form == "chain":
            j = self.basic_index(tv.shape[1:2])
            j = j if j and None not in j and Ellipsis not in j else (slice(None),)
            text, view = f"{t}[{i}][{fmt_index(j)}]", lambda a, i=i, j=j: a[i, ...][as_view_index(j)]
        elif form == "T":
            k = self.rng.randint(0, tv.shape[1] - 1)
            text, view = f"{t}.T[{k}]", lambda a, k=k: a.T[k, ...]
        elif form == "transpose":
            k = self.rng.randint(0, tv.shape[1] - 1)
            text, view = f"{t}.transpose(0, 1)[{k}]", lambda a, k=k: np.swapaxes(a, 0, 1)[k, ...]
        elif form == "unsqueeze":
            text, view = f"{t}.unsqueeze(0)[0, {i}]", lambda a, i=i: np.expand_dims(a, 0)[0, i, ...]
        else:
            k = self.rng.randint(0, tv.size - 1)
            text, view = f"{t}.view(-1)[{k}]", lambda a, k=k: a.reshape(-1)[k, ...]
        region = view(tv).shape
        op = self.pick_from(["=", "=", "+=", "*="])
        if op == "*=":
            s = self.pick_from([0.5, 2.0, -1.0])
            code = f"{text} *= {s}"

            def run(env: dict, t=t, view=view, s=s) -> None:
                w = view(env[t])
                w *= s

            return self.emit_inplace(code, run)
        code_v, value = self.write_value(region, self.vars[t].root)
        code = f"{text} {op} {code_v}"

        def run(env: dict, t=t, view=view, v=value, add=op == "+=") -> None:
            w = view(env[t])
            x = env[v] if isinstance(v, str) else v
            if add:
                w += x
            else:
                w[...] = x

        return self.emit_inplace(code, run)

    # ------------------------------------------------------------------ the whole program
    def build(self, label: str = "") -> Program:
        for _ in range(self.rng.randint(1, 2)):
            self.add_leaf(self.shape(), requires_grad=True if not self.leaves else None)
        ops = [
            (self.op_unary, 5),
            (self.op_clamp, 1),
            (self.op_binary, 6),
            (self.op_minmax, 1),
            (self.op_where, 1),
            (self.op_reduce, 3),
            (self.op_softmax, 1),
            (self.op_shape, 3),
            (self.op_index, 3),
            (self.op_cat, 1),
            (self.op_matmul, 2),
            (self.op_pow, 1),
        ]
        if self.f.inplace:
            ops += [(self.op_inplace, 3), (self.op_setitem, 3)]
        if self.f.view_writes:
            ops += [(self.op_view_write, 4)]
        for _ in range(self.rng.randint(1, self.f.max_steps)):
            for _attempt in range(6):
                if self.weighted(ops)():
                    break
        self.emit_loss()
        # weights away from 0: a zero weight would hide the gradient it multiplies
        weights = {leaf.name: self.values(leaf.value.shape, "away") for leaf in self.leaves if leaf.requires_grad}
        names = self.names + ["loss"]
        return Program(self.leaves, self.steps, names, self.chance(0.3), weights, self.f, label)

    def emit_loss(self) -> None:
        grad_vars = [n for n in self.vars if self.vars[n].requires_grad]
        consumed = {i for step in self.steps for i in re.findall(r"\b[vx]\d+\b", step.code.split("=", 1)[-1])}
        outs = [grad_vars[-1]]
        loose = [n for n in grad_vars if n not in consumed and n not in outs]  # else dead code
        outs += self.rng.sample(loose, min(len(loose), 3))
        if self.chance(0.3):
            extra = self.pick_from(grad_vars)
            if extra not in outs:
                outs.append(extra)
        terms, weights = [], []
        for n in outs:
            shape = self.val(n).shape
            if not shape and self.chance(0.5):
                w = self.scalar()
                terms.append(f"{n} * {w}")
                weights.append((n, np.float64(w)))
            elif self.chance(0.25):
                terms.append(f"{n}.sum()")
                weights.append((n, np.float64(1.0)))
            else:
                w = self.values(shape, "away")
                terms.append(f"({n} * lib.tensor({fmt_array(w)}, dtype=lib.float64)).sum()")
                weights.append((n, w))

        def run(env: dict, weights=tuple(weights)) -> None:
            env["loss"] = np.asarray(sum(float(np.sum(env[n] * w)) for n, w in weights))

        self.steps.append(Step("loss = " + " + ".join(terms), run))
        run(self.env)


def generate(rng: random.Random, features: Features = Features(), label: str = "") -> Program:
    """A random program, every choice drawn from ``rng`` (``random.Random(seed)`` or hypothesis's)."""
    return GraphBuilder(rng, features).build(label)


def generate_seeded(seed: int, features: Features = Features(), label: str = "") -> Program:
    """The program of ``seed``: ``python tests/fuzz_graphs.py --seed <seed> --show`` prints the same."""
    prog = generate(random.Random(seed), features, label=f"{label} seed={seed}".strip())
    prog.seed = seed
    return prog


# ---------------------------------------------------------------------------- running and checking
class FuzzFailure(AssertionError):
    """minigrad disagrees with the oracle (or fails where it should not) on a program."""

    def __init__(self, kind: str, detail: str, program: Program, oracle: str = "torch") -> None:
        self.kind = kind
        self.detail = detail
        self.program = program
        flags = " ".join(f for f in (program.features.flags(), "--oracle fd" if oracle == "fd" else "") if f)
        hints = [f"shrink this class: python tests/fuzz_graphs.py --shrink {self.signature[:60]!r} {flags}".rstrip()]
        if program.seed is not None:
            hints.insert(0, f"reproduce: python tests/fuzz_graphs.py --seed {program.seed} --show {flags}".rstrip())
        super().__init__(f"{kind}\n{detail}\n\n--- program ---\n{program.source()}\n\n" + "\n".join(hints))

    @property
    def signature(self) -> str:
        """The failure's class: the kind, numbers and names blanked out."""
        kind = re.sub(r"\(shape \([^)]*\)\)", "", self.kind)
        return re.sub(r"\b[vx]\d+\b", "#", re.sub(r"\d+", "N", kind))


class FuzzerBug(AssertionError):
    """The generator made a program torch rejects or the shadow got wrong: a bug in this file."""


class Backend:
    def __init__(self, which: str) -> None:
        self.which = which
        if which == "torch":
            import torch
            import torch.nn.functional as F

            self.lib, self.F = torch, F
        else:
            import minigrad
            import minigrad.nn.functional as F

            self.lib, self.F = minigrad, F

    def leaf(self, value: np.ndarray, requires_grad: bool) -> Any:
        if self.which == "torch":
            return self.lib.tensor(value, dtype=self.lib.float64, requires_grad=requires_grad)
        return self.lib.tensor(np.array(value, dtype=np.float64), requires_grad=requires_grad)

    def const(self, value: np.ndarray) -> Any:
        return self.leaf(value, False)

    def array(self, t: Any) -> np.ndarray:
        if self.which == "torch":
            if t._is_zerotensor():  # autograd.grad may return one; numpy(force=True) of it can crash
                return np.zeros(tuple(t.shape), dtype=np.float64)
            return t.detach().numpy().copy()
        arr = t.numpy()
        if type(arr) is not np.ndarray:
            raise TypeError(f"a minigrad Tensor holds a {type(arr).__name__}, not a numpy.ndarray")
        return np.array(arr, copy=True)

    def build(self, prog: Program, values: dict | None = None, steps: int | None = None) -> dict:
        ns: dict[str, Any] = {"lib": self.lib, "F": self.F}
        for leaf in prog.leaves:
            ns[leaf.name] = self.leaf(leaf.value if values is None else values[leaf.name], leaf.requires_grad)
        exec(prog.code_object(steps), ns)
        return ns

    def grad(self, *args: Any, **kwargs: Any) -> tuple:
        return tuple(self.lib.autograd.grad(*args, **kwargs))


def _where_raised(exc: BaseException, prog: Program) -> str:
    lines = prog.body().splitlines()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == PROGRAM_FILE and frame.lineno and frame.lineno <= len(lines):
            return f"at `{lines[frame.lineno - 1]}`"
    return ""


def _form(code: str, coarse: bool = False) -> str:
    """A step's code with its constants elided: `v3[lib.tensor([0, 2])] = 1.5` -> `v3[lib.tensor(…)] = N`.

    ``coarse``: also elide indices and operands and write every in-place update as ``op=``
    (`v3[0][1] += x2` -> `v3[…][…] op= …`), for the failure classes.
    """
    code = re.sub(r"lib\.tensor\(\[[^()]*\](, dtype=lib\.float64)?\)", "lib.tensor(…)", code)
    code = re.sub(r"lib\.tensor\((True|False|-?[\d.]+)(, dtype=lib\.float64)?\)", "lib.tensor(…)", code)
    code = re.sub(r"(?<![\w.])-?\d+\.\d+", "N", code)
    if coarse:
        code = re.sub(r"\[[^\]]*\]", "[…]", code)
        code = re.sub(r"\.(add|sub|mul|div)_\(.*\)$", " op= …", code)
        code = re.sub(r" [-+*/]= .*$", " op= …", code)
        code = re.sub(r"^([^=]*[\]\w]) = .*$", r"\1 = …", code) if "[" in code.split("=")[0] else code
    return code


def _exc_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _close(actual: np.ndarray | None, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    """None when ``actual`` matches ``expected``, else a description of the difference."""
    if actual is None:
        return "got None"
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype}, expected {expected.dtype}"
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    ok = np.isclose(actual, expected, rtol=rtol, atol=atol * scale)
    if ok.all():
        return None
    return f"got\n{np.array2string(actual, precision=6)}\nexpected\n{np.array2string(expected, precision=6)}"


class Checker:
    """Runs one program through minigrad and the oracle ("torch" or "fd"), raising on the first mismatch."""

    def __init__(self, prog: Program, oracle: str) -> None:
        self.prog = prog
        self.oracle = oracle
        self.mg = Backend("minigrad")
        self.ref = Backend("torch") if oracle == "torch" else None
        self.names = [leaf.name for leaf in prog.grad_leaves]

    def fail(self, kind: str, detail: str = "") -> None:
        raise FuzzFailure(kind, detail, self.prog, self.oracle)

    def mg_run(self, stage: str, fn: Callable, *args: Any) -> Any:
        try:
            with np.errstate(all="ignore"):  # a NaN is reported by the comparison that meets it
                return fn(*args)
        except FuzzFailure:
            raise
        except Exception as exc:  # minigrad must not raise where torch (and the shadow) don't
            where = _where_raised(exc, self.prog)
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])
            self.fail(f"minigrad raised in {stage}: {_exc_text(exc)}", f"{where}\n{tb}")

    def ref_run(self, stage: str, fn: Callable, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            raise FuzzerBug(
                f"torch raised in {stage}: {_exc_text(exc)} {_where_raised(exc, self.prog)}\n\n{self.prog.source()}"
            ) from exc

    # -- the checks
    def run(self) -> None:
        self.check_forward()
        self.check_backward()
        self.check_create_graph()

    def check_forward(self) -> None:
        shadow = self.prog.shadow()
        ns = self.mg_run("forward", self.mg.build, self.prog)
        if self.ref is not None:
            ref_ns = self.ref_run("forward", self.ref.build, self.prog)
            expected = {n: self.ref.array(ref_ns[n]) for n in self.prog.var_names}
            for n in self.prog.var_names:
                bad = _close(np.asarray(shadow[n], dtype=np.float64), expected[n], 1e-6, 1e-9)
                if bad:
                    raise FuzzerBug(f"the NumPy shadow of {n} disagrees with torch: {bad}\n\n{self.prog.source()}")
        else:
            expected = {n: np.asarray(shadow[n], dtype=np.float64) for n in self.prog.var_names}
        for n in self.prog.var_names:
            got = self.mg_run("forward", self.mg.array, ns[n])
            bad = _close(got, expected[n], 1e-6, 1e-9)
            if bad:
                self.fail_forward(n, bad)

    def fail_forward(self, name: str, detail: str) -> None:
        """Report a wrong forward value, naming the first step after which minigrad's values go wrong
        (found by replaying ever longer prefixes of the program against the shadow)."""
        for k in range(1, len(self.prog.steps) + 1):
            env = self.prog.shadow(steps=k)
            try:
                with np.errstate(all="ignore"):
                    ns = self.mg.build(self.prog, steps=k)
            except Exception:  # the full program ran, so no prefix of it should raise
                break
            for n in self.prog.var_names:
                if n in env and n in ns:
                    bad = _close(self.mg.array(ns[n]), np.asarray(env[n], dtype=np.float64), 1e-6, 1e-9)
                    if bad:
                        self.fail(
                            self._divergence_kind(n, self.prog.steps[k - 1].code),
                            f"{n} goes wrong at `{self.prog.steps[k - 1].code}`:\n{bad}",
                        )
        self.fail(f"forward value of {name} differs", detail)

    def _divergence_kind(self, name: str, step: str) -> str:
        made = self.prog.defining_step(name)
        if step == made:
            return f"forward value of `{_form(made, True)}` differs"
        target = re.match(r"\w+", step).group(0)  # the tensor the in-place step writes (or writes through)
        target_made = self.prog.defining_step(target)
        if name == target:
            who = "the written tensor"
        elif made.startswith(f"{name} = {target}") or target_made.startswith(f"{target} = {name}"):
            who = "its base" if target_made.startswith(f"{target} = {name}") else "a view of it"
        else:
            who = "a tensor sharing its memory"
        return (
            f"forward value of {who} differs after the in-place `{_form(step, True)}` on `{_form(target_made, True)}`"
        )

    def _backward(self, be: Backend, values: dict | None = None) -> list[np.ndarray | None]:
        ns = be.build(self.prog, values)
        loss = ns["loss"]
        if self.prog.retain_graph:
            loss.backward(retain_graph=True)
        loss.backward()
        return [None if ns[n].grad is None else be.array(ns[n].grad) for n in self.names]

    def check_backward(self) -> None:
        got = self.mg_run("backward", self._backward, self.mg)
        if self.ref is not None:
            expected = self.ref_run("backward", self._backward, self.ref)
            rtol, atol = 1e-6, 1e-9
        else:
            times = 2.0 if self.prog.retain_graph else 1.0
            expected = [times * g for g in self.numeric_gradient()]
            rtol, atol = 1e-4, 1e-5
            got = [np.zeros_like(e) if g is None else g for g, e in zip(got, expected)]
        what = (
            "after loss.backward(retain_graph=True); loss.backward()"
            if self.prog.retain_graph
            else "after loss.backward()"
        )
        for n, g, e in zip(self.names, got, expected):
            if e is None:
                if g is not None:
                    self.fail(f".grad of {n} {what} differs", f"got {g}, expected None (the leaf is not used)")
                continue
            bad = _close(g, e, rtol, atol)
            if bad:
                self.fail(f".grad of {n} {what} differs", bad)

    def _first(self, be: Backend) -> tuple[list, tuple, list]:
        ns = be.build(self.prog)
        leaves = [ns[n] for n in self.names]
        gs = be.grad(ns["loss"], leaves, create_graph=True, allow_unused=True)
        return leaves, gs, [None if g is None else be.array(g) for g in gs]

    def _second(self, be: Backend, leaves: list, gs: tuple) -> list:
        terms = [
            (g * be.const(self.prog.second_weights[n])).sum()
            for n, g in zip(self.names, gs)
            if g is not None and g.requires_grad
        ]
        if not terms:
            return [None] * len(leaves)
        s = reduce(lambda a, b: a + b, terms)
        hs = be.grad(s, leaves, allow_unused=True)
        return [None if h is None else be.array(h) for h in hs]

    def check_create_graph(self) -> None:
        stage1, stage2 = "autograd.grad(create_graph=True)", "the second autograd.grad (of Σ gs·w)"
        leaves, gs, first = self.mg_run(stage1, self._first, self.mg)
        second_order = self.prog.features.second_order
        second = self.mg_run(stage2, self._second, self.mg, leaves, gs) if second_order else None
        if self.ref is not None:
            ref_leaves, ref_gs, exp_first = self.ref_run(stage1, self._first, self.ref)
            exp_second = self.ref_run(stage2, self._second, self.ref, ref_leaves, ref_gs) if second_order else None
            rtol, atol, rtol2, atol2 = 1e-6, 1e-9, 1e-6, 1e-9
        else:
            exp_first = self.numeric_gradient()
            exp_second = self.numeric_second() if second is not None else None
            first = [np.zeros_like(e) if g is None else g for g, e in zip(first, exp_first)]
            rtol, atol, rtol2, atol2 = 1e-4, 1e-5, 1e-4, 1e-5
        for n, g, e in zip(self.names, first, exp_first):
            if e is None and g is None:
                continue
            if e is None:
                self.fail(f"autograd.grad(create_graph=True) for {n} differs", f"got {g}, expected None")
            bad = _close(g, e, rtol, atol)
            if bad:
                self.fail(f"autograd.grad(create_graph=True) for {n} differs", bad)
        if second is None:
            return
        leaves = {leaf.name: leaf for leaf in self.prog.grad_leaves}
        for n, h, e in zip(self.names, second, exp_second):
            zeros = np.zeros(leaves[n].value.shape)
            bad = _close(zeros if h is None else h, zeros if e is None else e, rtol2, atol2)
            if bad:
                self.fail(f"second derivative (grad of Σ gs·w) for {n} differs", bad)

    # -- finite differences (the oracle without torch)
    def numeric_gradient(self, eps: float = 1e-6) -> list[np.ndarray]:
        values = {leaf.name: np.array(leaf.value, dtype=np.float64) for leaf in self.prog.leaves}
        out = []
        for n in self.names:
            g = np.zeros_like(values[n])
            for idx in np.ndindex(*values[n].shape):
                orig = values[n][idx]
                values[n][idx] = orig + eps
                plus = float(self.prog.shadow(values)["loss"])
                values[n][idx] = orig - eps
                minus = float(self.prog.shadow(values)["loss"])
                values[n][idx] = orig
                g[idx] = (plus - minus) / (2 * eps)
            out.append(g)
        return out

    def numeric_second(self, eps: float = 1e-5) -> list[np.ndarray]:
        """d/dε of minigrad's gradient at x + ε·w: the Hessian times the weights of s = Σ gs·w."""

        def grads_at(sign: float) -> list[np.ndarray]:
            values = {leaf.name: np.array(leaf.value, dtype=np.float64) for leaf in self.prog.leaves}
            for n in self.names:
                values[n] = np.asarray(values[n] + sign * eps * self.prog.second_weights[n])
            saved, self.prog.retain_graph = self.prog.retain_graph, False
            try:
                gs = self.mg_run("backward", self._backward, self.mg, values)
            finally:
                self.prog.retain_graph = saved
            return [np.zeros(values[n].shape) if g is None else g for n, g in zip(self.names, gs)]

        plus, minus = grads_at(1.0), grads_at(-1.0)
        return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def check_program(prog: Program, oracle: str | None = None) -> None:
    """Raise :class:`FuzzFailure` when minigrad disagrees with the oracle on ``prog``.

    ``oracle``: "torch" (values, ``.grad``, ``autograd.grad`` and second derivatives
    against PyTorch) or "fd" (against the NumPy shadow and finite differences); by
    default torch when it is importable.
    """
    if oracle is None:
        oracle = "torch" if torch_available() else "fd"
    Checker(prog, oracle).run()


# ---------------------------------------------------------------------------- survey (command line)
def survey(graphs: int, seed: int, features: Features, oracle: str | None, quiet: bool = False) -> dict:
    """Run ``graphs`` seeded programs; group failures by class, keeping the shortest program of each."""
    classes: dict[str, list] = {}
    bugs: list[str] = []
    start = time.perf_counter()
    for s in range(seed, seed + graphs):
        prog = generate_seeded(s, features)
        try:
            check_program(prog, oracle)
        except FuzzFailure as e:
            entry = classes.setdefault(e.signature, [0, None])
            entry[0] += 1
            if entry[1] is None or len(prog.body()) < len(entry[1].program.body()):
                entry[1] = e
        except FuzzerBug as e:
            bugs.append(f"seed={s}: {str(e)[:2000]}")
    elapsed = time.perf_counter() - start
    if not quiet:
        print(
            f"{graphs} graphs ({features.describe()}), oracle {oracle or ('torch' if torch_available() else 'fd')},"
            f" {elapsed:.1f}s: {sum(c for c, _ in classes.values())} failed, {len(bugs)} fuzzer bugs"
        )
        for sig, (count, e) in sorted(classes.items(), key=lambda kv: -kv[1][0]):
            print(f"\n=== {count:4d} x {sig}\n{e.detail[-1500:]}\n--- shortest program ---\n{e.program.source()}")
        for b in bugs[:5]:
            print("\n=== FUZZER BUG\n" + b)
    return classes


def shrink(signature: str, features: Features, oracle: str | None, max_examples: int = 3000) -> None:
    """Let hypothesis find and shrink a program failing with ``signature`` (a substring of the class)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.randoms(use_true_random=False))
    def find(rng: random.Random) -> None:
        prog = generate(rng, features, label="(shrunk)")
        try:
            check_program(prog, oracle)
        except FuzzFailure as e:
            if signature in e.signature:
                raise
        except FuzzerBug:
            pass

    try:
        find()
    except FuzzFailure as e:
        print(e)
        return
    print(f"no failure matching {signature!r} in {max_examples} graphs")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graphs", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-inplace", action="store_true", help="no in-place updates (and so no view writes)")
    p.add_argument("--no-view-writes", action="store_true", help="in-place updates, but no writes through views")
    p.add_argument("--first-order", action="store_true", help="no second derivatives")
    p.add_argument("--max-steps", type=int, default=14)
    p.add_argument("--oracle", choices=["torch", "fd"], default=None)
    p.add_argument("--show", action="store_true", help="print the program of --seed and check it")
    p.add_argument("--shrink", metavar="CLASS", help="shrink a failure whose class contains CLASS")
    args = p.parse_args(argv)
    features = Features(
        inplace=not args.no_inplace,
        view_writes=not (args.no_inplace or args.no_view_writes),
        second_order=not args.first_order,
        max_steps=args.max_steps,
    )
    if args.shrink:
        shrink(args.shrink, features, args.oracle, max_examples=args.graphs)
        return 0
    if args.show:
        prog = generate_seeded(args.seed, features)
        print(prog.source())
        check_program(prog, args.oracle)
        print("# ok")
        return 0
    classes = survey(args.graphs, args.seed, features, args.oracle)
    return 1 if classes else 0


if __name__ == "__main__":
    sys.exit(main())
