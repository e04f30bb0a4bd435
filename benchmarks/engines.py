"""The same MLP training step in each engine, built from the same weights and data.

Every builder takes NumPy weights (``W`` of shape ``(out, in)``), a batch ``(x, y)`` and a
learning rate, and returns a :class:`Stepper` whose ``step()`` runs one
zero-grad → forward → softmax cross-entropy (mean) → backward → SGD update, the idiomatic way
for that engine; ``minigrad-compiled`` is the minigrad step through ``mg.compile``, timed on
replays only. Optional engines (PyTorch, HIPS autograd, MyGrad) raise
:class:`EngineUnavailable` ("not installed") when their package is absent; the runner reports
them as skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from benchmarks.common import LR, blas_threads
from benchmarks.numpy_step import Params, copy_params, init_params, make_batch, sgd_step

ENGINES = ("numpy", "minigrad", "minigrad-compiled", "torch", "autograd", "mygrad")
"""All engines, the yardstick first."""

OPTIONAL = ("torch", "autograd", "mygrad")

RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}
"""Tolerance of the equality check against the NumPy step, per dtype."""


class EngineUnavailable(Exception):
    """The engine cannot be built here; the message says why ("not installed", …)."""


def _nothing() -> None:
    return None


@dataclass
class Stepper:
    """One engine's training step, bound to its own copy of the weights and to the batch."""

    name: str
    step: Callable[[], object]
    """Runs one training step; returns the loss in the engine's own type (not converted)."""
    weights: Callable[[], Params]
    """The current weights as NumPy arrays (copies)."""
    release: Callable[[], None] = field(default=_nothing)
    """Drops what the engine keeps between steps but rebuilds in each (gradients), so that a
    memory measurement starts every engine from weights + optimizer state only."""


