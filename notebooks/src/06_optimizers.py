# %% [markdown]
# # 06 · Optimizers
#
# Gradient descent takes a step `−α·g` against the gradient `g`. How well that works depends on the
# shape of the loss surface, which the Hessian (the matrix of second derivatives) describes. This
# notebook runs minigrad's optimizers (`optim.SGD` with and without momentum and Nesterov,
# `optim.RMSprop`, `optim.Adam`) where their differences are visible:
#
# 1. a **long narrow valley** (a least-squares loss over two weights, with data so that one
#    direction is 100 times more curved than the other): batch GD, SGD, mini-batch SGD, momentum,
#    Nesterov, RMSProp and Adam, paths plotted;
# 2. a **saddle point**: who gets away from it, and the **Hessian** there with `hessian()`;
# 3. **Adam's bias correction** in the first steps;
# 4. the same optimizers on an MLP for the digits: loss against steps.
#
# The update rules, from the course (`g` the gradient, `α` or `η` the learning rate):
#
# | optimizer | update |
# |---|---|
# | SGD / mini-batch / batch GD | `W ← W − α·g`, `g` from 1 sample / K samples / all samples |
# | momentum | `v ← β·v + g`, `W ← W − α·v` (PyTorch's form; the course's average `β·v + (1−β)·g` is the same with `α` rescaled by `1/(1−β)`) |
# | RMSProp | `s ← β·s + (1−β)·g²`, `W ← W − α·g/(√s + ε)` |
# | Adam | `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`, `W ← W − η·m̂/(√v̂ + ε)` |

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.autograd.functional import hessian
from minigrad.data import load_digits, standardize, train_test_split

mg.set_default_dtype(np.float64)  # the 2-D experiments in float64; the MLP below uses float32 data
mg.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A long narrow valley
#
# Linear regression with two weights, `L(w) = mean_i (x_i·w − y_i)²` over `m = 500` samples whose
# first feature has standard deviation 1 and the second 0.1. The Hessian is `2·mean_i x_i x_iᵀ`:
# its eigenvalues are about 2 and 0.02, so the surface is a valley 10 times longer than it is wide
# (curvature ratio 100). `hessian()` gives it from the loss directly:

# %%
rng = np.random.default_rng(0)
m = 500
X_v = rng.standard_normal((m, 2)) * np.array([1.0, 0.1])
y_v = X_v @ np.array([1.0, 2.0]) + 0.1 * rng.standard_normal(m)
Xt, yt = mg.tensor(X_v), mg.tensor(y_v)


def valley_loss(w, idx=None):
    if idx is None:
        return ((Xt @ w - yt) ** 2).mean()
    return ((Xt[idx] @ w - yt[idx]) ** 2).mean()


w_star = np.linalg.lstsq(X_v, y_v, rcond=None)[0]
L_star = float(valley_loss(mg.tensor(w_star)))
H_valley = hessian(valley_loss, mg.tensor(w_star)).numpy()
eig_valley = np.linalg.eigvalsh(H_valley)
print("minimum w* =", w_star, f"  L(w*) = {L_star:.5f}")
print("Hessian:\n", H_valley)
print("eigenvalues:", eig_valley, f"  ratio λmax/λmin = {eig_valley[-1] / eig_valley[0]:.0f}")
print(f"gradient descent is stable only for α < 2/λmax = {2 / eig_valley[-1]:.3f}")
assert 80 < eig_valley[-1] / eig_valley[0] < 130

# %% [markdown]
# Every optimizer starts at `w = (−2, −1.5)` and takes 100 steps, each with a learning rate chosen
# by hand for this surface. SGD uses one random sample per step, mini-batch SGD 32, all
# others the full data (batch GD). We record the path and the excess loss `L(w) − L(w*)`.

# %%
START = np.array([-2.0, -1.5])
STEPS = 100


