# %% [markdown]
# # 08 · Compiling a training step
#
# A training step in eager minigrad does two kinds of work. The **kernels** compute the numbers:
# a matrix product, an `exp`, the optimizer's update, each one NumPy call. The **bookkeeping**
# around them decides which kernels to call: Python makes a Tensor and a graph node for every op,
# `backward()` walks the graph, and each gradient is routed to where it belongs. On the small
# models of this course the kernels are small too, and the bookkeeping is a large part of a step.
#
# Yet the bookkeeping is the same at every step: the same model calls the same ops in the same order
# on batches of the same shape. A **tracing compiler** exploits this. `mg.compile(train_step)` runs the
# step once while recording every kernel it executes (forward, backward and the optimizer update),
# and from then on replays that list of kernels on the new batch, without making Tensors or nodes
# and without walking a graph. `jax.jit` and `torch.compile` also record a function once and reuse
# the recording while its assumptions hold. This notebook shows:
#
# 1. **what a trace is**: `step.explain()` of a small MLP's step, and that replay gives eager's numbers;
# 2. **why replay is faster**: a step's time split into kernels and Python, measured;
# 3. **guards and retracing**: what the trace assumed, and what happens when it changes (a new batch
#    shape, `model.eval()`, a scheduler changing the learning rate, the cache of traces);
# 4. **falling back**: what cannot be traced (`.item()` inside the step), and the warning it gives;
# 5. **randomness**: dropout draws a fresh mask at every replay;
# 6. **the speedup on the course's models**, and `fit(..., compile=True)`;
# 7. **Try it**: three exercises with checks.
#
# Every time in this notebook is measured when it runs: the numbers in the outputs belong to the run
# that produced them (on a shared machine they move by several per cent from run to run).

# %%
import cProfile
import importlib
import os
import pstats
import sys
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.compile import CACHE_SIZE, CompileWarning
from minigrad.data import DataLoader, TensorDataset, load_digits, standardize, train_val_test_split
from minigrad.optim import lr_scheduler
from minigrad.train import fit

if os.getcwd() not in sys.path:  # the kernel runs in notebooks/: the exercises' reference solutions live there
    sys.path.insert(0, os.getcwd())
solutions = importlib.import_module("solutions.08_compile")

np.set_printoptions(precision=4, suppress=True)
X, y = load_digits()
X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0)
X_train, X_val, X_test = standardize(X_train, X_val, X_test)
print(f"digits: train {len(X_train)}, validation {len(X_val)}, test {len(X_test)}; dtype {X_train.dtype}")

# %% [markdown]
# ## 1. What a trace is
#
# The step below is the one every earlier notebook wrote: zero the gradients, forward, loss,
# backward, optimizer step, return the loss. `mg.compile` wraps it; the wrapped `step` is called
# exactly like `train_step`. A tiny model (`4 → 8 → 3`) keeps the trace short.

# %%
def make_mlp(sizes, seed=0, dtype=mg.float32):
    """Linear → ReLU → … → Linear with PyTorch's default initialisation, from a fixed seed."""
    mg.manual_seed(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.ReLU()] if i else []
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers).to(dtype)


def make_step(model, opt, loss_fn=F.cross_entropy):
    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


tiny = make_mlp((4, 8, 3))
tiny_opt = optim.SGD(tiny.parameters(), lr=0.1)
step = mg.compile(make_step(tiny, tiny_opt))
xb, yb = mg.tensor(X_train[:5, :4]), mg.tensor(y_train[:5] % 3)
for call in range(1, 4):
    loss = step(xb, yb)
    print(f"call {call}: loss {loss.item():.4f}, traced so far: {step.traces}, "
          f"loss has a graph behind it: {loss.grad_fn is not None}")
print()
print(step.explain())
program = step.explain().splitlines()
assert step.traces == 2 and step.eager_reason is None
assert any(line.startswith("%") for line in program) and any("backward" in line for line in program)
assert any(line.startswith("call SGD.zero_grad") for line in program)
assert any(line.startswith("call SGD.step") for line in program)
assert any(line.startswith("def replay(") for line in program) and any("allocated once" in line for line in program)