def _import_optional(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module or exc.name is None:
            raise EngineUnavailable("not installed") from exc
        raise EngineUnavailable(f"import failed: {exc}") from exc
    except ImportError as exc:
        raise EngineUnavailable(f"import failed: {exc}") from exc


# --------------------------------------------------------------------------- NumPy (the yardstick)


def build_numpy(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """The hand-written step of :mod:`benchmarks.numpy_step`."""
    own = copy_params(params)
    return Stepper("numpy", lambda: sgd_step(own, x, y, lr), lambda: copy_params(own))


# --------------------------------------------------------------------------- minigrad


def build_minigrad(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """``nn.Sequential(Linear, ReLU, …, Linear)``, ``F.cross_entropy``, ``optim.SGD``."""
    return _minigrad(params, x, y, lr)[0]


def _minigrad(params: Params, x: np.ndarray, y: np.ndarray, lr: float) -> tuple[Stepper, list]:
    """:func:`build_minigrad`'s stepper and its ``nn.Linear`` layers (to write weights back into)."""
    try:
        import minigrad as mg
        import minigrad.nn.functional as F
        from minigrad import nn, optim

        nn.Linear, nn.ReLU, nn.Sequential, F.cross_entropy, optim.SGD  # noqa: B018
    except (ImportError, AttributeError) as exc:
        raise EngineUnavailable(f"not importable yet: {type(exc).__name__}: {exc}") from exc

    dtype = params[0][0].dtype
    layers = []
    previous = mg.get_default_dtype()
    mg.set_default_dtype(dtype)  # so nn.Linear creates its parameters in the benchmark's dtype
    try:
        for i, (weight, _) in enumerate(params):
            if i:
                layers.append(nn.ReLU())
            layers.append(nn.Linear(weight.shape[1], weight.shape[0]))
    finally:
        mg.set_default_dtype(previous)
    model = nn.Sequential(*layers)
    linears = [layer for layer in layers if isinstance(layer, nn.Linear)]
    for layer, (weight, bias) in zip(linears, params, strict=True):
        _load(layer.weight, weight)
        _load(layer.bias, bias)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    inputs = mg.tensor(x)
    targets = mg.tensor(y)

    def step() -> object:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    def weights() -> Params:
        return [(layer.weight.numpy().copy(), layer.bias.numpy().copy()) for layer in linears]

    return Stepper("minigrad", step, weights, lambda: optimizer.zero_grad(set_to_none=True)), linears


def build_minigrad_compiled(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """The minigrad step above through ``mg.compile``, built so that every step the runner takes is a replay.

    ``mg.compile`` runs its first two calls eagerly (it traces the step twice and checks that the two traces
    agree). Both happen here, then the starting weights are written back into the same parameter arrays (SGD
    without momentum keeps no state), so the runner's first step, the one it checks against the NumPy step,
    already replays the traced program. A step that compile cannot trace is refused (it would time eager mode).
    """
    import warnings

    stepper, linears = _minigrad(params, x, y, lr)
    try:
        from minigrad.compile import CompileWarning
        from minigrad.compile import compile as compile_step
    except ImportError as exc:
        raise EngineUnavailable(f"not importable yet: {exc}") from exc
    step = compile_step(stepper.step)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # a fallback to eager mode, as an exception
        try:
            for _ in range(2):
                step()
        except CompileWarning as exc:
            raise EngineUnavailable(f"mg.compile fell back to eager mode: {exc}") from exc
    if step.eager_reason is not None:
        raise EngineUnavailable(f"mg.compile fell back to eager mode: {step.eager_reason}")
    for layer, (weight, bias) in zip(linears, params, strict=True):  # the same arrays the program reads
        _load(layer.weight, weight)
        _load(layer.bias, bias)
    return Stepper("minigrad-compiled", step, stepper.weights, stepper.release)


def _load(param, array: np.ndarray) -> None:
    data = param.numpy()
    if data.shape != array.shape or data.dtype != array.dtype:
        raise RuntimeError(f"minigrad parameter is {data.dtype}{data.shape}, expected {array.dtype}{array.shape}")
    data[...] = array


# --------------------------------------------------------------------------- PyTorch

_torch_threads_set = False


def torch_threads() -> int:
    """Threads PyTorch is given: the same count NumPy's BLAS uses (see ``blas_threads``)."""
    return blas_threads()


def build_torch(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """``torch.nn.Sequential``, ``F.cross_entropy``, ``torch.optim.SGD``, eager mode on the CPU."""
    global _torch_threads_set
    torch = _import_optional("torch")
    if not _torch_threads_set:
        torch.set_num_threads(torch_threads())
        _torch_threads_set = True
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[params[0][0].dtype]
    layers: list = []
    for i, (weight, bias) in enumerate(params):
        if i:
            layers.append(torch.nn.ReLU())
        linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight))
            linear.bias.copy_(torch.from_numpy(bias))
        layers.append(linear)
    model = torch.nn.Sequential(*layers)
    linears = [layer for layer in layers if isinstance(layer, torch.nn.Linear)]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    inputs = torch.from_numpy(x)
    targets = torch.from_numpy(y)
    cross_entropy = torch.nn.functional.cross_entropy

    def step() -> object:
        optimizer.zero_grad()
        loss = cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    def weights() -> Params:
        return [(lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy()) for lin in linears]

    return Stepper("torch", step, weights, lambda: optimizer.zero_grad(set_to_none=True))


# --------------------------------------------------------------------------- HIPS autograd


def build_autograd(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """The NumPy forward written with ``autograd.numpy``, differentiated by ``value_and_grad``."""
    autograd = _import_optional("autograd")
    anp = _import_optional("autograd.numpy")
    own = copy_params(params)
    rows = np.arange(x.shape[0])

    def loss_fn(weights: Params, inputs: np.ndarray, targets: np.ndarray):
        h = inputs
        for weight, bias in weights[:-1]:
            h = anp.maximum(h @ weight.T + bias, 0)
        weight, bias = weights[-1]
        logits = h @ weight.T + bias
        shifted = logits - anp.max(logits, axis=1, keepdims=True)
        log_probs = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.mean(log_probs[rows, targets])

    loss_and_grad = autograd.value_and_grad(loss_fn)

    def step() -> object:
        loss, grads = loss_and_grad(own, x, y)
        for (weight, bias), (d_weight, d_bias) in zip(own, grads, strict=True):
            weight -= lr * d_weight
            bias -= lr * d_bias
        return loss

    return Stepper("autograd", step, lambda: copy_params(own))


# --------------------------------------------------------------------------- MyGrad


def build_mygrad(params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """MyGrad tensors, ``nnet.activations.relu`` and ``nnet.losses.softmax_crossentropy``."""
    mygrad = _import_optional("mygrad")
    relu = _import_optional("mygrad.nnet.activations").relu
    softmax_crossentropy = _import_optional("mygrad.nnet.losses").softmax_crossentropy
    own = [(mygrad.tensor(w.copy()), mygrad.tensor(b.copy())) for w, b in params]
    inputs = mygrad.tensor(x, constant=True)

    def step() -> object:
        h = inputs
        for weight, bias in own[:-1]:
            h = relu(h @ weight.T + bias)
        weight, bias = own[-1]
        loss = softmax_crossentropy(h @ weight.T + bias, y)
        loss.backward()  # MyGrad clears stale gradients itself when a tensor enters a new graph
        for weight, bias in own:
            weight.data -= lr * weight.grad
            bias.data -= lr * bias.grad
        return loss

    return Stepper("mygrad", step, lambda: [(w.numpy().copy(), b.numpy().copy()) for w, b in own])


BUILDERS: dict[str, Callable[..., Stepper]] = {
    "numpy": build_numpy,
    "minigrad": build_minigrad,
    "minigrad-compiled": build_minigrad_compiled,
    "torch": build_torch,
    "autograd": build_autograd,
    "mygrad": build_mygrad,
}


def build(name: str, params: Params, x: np.ndarray, y: np.ndarray, lr: float = LR) -> Stepper:
    """Build engine ``name``; raises :class:`EngineUnavailable` when it cannot run here."""
    if name not in BUILDERS:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    return BUILDERS[name](params, x, y, lr)


# --------------------------------------------------------------------------- equality check


@dataclass
class CheckResult:
    """How far one engine's first step is from the NumPy step's."""

    engine: str
    loss_rel_err: float
    weight_rel_err: float
    """Largest ``|w − w_numpy| / max|w_numpy|`` over all weight and bias arrays."""
    rtol: float
    loss_dtype: str
    """The dtype of the engine's loss (the weights' dtype is checked to be kept, or it raises)."""

    @property
    def ok(self) -> bool:
        return self.loss_rel_err <= self.rtol and self.weight_rel_err <= self.rtol


def compare_step(
    name: str,
    sizes: tuple[int, ...],
    batch: int,
    dtype: type[np.floating] | np.dtype,
    seed: int = 0,
    lr: float = LR,
) -> CheckResult:
    """Run one step of ``name`` and of the NumPy step from the same weights and batch.

    The loss is compared relatively; each updated weight array is compared against the NumPy
    one elementwise, relative to that array's largest magnitude (so that entries which the
    update moved close to zero do not turn float rounding into a huge relative error).
    Also checks that the engine kept ``dtype``.
    """
    dtype = np.dtype(dtype)
    params = init_params(sizes, dtype, seed)
    x, y = make_batch(sizes[0], sizes[-1], batch, dtype, seed + 1)
    reference = build_numpy(params, x, y, lr)
    engine = build(name, params, x, y, lr)
    ref_loss = reference.step()
    loss = engine.step()
    return compare(name, ref_loss, reference.weights(), loss, engine.weights(), dtype)


def compare(
    name: str, ref_loss: object, ref_weights: Params, loss: object, weights: Params, dtype: np.dtype
) -> CheckResult:
    """Compare one engine's loss and updated weights with the NumPy step's (see :func:`compare_step`)."""
    ref_value = float(to_numpy(ref_loss))
    loss_err = abs(float(to_numpy(loss)) - ref_value) / max(abs(ref_value), float(np.finfo(dtype).tiny))
    weight_err = 0.0
    for (w_ref, b_ref), (w, b) in zip(ref_weights, weights, strict=True):
        for got, want in ((w, w_ref), (b, b_ref)):
            if got.dtype != dtype or got.shape != want.shape:
                raise AssertionError(f"{name}: weights are {got.dtype}{got.shape}, expected {dtype}{want.shape}")
            scale = float(np.max(np.abs(want))) or 1.0
            weight_err = max(weight_err, float(np.max(np.abs(got.astype(np.float64) - want))) / scale)
    return CheckResult(name, loss_err, weight_err, RTOL[dtype], str(to_numpy(loss).dtype))


def check_matches_numpy(
    name: str, sizes: tuple[int, ...], batch: int, dtype: type[np.floating] | np.dtype, seed: int = 0
) -> CheckResult:
    """:func:`compare_step`, raising ``AssertionError`` with both errors when it is out of tolerance."""
    result = compare_step(name, sizes, batch, dtype, seed)
    if not result.ok:
        raise AssertionError(
            f"{name} differs from the NumPy step ({np.dtype(dtype)}, sizes {sizes}, batch {batch}): "
            f"loss rel. err {result.loss_rel_err:.3g}, weight rel. err {result.weight_rel_err:.3g} "
            f"(rtol {result.rtol:g})"
        )
    return result


def to_numpy(value: object) -> np.ndarray:
    """A loss from any engine as a NumPy array."""
    if hasattr(value, "detach"):  # torch
        value = value.detach()
    if hasattr(value, "numpy") and callable(value.numpy):  # torch, minigrad
        return np.asarray(value.numpy())
    if hasattr(value, "data") and isinstance(getattr(value, "data", None), np.ndarray):  # MyGrad
        return value.numpy()
    return np.asarray(value)