def run(make_opt, loss_fn, steps=STEPS, batch=None, start=START, seed=0):
    w = mg.tensor(start.copy(), requires_grad=True)
    opt = make_opt([w])
    r = np.random.default_rng(seed)
    path = [w.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        if batch is None:
            loss = loss_fn(w)
        else:
            loss = loss_fn(w, r.choice(m, batch, replace=False))
        loss.backward()
        opt.step()
        path.append(w.numpy().copy())
    return np.array(path)


valley_setups = {
    "batch GD (α=0.9)": (lambda p: optim.SGD(p, lr=0.9), None),
    "SGD, 1 sample (α=0.05)": (lambda p: optim.SGD(p, lr=0.05), 1),
    "mini-batch 32 (α=0.5)": (lambda p: optim.SGD(p, lr=0.5), 32),
    "momentum 0.9 (α=0.3)": (lambda p: optim.SGD(p, lr=0.3, momentum=0.9), None),
    "Nesterov 0.9 (α=0.3)": (lambda p: optim.SGD(p, lr=0.3, momentum=0.9, nesterov=True), None),
    "RMSProp (α=0.05)": (lambda p: optim.RMSprop(p, lr=0.05), None),
    "Adam (η=0.1)": (lambda p: optim.Adam(p, lr=0.1), None),
}
paths, excess = {}, {}
for name, (make_opt, batch) in valley_setups.items():
    paths[name] = run(make_opt, valley_loss, batch=batch)
    with mg.no_grad():
        excess[name] = np.array([float(valley_loss(mg.tensor(p))) for p in paths[name]]) - L_star

g1, g2 = np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2, 4, 200))
with mg.no_grad():
    surface = np.array([[float(valley_loss(mg.tensor([a, b]))) for a, b in zip(ra, rb)] for ra, rb in zip(g1, g2)])

levels = np.geomspace(L_star + 0.003, surface.max(), 18)
fig, axes = plt.subplots(2, 4, figsize=(15, 7.5))
for i, (name, path) in enumerate(paths.items()):
    ax = axes.flat[i]
    ax.contour(g1, g2, surface, levels=levels, colors="gray", linewidths=0.5)
    ax.plot(path[:, 0], path[:, 1], ".-", color=f"C{i}", lw=1, ms=2.5)
    ax.plot(*w_star, "k*", ms=10)
    ax.plot(*START, "ko", ms=4)
    ax.set_title(name, fontsize=10)
    ax.tick_params(labelsize=7)
ax = axes.flat[-1]
for i, (name, e) in enumerate(excess.items()):
    ax.semilogy(np.maximum(e, 1e-12), color=f"C{i}", label=name, lw=1)
ax.set_xlabel("step")
ax.set_title("L(w) − L(w*), full data", fontsize=10)
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=6)
fig.suptitle("100 steps on the valley: w₁ horizontal (steep), w₂ vertical (flat); start ●, minimum ★")
fig.tight_layout()
plt.show()


def steps_to(e, tol=1e-3):
    below = np.nonzero(e < tol)[0]
    return int(below[0]) if below.size else None


print(f"{'optimizer':<24} {'steps to L − L* < 1e-3':>22} {'mean excess, last 20 steps':>27}")
for name, e in excess.items():
    print(f"{name:<24} {str(steps_to(e)):>22} {e[-20:].mean():>27.1e}")

# %% [markdown]
# - **Batch GD** must keep `α < 2/λmax ≈ 1` or it diverges along the steep direction, and with that
#   `α` it crawls along the flat one (curvature 0.02): after 100 steps it is still not within 1e-3
#   of the minimum.
# - **Momentum** and **Nesterov** add up the gradients' consistent component along the valley floor
#   and get within 1e-3 in well under 100 steps; Nesterov, which computes the gradient at the point
#   the velocity is about to carry it to, overshoots less and gets there first.
# - **RMSProp** and **Adam** divide each weight's step by the root mean square of its own
#   gradients: the steep and the flat direction (here the two axes) get steps of the same size, as
#   if the surface were round.
# - **SGD** on one sample and **mini-batch** SGD head the right way but never settle: with a fixed
#   learning rate their excess loss stays at a noise floor, lower with the larger batch.

# %%
assert steps_to(excess["batch GD (α=0.9)"]) is None
for name in ("momentum 0.9 (α=0.3)", "Nesterov 0.9 (α=0.3)", "RMSProp (α=0.05)", "Adam (η=0.1)"):
    assert steps_to(excess[name]) is not None and steps_to(excess[name]) < 70, name
assert steps_to(excess["Nesterov 0.9 (α=0.3)"]) <= steps_to(excess["momentum 0.9 (α=0.3)"])
floor_sgd = excess["SGD, 1 sample (α=0.05)"][-20:].mean()
floor_mb = excess["mini-batch 32 (α=0.5)"][-20:].mean()
assert floor_sgd > floor_mb > 1e-3

# %% [markdown]
# The learning-rate limit of batch GD is the Hessian's largest eigenvalue: just above `2/λmax` the
# steep direction is multiplied by `|1 − α·λmax| > 1` at every step and the iterates diverge.