# %% [markdown]
# The first two calls run eagerly, as `train_step` would, while they record. The second trace is
# compared with the first: if they differ, the step depends on something the trace cannot see (a
# Python number that changes between calls, say) and compile refuses to replay it. From the third
# call on, `step` **replays**: the loss it returns has no graph behind it, because none was built.
#
# `explain()` prints two things. First the **trace**, one line per recorded step:
#
# - `%k = Op(inputs) -> shape dtype`: a forward op. Its inputs come from the **arguments** (`arg0` is
#   `x`), from **live tensors** (the parameters, read at every replay, so the optimizer's in-place
#   updates are seen) or from earlier ops' outputs (`%j`).
# - the **backward** section: each op's backward rule, in the order the engine ran them, with the
#   gradients they pass on (`g%k`) and the `.grad` they accumulate into.
# - `call ...`: a **host call**, a method that works on NumPy arrays by itself: `zero_grad()` and
#   the optimizer's `step()`, which reads its hyperparameters live.
#
# Then what is actually replayed: the trace **lowered** to the source of one generated Python
# function, `replay`, one line per NumPy kernel. Every intermediate of up to 1 MiB gets a buffer
# allocated once per program (the `B` lines: the guards of section 3 fix every shape and dtype, so the
# buffers fit every replay) and the kernels write into them (`matmul(A0, LT0, B0)`, `out=`); each
# gradient goes straight into the buffer of the kernel that reads it. A larger array is allocated by
# its kernel, as in eager mode (memory freed moments earlier, still in the cache), and every value is
# dropped where eager mode drops it, so a replay needs no more memory than an eager step.
# `zero_grad` and the SGD update are written out as kernels too: they read `lr` from the optimizer
# at every call, and the `if … else` around them calls the real method whenever what the lowering
# assumed no longer holds.
#
# The replay runs the same kernels as eager mode in the same order (writing into a buffer changes no
# value), so it gives the same numbers. Two identical
# models, one trained eagerly and one compiled, 50 steps each on the same batches:

# %%
def train_losses(compiled, steps=50, sizes=(64, 32, 10), batch=32):
    model = make_mlp(sizes)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fn = make_step(model, opt)
    fn = mg.compile(fn) if compiled else fn
    losses = []
    for i in range(steps):
        lo = (i * batch) % (len(X_train) - batch)
        losses.append(fn(mg.tensor(X_train[lo:lo + batch]), mg.tensor(y_train[lo:lo + batch])).item())
    return np.array(losses), np.concatenate([p.numpy().ravel() for p in model.parameters()])


eager_losses, eager_params = train_losses(False)
comp_losses, comp_params = train_losses(True)
loss_diff = np.abs(eager_losses - comp_losses).max()
param_diff = np.abs(eager_params - comp_params).max()
print(f"largest difference over 50 steps: loss {loss_diff:.3g}, parameters {param_diff:.3g} "
      f"(bit-for-bit equal: {loss_diff == 0 and param_diff == 0})")
assert np.allclose(eager_losses, comp_losses, rtol=1e-6) and np.allclose(eager_params, comp_params, rtol=1e-6)

# %% [markdown]
# ## 2. Why replay is faster
#
# How much of an eager step is bookkeeping? Write the same step by hand in NumPy: the forward pass,
# the backward pass as lecture notes write it (`dz = (softmax − onehot)/N`, `dW = dzᵀh`,
# `db = Σdz`, `dh = dz·W`, through the ReLU `dz = dh·[h > 0]`) and the SGD update in place. It runs
# the kernels such a step needs with hardly any Python around them (a loop over the layers): take its
# time as the **kernel time**, the yardstick. What eager minigrad spends above it is bookkeeping. The
# model is the course's digits MLP `64 → 128 → 64 → 10`, batch 64, float32; all three steps start
# from the same weights.

# %%
def numpy_step(params, x, y, lr):
    """One SGD step of the MLP with ReLU and softmax cross-entropy, by hand; params: [(W, b)], W is (out, in)."""
    hs = [x]
    for i, (W, b) in enumerate(params):
        z = hs[-1] @ W.T + b
        hs.append(np.maximum(z, 0) if i < len(params) - 1 else z)
    logits = hs.pop()
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_probs[np.arange(n), y].mean()
    dz = np.exp(log_probs)
    dz[np.arange(n), y] -= 1
    dz /= n
    for i in range(len(params) - 1, -1, -1):
        W, b = params[i]
        h = hs[i]
        dh = dz @ W if i else None
        W -= lr * (dz.T @ h)
        b -= lr * dz.sum(axis=0)
        if i:
            dz = dh * (h > 0)
    return loss


sizes, batch = (64, 128, 64, 10), 64
xb, yb = mg.tensor(X_train[:batch]), mg.tensor(y_train[:batch])
eager_model, comp_model = make_mlp(sizes), make_mlp(sizes)
np_params = [(m.weight.numpy().copy(), m.bias.numpy().copy()) for m in eager_model if isinstance(m, nn.Linear)]
steps = {
    "NumPy by hand": lambda: numpy_step(np_params, X_train[:batch], y_train[:batch], 0.1),
    "eager minigrad": lambda f=make_step(eager_model, optim.SGD(eager_model.parameters(), lr=0.1)): f(xb, yb),
    "compiled": lambda f=mg.compile(make_step(comp_model, optim.SGD(comp_model.parameters(), lr=0.1))): f(xb, yb),
}
losses = {name: float(np.asarray(fn() if name == "NumPy by hand" else fn().item())) for name, fn in steps.items()}
print("first step's loss:", {name: round(v, 6) for name, v in losses.items()})
assert np.allclose(list(losses.values()), losses["NumPy by hand"], rtol=1e-5)


def time_steps(steps, rounds=40, per_round=20):
    """Median seconds per step of each function, timed in turns (round-robin) so machine load hits all alike."""
    for fn in steps.values():  # warm-up (and the compiled step's two tracing calls)
        for _ in range(3):
            fn()
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            times[name].append((time.perf_counter() - start) / per_round)
    return {name: float(np.median(t)) for name, t in times.items()}


med = time_steps(steps)
kernels = med["NumPy by hand"]
for name, t in med.items():
    print(f"{name:<15} {t * 1e6:6.0f} µs per step, {t / kernels:.2f}× the NumPy step")
med_digits = med["eager minigrad"]
above_eager, above_comp = med_digits - kernels, med["compiled"] - kernels
print(f"eager minigrad spends {above_eager / med_digits:.0%} of its step above the NumPy step's time; "
      f"the compiled step takes {med['compiled'] / med_digits:.2f} of eager's time, ", end="")
if above_comp > 0:
    print(f"so compiling removed {1 - above_comp / above_eager:.0%} of what eager spent above the NumPy step")
else:
    print("at or below the NumPy step's time: the yardstick is not a hard floor (see below)")

# %% [markdown]
# The same comparison counted rather than timed: Python's profiler (`cProfile`) counts the calls of
# Python functions and of built-in functions during ten steps. Counts do not depend on the machine's
# load.

# %%
def calls_per_step(fn, n=10):
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        fn()
    profile.disable()
    stats = pstats.Stats(profile)
    by_function = {f"{func[2]} ({os.path.basename(func[0])})": s[1] / n for func, s in stats.stats.items()}
    return stats.total_calls / n, by_function


counts = {name: calls_per_step(fn) for name, fn in steps.items()}
for name, (total, _) in counts.items():
    print(f"{name:<15} {total:6.0f} function calls per step")
eager_calls, comp_calls = counts["eager minigrad"][1], counts["compiled"][1]
gone = sorted((n for n in eager_calls if n not in comp_calls), key=lambda n: -eager_calls[n])
print("\ncalled by eager minigrad, never by the replay (the most frequent first):")
for name in gone[:12]:
    print(f"  {eager_calls[name]:4.0f} × {name}")
print("\nthe Python functions the compiled step calls most often:")
for name in sorted((n for n in comp_calls if not n.endswith("(~)")), key=lambda n: -comp_calls[n])[:8]:
    print(f"  {comp_calls[name]:4.0f} × {name}")
assert counts["compiled"][0] < counts["eager minigrad"][0]

fig, ax = plt.subplots(figsize=(7.5, 3.2))
names = list(med)
ax.barh(names, [min(med[n], kernels) * 1e6 for n in names], color="tab:blue",
        label="kernels (taken as the NumPy step's time)")
ax.barh(names, [max(med[n] - kernels, 0) * 1e6 for n in names], left=kernels * 1e6, color="tab:orange",
        label="everything else (Python)")
for i, n in enumerate(names):
    ax.text(med[n] * 1e6, i, f" {med[n] * 1e6:.0f} µs", va="center")