# %%
for lr in (0.95 * 2 / eig_valley[-1], 1.05 * 2 / eig_valley[-1]):
    e = float(valley_loss(mg.tensor(run(lambda p, lr=lr: optim.SGD(p, lr=lr), valley_loss)[-1]))) - L_star
    print(f"batch GD with α = {lr:.3f} ({lr * eig_valley[-1] / 2:.2f} × 2/λmax): excess loss after 100 steps {e:.2e}")
    if lr * eig_valley[-1] / 2 > 1:
        assert e > 1e3
    else:
        assert e < 1

# %% [markdown]
# ## 2. A saddle point
#
# `f(x, y) = x² + y⁴/4 − y²/2` has a saddle at the origin and two minima at `(0, ±1)` (value −1/4).
# Its Hessian at the origin, with `hessian()`:

# %%
def saddle(p):
    return p[0] ** 2 + p[1] ** 4 / 4 - p[1] ** 2 / 2


H0 = hessian(saddle, mg.tensor([0.0, 0.0])).numpy()
eig0, vec0 = np.linalg.eigh(H0)
print("Hessian at (0, 0):\n", H0)
print("eigenvalues:", eig0, " eigenvectors (columns):\n", vec0)
assert np.allclose(H0, [[2, 0], [0, -1]]) and eig0[0] < 0 < eig0[1]

# %% [markdown]
# One positive and one negative eigenvalue: a minimum along `x` and a maximum along `y` — a saddle.
# The gradient is 0 there, and close to it, it is tiny along the escape direction (the
# eigenvector of the negative eigenvalue): near the saddle, gradient descent multiplies the `y`
# coordinate by `1 − α·λ = 1 + α` per step. From `y₀ = 0.001` with `α = 0.1` that takes about
# `ln(1000)/ln(1.1)` steps to reach `|y| ≈ 1`. Every optimizer starts at `(1.5, 0.001)` with the
# same learning rate 0.1:

# %%
SADDLE_START = np.array([1.5, 1e-3])
saddle_setups = {
    "GD": lambda p: optim.SGD(p, lr=0.1),
    "momentum 0.9": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Nesterov 0.9": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "RMSProp": lambda p: optim.RMSprop(p, lr=0.1),
    "Adam": lambda p: optim.Adam(p, lr=0.1),
}
saddle_paths, escape = {}, {}
for name, make_opt in saddle_setups.items():
    path = run(make_opt, saddle, steps=150, start=SADDLE_START)
    with mg.no_grad():
        values = np.array([float(saddle(mg.tensor(p))) for p in path])
    saddle_paths[name] = path
    escape[name] = steps_to(values, -0.2)  # first step with f < −0.2 (the minima are at −0.25)

s1, s2 = np.meshgrid(np.linspace(-1.7, 1.7, 200), np.linspace(-1.5, 1.5, 200))
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
ax = axes[0]
ax.contour(s1, s2, s1**2 + s2**4 / 4 - s2**2 / 2, levels=25, colors="gray", linewidths=0.6)
for i, (name, path) in enumerate(saddle_paths.items()):
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2.5, lw=1, color=f"C{i}", label=f"{name}: {escape[name]} steps")
ax.plot(0, 0, "rx", ms=10, label="saddle")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("paths from (1.5, 0.001); legend: steps until f < −0.2")
ax.legend(fontsize=8)
ax = axes[1]
for i, (name, path) in enumerate(saddle_paths.items()):
    ax.semilogy(np.abs(path[:, 1]), color=f"C{i}", label=name)
ax.set_xlabel("step")
ax.set_ylabel("|y| (distance along the escape direction)")
ax.set_title("leaving the saddle")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

print(f"GD estimate near the saddle: ln(1000)/ln(1.1) = {np.log(1000) / np.log(1.1):.0f} steps")
for name, k in escape.items():
    print(f"{name:<13} steps until f < −0.2: {k}")
assert escape["Adam"] < escape["GD"] and escape["momentum 0.9"] < escape["GD"]
assert escape["RMSProp"] < escape["GD"] and escape["Nesterov 0.9"] < escape["GD"]
assert abs(escape["GD"] - np.log(1000) / np.log(1.1)) < 15
first_above = {name: steps_to(-np.abs(p[:, 1]), -0.1) for name, p in saddle_paths.items()}
print("steps until |y| > 0.1:", first_above)
assert first_above["Adam"] <= 3 and first_above["RMSProp"] <= 3 and first_above["GD"] > 30