ax.invert_yaxis()
ax.set_xlabel("µs per training step (median, this run)")
ax.set_title(f"MLP {'-'.join(map(str, sizes))}, batch {batch}, float32")
ax.set_xlim(0, max(med.values()) * 1.25 * 1e6)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The orange part is what the replay attacks: the eager step's Python (making Tensors and nodes,
# dispatching each op, walking the graph, routing gradients, the optimizer's loop over parameters)
# that the replay no longer runs; the first list names those functions. What the compiled step still
# runs in Python is the check of its guards and the call of the generated function: the second list.
# (Taking the NumPy step's time as every step's kernel time is an approximation: minigrad's kernels
# are not exactly the hand-written ones, and the NumPy step allocates a fresh array for every
# intermediate where the replay reuses its buffers. So the yardstick is not a hard floor: section 6
# puts the compiled step beside the NumPy step on a model with large arrays.) Going well below it
# needs fewer kernels, such as one fused pass over memory for a chain of elementwise operations.
#
# ## 3. Guards and retracing
#
# A trace is valid only for what it assumed. `mg.compile` checks these **guards** at every call:
# the arguments' shapes and dtypes, grad mode, each module's `training` flag, the parameters and
# submodules (the same objects) and the shapes and dtypes of the live tensors it reads. A call
# that matches no recorded program is traced again (twice: trace, then check), and the new program
# is kept beside the old ones. Batches of 64 and the smaller last batch of an epoch, as a
# `DataLoader` gives them, are two shapes:

# %%
model = make_mlp((64, 32, 10))
opt = optim.SGD(model.parameters(), lr=0.1)
step = mg.compile(make_step(model, opt))
last = len(X_train) % 64
shapes = [64, 64, 64, last, last, 64, last, 64]
for n in shapes:
    before = step.traces
    step(mg.tensor(X_train[:n]), mg.tensor(y_train[:n]))
    print(f"batch of {n}: {'traced' if step.traces > before else 'replayed'}")
print(f"{step.traces} traced calls out of {len(shapes)}")
assert 0 < last < 64 and step.traces == 4

# %% [markdown]
# Each batch shape is traced on its first two calls and replayed afterwards, and switching back and
# forth replays from the cache. `model.eval()` changes a module's `training` flag, which is a
# guard: dropout and batch norm do different things in the two modes, so the program differs.

# %%
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))
step = mg.compile(lambda x: model(x).argmax(1))  # a prediction function, compiled under no_grad below
x64 = mg.tensor(X_val[:64])
has_dropout = {}
with mg.no_grad():
    for mode in ("train", "train", "train", "eval", "eval", "eval", "train"):
        model.train(mode == "train")
        before = step.traces
        step(x64)
        has_dropout[mode] = "Dropout" in step.explain()
        print(f"model.{mode}(): {'traced' if step.traces > before else 'replayed'}")
print("the program has a dropout op:", has_dropout)
assert step.traces == 4 and has_dropout == {"train": True, "eval": False}

# %% [markdown]
# The eval-mode program has no dropout op at all: in eval mode, dropout is the identity.
#
# Hyperparameters are *not* guards. The optimizer's step is replayed on the live optimizer: SGD's and
# Adam's written out as kernels that read `lr` (and momentum, weight decay, ...) from its param groups
# at every replay, any other optimizer's `step()` called as it is. A scheduler that lowers
# the learning rate every 10 steps takes effect without a retrace, and the compiled run ends with
# the eager run's weights:

# %%
def run_with_scheduler(compiled, steps=40):
    model = make_mlp((64, 32, 10))
    opt = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    sched = lr_scheduler.StepLR(opt, step_size=10, gamma=0.3)

    def train_step(x, y):
        loss = make_step(model, opt)(x, y)
        sched.step()
        return loss

    fn = mg.compile(train_step) if compiled else train_step
    lrs = []
    for i in range(steps):
        lo = (i * 64) % (len(X_train) - 64)
        fn(mg.tensor(X_train[lo:lo + 64]), mg.tensor(y_train[lo:lo + 64]))
        lrs.append(opt.param_groups[0]["lr"])
    return fn, lrs, np.concatenate([p.numpy().ravel() for p in model.parameters()])


_, eager_lrs, eager_w = run_with_scheduler(False)
fn, comp_lrs, comp_w = run_with_scheduler(True)
print("learning rate after steps 10, 20, 30, 40:", [round(v, 6) for v in comp_lrs[9::10]])
print(f"traced {fn.traces} times in 40 steps; largest weight difference to eager: {np.abs(eager_w - comp_w).max():.3g}")
assert fn.traces == 2 and comp_lrs == eager_lrs and np.allclose(eager_w, comp_w, rtol=1e-6)

# %% [markdown]
# The cache holds `CACHE_SIZE` programs per compiled function. When a new one would exceed it, the
# least recently used one is evicted, with a `CompileWarning`. A cache of 2 and three batch shapes:

# %%
step = mg.compile(make_step(model, opt), cache_size=2)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", CompileWarning)
    for n in (64, 64, 32, 32, 16, 16):
        step(mg.tensor(X_train[:n]), mg.tensor(y_train[:n]))
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
assert len(caught) == 1 and "evicting" in str(caught[0].message)

# %% [markdown]
# ## 4. Falling back: what cannot be traced
#
# A trace records kernels, not Python. If the step *reads* a value and Python acts on it (`.item()`
# to log the loss, an `if` on a tensor, `float(loss)`), the next call might take another path that
# the trace never saw. Compile does not guess: the compiled function runs eagerly from then on, with
# one `CompileWarning` that names the cause. The results are then eager's, never a wrong replay.

# %%
model = make_mlp((64, 32, 10))
opt = optim.SGD(model.parameters(), lr=0.1)
log = []


def logging_step(x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    log.append(loss.item())  # reads the value inside the step
    loss.backward()
    opt.step()
    return loss


step = mg.compile(logging_step)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", CompileWarning)
    for i in range(5):
        step(mg.tensor(X_train[:64]), mg.tensor(y_train[:64]))
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
print(f"\nthe step still ran 5 times ({len(log)} losses logged); explain(): {step.explain()}")
assert len(caught) == 1 and step.eager_reason is not None and len(log) == 5

# %% [markdown]
# A Python number that changes between calls is another thing a trace cannot see: it is baked into
# the program as a constant. This is what the second tracing call is for. Here the loss is scaled by
# a factor that a Python counter changes at every call; the two traces disagree, and compile says so:

# %%
calls = [0]


def scaled_step(x, y):
    calls[0] += 1
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y) * (1.0 / calls[0])  # a Python float that differs at every call
    loss.backward()
    opt.step()
    return loss


step = mg.compile(scaled_step)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", CompileWarning)
    for i in range(4):
        step(mg.tensor(X_train[:64]), mg.tensor(y_train[:64]))
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
assert len(caught) == 1 and step.eager_reason is not None and calls[0] == 4

# %% [markdown]
# The fix is to keep the step free of reads: return the loss and call `.item()` on what the compiled
# step returns, outside it (exercise 2 below). `fit(..., compile=True)` does exactly that.
#
# ## 5. Randomness: dropout draws a fresh mask at every replay
#
# A trace must not freeze random numbers into constants. Dropout is recorded as an op whose forward
# runs again at every replay, drawing from the same generator as eager mode would. The same batch,
# replayed five times with dropout active, gives five different losses. And from the same seed, the
# compiled run draws the same masks as the eager run:

# %%
def dropout_losses(compiled, calls=7):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    opt = optim.SGD(model.parameters(), lr=0.0)  # lr 0: the weights stay put, only the masks change
    fn = mg.compile(make_step(model, opt)) if compiled else make_step(model, opt)
    mg.manual_seed(42)
    return np.array([fn(mg.tensor(X_train[:64]), mg.tensor(y_train[:64])).item() for _ in range(calls)]), fn


eager_drop, _ = dropout_losses(False)
comp_drop, fn = dropout_losses(True)
print("compiled, calls 3-7 (replays):", comp_drop[2:])
print("eager,    calls 3-7:          ", eager_drop[2:])
print(f"distinct losses among the replays: {len(set(comp_drop[2:]))} of 5; traced {fn.traces} times")
assert len(set(comp_drop[2:])) == 5 and fn.traces == 2 and np.allclose(comp_drop, eager_drop, rtol=1e-6)