# %% [markdown]
# Plain GD spends most of its steps near the saddle, growing `y` by 10 % per step as predicted (a
# straight line on the log plot). Momentum accumulates the small but consistent push along `y`.
# RMSProp and Adam divide by the gradient's own size, so even the tiny `y` gradient yields steps of
# about `α`: `|y|` jumps from 0.001 to 0.1 in the first steps. (RMSProp's very first step is larger
# still; the next section shows why.)
#
# ## 3. Adam's bias correction
#
# Adam's averages start at `m₀ = v₀ = 0`. After `t` steps of a constant gradient `g`,
# `m_t = (1 − β₁ᵗ)·g` and `v_t = (1 − β₂ᵗ)·g²`: both are biased towards 0, `v` much more so
# (`β₂ = 0.999`). Dividing by `1 − βᵗ` removes the bias. Without it the step `η·m/√v` would be
# `η·(1 − β₁ᵗ)/√(1 − β₂ᵗ)`: 3.2 η at the first step, about 6.6 η around step 12, and only slowly
# back to η. RMSProp has no bias correction at all: its first step is `α/√(1 − β)` = 10 α for
# `β = 0.99`.
#
# Measured with minigrad's optimizers on `L(θ) = g·θ` (a constant gradient `g = 0.5`), next to the
# uncorrected Adam written in NumPy:

# %%
def step_sizes(make_opt, steps, grad=0.5):
    theta = mg.tensor([0.0], requires_grad=True)
    opt = make_opt([theta])
    sizes = []
    for _ in range(steps):
        before = theta.numpy().copy()
        opt.zero_grad()
        (theta * grad).sum().backward()
        opt.step()
        sizes.append(abs(float(theta.numpy()[0] - before[0])))
    return np.array(sizes)


def numpy_adam_steps(steps, grad=0.5, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, correct=True):
    m = v = 0.0
    sizes = []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        sizes.append(lr * m_hat / (np.sqrt(v_hat) + eps))
    return np.array(sizes)


T, lr = 5000, 1e-3
adam = step_sizes(lambda p: optim.Adam(p, lr=lr), T)
rmsprop = step_sizes(lambda p: optim.RMSprop(p, lr=lr, alpha=0.99), T)
adam_numpy = numpy_adam_steps(T, lr=lr)
adam_uncorrected = numpy_adam_steps(T, lr=lr, correct=False)

fig, ax = plt.subplots(figsize=(7.5, 4))
t = np.arange(1, T + 1)
ax.semilogx(t, adam / lr, label="Adam (minigrad, bias-corrected)", lw=2)
ax.semilogx(t, adam_uncorrected / lr, label="Adam without bias correction (NumPy)")
ax.semilogx(t, rmsprop / lr, label="RMSProp, β = 0.99 (minigrad)")
ax.axhline(1, color="gray", lw=0.8)
ax.set_xlabel("step t")
ax.set_ylabel("step size / learning rate")
ax.set_title("step sizes for a constant gradient")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()

print(f"minigrad Adam vs the course's formulas in NumPy: max |difference| = {np.abs(adam - adam_numpy).max():.1e}")
print(f"step 1 / lr:  Adam {adam[0] / lr:.3f},  uncorrected Adam {adam_uncorrected[0] / lr:.3f},  "
      f"RMSProp {rmsprop[0] / lr:.3f}")
peak = int(np.argmax(adam_uncorrected))
print(f"uncorrected Adam: largest step {adam_uncorrected[peak] / lr:.2f} lr at step {peak + 1}; "
      f"{adam_uncorrected[999] / lr:.2f} lr at step 1000")
assert np.allclose(adam, adam_numpy, rtol=1e-6)
assert abs(adam[0] / lr - 1) < 1e-6 and abs(adam_uncorrected[0] / lr - np.sqrt(10)) < 1e-3
assert abs(rmsprop[0] / lr - 10) < 1e-3 and 6 < adam_uncorrected.max() / lr < 7
assert 8 <= peak + 1 <= 20 and adam_uncorrected[999] / lr > 1.1

# %% [markdown]
# With a constant gradient, bias-corrected Adam moves exactly `η` from the very first step (and
# matches the course's formulas to rounding). Without the correction the early steps are up to
# 6.6 times larger — at the start, when the estimates of the gradient's scale are least reliable —
# and still 26 % too large after 1000 steps.
#
# The first moment's bias is easy to see with a noisy gradient: `g_t = 1 + noise`. The average
# `m_t` starts at 0 and needs about `1/(1 − β₁) = 10` steps to reach the gradient's mean; `m̂_t`
# is unbiased from step 1:

# %%
rng = np.random.default_rng(1)
g = 1 + 0.5 * rng.standard_normal(60)
m_t = np.zeros_like(g)
for k in range(len(g)):
    m_t[k] = 0.9 * (m_t[k - 1] if k else 0.0) + 0.1 * g[k]