# %% [markdown]
# ## 6. The speedup on the course's models
#
# Three models from the earlier notebooks and one for contrast, on digits batches of 64, each step
# timed eagerly and compiled (round-robin medians, after the compiled step's two tracing calls):
#
# - the **digits MLP** `64 → 128 → 64 → 10`, ReLU, SGD with momentum;
# - the **demo's model** (`python -m minigrad demo`): `64 → 256 → 128 → 10` with batch norm, ReLU and
#   dropout, Adam, cross-entropy plus an L2 penalty;
# - a **deep tanh net**, 10 hidden layers of 32 (02 and 03's vanishing-gradient network), SGD;
# - for contrast, a **wide MLP** `64 → 1024 → 1024 → 10`, SGD, whose matrix products are large; its
#   hand-written NumPy step (section 2's `numpy_step`, the same SGD) is timed beside it.

# %%
def course_models():
    mg.manual_seed(0)
    mlp = make_mlp((64, 128, 64, 10))
    yield "digits MLP 64-128-64-10", mlp, optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9), F.cross_entropy
    mg.manual_seed(0)
    demo = nn.Sequential(nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    yield "demo: BN, dropout, Adam, L2", demo, optim.Adam(demo.parameters(), lr=1e-3), \
        nn.RegularizedLoss(nn.CrossEntropyLoss(), demo, l2=1e-3)
    mg.manual_seed(0)
    deep = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), *[m for _ in range(9) for m in (nn.Linear(32, 32), nn.Tanh())],
                         nn.Linear(32, 10))
    yield "deep tanh, 10 × 32", deep, optim.SGD(deep.parameters(), lr=0.05), F.cross_entropy
    wide = make_mlp((64, 1024, 1024, 10))
    yield "wide MLP 64-1024-1024-10", wide, optim.SGD(wide.parameters(), lr=0.05), F.cross_entropy


xb, yb = mg.tensor(X_train[:64]), mg.tensor(y_train[:64])
speed = {}
for name, model, opt, loss_fn in course_models():
    eager_fn = make_step(model, opt, loss_fn)
    comp_fn = mg.compile(make_step(model, opt, loss_fn))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # a fallback here would time eager mode twice
        timed = {"eager": lambda: eager_fn(xb, yb), "compiled": lambda: comp_fn(xb, yb)}
        rounds = (30, 20)
        if "wide" in name:  # its steps take milliseconds: fewer rounds, and the NumPy step beside it
            wide_params = [(m.weight.numpy().copy(), m.bias.numpy().copy()) for m in model if isinstance(m, nn.Linear)]
            timed["NumPy"] = lambda: numpy_step(wide_params, X_train[:64], y_train[:64], 0.05)
            rounds = (10, 4)
        med = time_steps(timed, *rounds)
    assert comp_fn.eager_reason is None and comp_fn.traces == 2
    speed[name] = med
    print(f"{name:<28} eager {med['eager'] * 1e6:6.0f} µs, compiled {med['compiled'] * 1e6:6.0f} µs per step: "
          f"compiled takes {med['compiled'] / med['eager']:.2f} of eager's time")
wide = speed["wide MLP 64-1024-1024-10"]
ratio = wide["compiled"] / wide["NumPy"]
if ratio < 0.97:
    verdict = "below it, so the replay saved more than Python here"
elif ratio <= 1.03:
    verdict = "within 3 % of it: compile removed the Python, and there was little else to remove"
else:
    verdict = "above it: some Python, or costlier kernels, remain"
print(f"\nwide MLP: the NumPy step takes {wide['NumPy'] * 1e6:.0f} µs, {wide['NumPy'] / wide['eager']:.0%} of eager's "
      f"time (for the digits MLP, section 2: {kernels / med_digits:.0%}); the compiled step takes "
      f"{wide['compiled'] / wide['NumPy']:.2f}× the NumPy step's time: " + verdict)

fig, ax = plt.subplots(figsize=(8, 3.4))
ratios = [m["compiled"] / m["eager"] for m in speed.values()]
ax.bar(range(len(speed)), ratios, 0.6, color="tab:orange")
ax.axhline(1.0, color="k", lw=1, ls="--", label="eager's time")
for i, (r, m) in enumerate(zip(ratios, speed.values())):
    ax.text(i, r / 2, f"{r:.2f}\n\n{m['eager'] * 1e6:.0f} µs\n→ {m['compiled'] * 1e6:.0f} µs", ha="center",
            va="center", fontsize=8)
ax.set_xticks(range(len(speed)), ["digits MLP", "demo model", "deep tanh", "wide MLP"])
ax.set_ylim(0, 1.3)
ax.set_ylabel("compiled time ÷ eager time")
ax.set_title("one training step, batch 64 (medians, this run)")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# A whole training run: `fit(..., compile=True)` compiles its training step (the batches of 64 and the
# smaller last batch give two programs). Thirty epochs of the digits MLP from the same seed, eager
# and compiled, three times each in turns: the same history, and the shortest wall time of each. The
# wall time also includes the validation pass and the data loading, which compile leaves alone, and
# the compiled run's tracing calls.

# %%
def fit_digits(compile_step, epochs=30):
    mg.manual_seed(0)
    model = make_mlp((64, 128, 64, 10))
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    mg.manual_seed(1)  # the shuffling
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        history = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(X_train, y_train), 64, shuffle=True),
                      DataLoader(TensorDataset(X_val, y_val), len(X_val)), epochs=epochs, progress=False,
                      compile=compile_step)
    return history, time.perf_counter() - start


fit_digits(True, epochs=1)  # warm-up
runs = {False: [], True: []}
for _ in range(3):
    for compiled in (False, True):
        runs[compiled].append(fit_digits(compiled))
h_eager, h_comp = runs[False][0][0], runs[True][0][0]
t_eager, t_comp = min(t for _, t in runs[False]), min(t for _, t in runs[True])
print(f"eager:    {t_eager:.2f} s, final validation accuracy {h_eager.val_acc[-1]:.2%}")
print(f"compiled: {t_comp:.2f} s, final validation accuracy {h_comp.val_acc[-1]:.2%} "
      f"({t_comp / t_eager:.2f} of eager's wall time)")
print(f"largest difference in the training losses per epoch: {np.abs(np.subtract(h_eager.train_loss, h_comp.train_loss)).max():.3g}")
assert h_comp.val_acc == h_eager.val_acc and np.allclose(h_comp.train_loss, h_eager.train_loss, rtol=1e-6)

# %% [markdown]
# What a replay can gain depends on what a step spends besides its kernels. The last printed line of
# the timings puts the wide MLP's compiled step beside its NumPy step: on a model whose kernels are
# most of the eager step, compiling can only help by doing the kernels' work more cheaply (writing in
# place where the NumPy step allocates, and ReLU's `maximum` against a row of zeros, which NumPy runs
# 2–3× faster than against the scalar 0, with the same values), and the line says whether it did on
# this run. `python -m benchmarks.run` measures eager, compiled and the hand-written
# NumPy step side by side on four workloads, from tiny to BLAS-bound, with their peak memory.
#
# ## 7. Try it
#
# Three exercises. Each has a stub `my_...` to replace with your code and a check cell. While the stub
# still raises `NotImplementedError`, the check runs the reference solution from
# `notebooks/solutions/08_compile.py` instead (so the notebook runs top to bottom; set the environment
# variable `MINIGRAD_SOLUTIONS=0` to make a stub an error). Write your own first.
#
# **Exercise 1 — predict the traces.** A compiled step is called with batches of the sizes in
# `batch_sizes`, in that order (fewer than `CACHE_SIZE` different sizes). Write
# `my_trace_count(batch_sizes)`: how many calls are traced? The check runs `mg.compile` on five
# sequences and compares with `step.traces`.

# %%
def my_trace_count(batch_sizes):
    """Return the number of traced calls for this sequence of batch sizes."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("trace count", solutions.check_trace_count, my_trace_count, solutions.trace_count)

# %% [markdown]
# **Exercise 2 — make the logging step compilable.** Section 4's `logging_step` made compile fall back.
# Write `my_make_step(model, opt)` returning a training step `step(x, y)` that compiles (no
# `CompileWarning`) and still lets the caller log every loss. The check compiles your step, logs
# `.item()` of what it returns, and compares with the losses of the eager logging loop.

# %%
def my_make_step(model, opt):
    """Return a function train_step(x, y) that mg.compile can trace and replay."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("compilable step", solutions.check_make_step, my_make_step, solutions.make_step)

# %% [markdown]
# **Exercise 3 — which changes retrace?** After a compiled step has been traced and replayed, one thing
# changes before the next call. Write `my_retraces(change)` returning `True` if that call is traced
# again, for each change in `solutions.CHANGES` (printed below). The check makes each change and
# looks at `step.traces`.

# %%
print(list(solutions.CHANGES))


def my_retraces(change):
    """Return True if the change (one of the names above) makes the next call trace again."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("guards", solutions.check_retraces, my_retraces, solutions.retraces)