m_hat = m_t / (1 - 0.9 ** np.arange(1, len(g) + 1))

fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(range(1, 61), g, ".", color="gray", label="gradient g_t")
ax.plot(range(1, 61), m_t, label="m_t (biased towards 0)")
ax.plot(range(1, 61), m_hat, label="m̂_t = m_t / (1 − 0.9ᵗ)")
ax.axhline(1, color="k", lw=0.8, ls="--", label="E[g] = 1")
ax.set_xlabel("step t")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()
print(f"first 5 steps: mean of m_t {m_t[:5].mean():.2f}, mean of m̂_t {m_hat[:5].mean():.2f}, "
      f"mean of g_t {g[:5].mean():.2f}")
assert m_t[:5].mean() < 0.5 and abs(m_hat[:5].mean() - g[:5].mean()) < 0.3

# %% [markdown]
# ## 4. On a real network: the digits MLP
#
# An MLP `64 → 128 → 128 → 10` with ReLU, PyTorch's default initialisation (the same for every
# run), mini-batches of 64 standardised digits, 400 steps. Every 20 steps we measure the loss on
# the whole training set. Learning rates: 0.01 for the SGD family (and plain SGD also at 0.1),
# 1e-3 — the usual default — for RMSProp and Adam.

# %%
mg.set_default_dtype(np.float32)
X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.2, seed=0)
X_train, X_test = standardize(X_train, X_test)
loss_fn = nn.CrossEntropyLoss()
X_all, y_all = mg.tensor(X_train), mg.tensor(y_train)


def train_mlp(make_opt, steps=400, batch_size=64, every=20):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = make_opt(model.parameters())
    rng = np.random.default_rng(0)
    full_loss = []
    for step in range(1, steps + 1):
        idx = rng.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx])).backward()
        opt.step()
        if step % every == 0:
            with mg.no_grad():
                full_loss.append(float(loss_fn(model(X_all), y_all)))
    with mg.no_grad():
        acc = float((model(mg.tensor(X_test)).numpy().argmax(1) == y_test).mean())
    return np.array(full_loss), acc


mlp_setups = {
    "SGD (α=0.01)": lambda p: optim.SGD(p, lr=0.01),
    "SGD (α=0.1)": lambda p: optim.SGD(p, lr=0.1),
    "momentum 0.9 (α=0.01)": lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
    "Nesterov 0.9 (α=0.01)": lambda p: optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
    "RMSProp (α=1e-3)": lambda p: optim.RMSprop(p, lr=1e-3),
    "Adam (η=1e-3)": lambda p: optim.Adam(p, lr=1e-3),
}
mlp_curves, mlp_acc = {}, {}
for name, make_opt in mlp_setups.items():
    mlp_curves[name], mlp_acc[name] = train_mlp(make_opt)

fig, ax = plt.subplots(figsize=(8, 4.2))
steps_axis = np.arange(20, 401, 20)
for name, c in mlp_curves.items():
    ax.semilogy(steps_axis, c, marker="o", ms=3, label=f"{name}: test acc {mlp_acc[name]:.1%}")
ax.set_xlabel("step")
ax.set_ylabel("training loss (whole training set)")
ax.set_title("digits MLP, mini-batches of 64")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
plt.show()

print(f"{'optimizer':<23} {'loss @100':>9} {'@200':>7} {'@400':>7} {'test acc':>9}")
for name, c in mlp_curves.items():
    print(f"{name:<23} {c[4]:>9.3f} {c[9]:>7.3f} {c[-1]:>7.3f} {mlp_acc[name]:>9.1%}")

# %%
final = {name: c[-1] for name, c in mlp_curves.items()}
assert final["momentum 0.9 (α=0.01)"] < final["SGD (α=0.01)"] / 10
assert 0.5 < final["momentum 0.9 (α=0.01)"] / final["SGD (α=0.1)"] < 2
sgd_family = [v for k, v in final.items() if k.startswith(("SGD", "momentum", "Nesterov"))]
assert max(final["Adam (η=1e-3)"], final["RMSProp (α=1e-3)"]) < min(sgd_family)

# %% [markdown]
# At the same `α = 0.01`, momentum ends with a loss more than ten times lower than plain SGD: with
# `β = 0.9` the velocity sums about `1/(1 − β) = 10` gradients, and indeed it tracks plain SGD at
# `α = 0.1` closely. Adam and RMSProp at their default 1e-3 train fastest here without any tuning —
# the course's advice: Adam is a good default; SGD with momentum, with a tuned learning rate,
# is the other standard choice.
